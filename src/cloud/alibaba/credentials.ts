// Turns the configuration's CredentialSource into an @alicloud/credentials Credential that the
// VPC client calls on every request (so RRSA and ECS RAM role credentials refresh themselves).
// The package is CommonJS: Node's default import is module.exports, with the class at `.default`
// (cjs-default.ts).
import credentialsModule, { Config as CredentialConfig } from "@alicloud/credentials";
import type { CredentialSource } from "../credential-source.js";
import { cjsDefault } from "./cjs-default.js";

const CredentialClass = cjsDefault(credentialsModule);

/** An @alicloud/credentials Credential (what `Config.credential` of the VPC client accepts). */
export type AlibabaCredential = InstanceType<typeof CredentialClass>;

/**
 * The @alicloud/credentials Config for a source, or `undefined` for the default chain.
 * Exposed so tests can check RRSA/ECS settings without reaching a metadata or STS endpoint.
 * @internal exported for tests
 */
export function buildCredentialConfig(source: CredentialSource): CredentialConfig | undefined {
  switch (source.kind) {
    case "access-key": {
      requireNonEmpty(source.accessKeyId, `accessKeyId (from ${source.origin})`);
      requireNonEmpty(source.accessKeySecret, `accessKeySecret (from ${source.origin})`);
      const token = source.securityToken;
      if (token !== undefined && token !== "") {
        return new CredentialConfig({
          type: "sts",
          accessKeyId: source.accessKeyId,
          accessKeySecret: source.accessKeySecret,
          securityToken: token,
        });
      }
      return new CredentialConfig({
        type: "access_key",
        accessKeyId: source.accessKeyId,
        accessKeySecret: source.accessKeySecret,
      });
    }
    case "oidc-role-arn": {
      requireNonEmpty(source.roleArn, "roleArn (ALIBABA_CLOUD_ROLE_ARN)");
      requireNonEmpty(source.oidcProviderArn, "oidcProviderArn (ALIBABA_CLOUD_OIDC_PROVIDER_ARN)");
      requireNonEmpty(source.oidcTokenFile, "oidcTokenFile (ALIBABA_CLOUD_OIDC_TOKEN_FILE)");
      return new CredentialConfig({
        type: "oidc_role_arn",
        roleArn: source.roleArn,
        oidcProviderArn: source.oidcProviderArn,
        oidcTokenFilePath: source.oidcTokenFile,
        roleSessionName: source.roleSessionName ?? "vpc-route-sync",
        ...(source.stsEndpoint !== undefined && source.stsEndpoint !== "" ? { stsEndpoint: source.stsEndpoint } : {}),
      });
    }
    case "ecs-ram-role":
      return new CredentialConfig({
        type: "ecs_ram_role",
        ...(source.roleName !== undefined && source.roleName !== "" ? { roleName: source.roleName } : {}),
        // IMDSv2 only: a token-protected metadata read cannot be triggered by SSRF through the pod.
        enableIMDSv2: true,
        disableIMDSv1: true,
      });
    case "default-chain":
      return undefined;
  }
}

/**
 * Builds the Credential for a source. For the default chain, build it only once the process
 * environment is final: the chain caches its last provider after a failed lookup.
 */
export function createCredential(source: CredentialSource): AlibabaCredential {
  const config = buildCredentialConfig(source);
  return config === undefined ? new CredentialClass() : new CredentialClass(config);
}

/** Secret strings of a source, so messages built by the adapter can be scrubbed of them. */
export function secretsOf(source: CredentialSource): string[] {
  if (source.kind !== "access-key") return [];
  return [source.accessKeySecret, source.securityToken ?? ""].filter((s) => s !== "");
}

function requireNonEmpty(value: string, what: string): void {
  if (typeof value !== "string" || value.trim() === "") {
    throw new TypeError(`Alibaba Cloud credentials: ${what} is empty`);
  }
}
