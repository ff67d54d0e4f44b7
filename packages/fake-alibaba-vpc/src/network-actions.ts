// The VPC's own network as the fake answers it: DescribeVpcAttribute (CidrBlock, SecondaryCidrBlocks,
// Ipv6CidrBlocks, VSwitchIds) and DescribeVSwitches (paged by number), read-only. The network comes from
// the seed or the control API, else the default of VpcState.network().
import type { ActionDefinition } from "./actions.ts";
import { apiErrors } from "./api-error.ts";
import { numberedPage } from "./params.ts";

const describeVpcAttribute: ActionDefinition = {
  spec: { names: ["VpcId", "IsDefault", "DryRun", "ResourceGroupId"] },
  mutating: false,
  vpcs: () => [],
  run(params, ctx) {
    const vpcId = params.required("VpcId");
    const network = ctx.state.network(vpcId);
    if (!network) throw apiErrors.vpcNotFound(vpcId);
    const vSwitchIds = network.vSwitches.map((v) => v.vSwitchId);
    return {
      VpcId: network.vpcId,
      RegionId: ctx.state.regionId,
      Status: "Available",
      VpcName: "",
      CidrBlock: network.cidrBlock,
      SecondaryCidrBlocks: { SecondaryCidrBlock: [...network.secondaryCidrBlocks] },
      UserCidrs: { UserCidr: [] },
      Ipv6CidrBlock: network.ipv6CidrBlocks[0] ?? "",
      Ipv6CidrBlocks: { Ipv6CidrBlock: network.ipv6CidrBlocks.map((b) => ({ Ipv6CidrBlock: b, Ipv6Isp: "BGP" })) },
      VRouterId: `vrt-${vpcId.replace(/^vpc-/, "")}`,
      VSwitchIds: { VSwitchId: vSwitchIds },
      IsDefault: false,
      OwnerId: ctx.ownerId,
      ResourceGroupId: "",
      Description: "",
      CreationTime: "2024-01-01T00:00:00Z",
    };
  },
};

const describeVSwitches: ActionDefinition = {
  spec: {
    names: ["VpcId", "VSwitchId", "ZoneId", "VSwitchName", "IsDefault", "ResourceGroupId", "PageNumber", "PageSize", "RouteTableId", "DryRun", "EnableIpv6", "VSwitchOwnerId"],
    objectLists: { Tag: ["Key", "Value"] },
  },
  mutating: false,
  vpcs: () => [],
  run(params, ctx) {
    const { pageNumber, pageSize, page: pageOf } = numberedPage(params);
    const vpcId = params.str("VpcId");
    const vSwitchId = params.str("VSwitchId");
    const zoneId = params.str("ZoneId");
    // A filter, not a lookup: an unknown VpcId matches no vSwitch.
    const vpcIds = vpcId ? [vpcId] : [...new Set(ctx.state.tables().map((t) => t.vpcId))].sort();
    const all = vpcIds.flatMap((id) => (ctx.state.network(id)?.vSwitches ?? []).map((v) => ({ ...v, vpcId: id })));
    const matching = all.filter((v) => (!vSwitchId || v.vSwitchId === vSwitchId) && (!zoneId || v.zoneId === zoneId));
    const page = pageOf(matching);
    return {
      PageNumber: pageNumber,
      PageSize: pageSize,
      TotalCount: matching.length,
      VSwitches: {
        VSwitch: page.map((v) => ({
          VSwitchId: v.vSwitchId,
          VpcId: v.vpcId,
          Status: "Available",
          CidrBlock: v.cidrBlock,
          Ipv6CidrBlock: v.ipv6CidrBlock,
          ZoneId: v.zoneId,
          AvailableIpAddressCount: 250,
          Description: "",
          VSwitchName: "",
          CreationTime: "2024-01-01T00:00:00Z",
          IsDefault: false,
          ResourceGroupId: "",
          NetworkAclId: "",
          OwnerId: ctx.ownerId,
          ShareType: "",
          EnabledIpv6: v.ipv6CidrBlock !== "",
          RouteTable: { RouteTableId: ctx.state.tables().find((t) => t.vpcId === v.vpcId && t.routeTableType === "System")?.routeTableId ?? "", RouteTableType: "System" },
          Tags: { Tag: [] },
        })),
      },
    };
  },
};

export const NETWORK_ACTIONS: ReadonlyArray<[string, ActionDefinition]> = [
  ["DescribeVpcAttribute", describeVpcAttribute],
  ["DescribeVSwitches", describeVSwitches],
];
