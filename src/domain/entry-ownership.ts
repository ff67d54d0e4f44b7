// The one place that decides whether an existing route entry is ours to change.
// Deleting a route we do not own can cut a production network (a VPN or leased-line route,
// another cluster's pods), so the rule is narrow and every "no" carries a reason for the plan
// output. An entry is ours when it is a Custom, single-hop route to an ECS instance, not a default
// route, and either
//   - its description carries our marker (this --cluster-name, and this cluster's uid when known;
//     see ownership.ts for legacy markers without a uid and for the deletion hold mark), or
//   - adoptUnmarked is on, it carries no marker at all (neither ours nor another tool's
//     `managed-by=`, which makes it that tool's route), its destination lies
//     inside a configured cluster CIDR (taking over from a CCM that never marked its routes), and it
//     is related to this cluster (`adoptable`): its instance is named by one of the cluster's Nodes,
//     or its destination is the pod CIDR of an eligible Node (a leftover that blocks that Node). A
//     hand-made instance route inside the cluster CIDR to an instance no Node names is never adopted.
import { contains, isDefaultRoute, quote, type Cidr } from "./cidr.js";
import { listOr, textOf } from "./guards.js";
import { readMarker } from "./ownership.js";
import { parseEntry, type ParsedEntry } from "./route-tables.js";
import type { PlanSettings } from "./settings.js";
import type { RouteEntry } from "./types.js";

/** Who we are (the settings' identity part: adoption of unmarked entries needs a cluster CIDR), and which unmarked routes are related to us. */
export interface OwnershipContext extends Pick<PlanSettings, "clusterName" | "clusterUid" | "clusterCidrs" | "adoptUnmarked"> {
  /**
   * Whether an unmarked route to `instanceId` at `destination` is related to this cluster (see the
   * module comment). Absent: nothing is adopted.
   */
  readonly adoptable?: ((instanceId: string, destination: Cidr) => boolean) | undefined;
}

/**
 * The one rule of which unmarked routes are related to this cluster (so `--adopt-unmarked` may take
 * them): the route's instance is named by one of the cluster's Nodes, or the route sits exactly on
 * a destination an eligible Node wants. The planner and the write gate both decide with it.
 */
export function adoptableBy(nodeInstances: { has(instanceId: string): boolean }, wantedDestinations: ReadonlySet<string>): NonNullable<OwnershipContext["adoptable"]> {
  return (instanceId, destination) => nodeInstances.has(instanceId) || wantedDestinations.has(destination.text);
}

export type NotOwnedReason =
  | "invalid-destination"
  | "default-route"
  | "not-custom"
  | "no-next-hop"
  | "ecmp"
  | "next-hop-type"
  | "other-cluster"
  | "damaged-marker"
  | "other-tool"
  | "unmarked"
  | "outside-cluster-cidr"
  | "unrelated-instance";

export type EntryOwnership =
  | {
      readonly owned: true;
      readonly via: "marker";
      /** The node key recorded in the marker (see markerKey). */
      readonly nodeKey: string;
      /** Marked before cluster identity existed (no uid): ours by name only. */
      readonly legacy: boolean;
      /** Carries the deletion guard's hold mark. */
      readonly held: boolean;
      /** Our uid under an old --cluster-name: re-marked with today's name when it serves a Node. */
      readonly renamed: boolean;
      readonly instanceId: string;
      readonly destination: Cidr;
    }
  | { readonly owned: true; readonly via: "adopted"; readonly instanceId: string; readonly destination: Cidr }
  | { readonly owned: false; readonly why: NotOwnedReason; readonly detail: string };

const notOwned = (why: NotOwnedReason, detail: string): EntryOwnership => ({ owned: false, why, detail });

/** Decides ownership of one entry as read (for callers without a parsed table: see classifyParsed). */
export function classifyEntry(entry: RouteEntry, ctx: OwnershipContext): EntryOwnership {
  return classifyParsed(parseEntry(entry), ctx);
}

/**
 * Decides ownership of one entry of a parsed table (route-tables.ts), as the planner and the write
 * gate do. Never throws, whatever the entry looks like.
 */
export function classifyParsed(parsed: ParsedEntry, ctx: OwnershipContext): EntryOwnership {
  const { entry, destination } = parsed;
  if (destination === undefined) return notOwned("invalid-destination", `destination ${quote(textOf(entry?.destinationCidr))} does not parse`);
  if (isDefaultRoute(destination)) return notOwned("default-route", `${destination.text} is a default route`);
  if (entry.type !== "Custom") return notOwned("not-custom", `route type is ${textOf(entry.type)}, not Custom`);
  const hops = listOr(entry.nextHops);
  if (hops.length === 0) return notOwned("no-next-hop", "the route has no next hop");
  if (hops.length > 1) return notOwned("ecmp", `ECMP route with ${hops.length} next hops`);
  const hop = hops[0]!;
  if (hop?.nextHopType !== "Instance") {
    return notOwned("next-hop-type", `next hop is ${textOf(hop?.nextHopType)} ${textOf(hop?.nextHopId)}, not an ECS instance`);
  }
  if (typeof hop.nextHopId !== "string" || hop.nextHopId === "") return notOwned("no-next-hop", "the next hop has no id");
  const instanceId = hop.nextHopId;
  const marker = readMarker(entry, ctx.clusterName, ctx.clusterUid);
  if (marker.owned) {
    return { owned: true, via: "marker", nodeKey: marker.nodeName, legacy: marker.legacy, held: marker.held, renamed: marker.renamed, instanceId, destination };
  }
  if (marker.marked) {
    if (marker.otherTool !== undefined) return notOwned("other-tool", `managed by another tool: ${quote(`managed-by=${marker.otherTool}`)}`);
    return marker.otherCluster !== undefined
      ? notOwned("other-cluster", `marked for cluster ${marker.otherCluster}`)
      : notOwned("damaged-marker", `vpc-route-sync marker is damaged: ${quote(textOf(entry.description))}`);
  }
  if (!ctx.adoptUnmarked) return notOwned("unmarked", "unmarked route (adoption is off)");
  if (ctx.clusterCidrs.length === 0) return notOwned("unmarked", "unmarked route (adoption needs a cluster CIDR)");
  if (!ctx.clusterCidrs.some((c) => contains(c, destination))) {
    return notOwned("outside-cluster-cidr", "unmarked route outside the cluster CIDRs");
  }
  if (ctx.adoptable?.(instanceId, destination) !== true) {
    return notOwned("unrelated-instance", `unmarked route to ${instanceId}, an instance no Node of this cluster names (never adopted)`);
  }
  return { owned: true, via: "adopted", instanceId, destination };
}
