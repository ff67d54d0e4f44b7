// docs/migrate-from-ccm.md, run: every vpc-route-sync command of its shell blocks runs against the
// fake Kubernetes API and the fake VPC API after a CCM stand-in routed the Nodes (site-specific
// values substituted), and every metric selector it names is checked against a real controller's
// /metrics text. Commands that need a real cluster around them (kubectl exec) run their CLI part.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseCliArgs } from "../support/doc-commands.js";
import { runCli } from "../support/cli.js";
import { ccmSync } from "../support/ccm-stand-in.js";
import { ACCESS_KEYS, CLUSTER_CIDR, CLUSTER_NAME, ControllerWorld, expectedRoutes, nodeSpecs, REGION_ID, ROUTE_TABLE_ID, VPC_ID } from "../support/controller-world.js";
import { waitFor } from "../support/wait-for.js";
import { REPO } from "../support/renderings.js";

const DOC = readFileSync(join(REPO, "docs/migrate-from-ccm.md"), "utf8");

let world: ControllerWorld | undefined;
let temp: string | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
  if (temp) rmSync(temp, { recursive: true, force: true });
  temp = undefined;
});

/** The sum of the samples of `selector` (`name{label="value",...}`) in Prometheus text. */
function sample(metrics: string, selector: string): number | undefined {
  const m = /^(\w+)(?:\{(.*)\})?$/.exec(selector);
  if (!m) throw new Error(`not a selector: ${selector}`);
  const wanted = [...(m[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => `${k}="${v}"`);
  let sum: number | undefined;
  for (const line of metrics.split("\n")) {
    const s = /^(\w+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!s || s[1] !== m[1] || !wanted.every((w) => (s[2] ?? "").split(",").includes(w))) continue;
    sum = (sum ?? 0) + Number(s[3]);
  }
  return sum;
}

describe("docs/migrate-from-ccm.md, run against the fakes", () => {
  const commands = parseCliArgs(DOC);
  const selectors = [...DOC.matchAll(/`(vpc_route_sync_\w+(?:\{[^}`]*\})?)`/g)].map((m) => m[1]!);

  it("names the commands and metric selectors this test runs", () => {
    expect(commands.map((c) => c.join(" "))).toEqual([
      "reconcile --dry-run --cloud-config ./cloud-config.conf --cluster-cidr 172.20.0.0/16 --vpc-endpoint-type public",
      "reconcile --dry-run",
    ]);
    expect(selectors).toEqual(['vpc_route_sync_routes{state="present"}', 'vpc_route_sync_routes{state="desired"}', 'vpc_route_sync_routes{state="conflict"}']);
  });

  it("preview, takeover and verify behave as written", async () => {
    const nodes = nodeSpecs(3);
    world = await ControllerWorld.start({ nodes });
    const w = world;
    ccmSync(w.vpc, ROUTE_TABLE_ID, nodes);
    temp = mkdtempSync(join(tmpdir(), "vrs-migrate-doc-"));
    const cloudConfig = join(temp, "cloud-config.conf");
    const b64 = (v: string): string => Buffer.from(v).toString("base64");
    writeFileSync(
      cloudConfig,
      JSON.stringify({ Global: { region: REGION_ID, vpcid: VPC_ID, routeTableIDs: ROUTE_TABLE_ID, clusterID: CLUSTER_NAME, accessKeyID: b64(ACCESS_KEYS.a.id), accessKeySecret: b64(ACCESS_KEYS.a.secret) } }),
    );
    const site = (args: readonly string[]): string[] =>
      args.map((a) => (a === "./cloud-config.conf" ? cloudConfig : a === "172.20.0.0/16" ? CLUSTER_CIDR : a));
    const local = ["--vpc-endpoint", w.vpc.url, "--api-qps", "50", "--no-progress"];
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true", KUBECONFIG: w.kubeconfigPath };

    // Step 1: the preview with the CCM's cloud-config (region, VPC, table, cluster ID and AccessKey from the file).
    const preview = await runCli([...site(commands[0]!), ...local], { env });
    expect(preview.stderr).not.toContain("Error");
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain("0 to create, 0 to delete");
    expect(preview.stdout).toContain("Not claimed yet");

    // Steps 3-4: the controller takes over; the in-cluster dry run (configured by environment, as in the Pod) then finds nothing to do.
    const controller = await w.startController("a");
    await controller.waitForLog("the first pass to finish", (l) => l.msg === "reconcile finished");
    const podEnv = {
      ...w.env("a"),
      KUBECONFIG: w.kubeconfigPath,
      VPC_ROUTE_SYNC_REGION: REGION_ID,
      VPC_ROUTE_SYNC_VPC_ID: VPC_ID,
      VPC_ROUTE_SYNC_CLUSTER_NAME: CLUSTER_NAME,
      VPC_ROUTE_SYNC_CLUSTER_CIDR: CLUSTER_CIDR,
      VPC_ROUTE_SYNC_VPC_ENDPOINT: w.vpc.url,
    };
    const verify = await runCli([...commands[1]!, "--no-progress"], { env: podEnv });
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain("0 to create, 0 to delete");
    expect(verify.stdout).not.toContain("Not claimed yet");
    expect(w.routes()).toEqual(expectedRoutes(nodes));
    expect(w.vpc.entries(ROUTE_TABLE_ID).filter((e) => e.nextHops[0]?.nextHopType === "Instance").every((e) => e.description.includes("managed-by=vpc-route-sync"))).toBe(true);

    // The metric selectors the page names exist and agree: present == desired (one per Node), no conflict.
    let metrics = "";
    await waitFor("the route gauges", async () => {
      metrics = await controller.metrics();
      return sample(metrics, selectors[0]!) !== undefined;
    });
    for (const s of selectors) expect(sample(metrics, s), s).toBeDefined();
    expect(sample(metrics, 'vpc_route_sync_routes{state="present"}')).toBe(nodes.length);
    expect(sample(metrics, 'vpc_route_sync_routes{state="desired"}')).toBe(nodes.length);
    expect(sample(metrics, 'vpc_route_sync_routes{state="conflict"}')).toBe(0);
  }, 240_000);
});
