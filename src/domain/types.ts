// Domain vocabulary shared by the planner, the cloud adapters, the CLI and the controller.
// Pure data: no I/O, no classes with behaviour. One word per concept (nodeName, instanceId,
// destinationCidr, routeTableId, vpcId, clusterName) everywhere.
import type { Cidr } from "./cidr.js";

/** The subset of a Kubernetes Node the operator looks at, extracted once from a V1Node. */
export interface NodeFacts {
  readonly nodeName: string;
  readonly uid?: string | undefined;
  /** `spec.providerID` as found (may be empty or malformed). */
  readonly providerId?: string | undefined;
  /** `spec.podCIDRs`, or `[spec.podCIDR]` when the list is absent. May contain malformed strings. */
  readonly podCidrs: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  /** `metadata.deletionTimestamp` is set. */
  readonly deleting: boolean;
}

/** Why a Node gets no route. Stable strings: used in metrics labels, JSON output and Events. */
export type SkipReason =
  | "virtual-kubelet"
  | "excluded"
  | "hybrid"
  | "deleting"
  | "no-provider-id"
  | "invalid-provider-id"
  | "other-region"
  | "no-pod-cidr"
  | "invalid-pod-cidr"
  | "outside-cluster-cidr"
  | "overlapping-cidr"
  /** A pod CIDR that would capture non-pod traffic (a default route). */
  | "unsafe-pod-cidr"
  /** Two Node objects with one name (e.g. a hand-edited nodes-file): neither is trusted. */
  | "duplicate-node-name"
  /** Two Nodes name the same ECS instance: neither gets a route until one is fixed. */
  | "shared-instance";

export const SKIP_REASONS: readonly SkipReason[] = [
  "virtual-kubelet",
  "excluded",
  "hybrid",
  "deleting",
  "no-provider-id",
  "invalid-provider-id",
  "other-region",
  "no-pod-cidr",
  "invalid-pod-cidr",
  "outside-cluster-cidr",
  "overlapping-cidr",
  "unsafe-pod-cidr",
  "duplicate-node-name",
  "shared-instance",
];

export interface SkippedNode {
  readonly nodeName: string;
  readonly reason: SkipReason;
  /** Human-readable detail, e.g. which character of the providerID was wrong. */
  readonly message: string;
  /** `shared-instance`: the instance two Nodes name (its routes are frozen as they are). */
  readonly instanceId?: string | undefined;
}

/** An eligible Node with its parsed identity: one route per pod CIDR. */
export interface EligibleNode {
  readonly nodeName: string;
  readonly instanceId: string;
  readonly regionId: string;
  /** As eligibility parsed them (`Cidr.text` is the canonical spelling); nothing downstream parses them again. */
  readonly podCidrs: readonly Cidr[];
}

/** A route the cluster wants in a given table. */
export interface DesiredRoute {
  readonly routeTableId: string;
  /** An eligible Node's pod CIDR, as eligibility parsed it. */
  readonly destination: Cidr;
  readonly instanceId: string;
  readonly nodeName: string;
}

export type RouteEntryStatus = "Pending" | "Available" | "Modifying" | "Deleting";
/** "Custom", "System", "BGP", "CEN", "ECR", or a type the API adds later. */
export type RouteEntryType = string;

export interface NextHop {
  /** Alibaba next-hop type: "Instance", "VpnGateway", "RouterInterface", "HaVip", "NatGateway", ... */
  readonly nextHopType: string;
  readonly nextHopId: string;
}

/** A route entry as it exists in a VPC route table (what DescribeRouteEntryList returns). */
export interface RouteEntry {
  readonly routeTableId: string;
  readonly routeEntryId: string;
  readonly destinationCidr: string;
  readonly type: RouteEntryType;
  /** A RouteEntryStatus, or a status the API adds later. */
  readonly status: string;
  readonly nextHops: readonly NextHop[];
  readonly routeEntryName?: string | undefined;
  readonly description?: string | undefined;
}

/** A route the operator wants written. `routeEntryName`/`description` carry the ownership marker. */
export interface RouteCreate {
  readonly routeTableId: string;
  readonly destinationCidr: string;
  readonly instanceId: string;
  readonly routeEntryName: string;
  readonly description: string;
}

/** A route the operator wants removed; identified by id and also by (destination, next hop) for checks. */
export interface RouteDelete {
  readonly routeTableId: string;
  readonly routeEntryId: string;
  readonly destinationCidr: string;
  readonly instanceId: string;
}

export type DeleteReason = "stale" | "next-hop-changed" | "cidr-changed";

/** New name and description for an existing entry (ModifyRouteEntry); nothing else changes. */
export interface RouteRelabel {
  readonly routeTableId: string;
  readonly routeEntryId: string;
  readonly destinationCidr: string;
  readonly routeEntryName: string;
  readonly description: string;
}

export type MarkReason =
  /** The deletion guard refused to delete the entry: the refusal is recorded in the entry itself. */
  | "hold-deletion"
  /** A held entry serves a Node again (the Node came back): the hold is cleared. */
  | "release-hold"
  /** A marker without the cluster uid on an entry that serves a Node: today's marker is written. */
  | "migrate-marker"
  /**
   * An unmarked route (e.g. the CCM's) already routes a Node's pod CIDR to its instance: our marker
   * is written on it (name and description only, never the next hop), so it follows the Node's
   * lifecycle like a route we created (docs/migrate-from-ccm.md).
   */
  | "claim";

export interface MarkAction extends RouteRelabel {
  readonly kind: "mark";
  readonly reason: MarkReason;
  readonly nodeName?: string | undefined;
}

/**
 * An unmarked route that serves an eligible Node but cannot be claimed this pass (the cluster's
 * identity is unknown: --nodes-file without a uid). While it stays unmarked, the day its Node goes
 * it is a leftover no one owns, and a new Node given the same pod CIDR gets no route.
 */
export interface UnclaimedRoute {
  readonly routeTableId: string;
  readonly routeEntryId: string;
  readonly destinationCidr: string;
  readonly instanceId: string;
  readonly nodeName: string;
}

export interface CreateAction extends RouteCreate {
  readonly kind: "create";
  readonly nodeName: string;
}

export interface DeleteAction extends RouteDelete {
  readonly kind: "delete";
  readonly reason: DeleteReason;
  /** The Node the route belonged to (from the marker) or the Node that now wants the destination. */
  readonly nodeName?: string | undefined;
}

export type ConflictReason =
  /** The destination is held by a route we do not own (unmarked, other cluster, other next-hop type, ECMP, system). */
  | "destination-held-by-foreign-route"
  /** Two Nodes claim overlapping pod CIDRs. */
  | "overlapping-pod-cidr"
  /** The pod CIDR overlaps the VPC's own network (a vSwitch or other System route of the table). */
  | "overlaps-vpc-network";

export interface Conflict {
  readonly reason: ConflictReason;
  readonly routeTableId?: string | undefined;
  readonly destinationCidr: string;
  readonly nodeName: string;
  readonly message: string;
  /** The route that holds the destination, for foreign-route conflicts. */
  readonly existing?: RouteEntry | undefined;
}

export type RefusalReason = "max-deletions-exceeded" | "deletions-held";

export interface Plan {
  readonly creates: readonly CreateAction[];
  readonly deletes: readonly DeleteAction[];
  readonly conflicts: readonly Conflict[];
  readonly skipped: readonly SkippedNode[];
  /** Desired routes already satisfied by an existing entry (any status). */
  readonly satisfied: readonly DesiredRoute[];
  /** Name/description rewrites: hold marks of refused deletes, released holds, marker migrations. */
  readonly marks: readonly MarkAction[];
  /**
   * Set when the deletion guard refused deletes this pass (`max-deletions-exceeded`) or entries
   * refused earlier are still held (`deletions-held`). Creates for present Nodes still proceed.
   */
  readonly refusal?: { readonly reason: RefusalReason; readonly message: string } | undefined;
}
