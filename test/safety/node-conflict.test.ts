// Issue 16, defect 3: a conflict between Nodes (a copied providerID, a reused name) freezes the
// routes involved as they are and is reported; the existing Node's route is never deleted.
import { describe, expect, it } from "vitest";
import { buildPlan } from "../../src/domain/build-plan.js";
import type { NodeFacts, RouteEntry } from "../../src/domain/types.js";
import { entry, instance, node, planArgs, type PlanCase, owned, REGION, TABLE, tables } from "../domain/fixtures.js";

function planOf(nodes: NodeFacts[], entries: RouteEntry[], o: PlanCase = {}) {
  return buildPlan({ nodes, routeTableIds: [TABLE], tables: tables(...entries), ...planArgs(o) }).plan;
}

const working = owned("10.244.1.0/24", instance("node-1"), "node-1", { id: "rte-1" });

describe("a conflict between Nodes freezes their routes (defect 3)", () => {
  it("a new Node that copies the existing Node's providerID: both skipped, the working route kept and reported", () => {
    const copy = node("node-7", { providerId: `${REGION}.${instance("node-1")}` });
    const p = planOf([node("node-1"), copy], [working]);
    expect(p.skipped.map((s) => `${s.nodeName} ${s.reason}`)).toEqual(["node-1 shared-instance", "node-7 shared-instance"]);
    expect(p.deletes).toEqual([]);
    expect(p.held.deletes.map((h) => `${h.action.routeEntryId} ${h.reason}`)).toEqual(["rte-1 node-conflict"]);
  });

  it("a second Node object that reuses the name: both skipped, the route kept", () => {
    const p = planOf([node("node-1"), node("node-1", { providerId: `${REGION}.${instance("node-9")}`, podCidrs: ["10.244.9.0/24"] })], [working]);
    expect(p.deletes).toEqual([]);
    expect(p.creates).toEqual([]);
    expect(p.held.deletes.map((h) => `${h.action.routeEntryId} ${h.reason}`)).toEqual(["rte-1 node-conflict"]);
  });

  it("two identical Node objects (one name, one instance): a route to that instance is frozen whatever node its marker names (fuzz seed 20261207)", () => {
    const relabelled = owned("10.244.1.0/24", instance("node-1"), "node-forged", { id: "rte-1" });
    const p = planOf([node("node-1"), node("node-1")], [relabelled]);
    expect(p.skipped.map((s) => `${s.nodeName} ${s.reason}`)).toEqual(["node-1 duplicate-node-name", "node-1 duplicate-node-name"]);
    expect(p.deletes).toEqual([]);
    expect(p.held.deletes.map((h) => `${h.action.routeEntryId} ${h.reason}`)).toEqual(["rte-1 node-conflict"]);
  });

  it("an adopted route to the shared instance is frozen too", () => {
    const adopted = entry("10.244.1.0/24", instance("node-1"), { id: "rte-ccm" });
    const copy = node("node-7", { providerId: `${REGION}.${instance("node-1")}` });
    const p = planOf([node("node-1"), copy], [adopted], { adoptUnmarked: true });
    expect(p.deletes).toEqual([]);
    expect(p.held.deletes.map((h) => `${h.action.routeEntryId} ${h.reason}`)).toEqual(["rte-ccm node-conflict"]);
  });

  it("once the copy is fixed the route is satisfied again, untouched", () => {
    const p = planOf([node("node-1"), node("node-7")], [working]);
    expect(p.deletes).toEqual([]);
    expect(p.satisfied.map((s) => s.destination.text)).toContain("10.244.1.0/24");
  });
});
