// The model-based suite (issue 16): generated histories of Node lists, flags, foreign routes, hand
// edits, faults, crashes, identity and mode switches, approvals and renames, run against the real
// pass runner over the real SDK and the fake VPC API; after every pass the invariants of
// test/model/invariants.ts are checked against the fake's state and request log, and at the end of
// each history every eligible conflict-free Node must be routed. Fixed seeds here; longer runs:
// `npm run fuzz -- --runs N --seed S` (docs/testing.md, "The model-based suite").
import type { FakeRouteEntry, RequestLogEntry } from "@vpc-route-sync/fake-alibaba-vpc";
import { describe, expect, it } from "vitest";
import { checkHistories, runHistory } from "./history.js";
import { checkPass, INVARIANTS, OPEN_DEFECTS, type PassContext } from "./invariants.js";
import { WITNESSES } from "./witnesses.js";

const SEEDS = [7, 1601, 424242];
const RUNS_PER_SEED = 20;

describe("model-based suite: the safety invariants hold over generated histories", () => {
  it.each(SEEDS)("seed %i", async (seed) => {
    const summary = await checkHistories({ seed, runs: RUNS_PER_SEED, maxCommands: 25 });
    if (summary.failure !== undefined) expect.fail(summary.failure);
    expect(summary.histories).toBeGreaterThanOrEqual(RUNS_PER_SEED);
    expect(summary.passes).toBeGreaterThan(summary.histories);
  });

  it("every open defect names an invariant the suite checks, and has a witness history", () => {
    for (const id of OPEN_DEFECTS) {
      expect(Object.keys(INVARIANTS)).toContain(id);
      expect(Object.keys(WITNESSES)).toContain(id);
    }
  });

  // An id in OPEN_DEFECTS whose witness no longer breaks it: the defect is fixed, remove the id.
  // An id not in OPEN_DEFECTS: its witness is a regression test of the fix.
  it.each(Object.keys(WITNESSES))("witness of %s", async (id) => {
    const witness = WITNESSES[id]!;
    const outcome = await runHistory(
      witness.history,
      { omittedFilters: witness.omittedFilters ?? { nextHopType: "any", ipVersion: "any", routeEntryType: "any" }, pendingMs: 0, seed: 1 },
      new Set(),
    );
    const ids = outcome.failures.map((f) => f.id);
    if (OPEN_DEFECTS.includes(id)) {
      expect(ids, `${id} is listed in OPEN_DEFECTS but its witness no longer breaks it: remove it from the list`).toContain(id);
    } else {
      expect(outcome.failures, outcome.trace.join("\n")).toEqual([]);
    }
  });
});

describe("the invariant checks fire on writes that break them", () => {
  const entry = (id: string, destinationCidr: string, description = "", nextHops = [{ nextHopType: "Instance", nextHopId: "i-x" }], type: FakeRouteEntry["type"] = "Custom"): FakeRouteEntry => ({
    routeTableId: "vtb-1",
    routeEntryId: id,
    destinationCidr,
    type,
    status: "Available",
    nextHops: nextHops.map((h) => ({ ...h, weight: 0, enabled: true })),
    routeEntryName: "",
    description,
    ipVersion: destinationCidr.includes(":") ? "ipv6" : "ipv4",
    seq: 1,
    modifiedAt: 0,
  });
  const uid = "11111111-1111-4111-8111-111111111111";
  const ours = (node: string): string => `managed-by=vpc-route-sync cluster=prod uid=${uid} node=${node}`;
  const ctx: PassContext = {
    identity: { key: "A", uid, names: ["prod"] },
    identities: [],
    regionId: "cn-hangzhou",
    clusterCidrs: ["10.244.0.0/16"],
    maxDeletions: "50%",
    adopt: false,
    approve: [],
    nodes: [],
    network: ["192.168.0.0/16"],
    provenance: new Map(),
    refused: new Map(),
    uidKnown: true,
    unlisted: () => false,
  };
  const request = (action: string, params: Record<string, string>): RequestLogEntry => ({ time: 0, requestId: "r", action, params, signature: "", accessKeyId: "", status: 200, code: "" });
  const create = (dest: string): RequestLogEntry =>
    request("CreateRouteEntries", { "RouteEntries.1.RouteTableId": "vtb-1", "RouteEntries.1.DstCidrBlock": dest, "RouteEntries.1.NextHop": "i-x" });
  const deletes = (...ids: string[]): RequestLogEntry =>
    request("DeleteRouteEntries", Object.fromEntries(ids.flatMap((id, k) => [[`RouteEntries.${k + 1}.RouteTableId`, "vtb-1"], [`RouteEntries.${k + 1}.RouteEntryId`, id]])));
  const found = (before: FakeRouteEntry[], log: RequestLogEntry[], extra: Partial<PassContext> = {}): string[] =>
    checkPass(new Map(before.map((e) => [e.routeEntryId, e])), log, { ...ctx, ...extra }, undefined).violations.map((v) => v.id);

  it.each([
    ["default-route", "0.0.0.0/0"],
    ["ipv4-outside-cluster-cidr", "10.245.0.0/24"],
    ["ipv6-without-cluster-cidr", "2000::/3"],
    ["overlaps-vpc-network", "192.168.1.0/24"],
  ])("%s: a create at %s", (id, dest) => {
    expect(found([], [create(dest)], id === "overlaps-vpc-network" ? { clusterCidrs: ["192.168.0.0/16"] } : {})).toContain(id);
  });

  it("a create at a destination a foreign custom route holds", () => {
    expect(found([entry("rte-vpn", "10.244.1.0/24", "", [{ nextHopType: "VpnGateway", nextHopId: "vpn-1" }])], [create("10.244.1.0/24")])).toEqual(["create-at-foreign-destination"]);
  });

  it.each([
    ["touched-unmarked", entry("rte-1", "10.244.1.0/24")],
    ["touched-foreign-type", entry("rte-1", "10.244.1.0/24", ours("n"), [{ nextHopType: "HaVip", nextHopId: "havip-1" }])],
    ["touched-damaged-marker", entry("rte-1", "10.244.1.0/24", ours("n").toUpperCase())],
    ["touched-other-cluster", entry("rte-1", "10.244.1.0/24", ours("n").replace(uid, "22222222-2222-4222-8222-222222222222"))],
    ["deleted-legacy-marker", entry("rte-1", "10.244.1.0/24", "managed-by=vpc-route-sync cluster=prod node=n")],
    ["deleted-ipv4-outside-cluster-cidr", entry("rte-1", "10.245.1.0/24", ours("n"))],
  ])("%s: a delete", (id, e) => {
    expect(found([e], [deletes(e.routeEntryId)])).toEqual([id]);
  });

  it("over-budget: three of four owned routes in one pass at 50 %", () => {
    const owned = [1, 2, 3, 4].map((k) => entry(`rte-${k}`, `10.244.${k}.0/24`, ours(`n${k}`)));
    expect(found(owned, [deletes("rte-1", "rte-2")])).toEqual([]);
    expect(found(owned, [deletes("rte-1", "rte-2", "rte-3")])).toEqual(["over-budget"]);
  });

  it("piecemeal-deletion: a refused route deleted while its Node is absent; not once it is approved", () => {
    const e = entry("rte-1", "10.244.1.0/24", ours("n1"));
    const refused = new Map([["rte-1", "10.244.1.0/24"]]);
    expect(found([e], [deletes("rte-1")], { refused, maxDeletions: "100%" })).toEqual(["piecemeal-deletion"]);
    expect(found([e], [deletes("rte-1")], { refused, maxDeletions: "100%", approve: ["rte-1"] })).toEqual([]);
  });

  it("deleted-live-node-route: the route of an eligible Node that still wants it", () => {
    const e = entry("rte-1", "10.244.1.0/24", ours("n1"));
    const node = { name: "n1", instance: "i-x", providerId: "cn-hangzhou.i-x", podCidrs: ["10.244.1.0/24"], labels: {}, deleting: false };
    expect(found([e], [deletes("rte-1")], { nodes: [node], maxDeletions: "100%" })).toEqual(["deleted-live-node-route"]);
    expect(found([e], [deletes("rte-1")], { nodes: [{ ...node, labels: { type: "virtual-kubelet" } }], maxDeletions: "100%" })).toEqual([]);
  });
});
