// Write permission checked without writing: CreateRouteEntries and DeleteRouteEntries sent with
// DryRun=true. The API checks the AccessKey, the RAM authorisation and the parameters, and answers
// the error `DryRunOperation` when the real call would be allowed (reference §9). Nothing is ever
// sent without DryRun from here. Used by `doctor` only.
import type { CredentialSource } from "../credential-source.js";
import { classifyError } from "./classify-error.js";
import { createCredential, secretsOf } from "./credentials.js";
import { parseEndpoint } from "./endpoint.js";
import { VpcApi, type CreateItem } from "./vpc-api.js";
import { DEFAULTS } from "../../defaults.js";

export const DRY_RUN_OK = "DryRunOperation";

export interface DryRunAnswer {
  readonly action: "CreateRouteEntries" | "DeleteRouteEntries";
  /** `DryRunOperation` when allowed, else the error code (or "OK" if the API ignored DryRun). */
  readonly code: string;
  readonly kind: string;
  readonly message: string;
}

export interface DryRunProbeOptions {
  readonly regionId: string;
  readonly endpoint?: string | undefined;
  readonly credential: CredentialSource;
  readonly connectTimeoutMs?: number | undefined;
  readonly readTimeoutMs?: number | undefined;
}

export class AlibabaDryRunProbe {
  readonly #api: VpcApi;
  readonly #secrets: readonly string[];

  constructor(options: DryRunProbeOptions) {
    this.#secrets = secretsOf(options.credential);
    this.#api = new VpcApi({
      regionId: options.regionId,
      endpoint: options.endpoint !== undefined ? parseEndpoint(options.endpoint) : undefined,
      credential: createCredential(options.credential),
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      readTimeoutMs: options.readTimeoutMs ?? DEFAULTS.readTimeoutMs,
    });
  }

  /** Asks whether `create` could be created and entry `deleteRouteEntryId` deleted from its table. */
  async probe(create: CreateItem, deleteRouteEntryId: string): Promise<DryRunAnswer[]> {
    return [
      await this.#ask("CreateRouteEntries", () => this.#api.createRouteEntries([create], true)),
      await this.#ask("DeleteRouteEntries", () =>
        this.#api.deleteRouteEntries([{ routeTableId: create.routeTableId, routeEntryId: deleteRouteEntryId }], true),
      ),
    ];
  }

  async #ask(action: DryRunAnswer["action"], call: () => Promise<unknown>): Promise<DryRunAnswer> {
    try {
      await call();
      return { action, code: "OK", kind: "unknown", message: "the API answered as if DryRun were not supported" };
    } catch (error) {
      const failure = classifyError(error, { action, secrets: this.#secrets });
      return { action, code: failure.code, kind: failure.kind, message: failure.message };
    }
  }
}
