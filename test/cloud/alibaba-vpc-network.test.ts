// The VPC network reader over real HTTP against the fake VPC API: DescribeVpcAttribute (primary,
// secondary and IPv6 blocks) plus every page of DescribeVSwitches, the VPC found from a route table
// when no VPC id is given, retries of transient errors and a classified, final error otherwise.
import { afterEach, describe, expect, it } from "vitest";
import { createAlibabaRouteTable } from "../../src/cloud/alibaba/alibaba-route-table.js";
import { AlibabaVpcNetwork } from "../../src/cloud/alibaba/vpc-network.js";
import { CloudError } from "../../src/cloud/errors.js";
import { FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET, startFakeVpc, type FakeVpcServer } from "@vpc-route-sync/fake-alibaba-vpc";

const REGION = "cn-shanghai";
const VPC = "vpc-net0001";
const TABLE = "vtb-net0001";

let fake: FakeVpcServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const vSwitches = Array.from({ length: 51 }, (_, i) => ({ vSwitchId: `vsw-${i}`, cidrBlock: `192.168.${i}.0/24`, ...(i === 0 ? { ipv6CidrBlock: "2408:4000:1:1::/64" } : {}) }));

async function reader(): Promise<{ server: FakeVpcServer; network: AlibabaVpcNetwork }> {
  fake = await startFakeVpc({
    regionId: REGION,
    vpcs: [{ vpcId: VPC, cidrBlock: "192.168.0.0/16", secondaryCidrBlocks: ["172.16.0.0/12"], ipv6CidrBlocks: ["2408:4000:1::/56"], vSwitches, tables: [{ routeTableId: TABLE }] }],
  });
  const adapter = createAlibabaRouteTable({
    regionId: REGION,
    endpoint: fake.endpoint,
    credential: { kind: "access-key", accessKeyId: FAKE_ACCESS_KEY_ID, accessKeySecret: FAKE_ACCESS_KEY_SECRET, origin: "test" },
    qps: 1000,
    retry: { baseDelayMs: 2, maxDelayMs: 20 },
  });
  return { server: fake, network: new AlibabaVpcNetwork(adapter) };
}

const count = (server: FakeVpcServer, action: string): number => server.requests().filter((r) => r.action === action).length;

describe("AlibabaVpcNetwork", () => {
  it("reads the VPC's blocks and every vSwitch page (1 + ceil(51/50) calls)", async () => {
    const { server, network } = await reader();
    const [net] = await network.read(VPC, [TABLE]);
    expect(net?.vpcCidrs).toEqual(["192.168.0.0/16", "172.16.0.0/12", "2408:4000:1::/56"]);
    expect(net?.vSwitchCidrs).toHaveLength(52);
    expect(net?.vSwitchCidrs).toContain("192.168.50.0/24");
    expect(net?.vSwitchCidrs).toContain("2408:4000:1:1::/64");
    expect(count(server, "DescribeVpcAttribute")).toBe(1);
    expect(count(server, "DescribeVSwitches")).toBe(2);
    expect(server.requests().every((r) => r.action !== "DescribeVSwitches" || Number(r.params.PageSize) <= 50)).toBe(true);
  });

  it("finds the VPC from the route table when no VPC id is given, and asks only once per table", async () => {
    const { server, network } = await reader();
    expect((await network.read(undefined, [TABLE]))[0]?.vpcId).toBe(VPC);
    await network.read(undefined, [TABLE]);
    expect(count(server, "DescribeRouteTableList")).toBe(1);
    expect(count(server, "DescribeVpcAttribute")).toBe(2);
  });

  it("retries a throttled read; a missing VPC is a final InvalidVpcId.NotFound", async () => {
    const { server, network } = await reader();
    server.addFault({ action: "DescribeVSwitches", count: 2, fault: { type: "throttling" } });
    expect((await network.read(VPC, [TABLE]))[0]?.vSwitchCidrs).toHaveLength(52);
    const error = await network.read("vpc-nosuch", []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudError);
    expect((error as CloudError).code).toBe("InvalidVpcId.NotFound");
    expect((error as CloudError).retryable).toBe(false);
  });
});
