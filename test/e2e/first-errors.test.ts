// The first errors a new user meets, through the built CLI: each says what is wrong and what to
// check, once, on stderr.
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET, startFakeVpc, type FakeVpcServer } from "@vpc-route-sync/fake-alibaba-vpc";
import { DEMO_REGION_ID, DEMO_VPC_ID, demoVpcs } from "../../dev/demo-world.js";
import { baseEnv, runCli } from "../support/cli.js";

let vpc: FakeVpcServer;
let closedPort: number;

beforeAll(async () => {
  vpc = await startFakeVpc({ regionId: DEMO_REGION_ID, vpcs: demoVpcs() });
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closedPort = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

afterAll(async () => {
  await vpc.close();
});

const lines = (text: string): string[] => text.split("\n").filter((line) => line.trim() !== "");

/** A dry run from a Node list on stdin: no Kubernetes API needed. */
function dryRun(): string[] {
  return ["reconcile", "--dry-run", "--region", DEMO_REGION_ID, "--vpc-id", DEMO_VPC_ID, "--cluster-name", "demo", "--cluster-cidr", "10.244.0.0/16", "--vpc-endpoint", vpc.url, "--nodes-file", "-"];
}

describe("the first error a user sees", () => {
  it("a mistyped VPC_ROUTE_SYNC_* variable is warned about, naming the nearest known one", async () => {
    const result = await runCli(["reconcile", "--dry-run", "--vpc-id", DEMO_VPC_ID, "--cluster-name", "demo", "--nodes-file", "-"], {
      env: baseEnv({ VPC_ROUTE_SYNC_REGOIN: "cn-hangzhou" }),
      stdin: "[]",
    });
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual([
      "vpc-route-sync: warning: unknown environment variable VPC_ROUTE_SYNC_REGOIN is ignored; did you mean VPC_ROUTE_SYNC_REGION?",
      expect.stringMatching(/^vpc-route-sync: missing --region/),
    ]);
  });

  it("a known variable of another command is no typo", async () => {
    const env = baseEnv({ ALIBABA_CLOUD_ACCESS_KEY_ID: FAKE_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: FAKE_ACCESS_KEY_SECRET, VPC_ROUTE_SYNC_LEADER_ELECT: "true" });
    const result = await runCli(dryRun(), { env, stdin: "[]" });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
  });

  it("no credentials: one message listing the sources tried and what each needs, not the SDK's chain dump", async () => {
    // HOME without profiles; the chain's last source pointed at a loopback port nothing listens on.
    const env = baseEnv({ HOME: mkdtempSync(join(tmpdir(), "vrs-home-")), ALIBABA_CLOUD_CREDENTIALS_URI: `http://127.0.0.1:${closedPort}/` });
    const result = await runCli(dryRun(), { env, stdin: "[]" });
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toHaveLength(1);
    const message = result.stderr;
    expect(message).toMatch(/^vpc-route-sync: DescribeRouteTableList: no Alibaba Cloud credentials found/);
    for (const needed of ["ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ROLE_ARN", "~/.aliyun/config.json", "~/.alibabacloud/credentials", "ALIBABA_CLOUD_ECS_METADATA", "ALIBABA_CLOUD_CREDENTIALS_URI"]) {
      expect(message).toContain(needed);
    }
    expect(message).not.toContain("unable to get credentials from any of the providers");
    expect(message).not.toContain("undefined");
  });
});
