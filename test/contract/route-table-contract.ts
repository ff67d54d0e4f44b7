// The RouteTable contract (src/cloud/route-table.ts), run against every implementation: the
// in-memory table and the Alibaba adapter talking to the fake VPC server. Assertions are on the
// final state of the world (snapshot), never on the calls made.
import { belowGate } from "../support/below-gate.js";
import { afterEach, describe, expect, it } from "vitest";
import type { NextHop, RouteCreate, RouteDelete, RouteEntry } from "../../src/domain/types.js";
import type { EntryOutcome, RouteTable } from "../../src/cloud/route-table.js";

export interface HandEntry {
  readonly destinationCidr: string;
  readonly nextHops: readonly NextHop[];
  readonly type?: "Custom" | "System";
  readonly routeEntryName?: string;
  readonly description?: string;
}

export interface ContractWorld {
  readonly table: RouteTable;
  /**
   * Whether listRoutes shows custom routes of every next-hop type. The Alibaba adapter reads the
   * table without a NextHopType filter; under the reading where the API then returns instance routes
   * only, foreign routes are not listed, and are found only when a create meets them.
   */
  readonly listsEveryNextHopType: boolean;
  readonly vpcId: string;
  /** [main table (seeded), second table (empty)] */
  readonly routeTableIds: readonly [string, string];
  /** Every entry of a table as the backing store holds it (not through the seam). */
  snapshot(routeTableId: string): RouteEntry[];
  /** Changes made by someone else (console, another tool). */
  readonly editByHand: {
    add(routeTableId: string, entry: HandEntry): RouteEntry;
    remove(routeTableId: string, routeEntryId: string): void;
  };
  close(): Promise<void>;
}

export interface ContractWorldOptions {
  /** @default 200 */
  readonly quotaPerTable?: number;
}

export type ContractFactory = (options: ContractWorldOptions) => Promise<ContractWorld>;

/** What every world's main table is seeded with (besides nothing in the second table). */
export const SEEDED: readonly HandEntry[] = [
  { destinationCidr: "192.168.0.0/24", type: "System", nextHops: [{ nextHopType: "local", nextHopId: "" }] },
  { destinationCidr: "10.100.0.0/16", nextHops: [{ nextHopType: "VpnGateway", nextHopId: "vpn-contract0001" }], routeEntryName: "to-office" },
  { destinationCidr: "10.200.0.0/16", nextHops: [{ nextHopType: "RouterInterface", nextHopId: "ri-contract0001" }] },
  {
    destinationCidr: "10.50.0.0/24",
    nextHops: [
      { nextHopType: "Instance", nextHopId: "i-ecmp0001" },
      { nextHopType: "Instance", nextHopId: "i-ecmp0002" },
    ],
    description: "ecmp",
  },
];

const FOREIGN_CIDRS = SEEDED.map((s) => s.destinationCidr);
const MARKER = "managed-by=vpc-route-sync,cluster=contract";

function creates(routeTableId: string, n: number, from = 0, instancePrefix = "i-node"): RouteCreate[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return {
      routeTableId,
      destinationCidr: `10.${244 + Math.floor(i / 256)}.${i % 256}.0/24`,
      instanceId: `${instancePrefix}${String(i).padStart(4, "0")}`,
      routeEntryName: `vrs-node${i}`,
      description: MARKER,
    };
  });
}

function toDelete(entry: RouteEntry, instanceId: string): RouteDelete {
  return { routeTableId: entry.routeTableId, routeEntryId: entry.routeEntryId, destinationCidr: entry.destinationCidr, instanceId };
}

function byCidr(entries: readonly RouteEntry[], cidr: string): RouteEntry | undefined {
  return entries.find((e) => e.destinationCidr === cidr);
}

function foreignView(entries: readonly RouteEntry[]): unknown[] {
  return entries
    .filter((e) => FOREIGN_CIDRS.includes(e.destinationCidr))
    .map((e) => ({
      id: e.routeEntryId,
      cidr: e.destinationCidr,
      type: e.type,
      hops: e.nextHops.map((h) => `${h.nextHopType}:${h.nextHopId}`),
      name: e.routeEntryName ?? "",
      description: e.description ?? "",
      status: e.status,
    }))
    .sort((a, b) => a.cidr.localeCompare(b.cidr));
}

function failureCode(outcome: EntryOutcome): string | undefined {
  return outcome.ok ? undefined : outcome.error.code;
}

export function describeRouteTableContract(name: string, factory: ContractFactory): void {
  describe(`RouteTable contract: ${name}`, () => {
    let world: ContractWorld | undefined;
    const open = async (options: ContractWorldOptions = {}): Promise<ContractWorld> => {
      world = await factory(options);
      return world;
    };
    afterEach(async () => {
      await world?.close();
      world = undefined;
    });

    it("lists every route table of the VPC", async () => {
      const w = await open();
      const tables = await w.table.listRouteTables(w.vpcId);
      expect(tables.map((t) => t.routeTableId).sort()).toEqual([...w.routeTableIds].sort());
      for (const t of tables) expect(t.vpcId).toBe(w.vpcId);
    });

    it("lists an empty table as no custom entries", async () => {
      const w = await open();
      const entries = await w.table.listRoutes(w.routeTableIds[1]);
      expect(entries.filter((e) => e.type === "Custom")).toEqual([]);
    });

    it("lists the seeded custom entries (every next-hop type where the API lists them), with their next hops and status", async () => {
      const w = await open();
      const entries = await w.table.listRoutes(w.routeTableIds[0]);
      const listable = (e: RouteEntry): boolean => e.type === "Custom" && (w.listsEveryNextHopType || e.nextHops.every((h) => h.nextHopType === "Instance"));
      if (w.listsEveryNextHopType) {
        expect(byCidr(entries, "10.100.0.0/16")?.nextHops).toEqual([{ nextHopType: "VpnGateway", nextHopId: "vpn-contract0001" }]);
        expect(byCidr(entries, "10.200.0.0/16")?.nextHops).toEqual([{ nextHopType: "RouterInterface", nextHopId: "ri-contract0001" }]);
      }
      expect(byCidr(entries, "10.50.0.0/24")?.nextHops.map((h) => h.nextHopId).sort()).toEqual(["i-ecmp0001", "i-ecmp0002"]);
      for (const e of entries.filter((x) => x.type === "Custom")) {
        expect(e.status).toBe("Available");
        expect(e.routeTableId).toBe(w.routeTableIds[0]);
      }
      expect(foreignView(entries.filter(listable))).toEqual(foreignView(w.snapshot(w.routeTableIds[0]).filter(listable)));
    });

    it("a destination held by a VPN gateway route fails with DestinationHeld naming that route, whether or not the listing shows it", async () => {
      const w = await open();
      const [id] = w.routeTableIds;
      const vpn = byCidr(w.snapshot(id), "10.100.0.0/16")!;
      const result = await belowGate(w.table).apply(id, {
        creates: [{ routeTableId: id, destinationCidr: "10.100.0.0/16", instanceId: "i-node0001", routeEntryName: "vrs-node1", description: MARKER }],
        deletes: [],
      });
      const outcome = result.creates[0]!.outcome;
      expect(failureCode(outcome)).toBe("RouteEntry.DestinationHeld");
      expect(outcome.ok ? "" : outcome.error.message).toContain(`route ${vpn.routeEntryId} (next hop VpnGateway:vpn-contract0001)`);
      expect(byCidr(w.snapshot(id), "10.100.0.0/16")).toEqual(vpn);
    });

    it("creates and lists IPv6 routes beside IPv4 ones (dual-stack)", async () => {
      const w = await open();
      const [, id] = w.routeTableIds;
      const v6: RouteCreate = { routeTableId: id, destinationCidr: "fd00:10:244:1::/64", instanceId: "i-node0001", routeEntryName: "vrs-node1-v6", description: MARKER };
      const result = await belowGate(w.table).apply(id, { creates: [...creates(id, 1), v6], deletes: [] });
      expect(result.creates.map((r) => failureCode(r.outcome) ?? "ok")).toEqual(["ok", "ok"]);
      const listed = (await w.table.listRoutes(id)).filter((e) => e.description === MARKER).map((e) => `${e.destinationCidr}/${e.status}`);
      expect(listed.sort()).toEqual(["10.244.0.0/24/Available", "fd00:10:244:1::/64/Available"]);
    });

    it("creates a batch of routes, Available, with the marker", async () => {
      const w = await open();
      const [id] = w.routeTableIds;
      const batch = creates(id, 3);
      const result = await belowGate(w.table).apply(id, { creates: batch, deletes: [] });
      expect(result.creates.map((c) => c.outcome.ok)).toEqual([true, true, true]);
      const snap = w.snapshot(id);
      for (const c of batch) {
        const entry = byCidr(snap, c.destinationCidr);
        expect(entry?.nextHops).toEqual([{ nextHopType: "Instance", nextHopId: c.instanceId }]);
        expect(entry?.status).toBe("Available");
        expect(entry?.description).toBe(MARKER);
        expect(entry?.routeEntryName).toBe(c.routeEntryName);
        const outcome = result.creates.find((r) => r.action === c)?.outcome;
        expect(outcome?.ok === true ? outcome.routeEntryId : undefined).toBe(entry?.routeEntryId);
      }
    });

    it("creating a route that already exists with the same next hop is ok and changes nothing", async () => {
      const w = await open();
      const [id] = w.routeTableIds;
      const batch = creates(id, 2);
      await belowGate(w.table).apply(id, { creates: batch, deletes: [] });
      const before = w.snapshot(id);
      const again = await belowGate(w.table).apply(id, { creates: batch, deletes: [] });
      for (const r of again.creates) {
        expect(r.outcome).toMatchObject({ ok: true, note: "already-present" });
        const outcome = r.outcome;
        expect(outcome.ok === true ? outcome.routeEntryId : "").toBe(byCidr(before, r.action.destinationCidr)?.routeEntryId);
      }
      expect(w.snapshot(id)).toEqual(before);
    });

    it.each([
      ["a VPN gateway route", "10.100.0.0/16"],
      ["a router-interface route", "10.200.0.0/16"],
      ["an ECMP route that includes another instance", "10.50.0.0/24"],
    ])("a destination held by %s fails with DestinationHeld and the holder is unchanged", async (_what, cidr) => {
      const w = await open();
      const [id] = w.routeTableIds;
      const before = foreignView(w.snapshot(id));
      const action: RouteCreate = { routeTableId: id, destinationCidr: cidr, instanceId: "i-ecmp0001", routeEntryName: "vrs-x", description: MARKER };
      const result = await belowGate(w.table).apply(id, { creates: [action], deletes: [] });
      expect(failureCode(result.creates[0]!.outcome)).toBe("RouteEntry.DestinationHeld");
      expect(result.creates[0]!.outcome.ok === false && result.creates[0]!.outcome.error.retryable).toBe(false);
      expect(foreignView(w.snapshot(id))).toEqual(before);
    });

    it("a destination held by another instance fails with DestinationHeld, beside successful creates", async () => {
      const w = await open();
      const [id] = w.routeTableIds;
      const held = w.editByHand.add(id, { destinationCidr: "10.244.9.0/24", nextHops: [{ nextHopType: "Instance", nextHopId: "i-someoneelse" }] });
      const batch: RouteCreate[] = [
        ...creates(id, 2),
        { routeTableId: id, destinationCidr: "10.244.9.0/24", instanceId: "i-node0009", routeEntryName: "vrs-node9", description: MARKER },
      ];
      const result = await belowGate(w.table).apply(id, { creates: batch, deletes: [] });
      expect(result.creates.map((r) => failureCode(r.outcome) ?? "ok")).toEqual(["ok", "ok", "RouteEntry.DestinationHeld"]);
      const after = byCidr(w.snapshot(id), "10.244.9.0/24");
      expect(after?.routeEntryId).toBe(held.routeEntryId);
      expect(after?.nextHops).toEqual([{ nextHopType: "Instance", nextHopId: "i-someoneelse" }]);
    });

    it("deletes routes, and deleting a route that is already gone is ok", async () => {
      const w = await open();
      const [id] = w.routeTableIds;
      const batch = creates(id, 3);
      await belowGate(w.table).apply(id, { creates: batch, deletes: [] });
      const snap = w.snapshot(id);
      const doomed = batch.slice(0, 2).map((c) => toDelete(byCidr(snap, c.destinationCidr)!, c.instanceId));
      const result = await belowGate(w.table).apply(id, { creates: [], deletes: doomed });
      expect(result.deletes.map((d) => d.outcome.ok)).toEqual([true, true]);
      const after = w.snapshot(id);
      expect(byCidr(after, batch[0]!.destinationCidr)).toBeUndefined();
      expect(byCidr(after, batch[1]!.destinationCidr)).toBeUndefined();
      expect(byCidr(after, batch[2]!.destinationCidr)?.status).toBe("Available");

      const again = await belowGate(w.table).apply(id, { creates: [], deletes: doomed });
      for (const d of again.deletes) expect(d.outcome).toMatchObject({ ok: true, note: "already-absent" });
      expect(w.snapshot(id)).toEqual(after);
    });

    it("creates 120 routes in one apply", async () => {
      const w = await open();
      const [, id] = w.routeTableIds;
      const batch = creates(id, 120);
      const result = await belowGate(w.table).apply(id, { creates: batch, deletes: [] });
      expect(result.creates.filter((r) => r.outcome.ok)).toHaveLength(120);
      const custom = w.snapshot(id).filter((e) => e.type === "Custom");
      expect(custom).toHaveLength(120);
      expect(new Set(custom.map((e) => e.destinationCidr)).size).toBe(120);
      expect(custom.every((e) => e.status === "Available")).toBe(true);
    });

    it("reports QuotaExceeded per entry when the table is full, never exceeding the quota", async () => {
      const w = await open({ quotaPerTable: 10 });
      const [id] = w.routeTableIds;
      const result = await belowGate(w.table).apply(id, { creates: creates(id, 12), deletes: [] });
      const codes = result.creates.map((r) => failureCode(r.outcome) ?? "ok");
      expect(codes).toContain("QuotaExceeded");
      expect(codes.every((c) => c === "ok" || c === "QuotaExceeded")).toBe(true);
      for (const r of result.creates) if (!r.outcome.ok) expect(r.outcome.error.retryable).toBe(false);
      const custom = w.snapshot(id).filter((e) => e.type === "Custom");
      expect(custom.length).toBeLessThanOrEqual(10);
      expect(custom.filter((e) => e.description === MARKER)).toHaveLength(codes.filter((c) => c === "ok").length);
    });

    it("reads 250 entries across pages", async () => {
      const w = await open({ quotaPerTable: 300 });
      const [, id] = w.routeTableIds;
      for (let i = 0; i < 250; i += 1) {
        w.editByHand.add(id, { destinationCidr: `10.${10 + Math.floor(i / 200)}.${i % 200}.0/24`, nextHops: [{ nextHopType: "Instance", nextHopId: `i-bulk${i}` }] });
      }
      const entries = (await w.table.listRoutes(id)).filter((e) => e.type === "Custom");
      expect(entries).toHaveLength(250);
      expect(new Set(entries.map((e) => e.routeEntryId)).size).toBe(250);
    });

    it("replaces a next hop by deleting before creating on the same destination", async () => {
      const w = await open();
      const [id] = w.routeTableIds;
      const [old] = creates(id, 1, 7, "i-old");
      await belowGate(w.table).apply(id, { creates: [old!], deletes: [] });
      const existing = byCidr(w.snapshot(id), old!.destinationCidr)!;
      const replacement: RouteCreate = { ...old!, instanceId: "i-new0007" };
      const result = await belowGate(w.table).apply(id, { creates: [replacement], deletes: [toDelete(existing, old!.instanceId)] });
      expect(result.deletes[0]!.outcome.ok).toBe(true);
      expect(result.creates[0]!.outcome).toMatchObject({ ok: true });
      const after = byCidr(w.snapshot(id), old!.destinationCidr);
      expect(after?.nextHops).toEqual([{ nextHopType: "Instance", nextHopId: "i-new0007" }]);
      expect(after?.routeEntryId).not.toBe(existing.routeEntryId);
    });

    it("never changes foreign entries, whatever is applied", async () => {
      const w = await open();
      const [id] = w.routeTableIds;
      const before = foreignView(w.snapshot(id));
      const batch = creates(id, 60);
      await belowGate(w.table).apply(id, { creates: batch, deletes: [] });
      const snap = w.snapshot(id);
      const deletes = batch.slice(0, 30).map((c) => toDelete(byCidr(snap, c.destinationCidr)!, c.instanceId));
      const hostile: RouteCreate[] = FOREIGN_CIDRS.filter((c) => c !== "192.168.0.0/24").map((cidr) => ({
        routeTableId: id,
        destinationCidr: cidr,
        instanceId: "i-node0001",
        routeEntryName: "vrs-hostile",
        description: MARKER,
      }));
      const result = await belowGate(w.table).apply(id, { creates: hostile, deletes });
      expect(result.creates.every((r) => failureCode(r.outcome) === "RouteEntry.DestinationHeld")).toBe(true);
      expect(foreignView(w.snapshot(id))).toEqual(before);
      expect(w.snapshot(id).filter((e) => e.description === MARKER)).toHaveLength(30);
    });

    it("relabels entries in place: name and description change, destination, next hop and id do not", async () => {
      const w = await open();
      const [id] = w.routeTableIds;
      const batch = creates(id, 2);
      await belowGate(w.table).apply(id, { creates: batch, deletes: [] });
      const before = w.snapshot(id);
      const target = byCidr(before, batch[0]!.destinationCidr)!;
      const relabel = {
        routeTableId: id,
        routeEntryId: target.routeEntryId,
        destinationCidr: target.destinationCidr,
        routeEntryName: "vrs-held",
        description: `${MARKER} hold=deletion`,
      };
      const first = await belowGate(w.table).relabel(id, [relabel]);
      const again = await belowGate(w.table).relabel(id, [relabel]);
      expect([first[0]?.outcome.ok, again[0]?.outcome.ok]).toEqual([true, true]);
      const after = byCidr(w.snapshot(id), target.destinationCidr);
      expect(after).toMatchObject({
        routeEntryId: target.routeEntryId,
        nextHops: target.nextHops,
        routeEntryName: "vrs-held",
        description: `${MARKER} hold=deletion`,
      });
      expect(byCidr(w.snapshot(id), batch[1]!.destinationCidr)?.description).toBe(MARKER);
      expect(foreignView(w.snapshot(id))).toEqual(foreignView(before));
    });

    it("relabeling an entry that is gone fails with InvalidRouteEntry.NotFound and changes nothing", async () => {
      const w = await open();
      const [id] = w.routeTableIds;
      const before = w.snapshot(id);
      const result = await belowGate(w.table).relabel(id, [
        { routeTableId: id, routeEntryId: "rte-gone00000000000", destinationCidr: "10.244.9.0/24", routeEntryName: "x", description: MARKER },
      ]);
      expect(failureCode(result[0]!.outcome)).toBe("InvalidRouteEntry.NotFound");
      expect(w.snapshot(id)).toEqual(before);
    });
  });
}
