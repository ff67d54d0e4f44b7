// A stand-in for the Alibaba cloud-controller-manager's route controller, doing what it documentedly
// does (/work/shared/reference/prior-art.md §1): for every syncable Node (providerID and pod CIDR
// set, no exclude-node label) it creates an UNMARKED route `pod CIDR -> instance` named
// `<providerID>-<cidr>` when the destination is free, and deletes a route inside the cluster CIDR
// that equals a Node's pod CIDR but points at another instance (its "conflict deletion"). It never
// deletes the route of a Node that is gone. It writes through the fake VPC's control API, so the
// fake's request log holds only vpc-route-sync's calls.
import type { FakeVpcServer } from "@vpc-route-sync/fake-alibaba-vpc";
import { REGION_ID, type NodeSpec } from "./controller-world.js";

const EXCLUDE_LABELS = ["service.alibabacloud.com/exclude-node", "service.beta.kubernetes.io/exclude-node"];

export interface CcmSyncResult {
  /** `destination>instance` of the routes it created. */
  readonly created: string[];
  /** `destination>instance` of the routes it deleted as conflicts. */
  readonly deleted: string[];
}

/** One periodic sync of the route controller over `nodes` (the Node list as the CCM would list it). */
export function ccmSync(vpc: FakeVpcServer, routeTableId: string, nodes: readonly NodeSpec[]): CcmSyncResult {
  const created: string[] = [];
  const deleted: string[] = [];
  const syncable = nodes.filter((n) => n.podCIDR !== undefined && !EXCLUDE_LABELS.some((l) => n.labels?.[l] !== undefined));
  for (const node of syncable) {
    const holder = vpc.entries(routeTableId).find((e) => e.destinationCidr === node.podCIDR);
    const hop = holder?.nextHops.length === 1 && holder.type === "Custom" ? holder.nextHops[0] : undefined;
    if (holder !== undefined && hop?.nextHopType === "Instance" && hop.nextHopId !== node.instanceId) {
      vpc.removeEntry(holder.routeEntryId);
      deleted.push(`${holder.destinationCidr}>${hop.nextHopId}`);
    } else if (holder !== undefined) {
      continue;
    }
    vpc.addEntry(routeTableId, {
      destinationCidr: node.podCIDR!,
      nextHopType: "Instance",
      nextHopId: node.instanceId,
      routeEntryName: `${REGION_ID}.${node.instanceId}-${node.podCIDR!}`,
    });
    created.push(`${node.podCIDR!}>${node.instanceId}`);
  }
  return { created, deleted };
}
