// The access-key variant of CredentialSource as a class whose secret parts are private: they
// are readable through getters (so the object satisfies CredentialSource) but never show up in
// JSON.stringify, util.inspect, string conversion or object spread.

import { inspect } from "node:util";
import { REDACTED } from "../observability/secret-scrubber.js";

export class AccessKeyCredential {
  readonly kind = "access-key" as const;
  readonly accessKeyId: string;
  /** Where the keys came from, for messages: "environment", "cloud-config /etc/kubernetes/cloud-config". */
  readonly origin: string;
  readonly #accessKeySecret: string;
  readonly #securityToken: string | undefined;

  constructor(init: { accessKeyId: string; accessKeySecret: string; securityToken?: string | undefined; origin: string }) {
    this.accessKeyId = init.accessKeyId;
    this.origin = init.origin;
    this.#accessKeySecret = init.accessKeySecret;
    this.#securityToken = init.securityToken;
  }

  get accessKeySecret(): string {
    return this.#accessKeySecret;
  }

  get securityToken(): string | undefined {
    return this.#securityToken;
  }

  /** What JSON.stringify and util.inspect show. */
  toJSON(): Record<string, string> {
    const view: Record<string, string> = {
      kind: this.kind,
      accessKeyId: this.accessKeyId,
      accessKeySecret: REDACTED,
      origin: this.origin,
    };
    if (this.#securityToken !== undefined) view.securityToken = REDACTED;
    return view;
  }

  toString(): string {
    return `AccessKeyCredential(${this.accessKeyId} from ${this.origin}, secret ${REDACTED})`;
  }

  [inspect.custom](): Record<string, string> {
    return this.toJSON();
  }
}
