import { pino } from "pino";
import { parseClusterCidrs } from "../../src/domain/eligibility.js";
import { describe, expect, it } from "vitest";
import { MemoryRouteTable } from "../contract/memory-route-table.js";
import { passEvents, routeCounts } from "../../src/controller/pass-summary.js";
import type { NodeFacts } from "../../src/domain/types.js";
import { PassRunner } from "../../src/reconcile/pass-runner.js";
import { nodeFacts } from "../support/nodes.js";


const UID = "0f6bd2c4-3b1e-4d61-9d53-7a3c2e8b1f00";

async function pass(nodes: NodeFacts[], entries: Array<{ destinationCidr: string; nextHops: Array<{ nextHopType: string; nextHopId: string }> }> = []) {
  const routeTable = new MemoryRouteTable({ vpcs: [{ vpcId: "vpc-test0001", routeTables: [{ routeTableId: "vtb-test0001", entries }] }] });
  const runner = new PassRunner({
    routeTable,
    logger: pino({ level: "silent" }),
    settings: {
      regionId: "cn-hangzhou",
      routeTableIds: ["vtb-test0001"],
      clusterName: "prod",
      clusterCidrs: parseClusterCidrs(["10.244.0.0/16"]),
      adoptUnmarked: false,
      maxDeletions: { kind: "percent", value: 50 },
      clusterUid: UID,
    },
  });
  return runner.run({ nodes, allowDeletes: true, dryRun: false });
}

describe("passEvents", () => {
  it.each([
    ["a virtual node", nodeFacts("vk", { providerId: "", podCidrs: ["10.244.9.0/24"], labels: { type: "virtual-kubelet" } }), "NodeSkipped"],
    ["an excluded node", nodeFacts("ex", { providerId: "cn-hangzhou.i-exc00001", podCidrs: ["10.244.8.0/24"], labels: { "service.alibabacloud.com/exclude-node": "" } }), "NodeSkipped"],
    ["a node without pod CIDR", nodeFacts("new", { providerId: "cn-hangzhou.i-new00001", podCidrs: [] }), "NodeSkipped"],
    ["a malformed providerID", nodeFacts("bad", { providerId: "cn-hangzhou/i-bad00001", podCidrs: ["10.244.7.0/24"] }), "InvalidProviderID"],
    // One instance per region is the documented setup: a Normal Event, not a Warning.
    ["another region", nodeFacts("sh", { providerId: "cn-shanghai.i-sha00001", podCidrs: ["10.244.6.0/24"] }), "NodeSkipped"],
    ["a pod CIDR outside the cluster CIDR", nodeFacts("out", { providerId: "cn-hangzhou.i-out00001", podCidrs: ["10.99.0.0/24"] }), "InvalidPodCIDR"],
  ])("reports %s", async (_what, facts, reason) => {
    const events = passEvents(await pass([facts]));
    expect(events).toEqual([expect.objectContaining({ nodeName: facts.nodeName, reason })]);
  });

  it("reports created routes and counts them as present", async () => {
    const result = await pass([nodeFacts("a", { providerId: "cn-hangzhou.i-aaaa0001", podCidrs: ["10.244.0.0/24"] })]);
    expect(passEvents(result)).toEqual([expect.objectContaining({ nodeName: "a", reason: "RouteCreated" })]);
    expect(routeCounts(result).get("vtb-test0001")).toEqual({ desired: 1, present: 1, missing: 0, stale: 0, conflict: 0 });
  });

  it("a create that met the same route made meanwhile by another controller says so, not 'created route' (issue 21)", async () => {
    const result = await pass([nodeFacts("a", { providerId: "cn-hangzhou.i-aaaa0001", podCidrs: ["10.244.0.0/24"] })]);
    const overlap = { ...result, creates: result.creates.map((r) => ({ ...r, outcome: { ok: true as const, routeEntryId: "rte-ccm", note: "already-present" as const } })) };
    const events = passEvents(overlap);
    expect(events).toEqual([expect.objectContaining({ nodeName: "a", reason: "RouteAlreadyPresent" })]);
    expect(events[0]!.message).toContain("was already there, made by another controller");
    expect(events[0]!.message).not.toContain("created route");
  });

  it("a claimed route is reported on its Node", async () => {
    const result = await pass([nodeFacts("a", { providerId: "cn-hangzhou.i-aaaa0001", podCidrs: ["10.244.0.0/24"] })], [{ destinationCidr: "10.244.0.0/24", nextHops: [{ nextHopType: "Instance", nextHopId: "i-aaaa0001" }] }]);
    expect(result.marks.map((m) => [m.action.reason, m.outcome.ok])).toEqual([["claim", true]]);
    expect(passEvents(result)).toEqual([expect.objectContaining({ nodeName: "a", reason: "RouteClaimed" })]);
  });
});
