// Properties of the planner over generated clusters and route tables: idempotence, never
// touching an entry that is not ours, guards only holding back, and totality on whatever the edges
// (nodeFactsFrom, the cloud listing, networkBlocks) can hand it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildPlan } from "../../src/domain/build-plan.js";
import { canonicalCidr } from "../../src/domain/cidr.js";
import { parseClusterCidrs } from "../../src/domain/eligibility.js";
import { classifyEntry } from "../../src/domain/entry-ownership.js";
import { readMarker, routeMarker } from "../../src/domain/ownership.js";
import { parseProviderId } from "../../src/domain/provider-id.js";
import { nodeFactsFrom, type NodeLike } from "../../src/domain/node-facts.js";
import type { PlanResult } from "../../src/domain/plan.js";
import { networkBlocks } from "../../src/domain/plan-input.js";
import { parseTables } from "../../src/domain/route-tables.js";
import type { NodeFacts, RouteEntry } from "../../src/domain/types.js";
import { CLUSTER, planArgs, REGION, type PlanCase } from "./fixtures.js";

const TABLES = ["vtb-a", "vtb-b"];
const CLUSTER_CIDRS = parseClusterCidrs(["10.244.0.0/16", "fd00:10:244::/48"]);
const NODE_NAMES = ["node-1", "node-2", "node-3", "node-4", "node-5"];
const INSTANCES = ["i-aaaa1111", "i-bbbb2222", "i-cccc3333", "i-dddd4444", "i-eeee5555", "i-ffff6666"];
const CIDRS = [
  "10.244.1.0/24",
  "10.244.2.0/24",
  "10.244.3.0/24",
  "10.244.4.0/24",
  "10.244.0.0/20",
  "fd00:10:244:1::/64",
  "fd00:10:244:2::/64",
  "192.168.1.0/24",
  "10.244.5.1/24",
  "junk",
];
const DESTINATIONS = [...CIDRS, "0.0.0.0/0", "::/0", "10.244.7.0/24", "FD00:10:244:1:0::/64", "10.0.0.0/8"];

const nodeArb: fc.Arbitrary<NodeFacts> = fc.record({
  nodeName: fc.constantFrom(...NODE_NAMES),
  providerId: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...INSTANCES).map((i) => `${REGION}.${i}`) },
    { weight: 2, arbitrary: fc.constantFrom(...INSTANCES).map((i) => `alicloud://${REGION}.${i}`) },
    { weight: 1, arbitrary: fc.constantFrom(undefined, "", "junk", "cn-beijing.i-aaaa1111", "ack-hybrid://x") },
  ),
  podCidrs: fc.subarray(CIDRS, { minLength: 0, maxLength: 2 }),
  labels: fc.oneof(
    { weight: 8, arbitrary: fc.constant({}) },
    { weight: 1, arbitrary: fc.constant({ type: "virtual-kubelet" }) },
    { weight: 1, arbitrary: fc.constant({ "service.alibabacloud.com/exclude-node": "" }) },
  ),
  deleting: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

const hopArb = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...INSTANCES).map((id) => ({ nextHopType: "Instance", nextHopId: id })) },
  { weight: 1, arbitrary: fc.constantFrom("VpnGateway", "RouterInterface", "NatGateway", "HaVip").map((t) => ({ nextHopType: t, nextHopId: `${t.toLowerCase()}-1` })) },
);

const descriptionArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NODE_NAMES, "node-gone").map((n) => routeMarker(CLUSTER, n).description) },
  { weight: 1, arbitrary: fc.constantFrom(...NODE_NAMES).map((n) => routeMarker("staging", n).description) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, "", "hand-made route", "managed-by=vpc-route-sync node=node-1") },
);

const entryArb = fc.record({
  routeTableId: fc.constantFrom(...TABLES),
  destinationCidr: fc.constantFrom(...DESTINATIONS),
  type: fc.oneof({ weight: 8, arbitrary: fc.constant("Custom") }, { weight: 1, arbitrary: fc.constantFrom("System", "BGP") }),
  status: fc.oneof({ weight: 5, arbitrary: fc.constant("Available") }, { weight: 1, arbitrary: fc.constantFrom("Pending", "Modifying", "Deleting") }),
  nextHops: fc.oneof({ weight: 8, arbitrary: fc.array(hopArb, { minLength: 1, maxLength: 1 }) }, { weight: 1, arbitrary: fc.array(hopArb, { minLength: 0, maxLength: 3 }) }),
  description: descriptionArb,
});

/** Route tables as the VPC keeps them: destinations unique per table, ids unique. */
const actualArb = fc.array(entryArb, { maxLength: 14 }).map((raw) => {
  const actual = new Map<string, RouteEntry[]>(TABLES.map((t) => [t, []]));
  const seen = new Set<string>();
  raw.forEach((e, i) => {
    const key = `${e.routeTableId} ${canonicalCidr(e.destinationCidr) ?? e.destinationCidr}`;
    if (seen.has(key)) return;
    seen.add(key);
    actual.get(e.routeTableId)!.push({ ...e, routeEntryId: `rte-${i}` });
  });
  return actual;
});

const nodesArb = fc.uniqueArray(nodeArb, { selector: (n) => n.nodeName, maxLength: NODE_NAMES.length });

const permissive = (adoptUnmarked: boolean): PlanCase => ({
  clusterName: CLUSTER,
  clusterCidrs: CLUSTER_CIDRS,
  adoptUnmarked,
  maxDeletions: { kind: "count", value: Infinity },
  allowDeletes: true,
});

function build(nodes: NodeFacts[], actual: Map<string, RouteEntry[]>, o: PlanCase): PlanResult {
  return buildPlan({ nodes, routeTableIds: TABLES, tables: parseTables(actual), ...planArgs(o) }).plan;
}

/** What the executor would leave behind: deletes removed, creates added with the marker. */
function apply(actual: Map<string, RouteEntry[]>, p: PlanResult, createdStatus: string): Map<string, RouteEntry[]> {
  const next = new Map<string, RouteEntry[]>();
  const gone = new Set(p.deletes.map((d) => `${d.routeTableId} ${d.routeEntryId}`));
  for (const [table, entries] of actual) next.set(table, entries.filter((e) => !gone.has(`${table} ${e.routeEntryId}`)));
  p.creates.forEach((c, i) => {
    next.get(c.routeTableId)!.push({
      routeTableId: c.routeTableId,
      routeEntryId: `rte-new-${i}`,
      destinationCidr: c.destinationCidr,
      type: "Custom",
      status: createdStatus,
      nextHops: [{ nextHopType: "Instance", nextHopId: c.instanceId }],
      routeEntryName: c.routeEntryName,
      description: c.description,
    });
  });
  return next;
}

describe("plan properties", () => {
  it("is idempotent: after applying a plan, planning again yields no actions", () => {
    fc.assert(
      fc.property(nodesArb, actualArb, fc.boolean(), fc.constantFrom("Pending", "Available"), (nodes, actual, adopt, status) => {
        const first = build(nodes, actual, permissive(adopt));
        const second = build(nodes, apply(actual, first, status), permissive(adopt));
        expect(second.creates).toEqual([]);
        expect(second.deletes).toEqual([]);
        expect(second.satisfied.length).toBe(first.satisfied.length + first.creates.length);
      }),
      { numRuns: 600 },
    );
  });

  it("never deletes an entry that is not ours, and never creates over a foreign entry", () => {
    fc.assert(
      fc.property(nodesArb, actualArb, fc.boolean(), fc.boolean(), (nodes, actual, adopt, allowDeletes) => {
        const o = { ...permissive(adopt), allowDeletes };
        const p = build(nodes, actual, o);
        // The planner's adoption rule: an instance some Node names, or a destination an eligible Node wants.
        const named = new Set(nodes.flatMap((n) => {
          const id = parseProviderId(n.providerId, REGION);
          return id.ok ? [id.instanceId] : [];
        }));
        const wanted = new Set([...p.satisfied.map((s) => s.destination.text), ...[...p.creates, ...p.held.creates.map((h) => h.action)].map((d) => d.destinationCidr)]);
        const ctx = { clusterName: CLUSTER, clusterCidrs: CLUSTER_CIDRS, adoptUnmarked: adopt, adoptable: (i: string, d: { text: string }) => named.has(i) || wanted.has(d.text) };
        for (const d of [...p.deletes, ...p.held.deletes.map((h) => h.action)]) {
          const e = actual.get(d.routeTableId)?.find((x) => x.routeEntryId === d.routeEntryId);
          expect(e).toBeDefined();
          expect(classifyEntry(e!, ctx).owned).toBe(true);
          expect(e!.status).not.toBe("Deleting");
          if (!adopt) expect(readMarker(e!, CLUSTER).owned).toBe(true);
        }
        for (const c of p.creates) {
          const holders = (actual.get(c.routeTableId) ?? []).filter((e) => canonicalCidr(e.destinationCidr) === c.destinationCidr);
          for (const h of holders) {
            expect(classifyEntry(h, ctx).owned).toBe(true);
            expect(p.deletes.some((d) => d.routeEntryId === h.routeEntryId)).toBe(true);
          }
        }
      }),
      { numRuns: 600 },
    );
  });

  it("guards only hold back: planned + held equals what a permissive pass wants", () => {
    fc.assert(
      fc.property(
        nodesArb,
        actualArb,
        fc.boolean(),
        fc.oneof(
          fc.record({ kind: fc.constant("count" as const), value: fc.integer({ min: 0, max: 5 }) }),
          fc.record({ kind: fc.constant("percent" as const), value: fc.integer({ min: 0, max: 100 }) }),
        ),
        fc.boolean(),
        (nodes, actual, adopt, maxDeletions, allowDeletes) => {
          const loose = build(nodes, actual, permissive(adopt));
          const tight = build(nodes, actual, { ...permissive(adopt), maxDeletions, allowDeletes });
          const ids = (xs: readonly { routeEntryId: string }[]): string[] => xs.map((x) => x.routeEntryId).sort();
          const guard = (h: { reason: string }): boolean => h.reason === "deletes-not-allowed" || h.reason === "max-deletions-exceeded";
          // A hold mark already in the tables keeps even the permissive pass from deleting (the refusal stands).
          const wants = (p: typeof loose): string[] => ids([...p.deletes, ...p.held.deletes.filter(guard).map((h) => h.action)]);
          expect(wants(tight)).toEqual(wants(loose));
          expect(tight.held.deletes.filter((h) => !guard(h))).toEqual(loose.held.deletes.filter((h) => !guard(h)));
          const key = (c: { routeTableId: string; destinationCidr: string }): string => `${c.routeTableId} ${c.destinationCidr}`;
          const creates = (p: typeof loose): string[] =>
            [...p.creates.map(key), ...p.held.creates.filter((h) => h.reason !== "destination-being-deleted").map((h) => key(h.action))].sort();
          expect(creates(tight)).toEqual(creates(loose));
          if (tight.deletes.length > 0) expect(tight.deletes).toEqual(loose.deletes);
          expect(tight.refusal === undefined || tight.deletes.length === 0).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("never throws on whatever its edges hand it: any Node object, any listed entry, any network text", () => {
    // The planner trusts its types; the edges make them: Nodes through nodeFactsFrom (the informer
    // and --nodes-file), entries as the cloud listing types them (any text in any field), the VPC's
    // network through networkBlocks, settings as config/ parses them. Fed here through buildPlan,
    // the entry every pass and doctor use.
    const junkNode = fc.oneof(
      fc.anything(),
      fc.record({
        metadata: fc.oneof(fc.anything(), fc.record({ name: fc.oneof(fc.constantFrom(...NODE_NAMES), fc.anything()), labels: fc.anything(), deletionTimestamp: fc.anything() })),
        spec: fc.oneof(fc.anything(), fc.record({ providerID: fc.oneof(fc.constantFrom(...INSTANCES.map((i) => `${REGION}.${i}`)), fc.anything()), podCIDR: fc.anything(), podCIDRs: fc.oneof(fc.subarray(DESTINATIONS), fc.anything()) })),
      }),
    );
    const text = (known: readonly string[]): fc.Arbitrary<string> => fc.oneof(fc.constantFrom(...known), fc.string());
    const listedEntry = fc.record({
      routeTableId: fc.constantFrom(...TABLES),
      routeEntryId: fc.string(),
      destinationCidr: text(DESTINATIONS),
      type: text(["Custom", "System"]),
      status: text(["Available", "Deleting"]),
      nextHops: fc.array(fc.oneof(hopArb, fc.record({ nextHopType: fc.string(), nextHopId: fc.string() })), { maxLength: 3 }),
      routeEntryName: fc.option(fc.string(), { nil: undefined }),
      description: fc.option(fc.oneof(descriptionArb, fc.string()), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.array(junkNode, { maxLength: 6 }),
        fc.array(listedEntry, { maxLength: 8 }),
        fc.option(fc.array(fc.record({ vpcCidrs: fc.array(text(DESTINATIONS)), vSwitchCidrs: fc.array(text(DESTINATIONS)) }), { maxLength: 2 }), { nil: undefined }),
        fc.record({
          clusterName: fc.string(),
          clusterUid: fc.option(fc.string(), { nil: undefined }),
          clusterCidrs: fc.subarray(DESTINATIONS).map(parseClusterCidrs),
          adoptUnmarked: fc.boolean(),
          maxDeletions: fc.record({ kind: fc.constantFrom("count" as const, "percent" as const), value: fc.integer({ min: 0, max: 100 }) }),
          approveDeletions: fc.array(text(["all", ...DESTINATIONS])),
        }),
        fc.boolean(),
        (objects, entries, network, settings, allowDeletes) => {
          const actual = new Map<string, RouteEntry[]>(TABLES.map((t) => [t, entries.filter((e) => e.routeTableId === t)]));
          const nodes = objects.map((o) => nodeFactsFrom(o as NodeLike));
          const { plan: p } = buildPlan({ settings: { regionId: REGION, ...settings }, nodes, routeTableIds: TABLES, tables: parseTables(actual), allowDeletes, network: network && networkBlocks(network) });
          expect(Array.isArray(p.creates) && Array.isArray(p.deletes)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
