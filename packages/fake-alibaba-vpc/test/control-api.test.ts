// The /__fake/ control API over HTTP: inspection (state, request log, counters), fault scripting
// and hand edits of entries and tables, with clear 400s for bad bodies. No signature needed.
import { DescribeRouteEntryListRequest } from "@alicloud/vpc20160428";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_ROUTE_TABLE_ID, DEFAULT_VPC_ID, startFakeVpc, type FakeVpcServer, type FakeVpcSnapshot } from "../src/index.ts";
import { ManualClock, sdkClient, sdkError } from "./sdk-fixture.ts";

const REGION = "cn-hangzhou";
const TABLE = DEFAULT_ROUTE_TABLE_ID;

let fake: FakeVpcServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function call(f: FakeVpcServer, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> & unknown[] }> {
  const res = await fetch(`${f.url}/__fake/${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & unknown[] };
}

describe("fake VPC control API", () => {
  it("adds, modifies and removes entries by hand and shows them in /state", async () => {
    const clock = new ManualClock();
    fake = await startFakeVpc({ now: clock.now });
    const added = await call(fake, "POST", "entries", {
      op: "add",
      routeTableId: TABLE,
      entry: { destinationCidr: "172.16.0.0/12", nextHopType: "VpnGateway", nextHopId: "vpn-1", routeEntryName: "to-office" },
    });
    expect(added.status).toBe(200);
    const id = added.json.routeEntryId as string;
    const ecmp = await call(fake, "POST", "entries", {
      op: "add",
      routeTableId: TABLE,
      entry: { destinationCidr: "10.10.0.0/16", nextHops: [{ nextHopType: "Instance", nextHopId: "i-a", weight: 50 }, { nextHopType: "Instance", nextHopId: "i-b", weight: 50 }] },
    });
    expect(ecmp.json.nextHops).toHaveLength(2);

    const modified = await call(fake, "POST", "entries", { op: "modify", routeEntryId: id, patch: { nextHops: [{ nextHopType: "HaVip", nextHopId: "havip-1" }], status: "Pending", settlesInMs: 50 } });
    expect(modified.json).toMatchObject({ status: "Pending", nextHops: [{ nextHopType: "HaVip", nextHopId: "havip-1", weight: 0, enabled: true }] });
    clock.advance(50);
    const state = (await call(fake, "GET", "state")).json as unknown as FakeVpcSnapshot;
    expect(state.regionId).toBe(REGION);
    const table = state.vpcs.find((v) => v.vpcId === DEFAULT_VPC_ID)?.tables[0];
    expect(table?.entries.find((e) => e.routeEntryId === id)).toMatchObject({ status: "Available", destinationCidr: "172.16.0.0/12" });

    expect((await call(fake, "POST", "entries", { op: "remove", routeEntryId: id })).status).toBe(200);
    expect(fake.entry(id)).toBeUndefined();
    expect((await call(fake, "POST", "entries", { op: "remove", routeEntryId: id })).status).toBe(400);
  });

  it("adds route tables", async () => {
    fake = await startFakeVpc();
    const res = await call(fake, "POST", "tables", { vpcId: DEFAULT_VPC_ID, table: { routeTableId: "vtb-custom1", entries: [{ destinationCidr: "10.0.0.0/8", nextHopId: "i-1" }] } });
    expect(res.json).toMatchObject({ routeTableId: "vtb-custom1", routeTableType: "Custom", vpcId: DEFAULT_VPC_ID });
    expect(fake.entries("vtb-custom1")).toHaveLength(1);
  });

  it("scripts faults, lists and clears them", async () => {
    fake = await startFakeVpc();
    const client = sdkClient(fake);
    const added = await call(fake, "POST", "faults", [{ action: "DescribeRouteEntryList", count: 1, fault: { type: "throttling", retryAfterMs: 100 } }, { ratio: 0.5, fault: { type: "drop" } }]);
    expect(added.json).toHaveLength(2);
    expect((await call(fake, "DELETE", "faults")).json).toEqual([]);
    await call(fake, "POST", "faults", { action: "DescribeRouteEntryList", count: 1, fault: { type: "throttling", retryAfterMs: 100 } });
    expect((await call(fake, "GET", "faults")).json).toEqual([{ action: "DescribeRouteEntryList", count: 1, fault: { type: "throttling", retryAfterMs: 100 } }]);
    const error = await sdkError(client.describeRouteEntryList(new DescribeRouteEntryListRequest({ regionId: REGION, routeTableId: TABLE })));
    expect(error.code).toBe("Throttling.User");
  });

  it("shows the request log and counters, and resets them", async () => {
    fake = await startFakeVpc();
    const client = sdkClient(fake);
    await client.describeRouteEntryList(new DescribeRouteEntryListRequest({ regionId: REGION, routeTableId: TABLE, maxResult: 5 }));
    await sdkError(client.describeRouteEntryList(new DescribeRouteEntryListRequest({ regionId: REGION, routeTableId: "vtb-missing" })));
    const log = await call(fake, "GET", "requests");
    expect(log.json).toHaveLength(2);
    expect(log.json[0]).toMatchObject({ action: "DescribeRouteEntryList", status: 200, code: "", params: { MaxResult: "5", RegionId: REGION, RouteTableId: TABLE } });
    expect(log.json[1]).toMatchObject({ status: 404, code: "InvalidRouteTableId.NotFound" });
    expect((await call(fake, "GET", "counters")).json).toEqual({ DescribeRouteEntryList: { requests: 2, errors: 1, faults: 0 } });
    await call(fake, "POST", "reset-log");
    expect((await call(fake, "GET", "requests")).json).toEqual([]);
    expect(fake.counters()).toEqual({});
  });

  it.each([
    ["entries", "not json", /not valid JSON/],
    ["entries", { op: "add", routeTableId: TABLE, entry: { destinationCidr: "10.0.0.0/8" } }, /nextHops/],
    ["entries", { op: "add", routeTableId: TABLE, entry: { destinationCidr: "10.0.0.0/8", nextHopId: "i-1", colour: "red" } }, /colour|Unrecognized/],
    ["entries", { op: "add", routeTableId: "vtb-nope", entry: { destinationCidr: "10.0.0.0/8", nextHopId: "i-1" } }, /vtb-nope/],
    ["entries", { op: "explode" }, /op/],
    ["faults", { fault: { type: "throttling", retryAfterMs: -1 } }, /retryAfterMs/],
  ])("answers 400 naming the problem for POST %s %j", async (path, body, message) => {
    fake = await startFakeVpc();
    const res = await call(fake, "POST", path, body);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.json.error).toMatch(message);
  });

  it("answers 404 for unknown control paths and forgives doubled slashes", async () => {
    fake = await startFakeVpc();
    const res = await call(fake, "GET", "nothing-here");
    expect(res.status).toBe(404);
    expect((await fetch(`${fake.url}/__fake//state`)).status).toBe(200);
  });
});
