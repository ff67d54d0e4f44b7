// CredentialSource -> @alicloud/credentials: the Config for each kind, and real signing with
// access-key and STS credentials against the fake VPC API.
import { afterEach, describe, expect, it } from "vitest";
import { buildCredentialConfig, createCredential, secretsOf } from "../../src/cloud/alibaba/credentials.js";
import { createAlibabaRouteTable } from "../../src/cloud/alibaba/alibaba-route-table.js";
import { startFakeVpc, type FakeVpcServer } from "@vpc-route-sync/fake-alibaba-vpc";

let fake: FakeVpcServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe("buildCredentialConfig", () => {
  it("access key without token -> access_key", () => {
    const config = buildCredentialConfig({ kind: "access-key", accessKeyId: "AK", accessKeySecret: "SK", origin: "environment" });
    expect(config).toMatchObject({ type: "access_key", accessKeyId: "AK", accessKeySecret: "SK" });
    expect(config?.securityToken).toBeUndefined();
  });

  it("access key with token -> sts", () => {
    const config = buildCredentialConfig({ kind: "access-key", accessKeyId: "STS.AK", accessKeySecret: "SK", securityToken: "TOKEN", origin: "environment" });
    expect(config).toMatchObject({ type: "sts", accessKeyId: "STS.AK", accessKeySecret: "SK", securityToken: "TOKEN" });
  });

  it("RRSA -> oidc_role_arn with the token file, role and provider", () => {
    const config = buildCredentialConfig({
      kind: "oidc-role-arn",
      roleArn: "acs:ram::123:role/route-sync",
      oidcProviderArn: "acs:ram::123:oidc-provider/ack-rrsa-c1",
      oidcTokenFile: "/var/run/secrets/ack.alibabacloud.com/rrsa-tokens/token",
      stsEndpoint: "sts-vpc.cn-shanghai.aliyuncs.com",
    });
    expect(config).toMatchObject({
      type: "oidc_role_arn",
      roleArn: "acs:ram::123:role/route-sync",
      oidcProviderArn: "acs:ram::123:oidc-provider/ack-rrsa-c1",
      oidcTokenFilePath: "/var/run/secrets/ack.alibabacloud.com/rrsa-tokens/token",
      roleSessionName: "vpc-route-sync",
      stsEndpoint: "sts-vpc.cn-shanghai.aliyuncs.com",
    });
  });

  it("ECS RAM role -> ecs_ram_role, IMDSv2 only", () => {
    expect(buildCredentialConfig({ kind: "ecs-ram-role", roleName: "route-sync" })).toMatchObject({
      type: "ecs_ram_role",
      roleName: "route-sync",
      enableIMDSv2: true,
      disableIMDSv1: true,
    });
    expect(buildCredentialConfig({ kind: "ecs-ram-role" })?.roleName).toBeUndefined();
  });

  it("default chain -> no Config", () => {
    expect(buildCredentialConfig({ kind: "default-chain" })).toBeUndefined();
  });

  it.each([
    [{ kind: "access-key", accessKeyId: "", accessKeySecret: "SK", origin: "cloud-config" } as const, /accessKeyId \(from cloud-config\) is empty/],
    [{ kind: "access-key", accessKeyId: "AK", accessKeySecret: " ", origin: "environment" } as const, /accessKeySecret \(from environment\) is empty/],
    [{ kind: "oidc-role-arn", roleArn: "r", oidcProviderArn: "", oidcTokenFile: "/t" } as const, /ALIBABA_CLOUD_OIDC_PROVIDER_ARN/],
  ])("rejects an incomplete source, naming the field", (source, message) => {
    expect(() => buildCredentialConfig(source)).toThrow(message);
  });
});

describe("createCredential", () => {
  it("returns static credentials for an access key and an STS token", async () => {
    const ak = await createCredential({ kind: "access-key", accessKeyId: "AK", accessKeySecret: "SK", origin: "test" }).getCredential();
    expect(ak).toMatchObject({ accessKeyId: "AK", accessKeySecret: "SK" });
    const sts = await createCredential({ kind: "access-key", accessKeyId: "AK", accessKeySecret: "SK", securityToken: "TOK", origin: "test" }).getCredential();
    expect(sts).toMatchObject({ accessKeyId: "AK", accessKeySecret: "SK", securityToken: "TOK" });
  });

  it("lists the secrets to scrub", () => {
    expect(secretsOf({ kind: "access-key", accessKeyId: "AK", accessKeySecret: "SK", securityToken: "TOK", origin: "t" })).toEqual(["SK", "TOK"]);
    expect(secretsOf({ kind: "ecs-ram-role" })).toEqual([]);
  });

  it("signs with STS credentials the fake accepts, and a wrong token is a credentials error", async () => {
    fake = await startFakeVpc({ regionId: "cn-shanghai", credentials: { "STS.AKTEST0001": { secret: "sts-secret-0001", securityToken: "sts-token-0001" } } });
    const make = (securityToken: string) =>
      createAlibabaRouteTable({
        regionId: "cn-shanghai",
        endpoint: fake!.url,
        credential: { kind: "access-key", accessKeyId: "STS.AKTEST0001", accessKeySecret: "sts-secret-0001", securityToken, origin: "test" },
        qps: 1000,
      });
    const tables = await make("sts-token-0001").listRouteTables("vpc-fake0001");
    expect(tables.map((t) => t.routeTableId)).toEqual(["vtb-fake0001"]);
    const error: unknown = await make("sts-token-WRONG").listRouteTables("vpc-fake0001").catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "credentials", retryable: false });
    expect(JSON.stringify(error) + String((error as Error).message)).not.toContain("sts-token-WRONG");
  });
});
