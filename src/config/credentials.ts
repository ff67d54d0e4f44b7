// Decides where the Alibaba Cloud credentials come from. Environment variables (the names of
// @alicloud/credentials' default chain) beat the cloud-config, like every other setting; among
// them the chain's own order applies: AccessKey pair, then RRSA (OIDC), then the ECS RAM role.
// With nothing configured the adapter uses the SDK's default chain (profile files, credentials
// URI, ECS metadata discovery). Messages name variables, never their values.

import type { CredentialSource } from "../cloud/credential-source.js";
import { AccessKeyCredential } from "./access-key-credential.js";
import type { CloudConfig } from "./cloud-config.js";
import { ConfigError } from "../errors.js";
import { booleanValue, regionId } from "./value-schemas.js";
import type { Env } from "./types.js";

export const CREDENTIAL_ENV = {
  accessKeyId: "ALIBABA_CLOUD_ACCESS_KEY_ID",
  accessKeySecret: "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
  securityToken: "ALIBABA_CLOUD_SECURITY_TOKEN",
  roleArn: "ALIBABA_CLOUD_ROLE_ARN",
  oidcProviderArn: "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
  oidcTokenFile: "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
  roleSessionName: "ALIBABA_CLOUD_ROLE_SESSION_NAME",
  stsRegion: "ALIBABA_CLOUD_STS_REGION",
  stsEndpoint: "ALIBABA_CLOUD_STS_ENDPOINT",
  vpcEndpointEnabled: "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED",
  ecsMetadata: "ALIBABA_CLOUD_ECS_METADATA",
  ecsMetadataDisabled: "ALIBABA_CLOUD_ECS_METADATA_DISABLED",
} as const;

/**
 * @param regionIdForSts the configured region: the STS region when ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED
 *   asks for the VPC STS endpoint without ALIBABA_CLOUD_STS_REGION (the public one may be unreachable).
 */
export function resolveCredentials(env: Env, cloudConfig: CloudConfig | undefined, regionIdForSts: string): CredentialSource {
  const get = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === "" ? undefined : value;
  };

  const accessKeyId = get(CREDENTIAL_ENV.accessKeyId);
  const accessKeySecret = get(CREDENTIAL_ENV.accessKeySecret);
  const securityToken = get(CREDENTIAL_ENV.securityToken);
  if (accessKeyId !== undefined || accessKeySecret !== undefined) {
    if (accessKeyId === undefined || accessKeySecret === undefined) {
      const [set, unset] =
        accessKeyId === undefined
          ? [CREDENTIAL_ENV.accessKeySecret, CREDENTIAL_ENV.accessKeyId]
          : [CREDENTIAL_ENV.accessKeyId, CREDENTIAL_ENV.accessKeySecret];
      throw new ConfigError(`incomplete credentials: ${set} is set but ${unset} is not (set both or neither)`);
    }
    return new AccessKeyCredential({ accessKeyId: accessKeyId.trim(), accessKeySecret, securityToken, origin: "environment" });
  }
  if (securityToken !== undefined) {
    throw new ConfigError(
      `incomplete credentials: ${CREDENTIAL_ENV.securityToken} is set but ${CREDENTIAL_ENV.accessKeyId} and ${CREDENTIAL_ENV.accessKeySecret} are not (an STS token needs its key pair)`,
    );
  }

  const rrsaNames = [CREDENTIAL_ENV.roleArn, CREDENTIAL_ENV.oidcProviderArn, CREDENTIAL_ENV.oidcTokenFile] as const;
  const rrsaSet = rrsaNames.filter((name) => get(name) !== undefined);
  if (rrsaSet.length > 0) {
    if (rrsaSet.length < rrsaNames.length) {
      const missing = rrsaNames.filter((name) => get(name) === undefined);
      throw new ConfigError(`incomplete RRSA credentials: ${rrsaSet.join(", ")} set but ${missing.join(", ")} not (RRSA needs all three)`);
    }
    return oidcSource(get, regionIdForSts);
  }

  const ecsRole = get(CREDENTIAL_ENV.ecsMetadata);
  const ecsDisabled = parseFlag(get, CREDENTIAL_ENV.ecsMetadataDisabled);
  if (ecsRole !== undefined && !ecsDisabled) {
    return { kind: "ecs-ram-role", roleName: ecsRole.trim() };
  }

  if (cloudConfig?.accessKey !== undefined) return cloudConfig.accessKey;
  return { kind: "default-chain" };
}

function oidcSource(get: (name: string) => string | undefined, regionIdForSts: string): CredentialSource {
  const roleArn = (get(CREDENTIAL_ENV.roleArn) ?? "").trim();
  const oidcProviderArn = (get(CREDENTIAL_ENV.oidcProviderArn) ?? "").trim();
  const oidcTokenFile = (get(CREDENTIAL_ENV.oidcTokenFile) ?? "").trim();
  if (!/^acs:ram::\d+:role\/\S+$/.test(roleArn)) {
    throw invalidEnv(CREDENTIAL_ENV.roleArn, roleArn, "expected a RAM role ARN such as acs:ram::123456789012:role/my-role");
  }
  if (!/^acs:ram::\d+:oidc-provider\/\S+$/.test(oidcProviderArn)) {
    throw invalidEnv(
      CREDENTIAL_ENV.oidcProviderArn,
      oidcProviderArn,
      "expected an OIDC provider ARN such as acs:ram::123456789012:oidc-provider/ack-rrsa-c0123",
    );
  }
  const roleSessionName = get(CREDENTIAL_ENV.roleSessionName)?.trim();
  if (roleSessionName !== undefined && !/^[A-Za-z0-9._@-]{2,64}$/.test(roleSessionName)) {
    throw invalidEnv(CREDENTIAL_ENV.roleSessionName, roleSessionName, "expected 2-64 letters, digits, '.', '_', '@' or '-'");
  }
  let stsRegion = get(CREDENTIAL_ENV.stsRegion)?.trim();
  if (stsRegion !== undefined && !regionId.safeParse(stsRegion).success) {
    throw invalidEnv(CREDENTIAL_ENV.stsRegion, stsRegion, "expected a region id such as cn-hangzhou");
  }
  const vpcEndpoint = parseFlag(get, CREDENTIAL_ENV.vpcEndpointEnabled);
  if (vpcEndpoint && stsRegion === undefined) stsRegion = regionIdForSts;
  // ALIBABA_CLOUD_STS_ENDPOINT (ACK's pod identity webhook injects it from 0.4.0) wins; else the
  // same endpoint rule as @alicloud/credentials' OIDC provider; unset leaves its default.
  const explicitEndpoint = get(CREDENTIAL_ENV.stsEndpoint)?.trim();
  if (explicitEndpoint !== undefined && !/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(explicitEndpoint)) {
    throw invalidEnv(CREDENTIAL_ENV.stsEndpoint, explicitEndpoint, "expected a host name such as sts-vpc.cn-hangzhou.aliyuncs.com");
  }
  const stsEndpoint =
    explicitEndpoint ??
    (stsRegion === undefined ? undefined : vpcEndpoint ? `sts-vpc.${stsRegion}.aliyuncs.com` : `sts.${stsRegion}.aliyuncs.com`);
  return { kind: "oidc-role-arn", roleArn, oidcProviderArn, oidcTokenFile, roleSessionName, stsEndpoint };
}

function parseFlag(get: (name: string) => string | undefined, name: string): boolean {
  const raw = get(name);
  if (raw === undefined) return false;
  const parsed = booleanValue.safeParse(raw);
  if (!parsed.success) throw invalidEnv(name, raw, "expected true or false");
  return parsed.data;
}

function invalidEnv(name: string, value: string, expected: string): ConfigError {
  return new ConfigError(`invalid ${name} ${JSON.stringify(value)}: ${expected}`);
}
