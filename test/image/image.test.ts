// The image tier (`npm run test:image`, scripts/test-image.sh; docs/image.md): the container image
// built from the Dockerfile on a locally made base, run as the Deployment runs it — non-root
// (65532), read-only root file system with an emptyDir-like /tmp, every capability dropped, no
// privilege escalation, the memory limit of the manifests — with the host's network, where the fake
// Kubernetes API and the fake VPC API listen on 127.0.0.1. scripts/test-image.sh builds the image
// and sets VRS_IMAGE; without it (as in `npm test`) the tier is skipped with a message.
import { execFile, spawn } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CLUSTER_CIDR, DEMO_CLUSTER_NAME, DEMO_REGION_ID, DEMO_ROUTE_TABLE_ID, DEMO_VPC_ID, demoNodes, demoVpcs } from "../../dev/demo-world.js";
import { startFakeKube, type FakeKubeServer } from "@vpc-route-sync/fake-kube-apiserver";
import { FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET, startFakeVpc, type FakeVpcServer } from "@vpc-route-sync/fake-alibaba-vpc";
import { promqlReferences } from "../observability/promql-names.js";
import { KUSTOMIZE_DIR } from "../support/renderings.js";
import { waitFor } from "../support/wait-for.js";

const run = promisify(execFile);

/** Every metric name the shipped alert rules and Grafana dashboard query. */
function queriedMetrics(): Set<string> {
  const rules = readFileSync(join(KUSTOMIZE_DIR, "components/prometheus-operator/prometheusrule.yaml"), "utf8");
  const dashboard = readFileSync(join(KUSTOMIZE_DIR, "base/grafana-dashboard.json"), "utf8");
  const exprs = [...rules.matchAll(/expr: \|\n((?:\s{12}.*\n)+)/g)].map((m) => m[1]!);
  exprs.push(...[...dashboard.matchAll(/"(?:expr|definition)": "((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]!}"`) as string));
  const names = new Set<string>();
  for (const expr of exprs) for (const name of promqlReferences(expr.replace(/label_values\(\s*([\w:]+).*/, "$1")).metrics) names.add(name);
  return names;
}
const image = process.env.VRS_IMAGE;
if (image === undefined) console.warn("test/image: SKIPPED: no image to test; run `npm run test:image` (scripts/test-image.sh builds it with a Docker engine)");

/** `docker run` as the Deployment runs the container (deploy/kustomize/base/deployment.yaml). */
const AS_DEPLOYED = [
  "--rm",
  "--user", "65532:65532",
  "--read-only",
  "--tmpfs", "/tmp:size=16m",
  "--cap-drop", "ALL",
  "--security-opt", "no-new-privileges",
  "--memory", "256m",
  "--network", "host",
  "-e", `ALIBABA_CLOUD_ACCESS_KEY_ID=${FAKE_ACCESS_KEY_ID}`,
  "-e", `ALIBABA_CLOUD_ACCESS_KEY_SECRET=${FAKE_ACCESS_KEY_SECRET}`,
];

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function docker(args: readonly string[], input?: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn("docker", args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

/** A free TCP port on 127.0.0.1 (the container shares the host's network). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

let kube: FakeKubeServer;
let vpc: FakeVpcServer;
let kubeconfig: string;
let temp: string;

beforeAll(async () => {
  if (image === undefined) return;
  kube = await startFakeKube({ nodes: demoNodes() });
  vpc = await startFakeVpc({ regionId: DEMO_REGION_ID, vpcs: demoVpcs(), pendingMs: 0 });
  // Readable by the container's user 65532, as a mounted Secret would be.
  temp = mkdtempSync(join(tmpdir(), "vrs-image-"));
  chmodSync(temp, 0o755);
  kubeconfig = join(temp, "kubeconfig");
  copyFileSync(kube.kubeconfigPath, kubeconfig);
  chmodSync(kubeconfig, 0o644);
});

afterAll(async () => {
  await Promise.all([kube?.close(), vpc?.close()]);
  if (temp) rmSync(temp, { recursive: true, force: true });
});

const settings = (): string[] => [
  "--region", DEMO_REGION_ID, "--vpc-id", DEMO_VPC_ID, "--cluster-name", DEMO_CLUSTER_NAME, "--cluster-cidr", DEMO_CLUSTER_CIDR,
  "--vpc-endpoint", vpc.url,
];
/** The kubeconfig of the fake Kubernetes API, mounted read-only where the container reads it. */
const withKubeconfig = (): string[] => ["-v", `${kubeconfig}:/etc/vrs/kubeconfig:ro`];

describe.skipIf(image === undefined)(`the image ${image ?? ""}, run as the Deployment runs it`, () => {
  it("holds the product only: no fakes, development commands, tests, development packages, declarations or source maps", async () => {
    const listing = await docker(["run", "--rm", "--entrypoint", "sh", image!, "-c", "cd /app && ls && find . -type f | sort"]);
    expect(listing.code, listing.stderr).toBe(0);
    const [top, files] = [listing.stdout.split("\n").slice(0, 4), listing.stdout.split("\n").filter((l) => l.startsWith("./"))];
    expect(top.sort()).toEqual(["LICENSE", "dist", "node_modules", "package.json"]);
    expect(files.filter((f) => /^\.\/(dev|test|packages|bench|src)\//.test(f))).toEqual([]);
    expect(files.filter((f) => /fake|demo/i.test(f) && f.startsWith("./dist/"))).toEqual([]);
    expect(files.filter((f) => /^\.\/node_modules\/(@vpc-route-sync|typescript|vitest|eslint|fast-check|@types\/ws)\//.test(f))).toEqual([]);
    expect(files.filter((f) => /\.(d\.[mc]?ts|ts|map)$/.test(f))).toEqual([]);
    const size = Number((await run("docker", ["image", "inspect", "-f", "{{.Size}}", image!])).stdout.trim());
    const appBytes = Number((await docker(["run", "--rm", "--entrypoint", "du", image!, "-sb", "/app"])).stdout.split("\t")[0]);
    console.log(`test/image: ${image!} is ${(size / 1e6).toFixed(1)} MB; /app ${(appBytes / 1e6).toFixed(1)} MB`);
    expect(size).toBeGreaterThan(0);
  });

  it("prints --help as user 65532 on a read-only root file system", async () => {
    const help = await docker(["run", ...AS_DEPLOYED, image!, "--help"]);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain("Usage: vpc-route-sync");
    const id = await docker(["run", ...AS_DEPLOYED, "--entrypoint", "id", image!]);
    expect(id.stdout.trim()).toMatch(/^uid=65532 gid=65532/);
  });

  it("plans with `reconcile --dry-run` against the fake Kubernetes and VPC APIs, changing nothing", async () => {
    const before = vpc.requests().length;
    const result = await docker(["run", ...AS_DEPLOYED, ...withKubeconfig(), image!, "reconcile", "--dry-run", "--output", "json", "--no-progress", ...settings(), "--kubeconfig", "/etc/vrs/kubeconfig"]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { dryRun: boolean; actions: { kind: string; result: string }[] };
    expect(report.dryRun).toBe(true);
    expect(report.actions.some((a) => a.kind === "create")).toBe(true);
    expect(report.actions.every((a) => a.result === "planned")).toBe(true);
    expect(vpc.requests().slice(before).map((r) => r.action).filter((a) => !a.startsWith("Describe"))).toEqual([]);
  });

  it("runs `doctor` offline, Nodes from a dump on stdin, against the fake VPC", async () => {
    const dump = JSON.stringify({ apiVersion: "v1", kind: "List", items: demoNodes() });
    const result = await docker(["run", "-i", ...AS_DEPLOYED, image!, "doctor", "--nodes-file", "-", "--output", "json", ...settings()], dump);
    expect([0, 1], result.stderr).toContain(result.code);
    const report = JSON.parse(result.stdout) as { checks: { id: string; status: string }[] };
    expect(report.checks.length).toBeGreaterThan(5);
    expect(report.checks.find((c) => c.id === "cluster-version")?.status).toBe("warn");
  });

  it("`run` creates the routes, answers /readyz, and exits 0 on SIGTERM", async () => {
    const [health, metrics] = [await freePort(), await freePort()];
    const name = `vrs-image-test-${process.pid}`;
    const existing = new Set(vpc.entries(DEMO_ROUTE_TABLE_ID).map((e) => e.routeEntryId));
    const started = await docker([
      "run", "-d", ...AS_DEPLOYED.filter((a) => a !== "--rm"), "--name", name, ...withKubeconfig(),
      image!, "run", ...settings(), "--kubeconfig", "/etc/vrs/kubeconfig",
      "--health-probe-bind-address", `127.0.0.1:${health}`, "--metrics-bind-address", `127.0.0.1:${metrics}`,
      "--identity", "image-test", "--leader-election-namespace", "kube-system", "--aggregation-window", "100ms",
    ]);
    expect(started.code, started.stderr).toBe(0);
    try {
      const logs = async (): Promise<string> => {
        const l = await docker(["logs", name]);
        return l.stdout + l.stderr;
      };
      await waitFor("a route created by the container", () => vpc.entries(DEMO_ROUTE_TABLE_ID).some((e) => !existing.has(e.routeEntryId) && e.status === "Available"), {
        timeoutMs: 60_000,
        intervalMs: 200,
      }).catch(async (error: unknown) => {
        throw new Error(`${(error as Error).message}\n${await logs()}`);
      });
      const ready = await waitFor("/readyz 200", async () => (await fetch(`http://127.0.0.1:${health}/readyz`)).status === 200, { timeoutMs: 30_000, intervalMs: 200 });
      expect(ready).toBe(true);
      // Every metric the alerts and the dashboard query is in the running controller's scrape.
      const scrape = await (await fetch(`http://127.0.0.1:${metrics}/metrics`)).text();
      const families = new Set([...scrape.matchAll(/^# TYPE (\S+) (\w+)$/gm)].flatMap((m) => (m[2] === "histogram" ? [m[1]!, `${m[1]!}_bucket`, `${m[1]!}_sum`, `${m[1]!}_count`] : [m[1]!])));
      const queried = queriedMetrics();
      expect(queried.size).toBeGreaterThan(10);
      expect([...queried].filter((name) => !families.has(name))).toEqual([]);
      const stop = await docker(["stop", "--time", "30", name]);
      expect(stop.code, stop.stderr).toBe(0);
      const exit = await docker(["inspect", "-f", "{{.State.ExitCode}} {{.State.OOMKilled}}", name]);
      expect(exit.stdout.trim(), await logs()).toBe("0 false");
    } finally {
      await docker(["rm", "-f", name]);
    }
  }, 180_000);
});
