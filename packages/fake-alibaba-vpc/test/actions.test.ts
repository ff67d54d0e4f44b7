// Drives every route action of the fake through the real @alicloud/vpc20160428 SDK and checks the
// service rules (pagination, filters, uniqueness, quota, Pending -> Available, one change at a time,
// batch limits, unknown parameters) and that the SDK parses every response shape.
import {
  CreateRouteEntriesRequest,
  CreateRouteEntriesRequestRouteEntries,
  CreateRouteEntryRequest,
  CreateRouteEntryRequestNextHopList,
  DeleteRouteEntriesRequest,
  DeleteRouteEntriesRequestRouteEntries,
  DeleteRouteEntryRequest,
  DescribeRouteEntryListRequest,
  DescribeRouteTableListRequest,
  ModifyRouteEntryRequest,
} from "@alicloud/vpc20160428";
import { ExtendsParameters, RuntimeOptions } from "@darabonba/typescript";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_ROUTE_TABLE_ID, DEFAULT_VPC_ID, startFakeVpc, type FakeVpcOptions, type FakeVpcServer } from "../src/index.ts";
import { ManualClock, sdkClient, sdkError, type VpcClient } from "./sdk-fixture.ts";

const REGION = "cn-hangzhou";
const TABLE = DEFAULT_ROUTE_TABLE_ID;

let fake: FakeVpcServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** A table with one entry of each kind the DescribeRouteEntryList filters tell apart. */
const FILTER_VPCS: FakeVpcOptions["vpcs"] = [
  {
    vpcId: "vpc-f",
    tables: [
      {
        routeTableId: TABLE,
        entries: [
          { routeEntryId: "rte-sys", destinationCidr: "192.168.0.0/24", type: "System", nextHopType: "local", nextHopId: "" },
          { routeEntryId: "rte-a", destinationCidr: "10.1.0.0/24", nextHopId: "i-a", routeEntryName: "alpha" },
          { routeEntryId: "rte-b", destinationCidr: "10.1.1.0/24", nextHopId: "i-b", routeEntryName: "beta" },
          { routeEntryId: "rte-c", destinationCidr: "172.16.0.0/12", nextHopType: "VpnGateway", nextHopId: "vpn-1" },
          { routeEntryId: "rte-v6", destinationCidr: "2408:4000::/56", nextHopType: "IPv6Gateway", nextHopId: "ipv6gw-1" },
          { routeEntryId: "rte-bgp", destinationCidr: "10.1.2.0/24", type: "BGP", nextHopType: "RouterInterface", nextHopId: "ri-1" },
          { routeEntryId: "rte-cen", destinationCidr: "10.1.3.0/24", type: "CEN", nextHopType: "Attachment", nextHopId: "tr-1" },
        ],
      },
    ],
  },
];

async function start(options: FakeVpcOptions = {}): Promise<{ fake: FakeVpcServer; client: VpcClient }> {
  fake = await startFakeVpc(options);
  return { fake, client: sdkClient(fake) };
}

function batchItem(i: number, extra: Partial<Record<string, string>> = {}): CreateRouteEntriesRequestRouteEntries {
  return new CreateRouteEntriesRequestRouteEntries({
    routeTableId: TABLE,
    dstCidrBlock: `10.${Math.floor(i / 256)}.${i % 256}.0/24`,
    nextHop: `i-node${i}`,
    nextHopType: "Instance",
    ...extra,
  });
}

async function listAll(client: VpcClient, maxResult: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const res = await client.describeRouteEntryList(
      new DescribeRouteEntryListRequest({ regionId: REGION, routeTableId: TABLE, maxResult, nextToken, routeEntryType: "Custom" }),
    );
    pages++;
    for (const e of res.body?.routeEntrys?.routeEntry ?? []) ids.push(e.routeEntryId ?? "");
    nextToken = res.body?.nextToken || undefined;
  } while (nextToken);
  return { ids, pages };
}

describe("fake VPC API through the real SDK", () => {
  it("lists route tables with the RouterTableList shape and pages them", async () => {
    const { client } = await start({
      vpcs: [
        { vpcId: "vpc-a", tables: [{ routeTableId: "vtb-a1" }, { routeTableId: "vtb-a2", routeTableName: "extra" }] },
        { vpcId: "vpc-b", tables: [{ routeTableId: "vtb-b1" }] },
      ],
    });
    const res = await client.describeRouteTableList(new DescribeRouteTableListRequest({ regionId: REGION, vpcId: "vpc-a", pageSize: 1 }));
    expect(res.statusCode).toBe(200);
    expect(res.body?.totalCount).toBe(2);
    expect(res.body?.pageSize).toBe(1);
    const tables = res.body?.routerTableList?.routerTableListType ?? [];
    expect(tables.map((t) => [t.routeTableId, t.routeTableType, t.vpcId])).toEqual([["vtb-a1", "System", "vpc-a"]]);
    const page2 = await client.describeRouteTableList(new DescribeRouteTableListRequest({ regionId: REGION, vpcId: "vpc-a", pageSize: 1, pageNumber: 2 }));
    expect(page2.body?.routerTableList?.routerTableListType?.[0]?.routeTableId).toBe("vtb-a2");
    const tooBig = await sdkError(client.describeRouteTableList(new DescribeRouteTableListRequest({ regionId: REGION, pageSize: 51 })));
    expect([tooBig.code, tooBig.statusCode]).toEqual(["InvalidParameter", 400]);
  });

  it("creates, describes, modifies and deletes single entries", async () => {
    const { client, fake } = await start();
    const created = await client.createRouteEntry(
      new CreateRouteEntryRequest({
        regionId: REGION,
        routeTableId: TABLE,
        destinationCidrBlock: "10.244.1.0/24",
        nextHopType: "Instance",
        nextHopId: "i-node1",
        routeEntryName: "k8s-node1",
        description: "managed-by=route-sync",
      }),
    );
    const id = created.body?.routeEntryId ?? "";
    expect(id).toMatch(/^rte-[0-9a-z]{20}$/);

    const listed = await client.describeRouteEntryList(new DescribeRouteEntryListRequest({ regionId: REGION, routeTableId: TABLE, routeEntryId: id }));
    const entry = listed.body?.routeEntrys?.routeEntry?.[0];
    expect(listed.body?.totalCount).toBe(1);
    expect(listed.body?.nextToken).toBe("");
    expect(entry).toMatchObject({
      routeEntryId: id,
      routeTableId: TABLE,
      destinationCidrBlock: "10.244.1.0/24",
      type: "Custom",
      status: "Available",
      ipVersion: "ipv4",
      routeEntryName: "k8s-node1",
      description: "managed-by=route-sync",
    });
    expect(entry?.nextHops?.nextHop?.[0]).toMatchObject({ nextHopType: "Instance", nextHopId: "i-node1", enabled: 1, weight: 0, nextHopRegionId: REGION });

    await client.modifyRouteEntry(new ModifyRouteEntryRequest({ regionId: REGION, routeEntryId: id, newNextHopId: "i-node2", newNextHopType: "Instance", routeEntryName: "renamed" }));
    expect(fake.entry(id)).toMatchObject({ routeEntryName: "renamed", nextHops: [{ nextHopId: "i-node2" }] });

    await client.deleteRouteEntry(new DeleteRouteEntryRequest({ regionId: REGION, routeEntryId: id }));
    expect(fake.entry(id)).toBeUndefined();
    const again = await sdkError(client.deleteRouteEntry(new DeleteRouteEntryRequest({ regionId: REGION, routeEntryId: id })));
    expect([again.name, again.code, again.statusCode]).toEqual(["ClientError", "InvalidRouteEntry.NotFound", 400]);
  });

  it("creates an ECMP entry from NextHopList and deletes by table + destination + next hop", async () => {
    const { client, fake } = await start();
    await client.createRouteEntry(
      new CreateRouteEntryRequest({
        regionId: REGION,
        routeTableId: TABLE,
        destinationCidrBlock: "10.9.0.0/16",
        nextHopList: [
          new CreateRouteEntryRequestNextHopList({ nextHopType: "Instance", nextHopId: "i-a", weight: 10 }),
          new CreateRouteEntryRequestNextHopList({ nextHopType: "Instance", nextHopId: "i-b", weight: 20 }),
        ],
      }),
    );
    const ecmp = fake.entries(TABLE).find((e) => e.destinationCidr === "10.9.0.0/16");
    expect(ecmp?.nextHops.map((h) => [h.nextHopId, h.weight])).toEqual([["i-a", 10], ["i-b", 20]]);
    const denied = await sdkError(client.modifyRouteEntry(new ModifyRouteEntryRequest({ regionId: REGION, routeEntryId: ecmp?.routeEntryId, newNextHopId: "i-c" })));
    expect(denied.code).toBe("OperationDenied");
    const wrongHop = await sdkError(
      client.deleteRouteEntry(new DeleteRouteEntryRequest({ regionId: REGION, routeTableId: TABLE, destinationCidrBlock: "10.9.0.0/16", nextHopId: "i-zzz" })),
    );
    expect(wrongHop.code).toBe("InvalidRouteEntry.NotFound");
    await client.deleteRouteEntry(new DeleteRouteEntryRequest({ regionId: REGION, routeTableId: TABLE, destinationCidrBlock: "10.9.0.0/16", nextHopId: "i-a" }));
    expect(fake.entries(TABLE).some((e) => e.destinationCidr === "10.9.0.0/16")).toBe(false);
  });

  it("pages 250 entries over 3 pages of 100 with NextToken, then an empty NextToken", async () => {
    const { client, fake } = await start();
    for (let i = 0; i < 250; i++) fake.addEntry(TABLE, { destinationCidr: `10.${Math.floor(i / 256)}.${i % 256}.0/24`, nextHopId: `i-n${i}` });
    const { ids, pages } = await listAll(client, 100);
    expect(pages).toBe(3);
    expect(new Set(ids).size).toBe(250);
    const first = await client.describeRouteEntryList(new DescribeRouteEntryListRequest({ regionId: REGION, routeTableId: TABLE }));
    expect(first.body?.routeEntrys?.routeEntry).toHaveLength(10); // default MaxResult
    expect(first.body?.totalCount).toBe(252); // two system routes in the default table
    const bad = await sdkError(client.describeRouteEntryList(new DescribeRouteEntryListRequest({ regionId: REGION, routeTableId: TABLE, nextToken: "garbage!" })));
    expect([bad.code, bad.statusCode]).toEqual(["IllegalParam.NextToken", 400]);
    // Above the documented 100 the API tolerates the value and caps it (upstream CCM sends 500).
    const capped = await client.describeRouteEntryList(new DescribeRouteEntryListRequest({ regionId: REGION, routeTableId: TABLE, maxResult: 500 }));
    expect(capped.body?.routeEntrys?.routeEntry).toHaveLength(100);
    expect(capped.body?.nextToken).not.toBe("");
    const zero = await sdkError(client.describeRouteEntryList(new DescribeRouteEntryListRequest({ regionId: REGION, routeTableId: TABLE, maxResult: 0 })));
    expect(zero.code).toBe("InvalidParameter");
  });

  it.each([
    [{ destinationCidrBlock: "10.1.0.0/24" }, ["rte-a"]],
    [{ destCidrBlockList: ["10.1.0.0/24", "10.1.1.0/24"] }, ["rte-a", "rte-b"]],
    [{ routeEntryName: "beta" }, ["rte-b"]],
    [{ nextHopId: "vpn-1" }, ["rte-c"]],
    [{ nextHopType: "Instance", routeEntryType: "Custom" }, ["rte-a", "rte-b"]],
    [{ routeEntryType: "System" }, ["rte-sys"]],
    [{ routeEntryType: "BGP" }, ["rte-bgp"]],
    [{ ipVersion: "ipv6" }, ["rte-v6"]],
    [{ routeEntryId: "rte-c" }, ["rte-c"]],
  ])("filters DescribeRouteEntryList by %o", async (filter, expected) => {
    const { client } = await start({ vpcs: FILTER_VPCS });
    const res = await client.describeRouteEntryList(new DescribeRouteEntryListRequest({ regionId: REGION, routeTableId: TABLE, maxResult: 100, ...filter }));
    expect((res.body?.routeEntrys?.routeEntry ?? []).map((e) => e.routeEntryId)).toEqual(expected);
  });

  it("with omittedFilters.routeEntryType Custom, an unfiltered read hides System and learned entries until asked for by type", async () => {
    const { client } = await start({ omittedFilters: { routeEntryType: "Custom" }, vpcs: FILTER_VPCS });
    const ids = async (filter: Record<string, string>): Promise<string[]> => {
      const res = await client.describeRouteEntryList(new DescribeRouteEntryListRequest({ regionId: REGION, routeTableId: TABLE, maxResult: 100, ...filter }));
      return (res.body?.routeEntrys?.routeEntry ?? []).map((e) => e.routeEntryId ?? "");
    };
    expect(await ids({})).toEqual(["rte-a", "rte-b", "rte-c", "rte-v6"]);
    expect(await ids({ routeEntryType: "BGP" })).toEqual(["rte-bgp"]);
    expect(await ids({ routeEntryType: "CEN" })).toEqual(["rte-cen"]);
    await expect(startFakeVpc({ omittedFilters: { routeEntryType: "BGP" as "Custom" } })).rejects.toThrow(/omittedFilters.routeEntryType/);
  });

  it("batch-creates 50 entries with 128/256-char names and descriptions, reports duplicates per item, rejects 51", async () => {
    const { client, fake } = await start();
    const name = `n${"x".repeat(127)}`;
    const description = `d${"é*()!'~ ".repeat(31)}`.slice(0, 256);
    const items = Array.from({ length: 50 }, (_, i) => batchItem(i, { name, description, ipVersion: "4" }));
    const res = await client.createRouteEntries(new CreateRouteEntriesRequest({ regionId: REGION, routeEntries: items }));
    expect(res.body).toMatchObject({ successCount: 50, failedCount: 0 });
    expect(res.body?.routeEntryIds).toHaveLength(50);
    expect(fake.entries(TABLE).filter((e) => e.type === "Custom").every((e) => e.routeEntryName === name && e.description === description)).toBe(true);

    const dup = await client.createRouteEntries(new CreateRouteEntriesRequest({ regionId: REGION, routeEntries: [batchItem(0), batchItem(60)] }));
    expect(dup.body).toMatchObject({
      successCount: 1,
      failedCount: 1,
      failedRouteEntries: [{ dstCidrBlock: "10.0.0.0/24", nextHop: "i-node0", failedCode: "VPC_ROUTE_ENTRY_CIDR_BLOCK_DUPLICATE" }],
    });

    const tooMany = Array.from({ length: 51 }, (_, i) => batchItem(100 + i));
    const rejected = await sdkError(client.createRouteEntries(new CreateRouteEntriesRequest({ regionId: REGION, routeEntries: tooMany })));
    expect([rejected.code, rejected.statusCode]).toEqual(["InvalidParameter", 400]);
    expect(rejected.message).toContain("RouteEntries");
  });

  it("flags an in-batch duplicate destination as VPC_ROUTE_ENTRY_STATUS_ERROR", async () => {
    const { client } = await start();
    const res = await client.createRouteEntries(new CreateRouteEntriesRequest({ regionId: REGION, routeEntries: [batchItem(1), batchItem(1)] }));
    expect(res.body?.successCount).toBe(1);
    expect(res.body?.failedRouteEntries?.[0]?.failedCode).toBe("VPC_ROUTE_ENTRY_STATUS_ERROR");
  });

  it("batch-deletes by id and by destination + next hop, reporting missing entries per item", async () => {
    const { client, fake } = await start();
    const a = fake.addEntry(TABLE, { destinationCidr: "10.244.0.0/24", nextHopId: "i-node1" });
    fake.addEntry(TABLE, { destinationCidr: "10.244.1.0/24", nextHopId: "i-node2" });
    const res = await client.deleteRouteEntries(
      new DeleteRouteEntriesRequest({
        regionId: REGION,
        routeEntries: [
          new DeleteRouteEntriesRequestRouteEntries({ routeTableId: TABLE, routeEntryId: a.routeEntryId }),
          new DeleteRouteEntriesRequestRouteEntries({ routeTableId: TABLE, dstCidrBlock: "10.244.1.0/24", nextHop: "i-node2" }),
          new DeleteRouteEntriesRequestRouteEntries({ routeTableId: TABLE, routeEntryId: "rte-gone" }),
        ],
      }),
    );
    expect(res.body).toMatchObject({
      successCount: 2,
      failedCount: 1,
      failedRouteEntries: [{ routeEntryId: "rte-gone", failedCode: "VPC_ROUTER_ENTRY_NOT_EXIST", failedMessage: "vRouterEntry not exists" }],
    });
    expect(fake.entries(TABLE).filter((e) => e.type === "Custom")).toEqual([]);
  });

  it("keeps new entries Pending until the injected clock passes pendingMs, and refuses changes meanwhile", async () => {
    const clock = new ManualClock();
    const { client, fake } = await start({ pendingMs: 200, now: clock.now });
    await client.createRouteEntries(new CreateRouteEntriesRequest({ regionId: REGION, routeEntries: [batchItem(1), batchItem(2)] }));
    expect(fake.entries(TABLE).filter((e) => e.type === "Custom").map((e) => e.status)).toEqual(["Pending", "Pending"]);

    const single = await sdkError(
      client.createRouteEntry(new CreateRouteEntryRequest({ regionId: REGION, routeTableId: TABLE, destinationCidrBlock: "10.50.0.0/24", nextHopId: "i-x" })),
    );
    expect([single.code, single.statusCode]).toEqual(["IncorrectRouteEntryStatus", 400]);
    const batch = await sdkError(client.createRouteEntries(new CreateRouteEntriesRequest({ regionId: REGION, routeEntries: [batchItem(3)] })));
    expect(batch.code).toBe("IncorrectRouteEntryStatus");

    clock.advance(199);
    expect(fake.entries(TABLE).some((e) => e.status === "Pending")).toBe(true);
    clock.advance(1);
    expect(fake.entries(TABLE).every((e) => e.status === "Available")).toBe(true);

    const id = fake.entries(TABLE).find((e) => e.type === "Custom")?.routeEntryId;
    await client.deleteRouteEntry(new DeleteRouteEntryRequest({ regionId: REGION, routeEntryId: id }));
    expect(fake.entry(id ?? "")?.status).toBe("Deleting");
    const listed = await client.describeRouteEntryList(new DescribeRouteEntryListRequest({ regionId: REGION, routeTableId: TABLE, routeEntryId: id }));
    expect(listed.body?.routeEntrys?.routeEntry?.[0]?.status).toBe("Deleting");
    clock.advance(200);
    expect(fake.entry(id ?? "")).toBeUndefined();
  });

  it("reports middle-status batch items instead of refusing when batchWhileUnstable is item-error", async () => {
    const clock = new ManualClock();
    const { client } = await start({ pendingMs: 100, now: clock.now, batchWhileUnstable: "item-error" });
    await client.createRouteEntries(new CreateRouteEntriesRequest({ regionId: REGION, routeEntries: [batchItem(1)] }));
    const res = await client.createRouteEntries(new CreateRouteEntriesRequest({ regionId: REGION, routeEntries: [batchItem(2)] }));
    expect(res.body).toMatchObject({ successCount: 0, failedCount: 1, failedRouteEntries: [{ failedCode: "VPC_ROUTE_ENTRY_STATUS_ERROR" }] });
  });

  it("enforces the custom-entry quota per table", async () => {
    const { client, fake } = await start({ quotaPerTable: 3 });
    fake.addEntry(TABLE, { destinationCidr: "10.0.0.0/24", nextHopId: "i-1" });
    const over = await sdkError(client.createRouteEntries(new CreateRouteEntriesRequest({ regionId: REGION, routeEntries: [batchItem(1), batchItem(2), batchItem(3)] })));
    expect([over.code, over.statusCode, over.message]).toEqual([
      "QuotaExceeded",
      400,
      expect.stringContaining("Route entry quota exceeded in this route table."),
    ]);
    expect(fake.entries(TABLE).filter((e) => e.type === "Custom")).toHaveLength(1);
    await client.createRouteEntries(new CreateRouteEntriesRequest({ regionId: REGION, routeEntries: [batchItem(1), batchItem(2)] }));
    const single = await sdkError(
      client.createRouteEntry(new CreateRouteEntryRequest({ regionId: REGION, routeTableId: TABLE, destinationCidrBlock: "10.99.0.0/24", nextHopId: "i-9" })),
    );
    expect(single.code).toBe("QuotaExceeded");
  });

  const create = (fields: Record<string, unknown>) => new CreateRouteEntryRequest({ regionId: REGION, routeTableId: TABLE, nextHopId: "i-1", ...fields });
  it.each([
    ["a duplicate destination", create({ destinationCidrBlock: "10.7.0.0/24" }), "InvalidCIDRBlock.Duplicate", 400],
    ["a malformed CIDR", create({ destinationCidrBlock: "10.7.0.1/24" }), "InvalidCidrBlock.Malformed", 400],
    ["an unknown table", create({ destinationCidrBlock: "10.8.0.0/24", routeTableId: "vtb-nope" }), "InvalidRouteTableId.NotFound", 404],
    ["a vSwitch destination", create({ destinationCidrBlock: "192.168.0.128/25" }), "InvalidDestinationCidrBlock", 400],
    ["100.64.0.0/10", create({ destinationCidrBlock: "100.64.1.0/24" }), "InvalidDestinationCidrBlock", 400],
    ["another region", create({ destinationCidrBlock: "10.8.0.0/24", regionId: "cn-beijing" }), "InvalidRegionId.NotFound", 404],
    ["a missing destination", create({}), "MissingParameter", 400],
    ["a bad next hop type", create({ destinationCidrBlock: "10.8.0.0/24", nextHopType: "Bogus" }), "InvalidNextHopType", 400],
    ["a 129-char name", create({ destinationCidrBlock: "10.8.0.0/24", routeEntryName: "n".repeat(129) }), "InvalidRouteEntryName.Malformed", 400],
    ["DryRun", create({ destinationCidrBlock: "10.8.0.0/24", dryRun: true }), "DryRunOperation", 400],
  ])("rejects CreateRouteEntry with %s", async (_label, request, code, status) => {
    const { client, fake } = await start();
    fake.addEntry(TABLE, { destinationCidr: "10.7.0.0/24", nextHopId: "i-0" });
    const error = await sdkError(client.createRouteEntry(request));
    expect([error.name, error.code, error.statusCode]).toEqual(["ClientError", code, status]);
    expect(error.data).toMatchObject({ Code: code, HostId: "vpc.aliyuncs.com", RequestId: expect.any(String), Recommend: expect.any(String) });
    expect(fake.entries(TABLE).filter((e) => e.type === "Custom")).toHaveLength(1);
  });

  it("returns the same entry for a repeated ClientToken and refuses it with other parameters", async () => {
    const { client, fake } = await start();
    const first = await client.createRouteEntry(create({ destinationCidrBlock: "10.3.0.0/24", clientToken: "tok-1" }));
    const second = await client.createRouteEntry(create({ destinationCidrBlock: "10.3.0.0/24", clientToken: "tok-1" }));
    expect(second.body?.routeEntryId).toBe(first.body?.routeEntryId);
    const mismatch = await sdkError(client.createRouteEntry(create({ destinationCidrBlock: "10.4.0.0/24", clientToken: "tok-1" })));
    expect(mismatch.code).toBe("IdempotentParameterMismatch");
    expect(fake.entries(TABLE).filter((e) => e.type === "Custom")).toHaveLength(1);
  });

  it("never deletes or modifies system routes", async () => {
    const { client } = await start();
    const del = await sdkError(client.deleteRouteEntry(new DeleteRouteEntryRequest({ regionId: REGION, routeEntryId: "rte-fakesystem0001" })));
    expect(del.code).toBe("OperationDenied");
    const mod = await sdkError(client.modifyRouteEntry(new ModifyRouteEntryRequest({ regionId: REGION, routeEntryId: "rte-fakesystem0001", routeEntryName: "x" })));
    expect(mod.code).toBe("OperationDenied");
    const batch = await client.deleteRouteEntries(
      new DeleteRouteEntriesRequest({ regionId: REGION, routeEntries: [new DeleteRouteEntriesRequestRouteEntries({ routeTableId: TABLE, routeEntryId: "rte-fakesystem0002" })] }),
    );
    expect(batch.body?.failedRouteEntries?.[0]?.failedCode).toBe("OperationDenied");
  });

  it("rejects camelCase keys from plain objects assigned after construction", async () => {
    const { client, fake } = await start();
    const request = new CreateRouteEntriesRequest({ regionId: REGION });
    request.routeEntries = [{ routeTableId: TABLE, dstCidrBlock: "10.1.0.0/24", nextHop: "i-1", nextHopType: "Instance" } as CreateRouteEntriesRequestRouteEntries];
    const error = await sdkError(client.createRouteEntries(request));
    expect([error.code, error.statusCode]).toEqual(["InvalidParameter", 400]);
    expect(error.message).toMatch(/RouteEntries\.1\.[a-z]/);
    expect(fake.entries(TABLE).filter((e) => e.type === "Custom")).toEqual([]);
  });

  it("rejects an unknown parameter by name", async () => {
    const { client } = await start();
    const runtime = new RuntimeOptions({ extendsParameters: new ExtendsParameters({ queries: { VpcID: DEFAULT_VPC_ID } }) });
    const error = await sdkError(client.describeRouteTableListWithOptions(new DescribeRouteTableListRequest({ regionId: REGION }), runtime));
    expect([error.code, error.statusCode]).toEqual(["InvalidParameter", 400]);
    expect(error.message).toContain('"VpcID"');
  });

  it("requires RegionId on every request", async () => {
    const { client } = await start();
    const error = await sdkError(client.describeRouteEntryList(new DescribeRouteEntryListRequest({ routeTableId: TABLE })));
    expect([error.code, error.message]).toEqual(["MissingParameter", expect.stringContaining('"RegionId"')]);
  });
});
