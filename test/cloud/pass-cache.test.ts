// PassCache (issue 19): passes through it plan exactly as passes over the table itself, while a
// pass for a Node change reads nothing it learned before; start/resync passes (expireListings) read
// every table; tables and the VPC network are re-read after their maximum age or after a failure.
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { MemoryRouteTable } from "../contract/memory-route-table.js";
import { MemoryVpcNetwork } from "../contract/memory-vpc-network.js";
import { PassCache } from "../../src/cloud/pass-cache.js";
import type { RouteTable } from "../../src/cloud/route-table.js";
import type { NodeFacts } from "../../src/domain/types.js";
import { nodeFacts } from "../support/nodes.js";
import { PassRunner } from "../../src/reconcile/pass-runner.js";
import { PASS_SETTINGS } from "../reconcile/fixtures.js";

const VPC = "vpc-test0001";
const TABLE = "vtb-main0001";

const node = (i: number, instance = `i-node${i}`): NodeFacts => nodeFacts(`node-${i}`, { instance });

/** A MemoryRouteTable that counts the calls made through the seam. */
function counted(table: MemoryRouteTable): { seam: RouteTable; reads: () => number; tableLists: () => number } {
  let reads = 0;
  let tableLists = 0;
  return {
    seam: {
      listRouteTables: (vpcId) => (tableLists++, table.listRouteTables(vpcId)),
      listRoutes: (id) => (reads++, table.listRoutes(id)),
      apply: (id, batch, options) => table.apply(id, batch, options),
      relabel: (id, items, options) => table.relabel(id, items, options),
    },
    reads: () => reads,
    tableLists: () => tableLists,
  };
}

function world(now: { t: number }) {
  const memory = new MemoryRouteTable({
    vpcs: [{ vpcId: VPC, routeTables: [{ routeTableId: TABLE, entries: [{ destinationCidr: "192.168.0.0/24", type: "System", nextHops: [{ nextHopType: "local", nextHopId: "" }] }] }] }],
  });
  const network = new MemoryVpcNetwork({ vpcId: VPC, vpcCidrs: ["192.168.0.0/16"], vSwitchCidrs: ["192.168.0.0/24"] });
  const inner = counted(memory);
  const cache = new PassCache({ routeTable: inner.seam, vpcNetwork: network, listingMaxAgeMs: 60_000, now: () => now.t });
  const runner = new PassRunner({ routeTable: cache.routeTable, vpcNetwork: cache.vpcNetwork, settings: PASS_SETTINGS, logger: pino({ level: "silent" }) });
  const pass = (nodes: readonly NodeFacts[]) => runner.run({ nodes, allowDeletes: true, dryRun: false });
  const ours = async (): Promise<Map<string, string>> =>
    new Map((await memory.listRoutes(TABLE)).filter((e) => e.nextHops[0]?.nextHopType === "Instance").map((e) => [e.destinationCidr, e.nextHops[0]!.nextHopId]));
  return { memory, network, inner, cache, pass, ours };
}

describe("PassCache", () => {
  it("a Node added, re-pointed and deleted after a full pass: no table, network or entry read; same end state as full reads", async () => {
    const now = { t: 0 };
    const w = world(now);
    const nodes = [node(1), node(2), node(3)];
    expect((await w.pass(nodes)).outcome).toBe("applied");
    expect([w.inner.reads(), w.inner.tableLists(), w.network.reads]).toEqual([1, 1, 1]);

    now.t += 5_000;
    expect((await w.pass([...nodes, node(4)])).outcome).toBe("applied");
    now.t += 5_000;
    // Instance replaced: the route is re-pointed (delete + create) from the learned entry id.
    expect((await w.pass([node(1), node(2), node(3, "i-new3"), node(4)])).outcome).toBe("applied");
    now.t += 5_000;
    expect((await w.pass([node(1), node(3, "i-new3"), node(4)])).outcome).toBe("applied");
    expect([w.inner.reads(), w.inner.tableLists(), w.network.reads]).toEqual([1, 1, 1]);
    expect(await w.ours()).toEqual(new Map([["10.244.1.0/24", "i-node1"], ["10.244.3.0/24", "i-new3"], ["10.244.4.0/24", "i-node4"]]));

    // A resync reads again and finds nothing to do: what the cache held was the table's state.
    w.cache.expireListings();
    expect((await w.pass([node(1), node(3, "i-new3"), node(4)])).outcome).toBe("in-sync");
    expect(w.inner.reads()).toBe(2);
  });

  it("a route deleted by hand is repaired by the next pass that reads (resync), not by an event pass", async () => {
    const now = { t: 0 };
    const w = world(now);
    await w.pass([node(1), node(2)]);
    const victim = (await w.memory.listRoutes(TABLE)).find((e) => e.destinationCidr === "10.244.2.0/24")!;
    w.memory.removeEntry(TABLE, victim.routeEntryId);
    expect((await w.pass([node(1), node(2)])).outcome).toBe("in-sync"); // the cache does not know
    w.cache.expireListings();
    expect((await w.pass([node(1), node(2)])).outcome).toBe("applied");
    expect((await w.ours()).get("10.244.2.0/24")).toBe("i-node2");
  });

  it("listings expire after listingMaxAgeMs; tables and network after the discovery age (10 min)", async () => {
    const now = { t: 0 };
    const w = world(now);
    await w.pass([node(1)]);
    now.t += 60_001;
    await w.pass([node(1)]);
    expect([w.inner.reads(), w.inner.tableLists(), w.network.reads]).toEqual([2, 1, 1]);
    now.t += 10 * 60_000;
    await w.pass([node(1)]);
    expect([w.inner.reads(), w.inner.tableLists(), w.network.reads]).toEqual([3, 2, 2]);
  });

  it("a listing with an entry not Available is used once, never kept", async () => {
    const now = { t: 0 };
    const w = world(now);
    const pending = w.memory.seedEntry(TABLE, { destinationCidr: "10.9.0.0/16", nextHops: [{ nextHopType: "VpnGateway", nextHopId: "vpn-1" }], status: "Pending" });
    await w.pass([node(1)]);
    w.memory.setStatus(TABLE, pending.routeEntryId, "Available");
    await w.pass([node(1)]);
    await w.pass([node(1)]);
    expect(w.inner.reads()).toBe(2);
  });

  it("a failed create forgets the listing, the tables and the network: the next pass reads all three", async () => {
    const now = { t: 0 };
    const memory = new MemoryRouteTable({ vpcs: [{ vpcId: VPC, routeTables: [{ routeTableId: TABLE }] }], quotaPerTable: 1 });
    const inner = counted(memory);
    const network = new MemoryVpcNetwork({ vpcId: VPC, vpcCidrs: ["192.168.0.0/16"], vSwitchCidrs: [] });
    const cache = new PassCache({ routeTable: inner.seam, vpcNetwork: network, now: () => now.t });
    const runner = new PassRunner({ routeTable: cache.routeTable, vpcNetwork: cache.vpcNetwork, settings: PASS_SETTINGS, logger: pino({ level: "silent" }) });
    const result = await runner.run({ nodes: [node(1), node(2)], allowDeletes: true, dryRun: false });
    expect(result.outcome).toBe("failed");
    await runner.run({ nodes: [node(1), node(2)], allowDeletes: true, dryRun: false });
    expect([inner.reads(), inner.tableLists(), network.reads]).toEqual([2, 2, 2]);
  });

  it("a failed table read forgets what was discovered", async () => {
    const now = { t: 0 };
    const w = world(now);
    const failing = new PassCache({
      routeTable: { ...w.inner.seam, listRoutes: () => Promise.reject(new Error("InvalidRouteTableId.NotFound")) },
      now: () => now.t,
    });
    await failing.routeTable.listRouteTables(VPC);
    await failing.routeTable.listRouteTables(VPC);
    expect(w.inner.tableLists()).toBe(1);
    await expect(failing.routeTable.listRoutes(TABLE)).rejects.toThrow("NotFound");
    await failing.routeTable.listRouteTables(VPC);
    expect(w.inner.tableLists()).toBe(2);
  });
});
