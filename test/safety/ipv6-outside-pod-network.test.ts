// Issue 16, defect 1: a family with no configured cluster CIDR gets no route, and owned routes
// outside the cluster CIDR are kept and reported in both families alike.
import { describe, expect, it } from "vitest";
import { buildPlan } from "../../src/domain/build-plan.js";
import { classifyNodes, parseClusterCidrs } from "../../src/domain/eligibility.js";
import type { NodeFacts } from "../../src/domain/types.js";
import { node, planArgs, owned, REGION, TABLE, tables } from "../domain/fixtures.js";

const ipv4Only = parseClusterCidrs(["10.244.0.0/16"]);

describe("IPv6 outside the pod network (defect 1)", () => {
  it.each<[string, Partial<NodeFacts>]>([
    ["dual-stack Node whose IPv6 CIDR is global unicast", { podCidrs: ["10.244.5.0/24", "2000::/3"] }],
    ["IPv6-only Node", { podCidrs: ["fd00:10:244:5::/64"] }],
    ["IPv4-compatible IPv6 spelling of a cluster address", { podCidrs: ["::10.248.10.0/120"] }],
  ])("%s: skipped outside-cluster-cidr when only an IPv4 cluster CIDR is set", (_name, overrides) => {
    const r = classifyNodes([node("node-5", overrides)], { regionId: REGION, clusterCidrs: ipv4Only });
    expect(r.eligible).toEqual([]);
    expect(r.skipped[0]).toMatchObject({ nodeName: "node-5", reason: "outside-cluster-cidr" });
    expect(r.skipped[0]!.message).toMatch(/no IPv6 cluster CIDR is configured|outside the cluster CIDR/);
  });

  it("no route is planned for a family without a cluster CIDR", () => {
    const { plan } = buildPlan({
      nodes: [node("node-5", { podCidrs: ["10.244.5.0/24", "2000::/3"] })],
      routeTableIds: [TABLE],
      tables: tables(),
      ...planArgs({ clusterCidrs: ipv4Only }),
    });
    expect(plan.creates).toEqual([]);
  });

  it.each<[string, string, string[]]>([
    ["an owned IPv6 route when no IPv6 cluster CIDR is configured", "fd00:10:244:9::/64", ["10.244.0.0/16"]],
    ["an owned IPv4 route when no IPv4 cluster CIDR is configured", "10.244.9.0/24", ["fd00:10:244::/48"]],
    ["an owned IPv4 route outside the IPv4 cluster CIDR", "10.99.9.0/24", ["10.244.0.0/16"]],
  ])("%s is kept and reported, like any owned route outside the cluster CIDR", (_name, destination, clusterCidrs) => {
    const { plan } = buildPlan({
      nodes: [],
      routeTableIds: [TABLE],
      tables: tables(owned(destination, "i-node9aaaa", "node-9", { id: "rte-9" })),
      ...planArgs({ clusterCidrs: parseClusterCidrs(clusterCidrs), approveDeletions: ["all"] }),
    });
    expect(plan.deletes).toEqual([]);
    expect(plan.held.deletes.map((h) => `${h.action.routeEntryId} ${h.reason}`)).toEqual(["rte-9 outside-cluster-cidr"]);
  });
});
