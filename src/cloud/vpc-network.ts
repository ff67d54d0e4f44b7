// The VPC's own address space as a seam: the CIDR blocks of the VPC (primary, secondary, IPv6)
// and of its vSwitches. The planner never routes a pod CIDR that overlaps any of them; the
// route-table listing alone does not show them (the adapter lists by next-hop type).
// Implementations: src/cloud/alibaba/vpc-network.ts (DescribeVpcAttribute + DescribeVSwitches) and
// the in-memory double in test/contract/memory-route-table.ts.

export interface VpcNetwork {
  readonly vpcId: string;
  /** The VPC's primary CIDR block, its secondary CIDR blocks and its IPv6 CIDR blocks. */
  readonly vpcCidrs: readonly string[];
  /** The IPv4 and IPv6 CIDR blocks of every vSwitch of the VPC. */
  readonly vSwitchCidrs: readonly string[];
}

export interface VpcNetworkSource {
  /**
   * The network of the VPC(s) of the managed route tables: of `vpcId` when given, else of the VPC
   * each route table belongs to. Throws a CloudError when any of it cannot be read (callers then
   * plan no create: a route that cannot be checked is not written).
   */
  read(vpcId: string | undefined, routeTableIds: readonly string[], signal?: AbortSignal): Promise<VpcNetwork[]>;
}
