// Pod CIDRs against the VPC's own network (VPC and vSwitch CIDR blocks), read as the controller
// reads it each pass: an overlapping destination is never routed (conflict overlaps-vpc-network),
// and an unreadable network stops every create.
import { count, fail, pass, skipped, NO_ROUTE_TABLES, type Check } from "../check.js";

export const vpcNetworkCheck: Check = {
  id: "vpc-network",
  area: "routes",
  title: "pod CIDRs clear of the VPC's own network",
  run({ cloud, analysis }) {
    const routes = analysis.routes;
    if (routes === undefined) return NO_ROUTE_TABLES;
    const network = cloud.vpcNetwork;
    if (network === undefined) return skipped("the VPC's network was not read", "run doctor against the VPC API (not with an injected route table)");
    if ("error" in network) {
      return fail(
        `cannot read the VPC's network (${network.error.code}: ${network.error.message}); the controller creates no route while it cannot`,
        [],
        "grant vpc:DescribeVpcAttribute and vpc:DescribeVSwitches to the controller's credentials",
      );
    }
    const blocks = network.networks.map((n) => `${n.vpcId} ${[...n.vpcCidrs, ...n.vSwitchCidrs].length} blocks`).join(", ");
    const overlaps = routes.plan.conflicts.filter((c) => c.reason === "overlaps-vpc-network");
    if (overlaps.length === 0) return pass(`no desired destination overlaps the VPC's network (${blocks})`);
    return fail(
      `${count(overlaps.length, "desired destination")} overlap the VPC's own network; no route is made for them`,
      overlaps.map((c) => ({ kind: "Node" as const, name: c.nodeName, detail: c.message })),
      "give the cluster a pod network (--cluster-cidr, the Nodes' spec.podCIDRs) outside the VPC and vSwitch CIDR blocks",
    );
  },
};
