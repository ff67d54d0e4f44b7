// Properties of the planner across SEQUENCES of passes: each pass plans against the table
// the previous passes left, as a restarted controller would (nothing carried over but the table).
// A small pure simulator applies a plan the way the executor does: marks (ModifyRouteEntry), then
// deletes, then creates. This is where a refusal diluted by the guard's own creates
// shows up; single-pass properties cannot see it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildPlan } from "../../src/domain/build-plan.js";
import { classifyEntry } from "../../src/domain/entry-ownership.js";
import { parseClusterCidrs } from "../../src/domain/eligibility.js";
import { routeMarker } from "../../src/domain/ownership.js";
import type { MaxDeletions, PlanResult } from "../../src/domain/plan.js";
import { parseEntries } from "../../src/domain/route-tables.js";
import type { NodeFacts, RouteEntry } from "../../src/domain/types.js";
import { CLUSTER, REGION } from "./fixtures.js";

const TABLE = "vtb-seq";
const CLUSTER_CIDRS = parseClusterCidrs(["10.244.0.0/16"]);
const UID = "3f1c2b6e-8d4a-4c1e-9b2f-0a1b2c3d4e5f";
const POOL = 10;

/** Node i always has instance i-node000i and pod CIDR 10.244.i.0/24 (a second generation moves it). */
const nodeOf = (i: number, generation: number): NodeFacts => ({
  nodeName: `node-${i}`,
  providerId: `${REGION}.i-node${generation}${String(i).padStart(4, "0")}`,
  podCidrs: [`10.244.${i}.0/24`],
  labels: {},
  deleting: false,
});

const nodeListArb = fc
  .uniqueArray(fc.record({ i: fc.integer({ min: 0, max: POOL - 1 }), generation: fc.integer({ min: 0, max: 1 }) }), { selector: (n) => n.i, maxLength: POOL })
  .map((list) => list.map((n) => nodeOf(n.i, n.generation)));

/** A starting table: our routes for some Nodes (some with a legacy marker), and foreign routes. */
const tableArb = fc
  .record({
    owned: fc.uniqueArray(fc.record({ i: fc.integer({ min: 0, max: POOL - 1 }), legacy: fc.boolean(), status: fc.constantFrom("Available", "Available", "Pending", "Deleting") }), {
      selector: (o) => o.i,
      maxLength: POOL,
    }),
    foreign: fc.uniqueArray(fc.integer({ min: 0, max: POOL + 3 }), { maxLength: 4 }),
  })
  .map(({ owned, foreign }) => {
    const entries: RouteEntry[] = [];
    const taken = new Set(owned.map((o) => o.i));
    for (const o of owned) {
      const marker = routeMarker(CLUSTER, `node-${o.i}`, o.legacy ? undefined : UID);
      entries.push(entry(`rte-own-${o.i}`, `10.244.${o.i}.0/24`, `i-node0${String(o.i).padStart(4, "0")}`, o.status, marker));
    }
    for (const f of foreign.filter((f) => !taken.has(f))) {
      entries.push({ ...entry(`rte-vpn-${f}`, `10.244.${f}.0/24`, `vpn-${f}`, "Available", { routeEntryName: "office", description: "hand-made" }), nextHops: [{ nextHopType: "VpnGateway", nextHopId: `vpn-${f}` }] });
    }
    entries.push({ ...entry("rte-sys", "192.168.0.0/24", "", "Available", { routeEntryName: "", description: "" }), type: "System", nextHops: [{ nextHopType: "local", nextHopId: "" }] });
    return entries;
  });

const maxArb: fc.Arbitrary<MaxDeletions> = fc.oneof(
  fc.record({ kind: fc.constant("count" as const), value: fc.integer({ min: 0, max: 4 }) }),
  fc.record({ kind: fc.constant("percent" as const), value: fc.integer({ min: 0, max: 100 }) }),
);

function entry(id: string, cidr: string, instanceId: string, status: string, marker: { routeEntryName: string; description: string }): RouteEntry {
  return {
    routeTableId: TABLE,
    routeEntryId: id,
    destinationCidr: cidr,
    type: "Custom",
    status,
    nextHops: [{ nextHopType: "Instance", nextHopId: instanceId }],
    routeEntryName: marker.routeEntryName,
    description: marker.description,
  };
}

function planFor(nodes: readonly NodeFacts[], table: readonly RouteEntry[], maxDeletions: MaxDeletions): PlanResult {
  return buildPlan({
    nodes,
    routeTableIds: [TABLE],
    tables: new Map([[TABLE, parseEntries(table)]]),
    settings: { regionId: REGION, clusterName: CLUSTER, clusterUid: UID, clusterCidrs: CLUSTER_CIDRS, adoptUnmarked: false, maxDeletions },
    allowDeletes: true,
  }).plan;
}

/** The executor, purely: marks, then deletes, then creates (Available). Deleting entries finish. */
function applyPlan(table: readonly RouteEntry[], p: PlanResult, pass: number): RouteEntry[] {
  const marks = new Map((p.marks ?? []).map((m) => [m.routeEntryId, m]));
  const gone = new Set(p.deletes.map((d) => d.routeEntryId));
  const next = table
    .filter((e) => e.status !== "Deleting" && !gone.has(e.routeEntryId))
    .map((e) => {
      const m = marks.get(e.routeEntryId);
      return m ? { ...e, routeEntryName: m.routeEntryName, description: m.description } : e;
    });
  p.creates.forEach((c, k) => {
    next.push(entry(`rte-p${pass}-${k}`, c.destinationCidr, c.instanceId, "Available", c));
  });
  return next;
}

const ctx = { clusterName: CLUSTER, clusterUid: UID, clusterCidrs: CLUSTER_CIDRS, adoptUnmarked: false };
const ownedIds = (table: readonly RouteEntry[]): Set<string> => new Set(table.filter((e) => classifyEntry(e, ctx).owned).map((e) => e.routeEntryId));

describe("planner across sequences of passes", () => {
  it("converges: one unguarded pass gives exactly desired + unowned, and re-planning is empty", () => {
    fc.assert(
      fc.property(tableArb, fc.array(nodeListArb, { minLength: 1, maxLength: 4 }), (start, lists) => {
        let table = start;
        const unlimited: MaxDeletions = { kind: "count", value: Infinity };
        lists.forEach((nodes, pass) => {
          const before = table;
          const p = planFor(nodes, table, unlimited);
          table = applyPlan(table, p, pass);
          // A destination held by a Deleting entry is created once that entry is gone: one more pass.
          if (p.held.creates.some((h) => h.reason === "destination-being-deleted")) table = applyPlan(table, planFor(nodes, table, unlimited), pass + 100);
          // Unowned entries are exactly as they were (never deleted, never relabeled).
          const unowned = (t: readonly RouteEntry[]) => t.filter((e) => !classifyEntry(e, ctx).owned);
          expect(unowned(table)).toEqual(unowned(before).filter((e) => e.status !== "Deleting"));
          // Every eligible Node's route is there, or its destination is held by a foreign entry.
          const again = planFor(nodes, table, unlimited);
          expect([again.creates, again.deletes, again.marks]).toEqual([[], [], []]);
          for (const n of nodes) {
            const cidr = n.podCidrs[0]!;
            const here = table.find((e) => e.destinationCidr === cidr);
            const conflict = again.conflicts.some((c) => c.destinationCidr === cidr);
            const held = again.held.creates.some((h) => h.action.destinationCidr === cidr);
            expect(conflict || held || here?.nextHops[0]?.nextHopId === n.providerId!.split(".")[1]).toBe(true);
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it("the guard's promise holds over any sequence of Node lists: a refused route is never deleted while its Node stays away", () => {
    fc.assert(
      fc.property(tableArb, fc.array(nodeListArb, { minLength: 2, maxLength: 6 }), maxArb, (start, lists, maxDeletions) => {
        let table = start;
        /** Refused entry id -> the destination and instance that would release it. */
        const refused = new Map<string, { cidr: string; instanceId: string }>();
        lists.forEach((nodes, pass) => {
          const p = planFor(nodes, table, maxDeletions);
          // A Node that is back (same destination, same instance) releases its entry.
          const wanted = new Set(nodes.map((n) => `${n.podCidrs[0]} ${n.providerId!.split(".")[1]}`));
          for (const [id, r] of refused) if (wanted.has(`${r.cidr} ${r.instanceId}`)) refused.delete(id);
          for (const d of p.deletes) expect(refused.has(d.routeEntryId), `pass ${pass} deletes ${d.routeEntryId}, refused earlier`).toBe(false);
          for (const h of p.held.deletes) {
            if (h.reason === "max-deletions-exceeded") refused.set(h.action.routeEntryId, { cidr: h.action.destinationCidr, instanceId: h.action.instanceId });
          }
          // No pass deletes more than the limit allows (nothing is approved here).
          const allowed = maxDeletions.value <= 0 ? 0 : maxDeletions.kind === "count" ? maxDeletions.value : Math.max(1, Math.ceil((maxDeletions.value * p.ownedEntries) / 100));
          expect(p.deletes.length).toBeLessThanOrEqual(allowed);
          // Owned entries that are not Deleting are never counted twice: the base only shrinks by held ones.
          expect(p.ownedEntries).toBeLessThanOrEqual(ownedIds(table).size);
          table = applyPlan(table, p, pass);
        });
      }),
      { numRuns: 400 },
    );
  });

  it("is order independent: shuffled Nodes and entries give the same plan", () => {
    fc.assert(
      fc.property(tableArb, nodeListArb, maxArb, fc.integer(), (table, nodes, maxDeletions, seed) => {
        const shuffle = <T>(xs: readonly T[]): T[] => {
          const out = [...xs];
          let s = seed >>> 0;
          for (let i = out.length - 1; i > 0; i--) {
            s = (s * 1103515245 + 12345) >>> 0;
            const j = s % (i + 1);
            [out[i], out[j]] = [out[j]!, out[i]!];
          }
          return out;
        };
        expect(planFor(shuffle(nodes), shuffle(table), maxDeletions)).toEqual(planFor(nodes, table, maxDeletions));
      }),
      { numRuns: 300 },
    );
  });
});
