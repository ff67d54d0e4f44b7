// In-memory RouteTable specifics beyond the shared contract: call accounting, seeding, hand edits.
import { describe, expect, it } from "vitest";
import { MemoryRouteTable } from "./memory-route-table.js";
import type { RouteCreate } from "../../src/domain/types.js";

const create = (i: number, routeTableId = "vtb-1"): RouteCreate => ({
  routeTableId,
  destinationCidr: `10.244.${i}.0/24`,
  instanceId: `i-${i}`,
  routeEntryName: `n${i}`,
  description: "marker",
});

function world(quotaPerTable?: number): MemoryRouteTable {
  return new MemoryRouteTable({
    quotaPerTable,
    vpcs: [
      {
        vpcId: "vpc-1",
        routeTables: [
          { routeTableId: "vtb-1", entries: [{ destinationCidr: "192.168.0.0/24", type: "System", nextHops: [{ nextHopType: "local", nextHopId: "" }], routeEntryId: "rte-sys" }] },
          { routeTableId: "vtb-2" },
        ],
      },
    ],
  });
}

describe("MemoryRouteTable", () => {
  it("records one write call per chunk of at most 50 entries, deletes first", async () => {
    const table = world();
    const first = await table.apply("vtb-1", { creates: Array.from({ length: 120 }, (_, i) => create(i)), deletes: [] });
    const victim = first.creates[0]!.outcome;
    const routeEntryId = victim.ok ? victim.routeEntryId! : "";
    await table.apply("vtb-1", { creates: [create(200)], deletes: [{ routeTableId: "vtb-1", routeEntryId, destinationCidr: "10.244.0.0/24", instanceId: "i-0" }] });
    expect(table.writeCalls()).toEqual([
      { action: "CreateRouteEntries", routeTableId: "vtb-1", size: 50 },
      { action: "CreateRouteEntries", routeTableId: "vtb-1", size: 50 },
      { action: "CreateRouteEntries", routeTableId: "vtb-1", size: 20 },
      { action: "DeleteRouteEntries", routeTableId: "vtb-1", size: 1 },
      { action: "CreateRouteEntries", routeTableId: "vtb-1", size: 1 },
    ]);
  });

  it("defaults the first table of a VPC to System and others to Custom", async () => {
    const tables = await world().listRouteTables("vpc-1");
    expect(tables.map((t) => [t.routeTableId, t.routeTableType])).toEqual([["vtb-1", "System"], ["vtb-2", "Custom"]]);
    expect(await world().listRouteTables("vpc-other")).toEqual([]);
  });

  it("refuses to delete a system route", async () => {
    const table = world();
    const result = await table.apply("vtb-1", { creates: [], deletes: [{ routeTableId: "vtb-1", routeEntryId: "rte-sys", destinationCidr: "192.168.0.0/24", instanceId: "" }] });
    expect(result.deletes[0]!.outcome).toMatchObject({ ok: false, error: { code: "OperationDenied" } });
    expect(table.entries("vtb-1")).toHaveLength(1);
  });

  it("counts only custom entries against the quota", async () => {
    const table = world(2);
    const result = await table.apply("vtb-1", { creates: [create(1), create(2), create(3)], deletes: [] });
    expect(result.creates.map((c) => (c.outcome.ok ? "ok" : c.outcome.error.code))).toEqual(["ok", "ok", "QuotaExceeded"]);
  });

  it("reports every entry as Aborted when the signal is already aborted, and reports progress otherwise", async () => {
    const table = world();
    const controller = new AbortController();
    controller.abort();
    const aborted = await table.apply("vtb-1", { creates: [create(1)], deletes: [] }, { signal: controller.signal });
    expect(aborted.creates[0]!.outcome).toMatchObject({ ok: false, error: { code: "Aborted" } });
    const progress: Array<[number, number]> = [];
    await table.apply("vtb-1", { creates: Array.from({ length: 60 }, (_, i) => create(i)), deletes: [] }, { onProgress: (d, t) => progress.push([d, t]) });
    expect(progress).toEqual([[50, 60], [60, 60]]);
  });

  it("supports hand edits and rejects unknown tables with a not-found CloudError", async () => {
    const table = world();
    const entry = table.seedEntry("vtb-2", { destinationCidr: "10.1.0.0/16", nextHops: [{ nextHopType: "Instance", nextHopId: "i-x" }] });
    table.setStatus("vtb-2", entry.routeEntryId, "Pending");
    expect((await table.listRoutes("vtb-2"))[0]).toMatchObject({ status: "Pending", type: "Custom" });
    expect(table.removeEntry("vtb-2", entry.routeEntryId)).toBe(true);
    await expect(table.listRoutes("vtb-nope")).rejects.toMatchObject({ code: "InvalidRouteTableId.NotFound", kind: "not-found" });
    await expect(table.apply("vtb-nope", { creates: [], deletes: [] })).rejects.toMatchObject({ kind: "not-found" });
    expect(() => new MemoryRouteTable({ quotaPerTable: -1 })).toThrow(/quotaPerTable/);
  });
});
