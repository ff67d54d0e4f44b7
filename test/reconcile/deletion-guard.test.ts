// The deletion guard across passes, restarts and a human override: a refused
// deletion is recorded in the VPC (hold mark) and stays refused while the same Nodes are absent,
// whatever is created meanwhile; a restarted runner (new state, the VPC only) sees it too.
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { MemoryRouteTable } from "../contract/memory-route-table.js";
import type { RouteTable } from "../../src/cloud/route-table.js";
import { routeMarker } from "../../src/domain/ownership.js";
import type { MaxDeletions } from "../../src/domain/plan.js";
import type { NodeFacts, RouteEntry } from "../../src/domain/types.js";
import type { PassSettings } from "../../src/domain/settings.js";
import { PassRunner } from "../../src/reconcile/pass-runner.js";
import { PASS_SETTINGS } from "./fixtures.js";
import { exitCodeFor } from "../../src/error-policy.js";
import { buildJsonReport, formatTextReport } from "../../src/reconcile/report.js";
import { nodeFacts } from "../support/nodes.js";

const TABLE = "vtb-main0001";
const settings = PASS_SETTINGS;

const node = (i: number, instance = `i-node${String(i).padStart(4, "0")}`): NodeFacts => nodeFacts(`node-${i}`, { instance });
const range = (from: number, to: number): NodeFacts[] => Array.from({ length: to - from + 1 }, (_, k) => node(from + k));

/** A VPC whose table holds owned routes of node-1..n (and a foreign VPN route). */
function vpcWith(owned: number, extra: { status?: "Deleting" }[] = []): MemoryRouteTable {
  const entries = [
    { destinationCidr: "172.16.0.0/12", nextHops: [{ nextHopType: "VpnGateway", nextHopId: "vpn-abc" }] },
    ...range(1, owned).map((n, k) => ({
      destinationCidr: n.podCidrs[0]!,
      nextHops: [{ nextHopType: "Instance", nextHopId: `i-node${String(k + 1).padStart(4, "0")}` }],
      ...routeMarker("prod", n.nodeName, settings.clusterUid),
    })),
    ...extra.map((e, k) => ({
      destinationCidr: `10.244.${200 + k}.0/24`,
      nextHops: [{ nextHopType: "Instance", nextHopId: `i-dead${String(k).padStart(4, "0")}` }],
      status: e.status,
      ...routeMarker("prod", `node-dead-${k}`, settings.clusterUid),
    })),
  ];
  return new MemoryRouteTable({ vpcs: [{ vpcId: "vpc-test0001", routeTables: [{ routeTableId: TABLE, entries }] }] });
}

/** A fresh runner each time: nothing is remembered between passes but the VPC. */
function pass(table: MemoryRouteTable, nodes: readonly NodeFacts[], extra: Partial<PassSettings> = {}) {
  const runner = new PassRunner({ routeTable: table, settings: { ...settings, ...extra }, logger: pino({ level: "silent" }) });
  return runner.run({ nodes, allowDeletes: true, dryRun: false });
}

const routes = (table: MemoryRouteTable): string[] =>
  table
    .entries(TABLE)
    .filter((e) => e.nextHops[0]?.nextHopType === "Instance")
    .map((e) => e.destinationCidr)
    .sort();
const held = (table: MemoryRouteTable): RouteEntry[] => table.entries(TABLE).filter((e) => e.description?.includes("hold=deletion"));
const stale = ["10.244.1.0/24", "10.244.2.0/24", "10.244.3.0/24", "10.244.4.0/24"];

describe("deletion guard across passes", () => {
  it("a refused deletion stays refused on later passes and after a restart, although new routes raise the owned count", async () => {
    const table = vpcWith(4);
    // The wrong Node list (another cluster's nodes-file): node-1..4 are gone, node-11..20 appear.
    const wrong = range(11, 20);
    const first = await pass(table, wrong);
    expect(first.outcome).toBe("refused");
    expect(first.plan.refusal?.reason).toBe("max-deletions-exceeded");
    // Creates for present Nodes are not blocked by the refusal.
    expect(routes(table)).toEqual([...stale, ...range(11, 20).map((n) => n.podCidrs[0]!)].sort());

    // 14 owned routes now: 50 % would allow 7, more than the 4 stale ones. They must stay.
    for (let i = 0; i < 3; i++) {
      const again = await pass(table, wrong);
      expect(routes(table).filter((c) => stale.includes(c))).toEqual(stale);
      expect(again.outcome).toBe("refused");
      expect(again.deletes).toEqual([]);
      expect(exitCodeFor({ outcome: again.outcome, detailedExitcode: false })).toBe(1);
      expect(again.plan.refusal?.reason).toBe("deletions-held");
    }
    // The refusal lives in the VPC: the stale entries carry the hold mark.
    expect(held(table).map((e) => e.destinationCidr).sort()).toEqual(stale);
  });

  it("a Node that comes back clears its hold; a human approves the rest with --approve-deletions", async () => {
    const table = vpcWith(4);
    await pass(table, range(11, 20));
    expect(held(table)).toHaveLength(4);

    // node-2 comes back (same instance): its route serves it again and the hold is cleared.
    const back = await pass(table, [...range(11, 20), node(2)]);
    expect(back.marks.map((m) => `${m.action.destinationCidr} ${m.action.reason}`)).toEqual(["10.244.2.0/24 release-hold"]);
    expect(held(table).map((e) => e.destinationCidr).sort()).toEqual(["10.244.1.0/24", "10.244.3.0/24", "10.244.4.0/24"]);
    expect(table.entries(TABLE).find((e) => e.destinationCidr === "10.244.2.0/24")?.description).toBe(routeMarker("prod", "node-2", settings.clusterUid).description);

    // One held route approved by id, then all.
    const one = held(table)[0]!;
    const approvedOne = await pass(table, [...range(11, 20), node(2)], { approveDeletions: [one.routeEntryId] });
    expect(approvedOne.deletes.map((d) => d.action.routeEntryId)).toEqual([one.routeEntryId]);
    expect(held(table)).toHaveLength(2);
    const approvedAll = await pass(table, [...range(11, 20), node(2)], { approveDeletions: ["all"] });
    expect(approvedAll.outcome).toBe("applied");
    expect(held(table)).toEqual([]);
    expect(routes(table)).toEqual(["10.244.2.0/24", ...range(11, 20).map((n) => n.podCidrs[0]!)].sort());
    expect((await pass(table, [...range(11, 20), node(2)])).outcome).toBe("in-sync");
  });

  it.each<[string, MaxDeletions]>([
    ["--max-deletions=0", { kind: "count", value: 0 }],
    ["--max-deletions=0%", { kind: "percent", value: 0 }],
  ])("%s means zero", async (_name, maxDeletions) => {
    const table = vpcWith(4);
    const result = await pass(table, range(1, 3), { maxDeletions });
    expect(result.outcome).toBe("refused");
    expect(routes(table)).toEqual(stale);
  });

  it("routes already Deleting do not count in the guard's base", async () => {
    // 4 live owned routes (3 stale) and 10 owned routes already being deleted: 50 % of 4 is 2 < 3.
    const table = vpcWith(4, Array.from({ length: 10 }, () => ({ status: "Deleting" as const })));
    const result = await pass(table, range(1, 1));
    expect(result.plan.ownedEntries).toBe(4);
    expect(result.outcome).toBe("refused");
    expect(routes(table).filter((c) => stale.includes(c))).toEqual(stale);
  });

  it("a hold that cannot be recorded in the VPC writes nothing else that pass", async () => {
    const table = vpcWith(4);
    // The RAM policy lacks vpc:ModifyRouteEntry: every relabel fails.
    const failing: RouteTable = {
      listRouteTables: (vpcId) => table.listRouteTables(vpcId),
      listRoutes: (id) => table.listRoutes(id),
      apply: (id, batch, options) => table.apply(id, batch, options),
      relabel: () => Promise.reject(new Error("ModifyRouteEntry denied")),
    };
    const runner = new PassRunner({ routeTable: failing, settings, logger: pino({ level: "silent" }) });
    const result = await runner.run({ nodes: range(11, 20), allowDeletes: true, dryRun: false });
    expect(result.outcome).toBe("failed");
    expect(routes(table)).toEqual(stale);
  });

  it("the report names the held entries and the override", async () => {
    const table = vpcWith(4);
    await pass(table, range(11, 20));
    const again = await pass(table, range(11, 20));
    const report = buildJsonReport(again, range(11, 20), false);
    expect(report.refusal?.reason).toBe("deletions-held");
    expect(report.held.filter((h) => h.reason === "deletion-held").map((h) => h.routeEntryId).sort()).toEqual(held(table).map((e) => e.routeEntryId).sort());
    const text = formatTextReport(report);
    expect(text).toContain("--approve-deletions=all");
    for (const e of held(table)) expect(text).toContain(e.routeEntryId);
  });
});
