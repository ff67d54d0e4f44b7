// DryRun and RAM in the fake VPC API, through the real SDK: a DryRun write answers DryRunOperation
// and changes nothing (no entry, no Pending state); a key whose policy lacks an action gets
// 403 Forbidden.RAM for it, DryRun or not.
import {
  CreateRouteEntriesRequest,
  CreateRouteEntriesRequestRouteEntries,
  CreateRouteEntryRequest,
  DeleteRouteEntriesRequest,
  DeleteRouteEntriesRequestRouteEntries,
  DeleteRouteEntryRequest,
  DescribeRouteEntryListRequest,
  ModifyRouteEntryRequest,
} from "@alicloud/vpc20160428";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_ROUTE_TABLE_ID, FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET, startFakeVpc, type FakeVpcServer } from "../src/index.ts";
import { sdkClient, sdkError } from "./sdk-fixture.ts";

const TABLE = DEFAULT_ROUTE_TABLE_ID;
const READ_ONLY = "LTAI5tREADONLYKEY0001";
const SEEDED = { destinationCidr: "10.244.1.0/24", nextHopType: "Instance", nextHopId: "i-bp1seeded0001", routeEntryId: "rte-seeded0001" };

let fake: FakeVpcServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(): Promise<FakeVpcServer> {
  fake = await startFakeVpc({
    vpcs: [{ vpcId: "vpc-fake0001", tables: [{ routeTableId: TABLE, entries: [SEEDED] }] }],
    pendingMs: 60_000,
    credentials: {
      [FAKE_ACCESS_KEY_ID]: { secret: FAKE_ACCESS_KEY_SECRET },
      [READ_ONLY]: { secret: FAKE_ACCESS_KEY_SECRET, allowedActions: ["DescribeRouteTableList", "DescribeRouteEntryList"] },
    },
  });
  return fake;
}

const createItem = new CreateRouteEntriesRequestRouteEntries({ routeTableId: TABLE, dstCidrBlock: "10.244.2.0/24", nextHop: "i-bp1new00001", nextHopType: "Instance" });

describe("DryRun in the fake VPC API", () => {
  it("answers DryRunOperation for every write action and changes nothing", async () => {
    const vpc = await start();
    const client = sdkClient(vpc);
    const before = vpc.entries(TABLE);
    const calls = [
      client.createRouteEntries(new CreateRouteEntriesRequest({ regionId: vpc.regionId, dryRun: true, routeEntries: [createItem] })),
      client.createRouteEntry(new CreateRouteEntryRequest({ regionId: vpc.regionId, dryRun: true, routeTableId: TABLE, destinationCidrBlock: "10.244.3.0/24", nextHopId: "i-bp1new00002" })),
      client.deleteRouteEntries(new DeleteRouteEntriesRequest({ regionId: vpc.regionId, dryRun: true, routeEntries: [new DeleteRouteEntriesRequestRouteEntries({ routeTableId: TABLE, routeEntryId: "rte-seeded0001" })] })),
      client.deleteRouteEntry(new DeleteRouteEntryRequest({ regionId: vpc.regionId, dryRun: true, routeEntryId: "rte-seeded0001" })),
      client.modifyRouteEntry(new ModifyRouteEntryRequest({ regionId: vpc.regionId, dryRun: true, routeEntryId: "rte-seeded0001", newNextHopId: "i-bp1other0001" })),
    ];
    for (const call of calls) expect((await sdkError(call)).code).toBe("DryRunOperation");
    expect(vpc.entries(TABLE)).toEqual(before);
    // Nothing is left Pending either: a real write goes through at once.
    const real = await client.createRouteEntries(new CreateRouteEntriesRequest({ regionId: vpc.regionId, routeEntries: [createItem] }));
    expect(real.body?.successCount).toBe(1);
  });

  it("records no ClientToken for a DryRun call", async () => {
    const vpc = await start();
    const client = sdkClient(vpc);
    const request = (cidr: string, dryRun: boolean): CreateRouteEntryRequest =>
      new CreateRouteEntryRequest({ regionId: vpc.regionId, dryRun, clientToken: "token-1", routeTableId: TABLE, destinationCidrBlock: cidr, nextHopId: "i-bp1new00002" });
    expect((await sdkError(client.createRouteEntry(request("10.244.3.0/24", true)))).code).toBe("DryRunOperation");
    // Had the dry run kept the token, other parameters with it would be IdempotentParameterMismatch.
    const created = await client.createRouteEntry(request("10.244.4.0/24", false));
    expect(vpc.entry(created.body?.routeEntryId ?? "")?.destinationCidr).toBe("10.244.4.0/24");
  });

  it("answers 403 Forbidden.RAM to a key whose policy lacks the action, DryRun included; reads still work", async () => {
    const vpc = await start();
    const client = sdkClient(vpc, { accessKeyId: READ_ONLY });
    const denied = await sdkError(client.createRouteEntries(new CreateRouteEntriesRequest({ regionId: vpc.regionId, dryRun: true, routeEntries: [createItem] })));
    expect([denied.code, denied.statusCode]).toEqual(["Forbidden.RAM", 403]);
    const listed = await client.describeRouteEntryList(new DescribeRouteEntryListRequest({ regionId: vpc.regionId, routeTableId: TABLE }));
    expect(listed.body?.routeEntrys?.routeEntry?.map((e) => e.routeEntryId)).toEqual(["rte-seeded0001"]);
  });
});
