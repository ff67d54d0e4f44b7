// DescribeVpcAttribute and DescribeVSwitches through the real SDK: the VPC's CIDR blocks (primary,
// secondary, IPv6) and its vSwitches, seeded, set through the control API, or derived by default from
// the System "local" entries; InvalidVpcId.NotFound for a VPC the fake does not know.
import { DescribeVSwitchesRequest, DescribeVpcAttributeRequest } from "@alicloud/vpc20160428";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_VPC_ID, startFakeVpc, type FakeVpcServer } from "../src/index.ts";
import { sdkClient, sdkError } from "./sdk-fixture.ts";

const REGION = "cn-hangzhou";

let fake: FakeVpcServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const vSwitches = Array.from({ length: 53 }, (_, i) => ({ vSwitchId: `vsw-${i}`, cidrBlock: `10.${i}.0.0/24` }));

describe("fake VPC network actions", () => {
  it("answers DescribeVpcAttribute with the seeded primary, secondary and IPv6 CIDR blocks", async () => {
    fake = await startFakeVpc({
      vpcs: [
        {
          vpcId: "vpc-net1",
          cidrBlock: "10.0.0.0/8",
          secondaryCidrBlocks: ["172.16.0.0/16"],
          ipv6CidrBlocks: ["2408:4000:1::/56"],
          vSwitches: [{ vSwitchId: "vsw-a", cidrBlock: "10.1.0.0/24", ipv6CidrBlock: "2408:4000:1:1::/64" }],
          tables: [{ routeTableId: "vtb-net1" }],
        },
      ],
    });
    const body = (await sdkClient(fake).describeVpcAttribute(new DescribeVpcAttributeRequest({ regionId: REGION, vpcId: "vpc-net1" }))).body!;
    expect(body.vpcId).toBe("vpc-net1");
    expect(body.cidrBlock).toBe("10.0.0.0/8");
    expect(body.secondaryCidrBlocks?.secondaryCidrBlock).toEqual(["172.16.0.0/16"]);
    expect(body.ipv6CidrBlocks?.ipv6CidrBlock?.map((b) => b.ipv6CidrBlock)).toEqual(["2408:4000:1::/56"]);
    expect(body.vSwitchIds?.vSwitchId).toEqual(["vsw-a"]);
    const vs = (await sdkClient(fake).describeVSwitches(new DescribeVSwitchesRequest({ regionId: REGION, vpcId: "vpc-net1" }))).body!;
    expect(vs.vSwitches?.vSwitch?.map((v) => [v.vSwitchId, v.vpcId, v.cidrBlock, v.ipv6CidrBlock])).toEqual([["vsw-a", "vpc-net1", "10.1.0.0/24", "2408:4000:1:1::/64"]]);
  });

  it("pages DescribeVSwitches by PageNumber/PageSize (at most 50) with TotalCount", async () => {
    fake = await startFakeVpc({ vpcs: [{ vpcId: "vpc-net2", cidrBlock: "10.0.0.0/8", vSwitches, tables: [{ routeTableId: "vtb-net2" }] }] });
    const client = sdkClient(fake);
    const page = async (pageNumber: number) =>
      (await client.describeVSwitches(new DescribeVSwitchesRequest({ regionId: REGION, vpcId: "vpc-net2", pageNumber, pageSize: 50 }))).body!;
    const first = await page(1);
    const second = await page(2);
    expect(first.totalCount).toBe(53);
    expect(first.vSwitches?.vSwitch).toHaveLength(50);
    expect(second.vSwitches?.vSwitch?.map((v) => v.cidrBlock)).toEqual(["10.50.0.0/24", "10.51.0.0/24", "10.52.0.0/24"]);
    const tooBig = await sdkError(client.describeVSwitches(new DescribeVSwitchesRequest({ regionId: REGION, vpcId: "vpc-net2", pageSize: 51 })));
    expect(tooBig.code).toBe("InvalidParameter");
  });

  it("derives the default network from the System local entries, and rejects an unknown VPC with InvalidVpcId.NotFound", async () => {
    fake = await startFakeVpc({});
    const client = sdkClient(fake);
    const body = (await client.describeVpcAttribute(new DescribeVpcAttributeRequest({ regionId: REGION, vpcId: DEFAULT_VPC_ID }))).body!;
    expect(body.cidrBlock).toBe("192.168.0.0/16");
    const vs = (await client.describeVSwitches(new DescribeVSwitchesRequest({ regionId: REGION, vpcId: DEFAULT_VPC_ID }))).body!;
    expect(vs.vSwitches?.vSwitch?.map((v) => v.cidrBlock)).toEqual(["192.168.0.0/24"]);
    const missing = await sdkError(client.describeVpcAttribute(new DescribeVpcAttributeRequest({ regionId: REGION, vpcId: "vpc-nosuch" })));
    expect(missing.code).toBe("InvalidVpcId.NotFound");
    expect(missing.statusCode).toBe(404);
    const none = (await client.describeVSwitches(new DescribeVSwitchesRequest({ regionId: REGION, vpcId: "vpc-nosuch" }))).body!;
    expect(none.totalCount).toBe(0);
  });

  it("sets a VPC's network through the control API (and rejects a bad CIDR block naming it)", async () => {
    fake = await startFakeVpc({});
    const set = await fetch(`${fake.url}/__fake/vpc-network`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ vpcId: DEFAULT_VPC_ID, cidrBlock: "10.0.0.0/8", vSwitches: [{ vSwitchId: "vsw-x", cidrBlock: "10.244.5.0/24" }] }),
    });
    expect(set.status).toBe(200);
    const vs = (await sdkClient(fake).describeVSwitches(new DescribeVSwitchesRequest({ regionId: REGION, vpcId: DEFAULT_VPC_ID }))).body!;
    expect(vs.vSwitches?.vSwitch?.map((v) => v.cidrBlock)).toEqual(["10.244.5.0/24"]);
    expect(fake.vpcNetwork(DEFAULT_VPC_ID)?.cidrBlock).toBe("10.0.0.0/8");
    const bad = await fetch(`${fake.url}/__fake/vpc-network`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ vpcId: DEFAULT_VPC_ID, cidrBlock: "10.0.0.0/33" }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain("10.0.0.0/33");
  });
});
