// The VpcNetworkSource over the Alibaba VPC API: DescribeVpcAttribute (CidrBlock,
// SecondaryCidrBlocks, Ipv6CidrBlocks) and DescribeVSwitches by VpcId (CidrBlock, Ipv6CidrBlock,
// all pages of <= 50), through the route-table adapter's call plumbing (rate limit, deadline,
// retries, classification). Cost per read: 1 + ceil(V/50) calls per VPC, plus one
// DescribeRouteTableList per route table the first time its VPC must be found (a table never
// changes VPC, so that answer is kept). The network itself is read afresh every pass: a vSwitch
// added a minute ago must already be checked, and two calls per pass cost little.
import { CloudError } from "../errors.js";
import type { VpcNetwork, VpcNetworkSource } from "../vpc-network.js";
import type { AlibabaRouteTable } from "./alibaba-route-table.js";

/** DescribeVSwitches PageSize maximum. */
const VSWITCH_PAGE_SIZE = 50;
const TABLE_PAGE_SIZE = 50;

export class AlibabaVpcNetwork implements VpcNetworkSource {
  readonly #adapter: AlibabaRouteTable;
  readonly #vpcOfTable = new Map<string, string>();

  constructor(adapter: AlibabaRouteTable) {
    this.#adapter = adapter;
  }

  async read(vpcId: string | undefined, routeTableIds: readonly string[], signal?: AbortSignal): Promise<VpcNetwork[]> {
    const vpcIds = vpcId !== undefined && vpcId !== "" ? [vpcId] : await this.#vpcsOf(routeTableIds, signal);
    const networks: VpcNetwork[] = [];
    for (const id of vpcIds) networks.push(await this.#readOne(id, signal));
    // Tables of a VPC without any IPv6 block hold no IPv6 route: their listing needs no IPv6 read.
    const ipv6 = networks.some((n) => [...n.vpcCidrs, ...n.vSwitchCidrs].some((c) => c.includes(":")));
    this.#adapter.noteIpv6(routeTableIds, ipv6);
    return networks;
  }

  async #readOne(vpcId: string, signal: AbortSignal | undefined): Promise<VpcNetwork> {
    const attribute = await this.#adapter.readVpc("DescribeVpcAttribute", (api) => api.describeVpcAttribute(vpcId), signal);
    if (attribute.cidrs.length === 0) {
      throw new CloudError(`DescribeVpcAttribute returned no CidrBlock for VPC ${vpcId}; its network cannot be checked`, {
        code: "VpcNetwork.Unreadable",
        kind: "unknown",
        retryable: true,
        requestId: attribute.requestId,
        action: "DescribeVpcAttribute",
      });
    }
    const vSwitchCidrs: string[] = [];
    let seen = 0;
    for (let pageNumber = 1; ; pageNumber += 1) {
      const page = await this.#adapter.readVpc("DescribeVSwitches", (api) => api.describeVSwitches(vpcId, pageNumber, VSWITCH_PAGE_SIZE), signal);
      vSwitchCidrs.push(...page.cidrs);
      seen += page.count;
      if (page.count < VSWITCH_PAGE_SIZE || seen >= page.totalCount) break;
    }
    return { vpcId, vpcCidrs: attribute.cidrs, vSwitchCidrs: [...new Set(vSwitchCidrs)] };
  }

  async #vpcsOf(routeTableIds: readonly string[], signal: AbortSignal | undefined): Promise<string[]> {
    const vpcIds = new Set<string>();
    for (const routeTableId of routeTableIds) {
      let vpcId = this.#vpcOfTable.get(routeTableId);
      if (vpcId === undefined) {
        const page = await this.#adapter.readVpc(
          "DescribeRouteTableList",
          (api) => api.describeRouteTableList(undefined, routeTableId, 1, TABLE_PAGE_SIZE),
          signal,
        );
        vpcId = page.tables.find((t) => t.routeTableId === routeTableId)?.vpcId;
        if (vpcId === undefined) {
          throw new CloudError(`route table ${routeTableId} was not found in this region, so its VPC's network cannot be checked`, {
            code: "InvalidRouteTableId.NotFound",
            kind: "not-found",
            retryable: false,
            requestId: page.requestId,
            action: "DescribeRouteTableList",
          });
        }
        this.#vpcOfTable.set(routeTableId, vpcId);
      }
      vpcIds.add(vpcId);
    }
    return [...vpcIds].sort();
  }
}
