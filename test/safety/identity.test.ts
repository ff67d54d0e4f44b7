// Issue 16, defect 4: a route that carries a uid is ours only when that uid is known to be ours
// (--nodes-file without --cluster-uid owns none of them), and a --cluster-name rename is safe: our
// uid under the old name is recognised and re-marked.
import { describe, expect, it } from "vitest";
import { buildPlan } from "../../src/domain/build-plan.js";
import { routeMarker } from "../../src/domain/ownership.js";
import type { NodeFacts, RouteEntry } from "../../src/domain/types.js";
import { entry, instance, node, planArgs, type PlanCase, TABLE, tables } from "../domain/fixtures.js";

const OURS = "0b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d";
const THEIRS = "11111111-2222-4333-8444-555555555555";

function planOf(nodes: NodeFacts[], entries: RouteEntry[], o: PlanCase) {
  return buildPlan({ nodes, routeTableIds: [TABLE], tables: tables(...entries), ...planArgs(o) }).plan;
}
const marked = (cluster: string, nodeName: string, uid: string | undefined, id: string, cidr: string): RouteEntry =>
  entry(cidr, instance(nodeName), { id, ...(({ routeEntryName, description }) => ({ name: routeEntryName, description }))(routeMarker(cluster, nodeName, uid)) });

describe("identity (defect 4)", () => {
  const theirs = marked("prod", "node-9", THEIRS, "rte-theirs", "10.244.9.0/24");

  it.each<[string, PlanCase]>([
    ["--nodes-file without --cluster-uid (our uid unknown)", {}],
    ["--nodes-file, even with --approve-deletions=all", { approveDeletions: ["all"], maxDeletions: { kind: "count", value: 0 } }],
    ["another cluster's uid while ours is known", { clusterUid: OURS, approveDeletions: ["all"] }],
  ])("a route carrying another uid under our --cluster-name is not ours: %s", (_name, o) => {
    const p = planOf([], [theirs], o);
    expect(p.deletes).toEqual([]);
    expect(p.marks).toEqual([]);
    expect(p.held.deletes).toEqual([]);
  });

  it("--cluster-uid names our uid with --nodes-file: our routes are ours again", () => {
    const ours = marked("prod", "node-9", OURS, "rte-ours", "10.244.9.0/24");
    expect(planOf([], [ours, theirs], { clusterUid: OURS }).deletes.map((d) => d.routeEntryId)).toEqual(["rte-ours"]);
  });

  it("a --cluster-name rename: our uid under the old name is recognised, and re-marked with the new name where it serves a Node", () => {
    const serving = marked("prod-old", "node-1", OURS, "rte-1", "10.244.1.0/24");
    const stale = marked("prod-old", "node-9", OURS, "rte-9", "10.244.9.0/24");
    const p = planOf([node("node-1")], [serving, stale], { clusterName: "prod", clusterUid: OURS });
    expect(p.satisfied.map((s) => s.destination.text)).toEqual(["10.244.1.0/24"]);
    expect(p.marks.map((m) => `${m.routeEntryId} ${m.reason} ${m.description}`)).toEqual([`rte-1 migrate-marker ${routeMarker("prod", "node-1", OURS).description}`]);
    expect(p.deletes.map((d) => d.routeEntryId)).toEqual(["rte-9"]);
    expect(p.creates).toEqual([]);
  });
});
