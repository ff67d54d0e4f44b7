// The safety invariants of issue 16, judged from the outside: the fake VPC's state before a pass, its
// request log during the pass (every write attempt, answered or not) and the model's own knowledge of
// who made which route. Nothing here asks the operator's code what it thinks.
import type { FakeRouteEntry, RequestLogEntry } from "@vpc-route-sync/fake-alibaba-vpc";
import { canonical, contains, overlaps, parseBlock, type Block } from "./cidr.js";

/**
 * Invariants today's code is known to break, each named after its issue-16 defect. Their checks
 * still run; a violation of one of these ids is recorded as tolerated instead of failing the
 * history. Empty this list as the fixes land (the gate branch).
 */
export const OPEN_DEFECTS: readonly string[] = [
];

/** What each invariant id is about, for the failure message. */
export const INVARIANTS: Readonly<Record<string, string>> = {
  "ipv4-outside-cluster-cidr": "an IPv4 route was created outside the configured IPv4 cluster CIDR",
  "ipv6-outside-cluster-cidr": "an IPv6 route was created outside the configured IPv6 cluster CIDR (issue 16, defect 1)",
  "ipv4-without-cluster-cidr": "an IPv4 route was created with no IPv4 cluster CIDR configured (issue 16, defect 1: a family with no cluster CIDR gets no route)",
  "ipv6-without-cluster-cidr": "an IPv6 route was created with no IPv6 cluster CIDR configured (issue 16, defect 1: a family with no cluster CIDR gets no route)",
  "default-route": "a default route (0.0.0.0/0, ::/0) was created",
  "overlaps-vpc-network": "a route was created that overlaps the VPC's or a vSwitch's CIDR block",
  "overlaps-system-route": "a route was created that overlaps a System route of the table (not a VPC or vSwitch block) (issue 16, defect 5: System routes are not read)",
  "create-at-foreign-destination": "a create was aimed at a destination a custom route we do not own holds",
  "create-at-unlisted-destination": "a create was aimed at a destination held by a custom route that an unfiltered listing does not return (next hop not an instance) (issue 16, defect 5)",
  "create-at-destination-of-other-type": "a create was aimed at a destination a System/BGP/CEN/ECR route holds (issue 16, defect 5)",
  "touched-other-cluster": "a route of another cluster (its uid, or made by it) was deleted or modified (issue 16, defect 4)",
  "touched-other-tool": "a route another tool marks (managed-by=…) was deleted or modified (issue 16, defect 2)",
  "touched-unmarked": "an unmarked route (not adopted) was deleted or modified",
  "touched-damaged-marker": "a route with a damaged marker was deleted or modified",
  "touched-foreign-type": "a route that is not a single-instance Custom route was deleted or modified",
  "deleted-legacy-marker": "a legacy-marker route (our name, no uid) was deleted without a human naming it",
  "deleted-legacy-marker-nodes-file": "with --nodes-file, a route marked with our cluster name and no uid, that this cluster did not make, was deleted: a name alone proves nothing (issue 16, defect 4)",
  "approval-beyond-refusal": "--approve-deletions=all deleted a route the refusal did not list (issue 16, defect 2)",
  "deleted-ipv4-outside-cluster-cidr": "an owned IPv4 route outside the IPv4 cluster CIDR was deleted without a human naming it",
  "deleted-ipv6-outside-cluster-cidr": "an owned IPv6 route outside the IPv6 cluster CIDR was deleted without a human naming it",
  "deleted-ipv4-without-cluster-cidr": "an owned IPv4 route was deleted, with no IPv4 cluster CIDR configured, without a human naming it (issue 16, defect 1: both families alike)",
  "deleted-ipv6-without-cluster-cidr": "an owned IPv6 route was deleted, with no IPv6 cluster CIDR configured, without a human naming it (issue 16, defect 1: both families alike)",
  "budget-counts-undeletable": "more deletions than --max-deletions allows over the deletable owned routes; the excess fits only if owned routes that are not deletable are counted (issue 16, defect 2)",
  "over-budget": "more deletions in one pass than --max-deletions allows over the deletable owned routes (issue 16, defect 2)",
  "piecemeal-deletion": "a route of a refused deletion was deleted without approval while its Node is still absent (issue 16, defect 2)",
  "deleted-live-node-route": "the route of a live eligible Node was deleted because another Node copied its providerID, name or pod CIDR (issue 16, defect 3)",
  "not-routed": "once faults stopped, an eligible conflict-free Node had no route after the liveness passes",
  "unreported-owned-route": "a route of ours (our uid) outside the cluster CIDRs was neither reported held nor deleted by a pass that read its table (issue 16, defect 1: both families alike, whatever the listing leaves out)",
};

export interface Identity {
  readonly key: string;
  readonly uid: string;
  /** The current cluster name first, then the names it had before a rename. */
  readonly names: readonly string[];
}

export interface ModelNode {
  readonly name: string;
  readonly instance: string;
  readonly providerId: string | undefined;
  readonly podCidrs: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly deleting: boolean;
}

export interface PassContext {
  readonly identity: Identity;
  /** Every identity of the world, to tell another cluster's marker. */
  readonly identities: readonly Identity[];
  readonly regionId: string;
  readonly clusterCidrs: readonly string[];
  readonly maxDeletions: string;
  readonly adopt: boolean;
  readonly approve: readonly string[];
  readonly nodes: readonly ModelNode[];
  /** The VPC's and vSwitches' CIDR blocks. */
  readonly network: readonly string[];
  /** Entry id -> key of the identity whose pass created it (dropped when a human edits it). */
  readonly provenance: ReadonlyMap<string, string>;
  /** The pass ran with the cluster's uid (API mode); false with --nodes-file. */
  readonly uidKnown: boolean;
  /** True for an entry an unfiltered DescribeRouteEntryList does not return (the fake's reading of omitted filters). */
  readonly unlisted: (e: FakeRouteEntry) => boolean;
  /** Entries of a refused deletion still in force for this identity (entry id -> destination). */
  readonly refused: ReadonlyMap<string, string>;
}

export interface Violation {
  readonly id: string;
  readonly detail: string;
}

export interface WriteAttempt {
  readonly action: string;
  readonly routeTableId: string;
  readonly routeEntryId?: string | undefined;
  readonly destination?: string | undefined;
  readonly nextHop?: string | undefined;
  readonly description?: string | undefined;
  readonly newNextHop?: string | undefined;
}

const CREATE = new Set(["CreateRouteEntries", "CreateRouteEntry"]);
const DELETE = new Set(["DeleteRouteEntries", "DeleteRouteEntry"]);
const MODIFY = new Set(["ModifyRouteEntry"]);
const HOLD = "hold=deletion";

/** Every write the log shows (attempted, whatever the answer), one per entry of a batch. */
export function writesOf(log: readonly RequestLogEntry[]): WriteAttempt[] {
  const out: WriteAttempt[] = [];
  for (const r of log) {
    const p = r.params;
    if (r.action === "CreateRouteEntries" || r.action === "DeleteRouteEntries") {
      for (let n = 1; p[`RouteEntries.${n}.RouteTableId`] !== undefined; n += 1) {
        out.push({
          action: r.action,
          routeTableId: p[`RouteEntries.${n}.RouteTableId`]!,
          routeEntryId: p[`RouteEntries.${n}.RouteEntryId`],
          destination: p[`RouteEntries.${n}.DstCidrBlock`],
          nextHop: p[`RouteEntries.${n}.NextHop`],
          description: p[`RouteEntries.${n}.Description`],
        });
      }
    } else if (CREATE.has(r.action) || DELETE.has(r.action) || MODIFY.has(r.action)) {
      out.push({
        action: r.action,
        routeTableId: p.RouteTableId ?? "",
        routeEntryId: p.RouteEntryId,
        destination: p.DestinationCidrBlock,
        nextHop: p.NextHopId,
        description: p.Description,
        newNextHop: p.NewNextHopId,
      });
    }
  }
  return out;
}

// ---- what an entry is, read by the model ---------------------------------------------------------

interface Marker {
  readonly cluster: string;
  readonly uid: string | undefined;
  readonly held: boolean;
}

/**
 * Our marker, read strictly: exactly one `managed-by=vpc-route-sync`, one `cluster=`, one `node=`,
 * at most one `uid=` (a UID), nothing else but `hold=deletion`. "damaged" for our words in another
 * shape; "other-tool" for someone else's managed-by; "none" without any.
 */
export function readMarkerStrict(description: string): Marker | "damaged" | "other-tool" | "none" {
  const tokens = description.trim().split(/\s+/).filter((t) => t !== "");
  const lower = description.toLowerCase();
  const managedBy = tokens.filter((t) => t.toLowerCase().startsWith("managed-by="));
  if (managedBy.length === 0) return lower.includes("vpc-route-sync") ? "damaged" : "none";
  if (!managedBy.every((t) => t.toLowerCase() === "managed-by=vpc-route-sync")) {
    return managedBy.some((t) => t.toLowerCase() === "managed-by=vpc-route-sync") ? "damaged" : "other-tool";
  }
  if (managedBy.length !== 1 || managedBy[0] !== "managed-by=vpc-route-sync") return "damaged";
  const clusters = tokens.filter((t) => t.startsWith("cluster="));
  const nodes = tokens.filter((t) => t.startsWith("node="));
  const uids = tokens.filter((t) => t.startsWith("uid="));
  const others = tokens.filter((t) => !/^(managed-by|cluster|node|uid)=/.test(t) && t !== HOLD);
  if (clusters.length !== 1 || nodes.length !== 1 || uids.length > 1 || others.length > 0) return "damaged";
  const uid = uids[0]?.slice(4);
  if (uid !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(uid)) return "damaged";
  return { cluster: clusters[0]!.slice(8), uid, held: tokens.includes(HOLD) };
}

/** Why an entry is, or is not, the running identity's, by what can be known about it. */
export type Ownership =
  | { readonly kind: "ours"; readonly held: boolean }
  | { readonly kind: "legacy"; readonly held: boolean }
  | { readonly kind: "adoptable" }
  | { readonly kind: "not-ours"; readonly why: "other-cluster" | "other-tool" | "unmarked" | "damaged" | "foreign-type" };

function singleInstance(e: FakeRouteEntry): string | undefined {
  return e.type === "Custom" && e.nextHops.length === 1 && e.nextHops[0]!.nextHopType === "Instance" ? e.nextHops[0]!.nextHopId : undefined;
}

function isDefault(cidr: string): boolean {
  const b = parseBlock(cidr);
  return b !== undefined && b.prefix === 0;
}

export function insideClusterCidr(cidr: string, clusterCidrs: readonly string[]): boolean {
  const b = parseBlock(canonical(cidr));
  if (!b) return false;
  return clusterCidrs.some((c) => {
    const outer = parseBlock(c);
    return outer !== undefined && contains(outer, b);
  });
}

/** The invariant a destination outside the cluster CIDRs breaks: its family has none, or it lies outside that one. */
function outsideId(prefix: string, cidr: string, clusterCidrs: readonly string[]): string {
  const family = parseBlock(canonical(cidr))?.family === 6 ? 6 : 4;
  const configured = clusterCidrs.some((c) => parseBlock(c)?.family === family);
  return configured ? `${prefix}ipv${family}-outside-cluster-cidr` : `${prefix}ipv${family}-without-cluster-cidr`;
}

export function ownership(e: FakeRouteEntry, ctx: Pick<PassContext, "identity" | "identities" | "provenance" | "adopt" | "clusterCidrs">): Ownership {
  if (singleInstance(e) === undefined || isDefault(e.destinationCidr)) return { kind: "not-ours", why: "foreign-type" };
  const maker = ctx.provenance.get(e.routeEntryId);
  const marker = readMarkerStrict(e.description);
  if (typeof marker === "object") {
    const namedOurs = ctx.identity.names.includes(marker.cluster);
    if (marker.uid !== undefined) {
      return marker.uid === ctx.identity.uid && namedOurs ? { kind: "ours", held: marker.held } : { kind: "not-ours", why: "other-cluster" };
    }
    // No uid: written with --nodes-file, or before uids existed. Who made it decides; a name alone proves nothing.
    if (maker !== undefined) return maker === ctx.identity.key && namedOurs ? { kind: "ours", held: marker.held } : { kind: "not-ours", why: "other-cluster" };
    return marker.cluster === ctx.identity.names[0] ? { kind: "legacy", held: marker.held } : { kind: "not-ours", why: "other-cluster" };
  }
  if (marker === "none" && ctx.adopt && insideClusterCidr(e.destinationCidr, ctx.clusterCidrs)) return { kind: "adoptable" };
  if (marker === "none") return { kind: "not-ours", why: "unmarked" };
  return { kind: "not-ours", why: marker };
}

const isOwned = (o: Ownership): boolean => o.kind === "ours" || o.kind === "adoptable";

/** The network blocks a route may never overlap: VPC, vSwitches and the table's System routes. */
function forbiddenBlocks(ctx: PassContext, tableEntries: readonly FakeRouteEntry[]): Block[] {
  const texts = [...ctx.network, ...tableEntries.filter((e) => e.type === "System").map((e) => e.destinationCidr)];
  // A System default route is no network block: it would cover everything.
  return texts.map((t) => parseBlock(canonical(t))).filter((b): b is Block => b !== undefined && b.prefix > 0);
}

/** How many deletions --max-deletions allows over `base` deletable owned routes. */
export function allowance(maxDeletions: string, base: number): number {
  if (maxDeletions.endsWith("%")) {
    const percent = Number(maxDeletions.slice(0, -1));
    return percent === 0 ? 0 : Math.max(1, Math.ceil((percent / 100) * base));
  }
  return Number(maxDeletions);
}

/** The Node objects that want exactly this route (same destination, same instance). */
function wantersOf(e: FakeRouteEntry, nodes: readonly ModelNode[]): ModelNode[] {
  const hop = singleInstance(e);
  return nodes.filter((n) => n.instance === hop && n.podCidrs.some((c) => canonical(c) === e.destinationCidr));
}

/** No Node in the list names a pod CIDR that overlaps this destination: its Node is gone. */
export function nodeAbsent(destination: string, nodes: readonly ModelNode[]): boolean {
  const d = parseBlock(destination);
  if (!d) return false;
  return !nodes.some((n) =>
    n.podCidrs.some((c) => {
      const b = parseBlock(canonical(c));
      return b !== undefined && overlaps(b, d);
    }),
  );
}

const EXCLUDE_LABELS = ["service.alibabacloud.com/exclude-node", "service.beta.kubernetes.io/exclude-node"];

/**
 * A Node whose own fields make it eligible: an ECS instance in the region, well-formed pod CIDRs
 * (at most one per family) inside the cluster CIDRs, none a default route nor overlapping the VPC.
 */
export function selfEligible(n: ModelNode, ctx: Pick<PassContext, "regionId" | "clusterCidrs">, forbidden: readonly Block[]): boolean {
  if (n.labels.type === "virtual-kubelet" || EXCLUDE_LABELS.some((l) => l in n.labels) || n.deleting) return false;
  const id = n.providerId?.replace(/^alicloud:\/\//, "");
  if (id !== `${ctx.regionId}.${n.instance}`) return false;
  if (n.podCidrs.length === 0) return false;
  const blocks = n.podCidrs.map((c) => parseBlock(c));
  if (blocks.some((b) => b === undefined)) return false;
  const ok = blocks as Block[];
  if (ok.filter((b) => b.family === 4).length > 1 || ok.filter((b) => b.family === 6).length > 1) return false;
  return ok.every((b) => b.prefix > 0 && insideClusterCidr(b.text, ctx.clusterCidrs) && !forbidden.some((f) => overlaps(f, b)));
}

/** Self-eligible and sharing nothing with any other Node object: name, instance, overlapping pod CIDRs. */
export function conflictFree(n: ModelNode, nodes: readonly ModelNode[]): boolean {
  const mine = n.podCidrs.map((c) => parseBlock(canonical(c))).filter((b): b is Block => b !== undefined);
  return nodes.every(
    (m) =>
      m === n ||
      (m.name !== n.name &&
        m.instance !== n.instance &&
        !m.podCidrs.some((c) => {
          const b = parseBlock(canonical(c));
          return b !== undefined && mine.some((x) => overlaps(x, b));
        })),
  );
}

export interface PassVerdict {
  readonly violations: Violation[];
  /** Entries the pass put a hold on (or reported refused): a refusal is in force for them. */
  readonly refusedNow: Map<string, string>;
  /** Entries that left the refusal: deleted, approved, or their Node is back. */
  readonly refusalCleared: Set<string>;
}

/**
 * Checks one pass. `before`: every entry of every managed table before the pass (id -> entry);
 * `log`: the fake's request log of the pass; `reportedRefusal`: the pass's own report, when the
 * pass finished, of the entries whose deletion it refused (only used to learn what was refused).
 */
export function checkPass(
  before: ReadonlyMap<string, FakeRouteEntry>,
  log: readonly RequestLogEntry[],
  ctx: PassContext,
  reportedRefusal: readonly string[] | undefined,
): PassVerdict {
  const violations: Violation[] = [];
  const flag = (id: string, detail: string): void => {
    violations.push({ id, detail });
  };
  const byTable = new Map<string, FakeRouteEntry[]>();
  for (const e of before.values()) byTable.set(e.routeTableId, [...(byTable.get(e.routeTableId) ?? []), e]);
  const writes = writesOf(log);
  const approveAll = ctx.approve.includes("all");
  const named = (e: FakeRouteEntry): boolean => ctx.approve.includes(e.routeEntryId) || ctx.approve.includes(e.destinationCidr);

  // Creates: inside the cluster CIDR of their family, never a default route, never over the VPC's
  // network, never at a destination something else holds.
  const deletedIds = new Set(writes.filter((w) => DELETE.has(w.action) && w.routeEntryId).map((w) => w.routeEntryId!));
  for (const w of writes.filter((x) => CREATE.has(x.action))) {
    const dest = canonical(w.destination ?? "");
    const block = parseBlock(dest);
    const where = `${w.routeTableId} ${dest} -> ${w.nextHop ?? "?"}`;
    if (block && block.prefix === 0) flag("default-route", where);
    const table = byTable.get(w.routeTableId) ?? [];
    if (!insideClusterCidr(dest, ctx.clusterCidrs)) {
      flag(outsideId("", dest, ctx.clusterCidrs), `${where} (cluster CIDRs: ${ctx.clusterCidrs.join(", ") || "none"})`);
      continue; // one root cause per write: what else it hits follows from being outside
    }
    // A System route at exactly this destination is a holder (below), not a network block.
    const systemsElsewhere = table.filter((e) => e.type === "System" && e.destinationCidr !== dest);
    if (block && forbiddenBlocks(ctx, []).some((f) => overlaps(f, block))) flag("overlaps-vpc-network", where);
    else if (block && forbiddenBlocks({ ...ctx, network: [] }, systemsElsewhere).some((f) => overlaps(f, block))) flag("overlaps-system-route", where);
    for (const holder of table.filter((e) => e.destinationCidr === dest && !deletedIds.has(e.routeEntryId))) {
      if (isOwned(ownership(holder, ctx)) || ownership(holder, ctx).kind === "legacy") continue;
      const id = holder.type !== "Custom" ? "create-at-destination-of-other-type" : ctx.unlisted(holder) ? "create-at-unlisted-destination" : "create-at-foreign-destination";
      flag(id, `${where} held by ${holder.routeEntryId} (${holder.type}, ${holder.nextHops.map((h) => `${h.nextHopType}:${h.nextHopId}`).join("+")}, "${holder.description}")`);
    }
  }

  // Deletes and modifies: only ours by a known identity.
  const forbidden = (tableId: string): Block[] => forbiddenBlocks(ctx, byTable.get(tableId) ?? []);
  for (const w of writes.filter((x) => DELETE.has(x.action) || MODIFY.has(x.action))) {
    const e = w.routeEntryId !== undefined ? before.get(w.routeEntryId) : [...before.values()].find((x) => x.routeTableId === w.routeTableId && x.destinationCidr === canonical(w.destination ?? ""));
    if (!e) continue; // nothing there: the write changes nothing
    const o = ownership(e, ctx);
    const isDelete = DELETE.has(w.action);
    const what = `${w.action} ${e.routeEntryId} ${e.destinationCidr} (${e.type}, ${e.nextHops.map((h) => `${h.nextHopType}:${h.nextHopId}`).join("+")}, "${e.description}")${w.description !== undefined ? ` -> "${w.description}"` : ""}`;
    if (o.kind === "not-ours") {
      // A takeover claim: our marker written on an unmarked route a Node wants exactly.
      const claim = !isDelete && o.why === "unmarked" && wantersOf(e, ctx.nodes).length > 0;
      if (!claim) flag(o.why === "foreign-type" ? "touched-foreign-type" : o.why === "damaged" ? "touched-damaged-marker" : `touched-${o.why}`, what);
      continue;
    }
    if (!isDelete) continue;
    if (o.kind === "legacy" && !named(e)) flag(approveAll ? "approval-beyond-refusal" : ctx.uidKnown ? "deleted-legacy-marker" : "deleted-legacy-marker-nodes-file", what);
    if (!insideClusterCidr(e.destinationCidr, ctx.clusterCidrs) && !named(e)) {
      flag(approveAll ? "approval-beyond-refusal" : outsideId("deleted-", e.destinationCidr, ctx.clusterCidrs), what);
    }
    // The route of a live, eligible Node: only a conflict with another Node can have cost it its route.
    const live = wantersOf(e, ctx.nodes).filter((n) => selfEligible(n, ctx, forbidden(e.routeTableId)));
    if (live.length > 0 && !named(e)) flag("deleted-live-node-route", `${what}; wanted by ${live.map((n) => n.name).join(", ")}`);
  }

  // The budget: unapproved deletions of deletable owned routes within --max-deletions of them.
  const deletable = [...before.values()].filter((e) => {
    const o = ownership(e, ctx);
    return isOwned(o) && !(o.kind === "ours" && o.held) && e.status !== "Deleting" && insideClusterCidr(e.destinationCidr, ctx.clusterCidrs);
  });
  const deletableIds = new Set(deletable.map((e) => e.routeEntryId));
  const approvedIds = new Set(
    [...before.values()]
      .filter((e) => named(e) || (approveAll && typeof readMarkerStrict(e.description) === "object" && (readMarkerStrict(e.description) as Marker).held))
      .map((e) => e.routeEntryId),
  );
  const counted = [...deletedIds].filter((id) => deletableIds.has(id) && !approvedIds.has(id));
  const allowed = allowance(ctx.maxDeletions, deletable.length);
  if (counted.length > allowed) {
    // Owned routes no pass may delete on its own (outside the cluster CIDR, legacy markers): a base
    // that counts them lets more through (issue 16, defect 2, the second way around the guard).
    const undeletable = [...before.values()].filter((e) => {
      const o = ownership(e, ctx);
      return (isOwned(o) || o.kind === "legacy") && !deletableIds.has(e.routeEntryId) && e.status !== "Deleting" && !((o.kind === "ours" || o.kind === "legacy") && o.held);
    });
    // With --approve-deletions=all, deletions the refusal never listed went through as approved.
    const id = approveAll
      ? "approval-beyond-refusal"
      : counted.length <= allowance(ctx.maxDeletions, deletable.length + undeletable.length)
        ? "budget-counts-undeletable"
        : "over-budget";
    flag(id, `${counted.length} deletions (${counted.join(", ")}) with --max-deletions=${ctx.maxDeletions} over ${deletable.length} deletable owned routes (allowed ${allowed}; ${undeletable.length} more owned routes are not deletable)`);
  }

  // Piecemeal: a refused deletion's routes stay while their Nodes are absent, unless approved.
  for (const id of deletedIds) {
    if (ctx.refused.has(id) && !approvedIds.has(id) && nodeAbsent(ctx.refused.get(id)!, ctx.nodes)) {
      const e = before.get(id);
      flag("piecemeal-deletion", `${id} ${ctx.refused.get(id)} ("${e?.description ?? ""}") was refused earlier and is deleted now without approval`);
    }
  }

  // What this pass refused: the entries it reported refused and those it sent a hold mark for. A
  // pass that died before reporting refused every deletable route of ours whose Node is absent.
  const refusedNow = new Map<string, string>();
  const holds = writes.filter((w) => MODIFY.has(w.action) && (w.description ?? "").split(/\s+/).includes(HOLD) && w.routeEntryId !== undefined);
  const refusedIds = new Set([...(reportedRefusal ?? []), ...holds.map((w) => w.routeEntryId!)]);
  if (reportedRefusal === undefined && holds.length > 0) {
    for (const e of deletable) {
      const marker = readMarkerStrict(e.description);
      const current = typeof marker !== "object" || marker.cluster === ctx.identity.names[0];
      if (current && nodeAbsent(e.destinationCidr, ctx.nodes)) refusedIds.add(e.routeEntryId);
    }
  }
  for (const id of refusedIds) {
    const e = before.get(id);
    if (e && !deletedIds.has(id)) refusedNow.set(id, e.destinationCidr);
  }
  const refusalCleared = new Set<string>();
  for (const [id, dest] of ctx.refused) {
    if (!before.has(id) || deletedIds.has(id) || !nodeAbsent(dest, ctx.nodes)) refusalCleared.add(id);
  }
  return { violations, refusedNow, refusalCleared };
}

/**
 * After a pass that finished: every route of ours by our uid (API mode) outside the cluster CIDRs, in
 * a table the pass read, is in the plan's held deletes or its deletes (kept and reported, or deleted
 * when a human named it): seen, whatever an unfiltered listing leaves out.
 */
export function checkReported(
  before: ReadonlyMap<string, FakeRouteEntry>,
  ctx: PassContext,
  reported: { readonly ids: ReadonlySet<string>; readonly unreadTables: ReadonlySet<string> },
): Violation[] {
  if (!ctx.uidKnown) return [];
  const violations: Violation[] = [];
  for (const e of before.values()) {
    const marker = readMarkerStrict(e.description);
    if (typeof marker !== "object" || marker.uid !== ctx.identity.uid || singleInstance(e) === undefined || isDefault(e.destinationCidr)) continue;
    if (e.status === "Deleting" || reported.unreadTables.has(e.routeTableId) || insideClusterCidr(e.destinationCidr, ctx.clusterCidrs)) continue;
    if (!reported.ids.has(e.routeEntryId)) violations.push({ id: "unreported-owned-route", detail: `${e.routeTableId} ${e.routeEntryId} ${e.destinationCidr} ("${e.description}", ${e.ipVersion})` });
  }
  return violations;
}

/**
 * The Nodes that must be routed once faults stop: self-eligible, conflict-free with every other
 * Node object, and every destination free or already routed to them in every table.
 */
export function routableNodes(
  tables: ReadonlyMap<string, readonly FakeRouteEntry[]>,
  ctx: Pick<PassContext, "nodes" | "regionId" | "clusterCidrs" | "network">,
): ModelNode[] {
  const systems = [...tables.values()].flat().filter((e) => e.type === "System").map((e) => e.destinationCidr);
  const forbidden = [...ctx.network, ...systems].map((t) => parseBlock(canonical(t))).filter((b): b is Block => b !== undefined && b.prefix > 0);
  return ctx.nodes.filter(
    (n) =>
      selfEligible(n, ctx, forbidden) &&
      conflictFree(n, ctx.nodes) &&
      [...tables.values()].every((entries) =>
        n.podCidrs.every((c) => entries.filter((e) => e.destinationCidr === canonical(c)).every((e) => singleInstance(e) === n.instance && e.status !== "Deleting")),
      ),
  );
}

/** The Node's routes that are missing from the tables (a route is there when it points at its instance). */
export function missingRoutes(n: ModelNode, tables: ReadonlyMap<string, readonly FakeRouteEntry[]>): string[] {
  const missing: string[] = [];
  for (const [tableId, entries] of tables) {
    for (const c of n.podCidrs) {
      if (!entries.some((e) => e.destinationCidr === canonical(c) && singleInstance(e) === n.instance && e.status !== "Deleting")) missing.push(`${tableId} ${canonical(c)}`);
    }
  }
  return missing;
}
