// The write-permission probe of `doctor` against the fake VPC API: DryRun writes answer
// DryRunOperation (allowed) or 403 Forbidden.RAM (a permission error), and nothing is written.
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_ROUTE_TABLE_ID, FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET, startFakeVpc, type FakeVpcServer } from "@vpc-route-sync/fake-alibaba-vpc";
import { AlibabaDryRunProbe } from "../../src/cloud/alibaba/dry-run-probe.js";

const TABLE = DEFAULT_ROUTE_TABLE_ID;
const READ_ONLY = "LTAI5tREADONLYKEY0001";

let fake: FakeVpcServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(): Promise<FakeVpcServer> {
  fake = await startFakeVpc({
    vpcs: [{ vpcId: "vpc-fake0001", tables: [{ routeTableId: TABLE, entries: [{ destinationCidr: "10.244.1.0/24", nextHopType: "Instance", nextHopId: "i-bp1seeded0001", routeEntryId: "rte-seeded0001" }] }] }],
    credentials: {
      [FAKE_ACCESS_KEY_ID]: { secret: FAKE_ACCESS_KEY_SECRET },
      [READ_ONLY]: { secret: FAKE_ACCESS_KEY_SECRET, allowedActions: ["DescribeRouteTableList", "DescribeRouteEntryList"] },
    },
  });
  return fake;
}

describe("AlibabaDryRunProbe", () => {
  it("AlibabaDryRunProbe reads DryRunOperation as allowed and Forbidden.RAM as a permission error", async () => {
    const vpc = await start();
    const create = { routeTableId: TABLE, destinationCidr: "10.244.2.0/24", instanceId: "i-bp1new00001", routeEntryName: "n", description: "d" };
    const probe = (accessKeyId: string): AlibabaDryRunProbe =>
      new AlibabaDryRunProbe({
        regionId: vpc.regionId,
        endpoint: vpc.url,
        credential: { kind: "access-key", accessKeyId, accessKeySecret: FAKE_ACCESS_KEY_SECRET, origin: "test" },
      });
    expect((await probe(FAKE_ACCESS_KEY_ID).probe(create, "rte-seeded0001")).map((a) => [a.action, a.code])).toEqual([
      ["CreateRouteEntries", "DryRunOperation"],
      ["DeleteRouteEntries", "DryRunOperation"],
    ]);
    expect((await probe(READ_ONLY).probe(create, "rte-seeded0001")).map((a) => [a.code, a.kind])).toEqual([
      ["Forbidden.RAM", "permission"],
      ["Forbidden.RAM", "permission"],
    ]);
    expect(vpc.entries(TABLE).map((e) => e.routeEntryId)).toEqual(["rte-seeded0001"]);
  });
});
