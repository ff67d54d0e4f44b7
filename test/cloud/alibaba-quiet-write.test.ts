// Issue 19: a write to a table whose last read found it quiet goes without a wait-for-quiet read,
// however old that read is; when the VPC turns out busy, the refused write is retried after a read.
// Over real HTTP against the fake VPC; assertions on its request log, never on timing.
import { afterEach, describe, expect, it } from "vitest";
import { createAlibabaRouteTable } from "../../src/cloud/alibaba/alibaba-route-table.js";
import type { RouteCreate } from "../../src/domain/types.js";
import { realTimers } from "../../src/util/timers.js";
import { FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET, startFakeVpc, type FakeVpcServer } from "@vpc-route-sync/fake-alibaba-vpc";
import { belowGate } from "../support/below-gate.js";

const VPC = "vpc-quiet0001";
const TABLE = "vtb-quiet0001";

let fake: FakeVpcServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** The adapter's clock runs `skew` ms ahead of the fake's: a read can be made old without waiting. */
function setup(server: FakeVpcServer): { table: ReturnType<typeof createAlibabaRouteTable>; age: (ms: number) => void } {
  let skew = 0;
  const table = createAlibabaRouteTable({
    regionId: "cn-hangzhou",
    endpoint: server.endpoint,
    credential: { kind: "access-key", accessKeyId: FAKE_ACCESS_KEY_ID, accessKeySecret: FAKE_ACCESS_KEY_SECRET, origin: "test" },
    qps: 1000,
    pollIntervalMs: 10,
    writeDeadlineMs: 30_000,
    retry: { maxAttempts: 20, baseDelayMs: 5, maxDelayMs: 40 },
    timers: { ...realTimers, now: () => Date.now() + skew },
  });
  return { table, age: (ms) => (skew += ms) };
}

const route = (i: number): RouteCreate => ({
  routeTableId: TABLE,
  destinationCidr: `10.128.${i}.0/24`,
  instanceId: `i-quiet${String(i).padStart(4, "0")}`,
  routeEntryName: `node-${i}`,
  description: "managed-by=vpc-route-sync,cluster=test",
});

/** The calls of the request log (the one-time DescribeRouteTableList that finds the table's VPC left out). */
const actions = (server: FakeVpcServer): string[] =>
  server
    .requests()
    .filter((r) => r.action !== "DescribeRouteTableList")
    .map((r) => (r.code === "" ? r.action : `${r.action}:${r.code}`));

describe("write after a quiet read of any age (issue 19)", () => {
  it("an event minutes after a quiet pass costs its write and its confirmation only", async () => {
    const server = (fake = await startFakeVpc({ vpcs: [{ vpcId: VPC, tables: [{ routeTableId: TABLE, routeTableType: "System", entries: [] }] }] }));
    const { table, age } = setup(server);
    await table.listRoutes(TABLE);
    const first = await belowGate(table).apply(TABLE, { creates: [route(1)], deletes: [] });
    expect(first.creates[0]?.outcome.ok).toBe(true);
    age(10 * 60_000);
    server.resetRequests();
    const second = await belowGate(table).apply(TABLE, { creates: [route(2)], deletes: [] });
    expect(second.creates[0]?.outcome.ok).toBe(true);
    expect(actions(server)).toEqual(["CreateRouteEntries", "DescribeRouteEntryList"]);
  });

  it("a VPC busy after all refuses the write once; the retry reads, waits, and writes", async () => {
    const server = (fake = await startFakeVpc({ vpcs: [{ vpcId: VPC, tables: [{ routeTableId: TABLE, routeTableType: "System", entries: [] }] }] }));
    const { table, age } = setup(server);
    await table.listRoutes(TABLE);
    age(10 * 60_000);
    // Someone else's entry is Pending now; our last read did not see it.
    const busy = server.addEntry(TABLE, { destinationCidr: "10.77.0.0/16", nextHopType: "VpnGateway", nextHopId: "vpn-busy" });
    server.editEntry(busy.routeEntryId, { status: "Pending", settlesInMs: 100 });
    server.resetRequests();
    const result = await belowGate(table).apply(TABLE, { creates: [route(3)], deletes: [] });
    expect(result.creates[0]?.outcome.ok).toBe(true);
    const seen = actions(server);
    expect(seen[0]).toMatch(/^CreateRouteEntries:/);
    // After the refusal, no write is sent before a read found the table quiet.
    expect(seen[1]).toBe("DescribeRouteEntryList");
    expect(seen.filter((a) => a.startsWith("CreateRouteEntries"))).toHaveLength(2);
    expect(seen.at(-1)).toBe("DescribeRouteEntryList");
  });

  it("a table last seen busy is read before the write, however long ago that was", async () => {
    const server = (fake = await startFakeVpc({ vpcs: [{ vpcId: VPC, tables: [{ routeTableId: TABLE, routeTableType: "System", entries: [] }] }] }));
    const busy = server.addEntry(TABLE, { destinationCidr: "10.77.0.0/16", nextHopType: "VpnGateway", nextHopId: "vpn-busy" });
    server.editEntry(busy.routeEntryId, { status: "Pending", settlesInMs: 50 });
    const { table, age } = setup(server);
    expect((await table.listRoutes(TABLE)).some((e) => e.status === "Pending")).toBe(true);
    age(10 * 60_000);
    server.resetRequests();
    await belowGate(table).apply(TABLE, { creates: [route(4)], deletes: [] });
    expect(actions(server)[0]).toBe("DescribeRouteEntryList");
    expect(actions(server).some((a) => a.includes("IncorrectRouteEntryStatus"))).toBe(false);
  });
});
