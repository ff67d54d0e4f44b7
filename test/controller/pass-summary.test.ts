import { pino } from "pino";
import { parseClusterCidrs } from "../../src/domain/eligibility.js";
import { describe, expect, it } from "vitest";
import { MemoryRouteTable } from "../contract/memory-route-table.js";
import { passEvents, routeCounts } from "../../src/controller/pass-summary.js";
import type { NodeFacts } from "../../src/domain/types.js";
import { PassRunner } from "../../src/reconcile/pass-runner.js";

function node(nodeName: string, providerId: string, podCidrs: string[], labels: Record<string, string> = {}): NodeFacts {
  return { nodeName, providerId, podCidrs, labels, deleting: false };
}

async function pass(nodes: NodeFacts[]) {
  const routeTable = new MemoryRouteTable({ vpcs: [{ vpcId: "vpc-test0001", routeTables: [{ routeTableId: "vtb-test0001" }] }] });
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
    },
  });
  return runner.run({ nodes, allowDeletes: true, dryRun: false });
}

describe("passEvents", () => {
  it.each([
    ["a virtual node", node("vk", "", ["10.244.9.0/24"], { type: "virtual-kubelet" }), "NodeSkipped"],
    ["an excluded node", node("ex", "cn-hangzhou.i-exc00001", ["10.244.8.0/24"], { "service.alibabacloud.com/exclude-node": "" }), "NodeSkipped"],
    ["a node without pod CIDR", node("new", "cn-hangzhou.i-new00001", []), "NodeSkipped"],
    ["a malformed providerID", node("bad", "cn-hangzhou/i-bad00001", ["10.244.7.0/24"]), "InvalidProviderID"],
    // One instance per region is the documented setup: a Normal Event, not a Warning (issue 17).
    ["another region", node("sh", "cn-shanghai.i-sha00001", ["10.244.6.0/24"]), "NodeSkipped"],
    ["a pod CIDR outside the cluster CIDR", node("out", "cn-hangzhou.i-out00001", ["10.99.0.0/24"]), "InvalidPodCIDR"],
  ])("reports %s", async (_what, facts, reason) => {
    const events = passEvents(await pass([facts]));
    expect(events).toEqual([expect.objectContaining({ nodeName: facts.nodeName, reason })]);
  });

  it("reports created routes and counts them as present", async () => {
    const result = await pass([node("a", "cn-hangzhou.i-aaaa0001", ["10.244.0.0/24"])]);
    expect(passEvents(result)).toEqual([expect.objectContaining({ nodeName: "a", reason: "RouteCreated" })]);
    expect(routeCounts(result).get("vtb-test0001")).toEqual({ desired: 1, present: 1, missing: 0, stale: 0, conflict: 0 });
  });
});
