// End-to-end: taking over from the cloud-controller-manager's route controller as
// docs/migrate-from-ccm.md describes it, then ordinary churn (issue 21). The CCM's routes are made
// by a stand-in that does what the CCM documentedly does (test/support/ccm-stand-in.ts); the built
// `reconcile` CLI then takes over. One definition, two API servers (the real tier runs this file
// against kube-apiserver + etcd). Assertions are on the fake VPC's final state and request log.
import { afterEach, describe, expect, it } from "vitest";
import type { RequestLogEntry } from "@vpc-route-sync/fake-alibaba-vpc";
import { runCli, type CliResult } from "../support/cli.js";
import { ccmSync } from "../support/ccm-stand-in.js";
import {
  CLUSTER_CIDR,
  CLUSTER_NAME,
  ControllerWorld,
  expectedRoutes,
  instanceId,
  nodeObject,
  nodeSpecs,
  podCidr,
  REGION_ID,
  ROUTE_TABLE_ID,
  VPC_ID,
  WRITE_ACTIONS,
  type NodeSpec,
} from "../support/controller-world.js";
import { backendKind } from "../support/kube-backend.js";

let world: ControllerWorld | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** A hand-made instance route inside the cluster CIDR whose next hop was never a Node. */
const HANDMADE = { destinationCidr: "10.250.0.0/24", nextHopType: "Instance", nextHopId: "i-handmade0000000001", routeEntryName: "lab-appliance" };

function reconcile(w: ControllerWorld, ...extra: string[]): Promise<CliResult> {
  const args = [
    "reconcile",
    "--region", REGION_ID,
    "--vpc-id", VPC_ID,
    "--route-table-ids", ROUTE_TABLE_ID,
    "--cluster-name", CLUSTER_NAME,
    "--cluster-cidr", CLUSTER_CIDR,
    "--vpc-endpoint", w.vpc.url,
    "--kubeconfig", w.kubeconfigPath,
    "--api-qps", "50",
    "--no-progress",
    ...extra,
  ];
  return runCli(args, { env: w.env("a") });
}

/** Writes of a request that remove or re-point a next hop (a delete of any entry, a Modify with a new next hop). */
function nextHopWrites(requests: readonly RequestLogEntry[]): number {
  let n = 0;
  for (const r of requests) {
    if (r.action === "DeleteRouteEntry") n += 1;
    if (r.action === "DeleteRouteEntries") n += Object.keys(r.params).filter((k) => /^RouteEntries\.\d+\.RouteTableId$/.test(k)).length;
    if (r.action === "ModifyRouteEntry" && (r.params.NewNextHopId !== undefined || r.params.NewNextHopType !== undefined)) n += 1;
  }
  return n;
}

/** Route entry ids of the live Nodes' routes (`destination -> their instance`). */
function routeIdsOf(w: ControllerWorld, nodes: readonly NodeSpec[]): Map<string, string> {
  const ids = new Map<string, string>();
  for (const e of w.vpc.entries(ROUTE_TABLE_ID)) {
    const node = nodes.find((n) => n.podCIDR === e.destinationCidr && e.nextHops.length === 1 && e.nextHops[0]!.nextHopId === n.instanceId);
    if (node) ids.set(node.name, e.routeEntryId);
  }
  return ids;
}

/** Runs `step`; Nodes alive before and after it keep their very route entry throughout (no gap: never deleted or re-pointed). */
async function withoutGap(w: ControllerWorld, survivors: readonly NodeSpec[], step: () => Promise<void>): Promise<void> {
  const before = routeIdsOf(w, survivors);
  expect(before.size).toBe(survivors.length);
  const from = w.vpc.requests().length;
  await step();
  const deletedIds = w.vpc
    .requests()
    .slice(from)
    .filter((r) => r.action.startsWith("DeleteRouteEntr") || r.action === "ModifyRouteEntry")
    .flatMap((r) => Object.entries(r.params).filter(([k]) => /RouteEntryId$/.test(k) && !(r.action === "ModifyRouteEntry" && r.params.NewNextHopId === undefined)).map(([, v]) => v));
  for (const id of before.values()) expect(deletedIds).not.toContain(id);
  expect(routeIdsOf(w, survivors)).toEqual(before);
}

describe(`taking over from the cloud-controller-manager (${backendKind()} API server, CCM stand-in)`, () => {
  it("issue 21's history: takeover without a next-hop write, Nodes deleted, new Nodes on the freed pod CIDRs, roll back: every Node routed", async () => {
    let live = nodeSpecs(4);
    world = await ControllerWorld.start({ nodes: live, entries: [HANDMADE] });
    const w = world;
    const handmade = (): string[] => w.routes().filter((r) => r.startsWith(HANDMADE.destinationCidr));

    // 1. The CCM routes every Node (unmarked routes), then its route controller is switched off.
    expect(ccmSync(w.vpc, ROUTE_TABLE_ID, live).created).toHaveLength(4);
    const ccmRoutes = w.vpc.entries(ROUTE_TABLE_ID).filter((e) => e.routeEntryName.startsWith(`${REGION_ID}.`));
    expect(ccmRoutes.every((e) => e.description === "")).toBe(true);

    // 2. Preview: nothing to create or delete; the claims are announced with the Nodes they protect.
    const preview = await reconcile(w, "--dry-run");
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain("0 to create, 0 to delete");
    expect(preview.stdout).toContain("Not claimed yet (dry run)");
    for (const n of live) expect(preview.stdout).toContain(n.name);
    // --adopt-unmarked never takes the hand-made route: no Node names its instance.
    const adoptPreview = await reconcile(w, "--dry-run", "--adopt-unmarked", "--output", "json");
    expect(adoptPreview.code).toBe(0);
    const adoptReport = JSON.parse(adoptPreview.stdout) as { actions: unknown[] };
    expect(adoptReport.actions).toEqual([]);
    expect(w.vpc.requests().filter((r) => WRITE_ACTIONS.has(r.action))).toEqual([]);

    // 3. Takeover: every CCM route is claimed in place (marker only); no next hop is written.
    w.vpc.resetRequests();
    await withoutGap(w, live, async () => {
      const takeover = await reconcile(w);
      expect(takeover.code).toBe(0);
    });
    const takeoverWrites = w.vpc.requests().filter((r) => WRITE_ACTIONS.has(r.action));
    expect(nextHopWrites(takeoverWrites)).toBe(0);
    expect(takeoverWrites.map((r) => r.action)).toEqual(["ModifyRouteEntry", "ModifyRouteEntry", "ModifyRouteEntry", "ModifyRouteEntry"]);
    for (const before of ccmRoutes) {
      const after = w.vpc.entries(ROUTE_TABLE_ID).find((e) => e.routeEntryId === before.routeEntryId)!;
      expect(after.nextHops).toEqual(before.nextHops);
      expect(after.destinationCidr).toBe(before.destinationCidr);
      expect(after.description).toContain("managed-by=vpc-route-sync");
    }
    // A second pass is quiet.
    w.vpc.resetRequests();
    expect((await reconcile(w)).code).toBe(0);
    expect(w.vpc.requests().filter((r) => WRITE_ACTIONS.has(r.action))).toEqual([]);

    // 4. A Node goes and, before the next pass, a new Node receives its pod CIDR (nodeipam hands out the lowest free block).
    const [n0, n1, n2, n3] = live as [NodeSpec, NodeSpec, NodeSpec, NodeSpec];
    const n10: NodeSpec = { name: "node-10", instanceId: instanceId(10), podCIDR: podCidr(1) };
    await withoutGap(w, [n0, n2, n3], async () => {
      await w.cluster.deleteNode(n1.name);
      await w.cluster.createNode(nodeObject(n10));
      live = [n0, n2, n3, n10];
      const pass = await reconcile(w);
      expect(pass.stdout).not.toContain("Conflicts");
      expect(pass.code).toBe(0);
    });
    expect(w.routes()).toEqual([...expectedRoutes(live), ...handmade()].sort());

    // 5. A Node goes, a pass deletes its (claimed) route; then a new Node on the freed CIDR is routed.
    const n11: NodeSpec = { name: "node-11", instanceId: instanceId(11), podCIDR: podCidr(2) };
    await withoutGap(w, [n0, n3, n10], async () => {
      await w.cluster.deleteNode(n2.name);
      live = [n0, n3, n10];
      expect((await reconcile(w)).code).toBe(0);
      expect(w.routes()).toEqual([...expectedRoutes(live), ...handmade()].sort());
      await w.cluster.createNode(nodeObject(n11));
      live = [n0, n3, n10, n11];
      expect((await reconcile(w)).code).toBe(0);
    });
    expect(w.routes()).toEqual([...expectedRoutes(live), ...handmade()].sort());

    // 6. An exclude-node label leaves the Node's route as it is (as the CCM does), reported as excluded.
    await withoutGap(w, live, async () => {
      await w.cluster.updateNode(n3.name, (node) => {
        ((node.metadata as { labels: Record<string, string> }).labels)["service.alibabacloud.com/exclude-node"] = "true";
      });
      const excluded = await reconcile(w, "--output", "json");
      expect(excluded.code).toBe(0);
      const report = JSON.parse(excluded.stdout) as { skipped: Array<{ nodeName: string; reason: string }>; held: Array<{ reason: string; nodeName: string | null }> };
      expect(report.skipped).toContainEqual(expect.objectContaining({ nodeName: n3.name, reason: "excluded" }));
      expect(report.held).toContainEqual(expect.objectContaining({ reason: "excluded-node" }));
      await w.cluster.updateNode(n3.name, (node) => {
        delete ((node.metadata as { labels: Record<string, string> }).labels)["service.alibabacloud.com/exclude-node"];
      });
      expect((await reconcile(w)).code).toBe(0);
    });

    // 7. Roll back: vpc-route-sync goes, the CCM's route controller comes back and finds every route as it expects.
    const rollback = ccmSync(w.vpc, ROUTE_TABLE_ID, live);
    expect(rollback).toEqual({ created: [], deleted: [] });
    expect(w.routes()).toEqual([...expectedRoutes(live), ...handmade()].sort());
    expect(handmade()).toEqual([`${HANDMADE.destinationCidr}>${HANDMADE.nextHopId}`]);
  }, 300_000);

  it("a leftover the operator never saw serve a Node blocks the Node given its pod CIDR: exit 4 names the fix, --adopt-unmarked applies it", async () => {
    const nodes = nodeSpecs(2);
    world = await ControllerWorld.start({ nodes, entries: [HANDMADE] });
    const w = world;
    // The CCM routed node-1, which was then deleted while no route controller ran; node-5 got its CIDR.
    ccmSync(w.vpc, ROUTE_TABLE_ID, nodes);
    await w.cluster.deleteNode("node-1");
    const n5: NodeSpec = { name: "node-5", instanceId: instanceId(5), podCIDR: podCidr(1) };
    await w.cluster.createNode(nodeObject(n5));

    const blocked = await reconcile(w);
    expect(blocked.code).toBe(4);
    expect(blocked.stdout).toContain("Conflicts");
    expect(blocked.stdout).toContain("--adopt-unmarked");
    const dry = await reconcile(w, "--dry-run");
    expect(dry.code).toBe(4);

    const fixed = await reconcile(w, "--adopt-unmarked");
    expect(fixed.code).toBe(0);
    expect(w.routes()).toEqual([...expectedRoutes([nodes[0]!, n5]), `${HANDMADE.destinationCidr}>${HANDMADE.nextHopId}`].sort());
    expect((await reconcile(w)).code).toBe(0);
  }, 180_000);
});
