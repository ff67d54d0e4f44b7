// Every command meets the same failures the same way, decided by src/error-policy.ts from the
// error's class: a configuration error exits 2 and a failure at run time 1, each with exactly one
// message, the same for reconcile, doctor and run. `run` ends only on what retrying cannot fix (its
// configuration); a failure at run time is the controller's to retry (errorPolicy: backoff), so it
// keeps running, says so once in its log (stdout), and exits 0 on SIGTERM.
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CLUSTER_CIDR, DEMO_CLUSTER_NAME, DEMO_REGION_ID, DEMO_VPC_ID, demoNodes, demoVpcs } from "../../dev/demo-world.js";
import { startFakeKube, type FakeKubeServer } from "@vpc-route-sync/fake-kube-apiserver";
import { FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET, startFakeVpc, type FakeVpcServer } from "@vpc-route-sync/fake-alibaba-vpc";
import { baseEnv, collect, runCli, startCli, type CliResult } from "../support/cli.js";
import { waitFor } from "../support/wait-for.js";

type Command = "reconcile" | "doctor" | "run";

let kube: FakeKubeServer;
let vpc: FakeVpcServer;
let closedPort: number;
const dir = mkdtempSync(join(tmpdir(), "vrs-command-errors-"));

beforeAll(async () => {
  kube = await startFakeKube({ nodes: demoNodes() });
  vpc = await startFakeVpc({ regionId: DEMO_REGION_ID, vpcs: demoVpcs(kube.namespaceUid("kube-system")) });
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closedPort = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

afterAll(async () => {
  await Promise.all([kube.close(), vpc.close()]);
});

/** A kubeconfig whose server is a loopback port nothing listens on. */
function unreachableKubeconfig(): string {
  const path = join(dir, "unreachable.kubeconfig");
  const cluster = { server: `https://127.0.0.1:${closedPort}`, "insecure-skip-tls-verify": true };
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "c", cluster }],
      users: [{ name: "u", user: { token: "not-a-real-token" } }],
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
      "current-context": "x",
    }),
  );
  return path;
}

interface Failure {
  readonly name: string;
  /** Changes to the flags and the environment of a command that works. */
  readonly flags?: (flags: Record<string, string>) => void;
  readonly env?: Record<string, string>;
  /** The one message: the stderr line of every command that ends on it. */
  readonly message: RegExp;
  /** A configuration error ends every command (exit 2); else reconcile and doctor exit 1 and run keeps going. */
  readonly configuration: boolean;
  /** doctor reports a failure of the VPC side as a failed check in its report (stdout), not on stderr. */
  readonly doctorCheck?: RegExp;
}

const FAILURES: readonly Failure[] = [
  {
    name: "a kubeconfig that does not exist",
    flags: (f) => (f["--kubeconfig"] = "/nonexistent/kubeconfig"),
    message: /^vpc-route-sync: --kubeconfig: kubeconfig file \/nonexistent\/kubeconfig does not exist$/,
    configuration: true,
  },
  {
    name: "a cloud-config that does not exist",
    flags: (f) => (f["--cloud-config"] = "/nonexistent/cloud-config.json"),
    message: /^vpc-route-sync: cannot read --cloud-config "\/nonexistent\/cloud-config.json": ENOENT/,
    configuration: true,
  },
  {
    name: "an unreachable Kubernetes API server",
    flags: (f) => (f["--kubeconfig"] = unreachableKubeconfig()),
    message: /cannot reach the Kubernetes API server \(connect ECONNREFUSED 127\.0\.0\.1:\d+\): check the server address/,
    configuration: false,
  },
  {
    name: "an AccessKey the VPC API rejects",
    env: { ALIBABA_CLOUD_ACCESS_KEY_SECRET: "wrong-secret-Zx81QpL0vT3mNc7bd" },
    message: /DescribeRouteTableList: the Alibaba Cloud AccessKey was rejected: check ALIBABA_CLOUD_ACCESS_KEY_ID\/SECRET/,
    configuration: false,
    doctorCheck: /FAIL .*AccessKey was rejected/,
  },
  {
    name: "a VPC endpoint nothing answers on",
    flags: (f) => (f["--vpc-endpoint"] = `http://127.0.0.1:${closedPort}`),
    message: /DescribeRouteTableList: the connection to the VPC API failed \(ECONNREFUSED/,
    configuration: false,
    doctorCheck: /FAIL .*the connection to the VPC API failed/,
  },
];

function flagsFor(command: Command): Record<string, string> {
  return {
    "--region": DEMO_REGION_ID,
    "--vpc-id": DEMO_VPC_ID,
    "--cluster-name": DEMO_CLUSTER_NAME,
    "--cluster-cidr": DEMO_CLUSTER_CIDR,
    "--vpc-endpoint": vpc.url,
    "--kubeconfig": kube.kubeconfigPath,
    ...(command === "run" ? { "--health-probe-bind-address": "127.0.0.1:0", "--leader-elect": "false", "--log-format": "text" } : {}),
  };
}

async function runCommand(command: Command, failure: Failure): Promise<CliResult> {
  const flags = flagsFor(command);
  failure.flags?.(flags);
  const env = baseEnv({ ALIBABA_CLOUD_ACCESS_KEY_ID: FAKE_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: FAKE_ACCESS_KEY_SECRET, ...failure.env });
  const args = [command, ...Object.entries(flags).flat()];
  if (command !== "run" || failure.configuration) return runCli(args, { env, timeoutMs: 90_000 });
  // The controller retries: wait until its log names the failure, then stop it.
  const child = startCli(args, { env });
  const done = collect(child, { timeoutMs: 90_000 });
  let stdout = "";
  child.stdout?.on("data", (d: Buffer | string) => (stdout += d.toString()));
  await waitFor(`run to log ${String(failure.message)}`, () => failure.message.test(stdout), { timeoutMs: 60_000, describe: () => stdout });
  child.kill("SIGTERM");
  return done;
}

const lines = (text: string): string[] => text.split("\n").filter((line) => line.trim() !== "");

describe.each<Command>(["reconcile", "doctor", "run"])("%s", (command) => {
  it.each(FAILURES)("$name", { timeout: 120_000 }, async (failure) => {
    const result = await runCommand(command, failure);
    const output = `${result.stdout}\n${result.stderr}`;
    if (failure.configuration) {
      expect(result.code, output).toBe(2);
      expect(lines(result.stderr)).toHaveLength(1);
      expect(result.stderr.trimEnd()).toMatch(failure.message);
      expect(result.stdout).toBe("");
    } else if (command === "run") {
      expect(result.code, output).toBe(0);
      expect(result.stderr).toBe("");
      expect(lines(result.stdout).filter((line) => failure.message.test(line)).length).toBeGreaterThan(0);
    } else if (command === "doctor" && failure.doctorCheck !== undefined) {
      expect(result.code, output).toBe(1);
      expect(result.stderr).toBe("");
      expect(result.stdout).toMatch(failure.doctorCheck);
    } else {
      expect(result.code, output).toBe(1);
      expect(lines(result.stderr)).toHaveLength(1);
      expect(result.stderr.trimEnd()).toMatch(new RegExp(`^vpc-route-sync: ${failure.message.source.replace(/^\^/, "")}`));
    }
  });
});
