// Planner steps 1 and 2: index the desired routes, then decide each destination of each table:
// keep (satisfied), create, replace (delete ours + create), conflict, or hold. Deletes decided
// here are only candidates: the deletion guard (plan-guard.ts) rules on them afterwards.
import { contains, overlaps, type Cidr } from "./cidr.js";
import { outsideClusterCidrs } from "./eligibility.js";
import { classifyParsed, type EntryOwnership } from "./entry-ownership.js";
import { markerKey, readMarker, routeMarker, HOLD_TOKEN } from "./ownership.js";
import type { DestinationParser } from "./plan-order.js";
import type { TrustedOptions } from "./plan-input.js";
import type { HeldCreate, HeldDelete, HoldReason } from "./plan.js";
import { routesTo } from "./route-entry.js";
import { destinationKey, type ParsedEntry } from "./route-tables.js";
import type { Conflict, CreateAction, DeleteAction, DesiredRoute, MarkAction, RouteEntry, UnclaimedRoute } from "./types.js";

/** Longest Description the API accepts. */
const MAX_DESCRIPTION = 256;

export interface Classified {
  readonly entry: RouteEntry;
  readonly own: EntryOwnership;
}

/** A delete the guard rules on. `approved`: a human named it (--approve-deletions). */
export interface Candidate {
  readonly action: DeleteAction;
  readonly entry: RouteEntry;
  readonly approved: boolean;
  /** Marker key or adopted: what a hold mark writes as the node. */
  readonly nodeKey: string;
}

export interface PendingCreate {
  readonly action: CreateAction;
  /** The delete (of our entry at the destination) that must happen first. */
  readonly needs?: Candidate | undefined;
}

/** Everything the decisions produced, before the guard. */
export interface Draft {
  readonly satisfied: DesiredRoute[];
  readonly creates: PendingCreate[];
  readonly heldCreates: HeldCreate[];
  readonly candidates: Candidate[];
  readonly held: HeldDelete[];
  readonly marks: MarkAction[];
  readonly conflicts: Conflict[];
  /** Unmarked routes serving Nodes that cannot be claimed (no cluster identity). */
  readonly unclaimed: UnclaimedRoute[];
  /**
   * Owned entries that could be deleted automatically, as they stood before any refusal (held ones
   * included; Deleting, legacy-marker, outside the cluster CIDR and frozen by a conflict not): the
   * base of a percent max-deletions.
   */
  base: number;
  /** An entry of ours carries a hold mark: a refusal stands, and no automatic delete goes ahead. */
  holdStands: boolean;
}

export interface DesiredIndex {
  /** Per table, per canonical destination, the routes that want it. */
  readonly byTable: ReadonlyMap<string, ReadonlyMap<string, readonly DesiredRoute[]>>;
  readonly nodeByKey: ReadonlyMap<string, string>;
  readonly nodeByInstance: ReadonlyMap<string, string>;
}

export function indexDesired(desired: readonly DesiredRoute[]): DesiredIndex {
  const byTable = new Map<string, Map<string, DesiredRoute[]>>();
  const nodeByKey = new Map<string, string>();
  const nodeByInstance = new Map<string, string>();
  for (const d of desired) {
    const key = d.destination.text;
    let table = byTable.get(d.routeTableId);
    if (!table) byTable.set(d.routeTableId, (table = new Map<string, DesiredRoute[]>()));
    const list = table.get(key);
    if (list) list.push(d);
    else table.set(key, [d]);
    if (!nodeByKey.has(markerKey(d.nodeName))) nodeByKey.set(markerKey(d.nodeName), d.nodeName);
    nodeByInstance.set(d.instanceId, d.nodeName);
  }
  return { byTable, nodeByKey, nodeByInstance };
}

/** What is known about the pass beyond one table: Nodes held back for overlaps, disputed CIDRs. */
export interface DecideContext {
  /** The settings and what the pass learnt; also who we are when an entry's ownership is decided. */
  readonly options: TrustedOptions;
  readonly destinations: DestinationParser;
  readonly index: DesiredIndex;
  /** Node keys of Nodes skipped for a conflict between Nodes, with the hold their routes get. */
  readonly frozenNodeKeys: ReadonlyMap<string, HoldReason>;
  /** Instances two Nodes name (`shared-instance`): routes to them are frozen as they are. */
  readonly frozenInstances: ReadonlySet<string>;
  readonly disputed: ReadonlySet<string>;
  /** Marker keys and instances of Nodes with an exclude-node label: their routes are left as they are. */
  readonly excludedNodeKeys: ReadonlySet<string>;
  readonly excludedInstances: ReadonlySet<string>;
}

export function newDraft(conflicts: readonly Conflict[]): Draft {
  return { satisfied: [], creates: [], heldCreates: [], candidates: [], held: [], marks: [], conflicts: [...conflicts], unclaimed: [], base: 0, holdStands: false };
}

/** Decides every destination of one table (as read and parsed) into `draft`. */
export function decideTable(routeTableId: string, entries: readonly ParsedEntry[], ctx: DecideContext, draft: Draft): void {
  const byDestination = new Map<string, Classified[]>();
  const network: Cidr[] = [];
  for (const parsed of entries) {
    const { entry } = parsed;
    const own = classifyParsed(parsed, ctx.options);
    const key = destinationKey(parsed);
    if (own.owned && entry.status !== "Deleting" && outsideClusterCidrs(own.destination, ctx.options.clusterCidrs) === undefined) {
      if (own.via === "marker" && own.held) draft.holdStands = true;
      if (!(own.via === "marker" && own.legacy) && frozenBy(own, key, ctx) === undefined) draft.base++;
    }
    const list = byDestination.get(key);
    if (list) list.push({ entry, own });
    else byDestination.set(key, [{ entry, own }]);
    if (entry.type === "System" && parsed.destination !== undefined && parsed.destination.prefix > 0) network.push(parsed.destination);
  }
  const wanted = ctx.index.byTable.get(routeTableId) ?? new Map<string, readonly DesiredRoute[]>();
  for (const [destination, wants] of wanted) {
    decideWanted(routeTableId, destination, wants, byDestination.get(destination) ?? [], network, ctx, draft);
  }
  for (const [destination, list] of byDestination) {
    if (wanted.has(destination)) continue;
    for (const c of list) decideLeftover(routeTableId, destination, c, ctx, draft);
  }
}

function decideWanted(
  routeTableId: string,
  destination: string,
  wants: readonly DesiredRoute[],
  here: readonly Classified[],
  network: readonly Cidr[],
  ctx: DecideContext,
  draft: Draft,
): void {
  const want = wants[0]!;
  if (wants.some((w) => w.instanceId !== want.instanceId)) {
    // Two Nodes want one destination: eligibility normally catches this; never pick one.
    const names = [...new Set(wants.map((w) => w.nodeName))].sort();
    for (const nodeName of names) {
      draft.conflicts.push({
        reason: "overlapping-pod-cidr",
        routeTableId,
        destinationCidr: destination,
        nodeName,
        message: `${destination} is wanted by several Nodes (${names.join(", ")}); no route is planned for it`,
      });
    }
    return;
  }
  const live = here.filter((c) => c.entry.status !== "Deleting");
  const keeper = live.find((c) => routesTo(c.entry, want.instanceId));
  if (keeper) {
    keep(routeTableId, destination, want, keeper, ctx, draft);
    return;
  }
  const vpcBlock = networkOverlap(routeTableId, want.destination, network, ctx.options);
  if (vpcBlock !== undefined) {
    draft.conflicts.push({
      reason: "overlaps-vpc-network",
      routeTableId,
      destinationCidr: destination,
      nodeName: want.nodeName,
      message: `pod CIDR ${destination} of Node ${want.nodeName} overlaps ${vpcBlock} (the VPC's own network); no route is planned for it`,
    });
    return;
  }
  const foreign = live.find((c) => !c.own.owned);
  if (foreign) {
    draft.conflicts.push({
      reason: "destination-held-by-foreign-route",
      routeTableId,
      destinationCidr: destination,
      nodeName: want.nodeName,
      message: `${destination} in ${routeTableId} is held by ${describeHolder(foreign)}; Node ${want.nodeName} gets no route there and the entry is left alone${leftoverHint(foreign)}`,
      existing: foreign.entry,
    });
    return;
  }
  const marker = routeMarker(ctx.options.clusterName, want.nodeName, ctx.options.clusterUid);
  const action: CreateAction = {
    kind: "create",
    routeTableId,
    destinationCidr: destination,
    instanceId: want.instanceId,
    routeEntryName: marker.routeEntryName,
    description: marker.description,
    nodeName: want.nodeName,
  };
  if (ctx.options.networkUnreadable) {
    // Fail closed: a destination that cannot be checked against the VPC's network is not routed.
    draft.heldCreates.push({ action, reason: "vpc-network-unreadable" });
    return;
  }
  if (here.length > live.length) {
    draft.heldCreates.push({ action, reason: "destination-being-deleted" });
    return;
  }
  const ours = live[0];
  if (ours === undefined) {
    draft.creates.push({ action });
    return;
  }
  // Our entry points at another instance: replace it, unless something holds it.
  const candidate = candidateOf(routeTableId, ours, "next-hop-changed", want.nodeName, ctx);
  const hold = frozenBy(ours.own, destination, ctx) ?? holdOf(ours, candidate.approved);
  if (hold !== undefined) {
    draft.held.push({ action: candidate.action, reason: hold });
    draft.heldCreates.push({ action, reason: hold });
    return;
  }
  draft.candidates.push(candidate);
  draft.creates.push({ action, needs: candidate });
}

/** What of the VPC's own network (a VPC or vSwitch block, or a System route of the table) the destination overlaps. */
function networkOverlap(routeTableId: string, destination: Cidr, system: readonly Cidr[], options: TrustedOptions): string | undefined {
  const block = options.network.find((n) => overlaps(n.cidr, destination));
  if (block) return `${block.cidr.text}, ${block.label}`;
  const captured = system.find((n) => overlaps(n, destination));
  return captured ? `${captured.text}, a System route of ${routeTableId}` : undefined;
}

/** The destination is served: rewrite a held or legacy marker, or claim an unmarked route. */
function keep(routeTableId: string, destination: string, want: DesiredRoute, keeper: Classified, ctx: DecideContext, draft: Draft): void {
  draft.satisfied.push(want);
  const own = keeper.own;
  if (own.owned && own.via === "marker" && (own.held || own.legacy || own.renamed)) {
    const marker = routeMarker(ctx.options.clusterName, want.nodeName, ctx.options.clusterUid);
    // No churn: a legacy marker we cannot improve (our uid unknown, --nodes-file) is not rewritten every pass.
    if (marker.description === keeper.entry.description) return;
    draft.marks.push(relabel(routeTableId, keeper.entry, destination, marker, own.held ? "release-hold" : "migrate-marker", want.nodeName));
  } else if (claimable(keeper, want.destination, ctx)) {
    claim(routeTableId, keeper.entry, destination, want, ctx, draft);
  }
}

/**
 * An entry that routes a wanted destination to the wanted instance but carries no marker (the CCM's,
 * or adopted): we take it over by writing our marker on it. Only an Available, Custom, single-hop
 * instance route inside the cluster CIDR qualifies (classifyEntry checked everything but the last);
 * another cluster's or a damaged marker is never overwritten.
 */
function claimable(keeper: Classified, destination: Cidr, ctx: DecideContext): boolean {
  const own = keeper.own;
  const unmarked = own.owned ? own.via === "adopted" : own.why === "unmarked" || own.why === "unrelated-instance";
  if (!unmarked || keeper.entry.status !== "Available") return false;
  return ctx.options.clusterCidrs.some((cidr) => contains(cidr, destination));
}

function claim(routeTableId: string, entry: RouteEntry, destination: string, want: DesiredRoute, ctx: DecideContext, draft: Draft): void {
  const uid = ctx.options.clusterUid;
  if (uid === undefined) {
    // A marker without the uid would be a legacy marker, never deleted: claiming needs the identity.
    draft.unclaimed.push({ routeTableId, routeEntryId: entry.routeEntryId, destinationCidr: destination, instanceId: want.instanceId, nodeName: want.nodeName });
    return;
  }
  draft.marks.push(relabel(routeTableId, entry, destination, routeMarker(ctx.options.clusterName, want.nodeName, uid), "claim", want.nodeName));
}

/** For an unmarked instance route holding a Node's pod CIDR (typically a CCM route whose Node is gone): how to resolve it. */
function leftoverHint(c: Classified): string {
  if (c.own.owned || (c.own.why !== "unmarked" && c.own.why !== "unrelated-instance")) return "";
  return (
    `. If it is a leftover of a Node that is gone (e.g. a cloud-controller-manager route), ` +
    `"vpc-route-sync reconcile --adopt-unmarked" re-points it at this Node, or delete route entry ${c.entry.routeEntryId} by hand`
  );
}

function decideLeftover(routeTableId: string, destination: string, c: Classified, ctx: DecideContext, draft: Draft): void {
  const own = c.own;
  if (!own.owned || c.entry.status === "Deleting") return;
  const nodeName = own.via === "marker" ? ctx.index.nodeByKey.get(own.nodeKey) : ctx.index.nodeByInstance.get(own.instanceId);
  const candidate =
    nodeName !== undefined
      ? candidateOf(routeTableId, c, "cidr-changed", nodeName, ctx)
      : candidateOf(routeTableId, c, "stale", own.via === "marker" ? own.nodeKey : undefined, ctx);
  const excluded = own.via === "marker" ? ctx.excludedNodeKeys.has(own.nodeKey) : ctx.excludedInstances.has(own.instanceId);
  if (!candidate.approved && excluded) {
    // Like the Alibaba CCM, which skips an excluded Node entirely: its route is neither created nor deleted.
    draft.held.push({ action: candidate.action, reason: "excluded-node" });
    return;
  }
  if (outsideClusterCidrs(own.destination, ctx.options.clusterCidrs) !== undefined) {
    // Like the route controller's isResponsibleForRoute: outside the pod network (or in a family
    // with no cluster CIDR), not ours to delete, whatever was approved. Both families alike.
    draft.held.push({ action: candidate.action, reason: "outside-cluster-cidr" });
    return;
  }
  const frozen = frozenBy(own, destination, ctx);
  if (frozen !== undefined) {
    draft.held.push({ action: candidate.action, reason: frozen });
    return;
  }
  const hold = holdOf(c, candidate.approved);
  if (hold !== undefined) {
    draft.held.push({ action: candidate.action, reason: hold });
    return;
  }
  draft.candidates.push(candidate);
}

/** A conflict between Nodes freezes the routes involved as they are: why this one is frozen, if it is. */
function frozenBy(own: EntryOwnership, destination: string, ctx: DecideContext): HoldReason | undefined {
  if (!own.owned) return undefined;
  if (ctx.disputed.has(destination)) return "pod-cidr-conflict";
  const byNode = own.via === "marker" ? ctx.frozenNodeKeys.get(own.nodeKey) : undefined;
  if (byNode !== undefined) return byNode;
  if (ctx.frozenInstances.has(own.instanceId)) return "node-conflict";
  return undefined;
}

/** Why an owned entry may not be deleted automatically at all (unless a human approved it). */
function holdOf(c: Classified, approved: boolean): HoldReason | undefined {
  if (approved || !c.own.owned || c.own.via !== "marker") return undefined;
  if (c.own.held) return "deletion-held";
  // A marker without the cluster uid names this cluster only by --cluster-name, which another
  // cluster may share: it is re-marked when it serves a Node, and otherwise never deleted.
  if (c.own.legacy) return "legacy-marker";
  return undefined;
}

function candidateOf(
  routeTableId: string,
  c: Classified,
  reason: DeleteAction["reason"],
  nodeName: string | undefined,
  ctx: DecideContext,
): Candidate {
  const own = c.own;
  const destination = own.owned ? own.destination.text : c.entry.destinationCidr;
  const action: DeleteAction = {
    kind: "delete",
    routeTableId,
    routeEntryId: c.entry.routeEntryId,
    destinationCidr: destination,
    instanceId: own.owned ? own.instanceId : "",
    reason,
    nodeName,
  };
  const nodeKey = own.owned && own.via === "marker" ? own.nodeKey : markerKey(nodeName ?? `adopted-${action.instanceId}`);
  return { action, entry: c.entry, approved: ctx.options.approved(c.entry, destination), nodeKey };
}

/** The mark that records a refused deletion in the entry itself. */
export function holdMark(candidate: Candidate, options: TrustedOptions): MarkAction {
  const { entry } = candidate;
  const current = (entry.description ?? "").trim();
  const fresh = routeMarker(options.clusterName, candidate.nodeKey, options.clusterUid, true);
  // Keep the marker as it is (legacy or not) and append the hold; rebuild only when it would not fit
  // or the entry was adopted without a marker.
  // Only our own marker is kept: another tool's `managed-by=` on an adopted entry is replaced by ours
  // (a hold appended to it would never be read back), and a hold already there is not appended again.
  const ours = readMarker(entry, options.clusterName, options.clusterUid);
  const appended = ours.owned && ours.held ? current : `${current} ${HOLD_TOKEN}`;
  const keep = ours.owned && appended.length <= MAX_DESCRIPTION;
  const marker = { routeEntryName: keep ? entry.routeEntryName || fresh.routeEntryName : fresh.routeEntryName, description: keep ? appended : fresh.description };
  return relabel(candidate.action.routeTableId, entry, candidate.action.destinationCidr, marker, "hold-deletion", candidate.action.nodeName);
}

function relabel(
  routeTableId: string,
  entry: RouteEntry,
  destinationCidr: string,
  marker: { readonly routeEntryName: string; readonly description: string },
  reason: MarkAction["reason"],
  nodeName: string | undefined,
): MarkAction {
  return {
    kind: "mark",
    routeTableId,
    routeEntryId: entry.routeEntryId,
    destinationCidr,
    routeEntryName: marker.routeEntryName,
    description: marker.description,
    reason,
    nodeName,
  };
}

function describeHolder(c: Classified): string {
  const { entry, own } = c;
  const via = entry.nextHops.map((h) => `${h.nextHopType} ${h.nextHopId}`).join(", ") || "no next hop";
  const why = own.owned ? "" : `; not managed by this cluster: ${own.detail}`;
  return `route entry ${entry.routeEntryId} (${entry.type}, via ${via}${why})`;
}
