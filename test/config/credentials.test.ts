import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import type { CredentialSource } from "../../src/cloud/credential-source.js";
import { AccessKeyCredential, ConfigError, parseConfig } from "../../src/config/index.js";
import { base64, memoryIo, parse, parseError, REQUIRED } from "./helpers.js";

const SECRET = "sEcReT-Value-0123456789abcdef";
const TOKEN = "CAIS-sts-token-0123456789abcdefghij";
const FILE_SECRET = "fIlE-SeCrEt-9876543210";

const ACCESS_KEY_ENV = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: "LTAIenvironment01",
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET,
};
const RRSA_ENV = {
  ALIBABA_CLOUD_ROLE_ARN: "acs:ram::1234567890123456:role/vpc-route-sync",
  ALIBABA_CLOUD_OIDC_PROVIDER_ARN: "acs:ram::1234567890123456:oidc-provider/ack-rrsa-c0123",
  ALIBABA_CLOUD_OIDC_TOKEN_FILE: "/var/run/secrets/ack.alibabacloud.com/rrsa-tokens/token",
};
const CLOUD_CONFIG = {
  "/cc": JSON.stringify({ Global: { accessKeyID: base64("LTAIcloudconfig01"), accessKeySecret: base64(FILE_SECRET) } }),
};
const WITH_CC = ["--cloud-config", "/cc"];

function credentialsOf(env: Record<string, string>, argv: readonly string[] = []): CredentialSource {
  return parse(["reconcile", ...REQUIRED, ...argv], env, CLOUD_CONFIG).credentials;
}

describe("credential sources and their precedence", () => {
  it.each([
    ["nothing configured", {}, [], { kind: "default-chain" }],
    ["environment AccessKey", ACCESS_KEY_ENV, [], { kind: "access-key", accessKeyId: "LTAIenvironment01", origin: "environment" }],
    ["cloud-config AccessKey", {}, WITH_CC, { kind: "access-key", accessKeyId: "LTAIcloudconfig01", origin: "cloud-config /cc" }],
    ["environment beats cloud-config", ACCESS_KEY_ENV, WITH_CC, { kind: "access-key", origin: "environment" }],
    ["AccessKey beats RRSA", { ...RRSA_ENV, ...ACCESS_KEY_ENV }, [], { kind: "access-key", origin: "environment" }],
    [
      "RRSA",
      RRSA_ENV,
      [],
      {
        kind: "oidc-role-arn",
        roleArn: RRSA_ENV.ALIBABA_CLOUD_ROLE_ARN,
        oidcProviderArn: RRSA_ENV.ALIBABA_CLOUD_OIDC_PROVIDER_ARN,
        oidcTokenFile: RRSA_ENV.ALIBABA_CLOUD_OIDC_TOKEN_FILE,
      },
    ],
    ["RRSA beats cloud-config", RRSA_ENV, WITH_CC, { kind: "oidc-role-arn" }],
    [
      "RRSA with session name and STS region",
      { ...RRSA_ENV, ALIBABA_CLOUD_ROLE_SESSION_NAME: "vrs-session", ALIBABA_CLOUD_STS_REGION: "cn-beijing" },
      [],
      { kind: "oidc-role-arn", roleSessionName: "vrs-session", stsEndpoint: "sts.cn-beijing.aliyuncs.com" },
    ],
    [
      "RRSA over the VPC STS endpoint",
      { ...RRSA_ENV, ALIBABA_CLOUD_STS_REGION: "cn-beijing", ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED: "true" },
      [],
      { kind: "oidc-role-arn", stsEndpoint: "sts-vpc.cn-beijing.aliyuncs.com" },
    ],
    [
      "RRSA over the VPC STS endpoint of --region",
      { ...RRSA_ENV, ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED: "true" },
      [],
      { kind: "oidc-role-arn", stsEndpoint: "sts-vpc.cn-hangzhou.aliyuncs.com" },
    ],
    [
      "RRSA with the STS endpoint ACK's pod identity webhook injects",
      { ...RRSA_ENV, ALIBABA_CLOUD_STS_ENDPOINT: "sts-vpc.cn-shanghai.aliyuncs.com", ALIBABA_CLOUD_STS_REGION: "cn-beijing", ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED: "true" },
      [],
      { kind: "oidc-role-arn", stsEndpoint: "sts-vpc.cn-shanghai.aliyuncs.com" },
    ],
    ["ECS RAM role", { ALIBABA_CLOUD_ECS_METADATA: "KubernetesWorkerRole" }, [], { kind: "ecs-ram-role", roleName: "KubernetesWorkerRole" }],
    ["RRSA beats the ECS RAM role", { ...RRSA_ENV, ALIBABA_CLOUD_ECS_METADATA: "r" }, [], { kind: "oidc-role-arn" }],
    ["the ECS RAM role beats cloud-config", { ALIBABA_CLOUD_ECS_METADATA: "r" }, WITH_CC, { kind: "ecs-ram-role", roleName: "r" }],
    [
      "a disabled ECS RAM role",
      { ALIBABA_CLOUD_ECS_METADATA: "r", ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true" },
      [],
      { kind: "default-chain" },
    ],
    ["empty variables count as unset", { ALIBABA_CLOUD_ACCESS_KEY_ID: "", ALIBABA_CLOUD_ACCESS_KEY_SECRET: " " }, [], { kind: "default-chain" }],
  ] as const)("%s", (_name, env, argv, expected) => {
    expect(JSON.parse(JSON.stringify(credentialsOf(env, argv)))).toMatchObject(expected);
  });

  it("keeps the STS token with the environment AccessKey", () => {
    const credentials = parse(["reconcile", ...REQUIRED], { ...ACCESS_KEY_ENV, ALIBABA_CLOUD_SECURITY_TOKEN: TOKEN }).credentials;
    expect(credentials.kind).toBe("access-key");
    if (credentials.kind !== "access-key") return;
    expect(credentials.accessKeySecret).toBe(SECRET);
    expect(credentials.securityToken).toBe(TOKEN);
  });
});

describe("credential errors", () => {
  it.each([
    [{ ALIBABA_CLOUD_ACCESS_KEY_ID: "LTAIx" }, "ALIBABA_CLOUD_ACCESS_KEY_ID is set but ALIBABA_CLOUD_ACCESS_KEY_SECRET is not"],
    [{ ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET }, "ALIBABA_CLOUD_ACCESS_KEY_SECRET is set but ALIBABA_CLOUD_ACCESS_KEY_ID is not"],
    [{ ALIBABA_CLOUD_SECURITY_TOKEN: TOKEN }, "ALIBABA_CLOUD_SECURITY_TOKEN is set but ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET are not"],
    [{ ALIBABA_CLOUD_ROLE_ARN: RRSA_ENV.ALIBABA_CLOUD_ROLE_ARN }, "ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE not"],
    [{ ...RRSA_ENV, ALIBABA_CLOUD_ROLE_ARN: "my-role" }, 'invalid ALIBABA_CLOUD_ROLE_ARN "my-role": expected a RAM role ARN'],
    [{ ...RRSA_ENV, ALIBABA_CLOUD_OIDC_PROVIDER_ARN: "x" }, "invalid ALIBABA_CLOUD_OIDC_PROVIDER_ARN"],
    [{ ...RRSA_ENV, ALIBABA_CLOUD_ROLE_SESSION_NAME: "a b" }, "invalid ALIBABA_CLOUD_ROLE_SESSION_NAME"],
    [{ ...RRSA_ENV, ALIBABA_CLOUD_STS_REGION: "Beijing" }, "invalid ALIBABA_CLOUD_STS_REGION"],
    [{ ...RRSA_ENV, ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED: "sure" }, 'invalid ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED "sure": expected true or false'],
    [{ ...RRSA_ENV, ALIBABA_CLOUD_STS_ENDPOINT: "https://sts.aliyuncs.com/" }, 'invalid ALIBABA_CLOUD_STS_ENDPOINT "https://sts.aliyuncs.com/": expected a host name'],
  ])("%j", (env, expected) => {
    const error = parseError(["run", ...REQUIRED], env);
    expect(error.message).toContain(expected);
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain(TOKEN);
  });
});

describe("secrets never appear", () => {
  const everySecretEnv = { ...ACCESS_KEY_ENV, ALIBABA_CLOUD_SECURITY_TOKEN: TOKEN };

  function assertNoSecret(text: string): void {
    for (const secret of [SECRET, TOKEN, FILE_SECRET, base64(FILE_SECRET)]) expect(text).not.toContain(secret);
  }

  it.each([
    ["environment keys", everySecretEnv, []],
    ["cloud-config keys", {}, WITH_CC],
  ] as const)("in JSON, inspect or string forms of a Config with %s", (_name, env, argv) => {
    for (const command of ["reconcile", "run"] as const) {
      const config = parse([command, ...REQUIRED, ...argv], env, CLOUD_CONFIG);
      const credentials = config.credentials;
      const dumps = [
        JSON.stringify(config),
        JSON.stringify(config, null, 2),
        inspect(config, { depth: Infinity }),
        inspect(config, { depth: Infinity, showHidden: true, getters: true }),
        inspect(credentials, { showHidden: true }),
        // eslint-disable-next-line @typescript-eslint/no-base-to-string -- exactly what a careless log line would do
        String(credentials),
        `${JSON.stringify({ ...credentials })}`,
        JSON.stringify(Object.entries(credentials)),
      ];
      for (const dump of dumps) assertNoSecret(dump);
      expect(JSON.stringify(config)).toContain('"accessKeySecret":"[redacted]"');
    }
  });

  it("still hands the secret to code that asks for it", () => {
    const credentials = parse(["reconcile", ...REQUIRED], everySecretEnv).credentials;
    expect(credentials).toBeInstanceOf(AccessKeyCredential);
    expect(credentials.kind === "access-key" && credentials.accessKeySecret).toBe(SECRET);
  });

  it.each([
    [["reconcile", ...REQUIRED, "--api-qps", "x"], everySecretEnv],
    [["reconcile", ...REQUIRED, "--bogus"], everySecretEnv],
    [["reconcile", ...REQUIRED, `--access-key-secret=${SECRET}`], {}],
    [["reconcile", ...REQUIRED, "--access-key-secret", SECRET], {}],
    [["reconcile", "--region", "cn-hangzhou", "--vpc-id", "vpc-abc123", "--dry-run", "--adopt-unmarked"], everySecretEnv],
    [["reconcile", "--vpc-id", "vpc-1"], everySecretEnv],
    [["run", ...REQUIRED, "--lease-duration", "1s"], everySecretEnv],
    [["run", ...REQUIRED], { ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET, ALIBABA_CLOUD_SECURITY_TOKEN: TOKEN }],
    [["run", ...REQUIRED], { ALIBABA_CLOUD_SECURITY_TOKEN: TOKEN }],
    [["run", ...REQUIRED, "--cloud-config", "/bad"], everySecretEnv],
    [["run", ...REQUIRED, "--cloud-config", "/half"], everySecretEnv],
    [["run", ...REQUIRED, "--cloud-config", "/plain"], {}],
  ] as const)("in the error for %j", (argv, env) => {
    const files = {
      "/bad": `{"Global": {"accessKeySecret": "${base64(FILE_SECRET)}" oops}}`,
      "/half": JSON.stringify({ Global: { accessKeySecret: base64(FILE_SECRET) } }),
      "/plain": JSON.stringify({ Global: { accessKeyID: "LTAIplain", accessKeySecret: FILE_SECRET } }),
    };
    let caught: unknown;
    try {
      parseConfig(argv, env, memoryIo(files));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    assertNoSecret(`${String(caught)} ${inspect(caught, { depth: Infinity })} ${JSON.stringify(caught)}`);
  });

  it("in help text", () => {
    const outcome = parseConfig(["run", "--help"], everySecretEnv, memoryIo());
    assertNoSecret(outcome.kind === "help" ? outcome.text : "");
  });
});
