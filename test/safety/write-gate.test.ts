// The write gate's rules one by one: each GATE_RULES id refuses at least one write here, and the
// writes a correct plan makes pass. Sequences of passes are in deletion-guard-sequence.test.ts.
import { describe, expect, it } from "vitest";
import { approvalsOf } from "../../src/domain/approval.js";
import { parseClusterCidrs } from "../../src/domain/eligibility.js";
import { routeMarker } from "../../src/domain/ownership.js";
import type { MaxDeletions } from "../../src/domain/plan.js";
import { parseEntries } from "../../src/domain/route-tables.js";
import type { RouteCreate, RouteDelete, RouteEntry } from "../../src/domain/types.js";
import { GATE_RULES, WriteGate, type GateRule, type GateView, type ModifyProposal } from "../../src/domain/write-gate.js";
import { CLUSTER, CLUSTER_UID, entry, owned, TABLE } from "../domain/fixtures.js";

const UID = "0b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d";
const OTHER_UID = "11111111-2222-4333-8444-555555555555";

function gate(entries: RouteEntry[], o: { network?: GateView["network"]; leader?: boolean; max?: MaxDeletions; approve?: string[]; clusterCidrs?: string[]; uid?: string; wanted?: [string, string][] } = {}): WriteGate {
  return new WriteGate(
    {
      identity: { clusterName: CLUSTER, clusterUid: "uid" in o ? o.uid : CLUSTER_UID, clusterCidrs: parseClusterCidrs(o.clusterCidrs ?? ["10.244.0.0/16"]), adoptUnmarked: false },
      maxDeletions: o.max ?? { kind: "count", value: 100 },
      approvals: approvalsOf(o.approve ?? []),
    },
    {
      tables: new Map([[TABLE, parseEntries(entries)]]),
      network: o.network ?? [],
      wanted: new Map((o.wanted ?? []).map(([d, i]) => [`${TABLE} ${d}`, i])),
      leader: () => o.leader ?? true,
    },
  );
}

const create = (destinationCidr: string, uid: string | undefined = CLUSTER_UID): RouteCreate => ({ routeTableId: TABLE, destinationCidr, instanceId: "i-node1aaaa", ...routeMarker(CLUSTER, "node-1", uid) });
const del = (e: RouteEntry): RouteDelete => ({ routeTableId: TABLE, routeEntryId: e.routeEntryId, destinationCidr: e.destinationCidr, instanceId: e.nextHops[0]?.nextHopId ?? "" });
const claim = (e: RouteEntry, uid: string | undefined = CLUSTER_UID): ModifyProposal => ({ routeTableId: TABLE, routeEntryId: e.routeEntryId, destinationCidr: e.destinationCidr, reason: "claim", ...routeMarker(CLUSTER, "node-1", uid) });

function rulesOf(g: WriteGate, batch: Parameters<WriteGate["admit"]>[1]): GateRule[] {
  const r = g.admit(TABLE, batch);
  return [...r.deletes.refused, ...r.creates.refused, ...r.modifies.refused].map((x) => x.rule);
}

describe("write gate: each rule refuses what it must", () => {
  const stale = owned("10.244.9.0/24", "i-node9aaaa", "node-9", { id: "rte-9" });
  const cases: [GateRule, () => GateRule[]][] = [
    ["leader-only", () => rulesOf(gate([], { leader: false }), { creates: [create("10.244.1.0/24")], deletes: [] })],
    ["cluster-cidr-family", () => rulesOf(gate([]), { creates: [create("fd00:10:244:1::/64")], deletes: [] })],
    ["inside-cluster-cidr", () => rulesOf(gate([]), { creates: [create("10.99.1.0/24")], deletes: [] })],
    ["not-default-route", () => rulesOf(gate([], { clusterCidrs: ["0.0.0.0/0"] }), { creates: [create("0.0.0.0/0")], deletes: [] })],
    ["vpc-network", () => rulesOf(gate([], { network: parseClusterCidrs(["10.244.1.0/24"]) }), { creates: [create("10.244.1.0/24")], deletes: [] })],
    ["vpc-network", () => rulesOf(gate([], { network: "unreadable" }), { creates: [create("10.244.1.0/24")], deletes: [] })],
    ["known-identity", () => rulesOf(gate([entry("10.244.9.0/24", "i-x", { id: "rte-u" })]), { creates: [], deletes: [del(entry("10.244.9.0/24", "i-x", { id: "rte-u" }))] })],
    ["known-identity", () => rulesOf(gate([], { uid: UID }), { creates: [create("10.244.1.0/24", OTHER_UID)], deletes: [] })],
    ["claim-exact-match", () => { const u = entry("10.244.1.0/24", "i-someone", { id: "rte-u" }); return rulesOf(gate([u], { wanted: [["10.244.1.0/24", "i-node1aaaa"]] }), { creates: [], deletes: [], modifies: [claim(u)] }); }],
    ["destination-free", () => rulesOf(gate([entry("10.244.1.0/24", "vpn-1", { hops: [["VpnGateway", "vpn-1"]] })]), { creates: [create("10.244.1.0/24")], deletes: [] })],
    ["deletion-budget", () => rulesOf(gate([stale, owned("10.244.8.0/24", "i-node8aaaa", "node-8", { id: "rte-8" })], { max: { kind: "count", value: 1 } }), { creates: [], deletes: [del(stale), del(owned("10.244.8.0/24", "i-node8aaaa", "node-8", { id: "rte-8" }))] })],
  ];
  it.each(cases)("%s", (rule, run) => {
    expect(run()).toContain(rule);
  });

  it("every rule id is exercised above", () => {
    expect(new Set(cases.map(([r]) => r))).toEqual(new Set(GATE_RULES));
  });

  it("admits what a correct plan writes: a create into a free destination, a stale owned delete, a claim of an exact match", () => {
    const unmarked = entry("10.244.2.0/24", "i-node2aaaa", { id: "rte-ccm" });
    const g = gate([stale, unmarked], { wanted: [["10.244.2.0/24", "i-node2aaaa"]] });
    const r = g.admit(TABLE, { creates: [create("10.244.1.0/24")], deletes: [del(stale)], modifies: [claim(unmarked)] });
    expect([r.creates.refused, r.deletes.refused, r.modifies.refused]).toEqual([[], [], []]);
    expect(r.creates.admitted).toHaveLength(1);
  });

  it("a create may replace our own entry only when its delete is admitted in the same batch", () => {
    const ours = owned("10.244.1.0/24", "i-old", "node-1", { id: "rte-old" });
    expect(rulesOf(gate([ours]), { creates: [create("10.244.1.0/24")], deletes: [del(ours)] })).toEqual([]);
    expect(rulesOf(gate([ours]), { creates: [create("10.244.1.0/24")], deletes: [] })).toEqual(["destination-free"]);
  });

  it("with our uid unknown (--nodes-file), a name-only marker is what we write, and never proof enough to delete", () => {
    const nameOnly = owned("10.244.9.0/24", "i-node9aaaa", "node-9", { id: "rte-9", uid: null });
    const g = gate([nameOnly], { uid: undefined });
    const nameOnlyCreate: RouteCreate = { ...create("10.244.1.0/24"), ...routeMarker(CLUSTER, "node-1") };
    const r = g.admit(TABLE, { creates: [nameOnlyCreate], deletes: [del(nameOnly)] });
    expect(r.creates.refused).toEqual([]);
    expect(r.deletes.refused.map((x) => [x.rule, x.message])).toEqual([["known-identity", expect.stringContaining("carries no cluster uid")]]);
    expect(rulesOf(gate([nameOnly], { uid: undefined, approve: ["rte-9"] }), { creates: [], deletes: [del(nameOnly)] })).toEqual([]);
  });

  it("a claim never overwrites another cluster's marker", () => {
    const theirs = entry("10.244.1.0/24", "i-node1aaaa", { id: "rte-x", description: routeMarker("staging", "node-1").description });
    expect(rulesOf(gate([theirs], { wanted: [["10.244.1.0/24", "i-node1aaaa"]] }), { creates: [], deletes: [], modifies: [claim(theirs)] })).toEqual(["known-identity"]);
  });
});
