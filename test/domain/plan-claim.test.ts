// Issue 21: taking over from the CCM. An unmarked route that already routes an eligible Node's pod
// CIDR to its instance satisfies it and is claimed (our marker written, next hop untouched), so the
// route follows the Node's lifecycle; without the cluster identity the claim waits and is reported.
import { describe, expect, it } from "vitest";
import { buildPlan } from "../../src/domain/build-plan.js";
import { readMarker, routeMarker } from "../../src/domain/ownership.js";
import type { PlanResult } from "../../src/domain/plan.js";
import type { NodeFacts, RouteEntry } from "../../src/domain/types.js";
import { CLUSTER, entry, instance, node, planArgs, type PlanCase, owned, REGION, TABLE, tables } from "./fixtures.js";

const UID = "0f6bd2c4-3b1e-4d61-9d53-7a3c2e8b1f00";
const i1 = instance("node-1");

function run(nodes: NodeFacts[], entries: RouteEntry[], o: PlanCase = {}): PlanResult {
  return buildPlan({ nodes, routeTableIds: [TABLE], tables: tables(...entries), ...planArgs({ clusterUid: UID, ...o }) }).plan;
}

const ccm = (destination: string, instanceId: string, o: { id?: string; status?: string } = {}): RouteEntry =>
  entry(destination, instanceId, { id: o.id ?? "rte-ccm", name: `${REGION}.${instanceId}-${destination}`, ...(o.status ? { status: o.status } : {}) });

describe("plan: claiming a route that already serves a Node", () => {
  it("an unmarked exact match is satisfied and claimed with today's marker; nothing else is written", () => {
    const p = run([node("node-1")], [ccm("10.244.1.0/24", i1)]);
    expect(p.satisfied.map((s) => s.destination.text)).toEqual(["10.244.1.0/24"]);
    expect(p.creates).toEqual([]);
    expect(p.deletes).toEqual([]);
    expect(p.marks).toEqual([
      expect.objectContaining({ kind: "mark", reason: "claim", routeEntryId: "rte-ccm", nodeName: "node-1", ...routeMarker(CLUSTER, "node-1", UID) }),
    ]);
    expect(p.unclaimed).toEqual([]);
  });

  it("once claimed, the route is ours: stale when its Node goes, replaced for a new Node on the freed CIDR", () => {
    const claimed = { ...ccm("10.244.1.0/24", i1), ...routeMarker(CLUSTER, "node-1", UID) };
    expect(readMarker(claimed, CLUSTER, UID).owned).toBe(true);
    expect(run([], [claimed]).deletes.map((d) => `${d.routeEntryId} ${d.reason}`)).toEqual(["rte-ccm stale"]);
    const newcomer = node("node-9", { podCidrs: ["10.244.1.0/24"] });
    const p = run([newcomer], [claimed]);
    expect(p.deletes.map((d) => `${d.routeEntryId} ${d.reason} ${d.nodeName}`)).toEqual(["rte-ccm next-hop-changed node-9"]);
    expect(p.creates.map((c) => `${c.destinationCidr} -> ${c.instanceId}`)).toEqual([`10.244.1.0/24 -> ${instance("node-9")}`]);
    expect(p.conflicts).toEqual([]);
  });

  it("an adopted (--adopt-unmarked) exact match is claimed too, so it stays ours when adoption is turned off", () => {
    const p = run([node("node-1")], [ccm("10.244.1.0/24", i1)], { adoptUnmarked: true });
    expect(p.marks.map((m) => `${m.routeEntryId} ${m.reason}`)).toEqual(["rte-ccm claim"]);
  });

  it.each<[string, RouteEntry]>([
    ["another cluster's marker", owned("10.244.1.0/24", i1, "node-1", { id: "rte-ccm", cluster: "staging" })],
    ["a damaged marker", entry("10.244.1.0/24", i1, { id: "rte-ccm", description: "managed-by=vpc-route-sync node=x" })],
    ["a route not yet Available", ccm("10.244.1.0/24", i1, { status: "Pending" })],
    ["an ECMP route that includes the instance", entry("10.244.1.0/24", i1, { id: "rte-ccm", hops: [["Instance", i1], ["Instance", "i-otherrrr"]] })],
    ["a CEN route", entry("10.244.1.0/24", i1, { id: "rte-ccm", type: "CEN" })],
  ])("never claims %s", (_name, e) => {
    const p = run([node("node-1")], [e]);
    expect(p.marks).toEqual([]);
    expect(p.unclaimed).toEqual([]);
  });

  it("does not claim a route that points at another instance: that is a conflict, with the command that resolves a leftover", () => {
    const p = run([node("node-1")], [ccm("10.244.1.0/24", "i-gonegone1")]);
    expect(p.marks).toEqual([]);
    expect(p.conflicts).toHaveLength(1);
    expect(p.conflicts[0]!.message).toContain("--adopt-unmarked");
    expect(p.conflicts[0]!.message).toContain("rte-ccm");
  });

  it("with --adopt-unmarked, a leftover at an eligible Node's pod CIDR is re-pointed (it blocks that Node)", () => {
    const p = run([node("node-1")], [ccm("10.244.1.0/24", "i-gonegone1")], { adoptUnmarked: true });
    expect(p.deletes.map((d) => `${d.routeEntryId} ${d.reason}`)).toEqual(["rte-ccm next-hop-changed"]);
    expect(p.creates.map((c) => c.instanceId)).toEqual([i1]);
  });

  it("without the cluster identity (nodes-file mode) nothing is claimed: the route is listed as unclaimed", () => {
    const p = run([node("node-1")], [ccm("10.244.1.0/24", i1)], { clusterUid: undefined });
    expect(p.marks).toEqual([]);
    expect(p.satisfied).toHaveLength(1);
    expect(p.unclaimed).toEqual([{ routeTableId: TABLE, routeEntryId: "rte-ccm", destinationCidr: "10.244.1.0/24", instanceId: i1, nodeName: "node-1" }]);
  });

  it("our own marked route is not claimed again (no churn on a steady pass)", () => {
    const p = run([node("node-1")], [{ ...ccm("10.244.1.0/24", i1), ...routeMarker(CLUSTER, "node-1", UID) }]);
    expect(p.marks).toEqual([]);
  });
});
