// The planner: (desired routes, actual route entries, options) -> actions, conflicts and reasons.
// Pure and total: no I/O, no clock, never throws on input. The dry-run output is this plan.
//
// Per route table and destination (compared in canonical CIDR form, so `FD00::/64` and
// `fd00::/64` are one destination):
//   - an entry routing exactly the desired destination to the desired instance through a single
//     Instance next hop satisfies it, marked or not, in any status but Deleting: no action;
//   - held by an entry we own (entry-ownership.ts) that points elsewhere: delete it
//     (`next-hop-changed`), then create;
//   - held by an entry we do not own: conflict `destination-held-by-foreign-route`, no action;
//   - held by an entry in Deleting status: the create waits for the next pass (the API keeps
//     destinations unique per table, so creating now would fail);
//   - owned entries that no desired route wants: delete, `cidr-changed` when the Node they belong
//     to is still eligible with other CIDRs, else `stale` -- except entries of Nodes skipped for
//     overlapping pod CIDRs and entries at a disputed CIDR, which are kept (held back with
//     `pod-cidr-conflict`) until the overlap is fixed.
// Owned entries in Deleting status are never deleted again. Owned entries that are Pending or
// Modifying are planned like Available ones: the executor waits until they are Available before
// deleting (the API only deletes Available entries), so a stale entry is not forgotten for a pass.
//
// Safety rails, applied after planning, to all tables at once:
//   - allowDeletes=false (the Node cache has not synced): every delete is held back, and so is
//     every create that needs one of those deletes first;
//   - max-deletions: more deletes than allowed -> `refusal`, every delete held back, creates that
//     need a refused delete held back; other creates proceed.
import { compareCidrs, parseCidr, type Cidr } from "./cidr.js";
import { parseClusterCidrs } from "./eligibility.js";
import { classifyEntry, type EntryOwnership, type OwnershipContext } from "./entry-ownership.js";
import { hasStringFields, listOr, textOf } from "./guards.js";
import { markerKey, routeMarker } from "./ownership.js";
import type {
  Conflict,
  CreateAction,
  DeleteAction,
  DesiredRoute,
  Plan,
  RouteEntry,
  SkippedNode,
} from "./types.js";
import { routesTo } from "./route-entry.js";

export type MaxDeletions =
  /** At most `value` deletes per pass. */
  | { readonly kind: "count"; readonly value: number }
  /** At most max(1, ceil(value/100 x owned entries across all managed tables)) deletes per pass. */
  | { readonly kind: "percent"; readonly value: number };

export interface PlanOptions {
  readonly clusterName: string;
  /** `--cluster-cidr` values; unmarked entries are only ever adopted inside them. */
  readonly clusterCidrs: readonly string[];
  /** `--adopt-unmarked`: manage unmarked custom single-hop instance routes inside the cluster CIDRs. */
  readonly adoptUnmarked: boolean;
  readonly maxDeletions: MaxDeletions;
  /** False until the Node cache has synced: then nothing is deleted. */
  readonly allowDeletes: boolean;
  /** Passed through from eligibility into the plan. */
  readonly skipped?: readonly SkippedNode[] | undefined;
  readonly conflicts?: readonly Conflict[] | undefined;
}

export type HoldReason =
  /** allowDeletes was false (Node cache not synced yet). */
  | "deletes-not-allowed"
  /** The max-deletions guard refused this pass's deletes. */
  | "max-deletions-exceeded"
  /** The destination is held by an entry that is being deleted; create on a later pass. */
  | "destination-being-deleted"
  /**
   * The entry belongs to a Node skipped for overlapping pod CIDRs, or its destination is one of the
   * disputed CIDRs: kept until the overlap is fixed, so one bad podCIDR assignment does not cut
   * the working route of the Node that had the CIDR first.
   */
  | "pod-cidr-conflict";

export interface HeldDelete {
  readonly action: DeleteAction;
  readonly reason: HoldReason;
}

export interface HeldCreate {
  readonly action: CreateAction;
  readonly reason: HoldReason;
}

/** A Plan plus what was held back and why (for the dry-run output, logs and metrics). */
export interface PlanResult extends Plan {
  readonly held: { readonly deletes: readonly HeldDelete[]; readonly creates: readonly HeldCreate[] };
  /** Entries this cluster owns across all managed tables: the base of a percent max-deletions. */
  readonly ownedEntries: number;
}

interface Classified {
  readonly entry: RouteEntry;
  readonly own: EntryOwnership;
}

const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Destination parsing for one plan: each distinct text is parsed once (5,000 dual-stack Nodes
 * x 3 tables is 30,000 desired routes over 10,000 distinct CIDRs, sorted afterwards).
 */
function destinationParser(): {
  /** Canonical key of a destination; unparsable text is kept as-is (it can only match itself). */
  key: (text: unknown) => string;
  compare: (a: string, b: string) => number;
  /** Rank of each distinct destination in canonical CIDR order, for sorting many actions. */
  rank: (texts: Iterable<string>) => Map<string, number>;
} {
  const cache = new Map<string, Cidr | null>();
  const get = (text: string): Cidr | null => {
    let c = cache.get(text);
    if (c === undefined) {
      const r = parseCidr(text);
      c = r.ok ? r.cidr : null;
      cache.set(text, c);
    }
    return c;
  };
  const compare = (a: string, b: string): number => {
    const ca = get(a);
    const cb = get(b);
    if (ca && cb) return compareCidrs(ca, cb);
    if (ca || cb) return ca ? -1 : 1;
    return cmpStr(a, b);
  };
  return {
    key: (text) => {
      const raw = textOf(text);
      return get(raw)?.text ?? raw;
    },
    compare,
    rank: (texts) => {
      const distinct = [...new Set(texts)].sort(compare);
      return new Map(distinct.map((text, i) => [text, i]));
    },
  };
}

/** Sorts by route table, then destination rank, then `tie`; each item is looked up once. */
function sortActions<T>(
  items: readonly T[],
  ranks: ReadonlyMap<string, number>,
  of: (item: T) => { readonly routeTableId: string; readonly destinationCidr: string },
  tie: (a: T, b: T) => number = () => 0,
): T[] {
  return items
    .map((item) => {
      const a = of(item);
      return { item, table: a.routeTableId, rank: ranks.get(a.destinationCidr) ?? 0 };
    })
    .sort((a, b) => cmpStr(a.table, b.table) || a.rank - b.rank || tie(a.item, b.item))
    .map((d) => d.item);
}

function describeHolder(entry: RouteEntry, own: EntryOwnership): string {
  const hops = listOr(entry.nextHops);
  const via = hops.map((h) => `${textOf(h?.nextHopType)} ${textOf(h?.nextHopId)}`).join(", ") || "no next hop";
  const why = own.owned ? "" : `; not managed by this cluster: ${own.detail}`;
  return `route entry ${textOf(entry.routeEntryId)} (${textOf(entry.type)}, via ${via}${why})`;
}

function allowedDeletes(max: MaxDeletions, owned: number): number {
  // NaN, negative or missing: allow nothing (fail safe). Infinity: no limit.
  const value = typeof max?.value === "number" && max.value > 0 ? max.value : 0;
  if (max?.kind === "percent") return Math.max(1, Math.ceil((value * owned) / 100));
  return Math.floor(value);
}

function refusalMessage(max: MaxDeletions, wanted: number, allowed: number, owned: number): string {
  const limit =
    max?.kind === "percent"
      ? `--max-deletions=${max.value}% allows (${allowed} of ${owned} owned routes)`
      : `--max-deletions=${allowedDeletes(max, owned)} allows`;
  return (
    `refusing to delete ${wanted} routes: more than ${limit}. Nothing was deleted; check that the Node list ` +
    `and --cluster-name are right, then raise --max-deletions for one pass or delete the routes by hand`
  );
}

/** Plans the changes that bring `actual` to `desired`. See the module comment for the rules. */
export function plan(
  desired: readonly DesiredRoute[],
  actual: ReadonlyMap<string, readonly RouteEntry[]>,
  options: PlanOptions,
): PlanResult {
  const ctx: OwnershipContext = {
    clusterName: options?.clusterName,
    clusterCidrs: parseClusterCidrs(options?.clusterCidrs),
    adoptUnmarked: options?.adoptUnmarked === true,
  };
  // Desired routes come from desiredRoutes(); anything malformed is dropped rather than guessed at.
  const desiredList = listOr(desired).filter((d) =>
    hasStringFields(d, ["routeTableId", "destinationCidr", "instanceId", "nodeName"] as const),
  );

  const destinations = destinationParser();

  // Desired routes per table and destination; Nodes by marker key and by instance, for reasons.
  const desiredByTable = new Map<string, Map<string, DesiredRoute[]>>();
  const nodeByKey = new Map<string, string>();
  const nodeByInstance = new Map<string, string>();
  const seenNodes = new Set<string>();
  for (const d of desiredList) {
    const key = destinations.key(d.destinationCidr);
    let table = desiredByTable.get(d.routeTableId);
    if (!table) desiredByTable.set(d.routeTableId, (table = new Map<string, DesiredRoute[]>()));
    const list = table.get(key);
    if (list) list.push(d);
    else table.set(key, [d]);
    if (!seenNodes.has(d.nodeName)) {
      seenNodes.add(d.nodeName);
      nodeByKey.set(markerKey(d.nodeName), d.nodeName);
    }
    nodeByInstance.set(d.instanceId, d.nodeName);
  }

  const actualMap: ReadonlyMap<string, readonly RouteEntry[]> =
    actual instanceof Map ? (actual as ReadonlyMap<string, readonly RouteEntry[]>) : new Map();
  const tableIds = new Set<string>(desiredByTable.keys());
  for (const id of actualMap.keys()) tableIds.add(id);

  const conflicts: Conflict[] = [...listOr(options?.conflicts)];
  const satisfied: DesiredRoute[] = [];
  const creates: { action: CreateAction; needsDelete: boolean }[] = [];
  const heldCreates: HeldCreate[] = [];
  const deletes: DeleteAction[] = [];
  const frozen: HeldDelete[] = [];
  let ownedEntries = 0;

  const frozenNodeKeys = new Set(
    listOr(options?.skipped)
      .filter((s) => s?.reason === "overlapping-cidr")
      .map((s) => markerKey(s.nodeName)),
  );
  const disputed = new Set(
    listOr(options?.conflicts)
      .filter((c) => c?.reason === "overlapping-pod-cidr")
      .map((c) => destinations.key(c.destinationCidr)),
  );

  for (const routeTableId of [...tableIds].sort(cmpStr)) {
    const entries = listOr(actualMap.get(routeTableId)).filter(
      (e): e is RouteEntry => typeof e === "object" && e !== null,
    );
    const byDestination = new Map<string, Classified[]>();
    for (const entry of entries) {
      const own = classifyEntry(entry, ctx);
      if (own.owned) ownedEntries++;
      const key = own.owned ? own.destination.text : destinations.key(entry.destinationCidr);
      const list = byDestination.get(key);
      if (list) list.push({ entry, own });
      else byDestination.set(key, [{ entry, own }]);
    }

    const wantedHere = desiredByTable.get(routeTableId) ?? new Map<string, DesiredRoute[]>();
    for (const [destinationCidr, wants] of wantedHere) {
      if (wants.some((w) => w.instanceId !== wants[0]!.instanceId)) {
        // Two Nodes want one destination: eligibility normally catches this; never pick one.
        const names = [...new Set(wants.map((w) => w.nodeName))].sort(cmpStr);
        for (const nodeName of names) {
          conflicts.push({
            reason: "overlapping-pod-cidr",
            routeTableId,
            destinationCidr,
            nodeName,
            message: `${destinationCidr} is wanted by several Nodes (${names.join(", ")}); no route is planned for it`,
          });
        }
        continue;
      }
      const want = wants[0]!;
      const here = byDestination.get(destinationCidr) ?? [];
      const live = here.filter((c) => c.entry.status !== "Deleting");
      if (live.some((c) => routesTo(c.entry, want.instanceId))) {
        satisfied.push(want);
        continue;
      }
      const foreign = live.find((c) => !c.own.owned);
      if (foreign) {
        conflicts.push({
          reason: "destination-held-by-foreign-route",
          routeTableId,
          destinationCidr,
          nodeName: want.nodeName,
          message: `${destinationCidr} in ${routeTableId} is held by ${describeHolder(foreign.entry, foreign.own)}; Node ${want.nodeName} gets no route there and the entry is left alone`,
          existing: foreign.entry,
        });
        continue;
      }
      const marker = routeMarker(options?.clusterName, want.nodeName);
      const action: CreateAction = {
        kind: "create",
        routeTableId,
        destinationCidr,
        instanceId: want.instanceId,
        routeEntryName: marker.routeEntryName,
        description: marker.description,
        nodeName: want.nodeName,
      };
      for (const c of live) {
        deletes.push(deleteOf(routeTableId, c, "next-hop-changed", want.nodeName));
      }
      if (here.length > live.length) heldCreates.push({ action, reason: "destination-being-deleted" });
      else creates.push({ action, needsDelete: live.length > 0 });
    }

    for (const [destinationCidr, list] of byDestination) {
      if (wantedHere.has(destinationCidr)) continue;
      for (const c of list) {
        if (!c.own.owned || c.entry.status === "Deleting") continue;
        const nodeName =
          c.own.via === "marker" ? nodeByKey.get(c.own.nodeKey) : nodeByInstance.get(c.own.instanceId);
        const action =
          nodeName !== undefined
            ? deleteOf(routeTableId, c, "cidr-changed", nodeName)
            : deleteOf(routeTableId, c, "stale", c.own.via === "marker" ? c.own.nodeKey : undefined);
        if (disputed.has(destinationCidr) || (c.own.via === "marker" && frozenNodeKeys.has(c.own.nodeKey))) {
          frozen.push({ action, reason: "pod-cidr-conflict" });
        } else {
          deletes.push(action);
        }
      }
    }
  }

  const compareDestinations = destinations.compare;
  const ranks = destinations.rank(
    (function* () {
      for (const d of deletes) yield d.destinationCidr;
      for (const f of frozen) yield f.action.destinationCidr;
      for (const c of creates) yield c.action.destinationCidr;
      for (const h of heldCreates) yield h.action.destinationCidr;
      for (const s of satisfied) yield s.destinationCidr;
    })(),
  );

  let holdReason: HoldReason | undefined;
  let refusal: PlanResult["refusal"];
  if (options?.allowDeletes !== true) {
    if (deletes.length > 0) holdReason = "deletes-not-allowed";
  } else {
    const allowed = allowedDeletes(options.maxDeletions, ownedEntries);
    if (deletes.length > allowed) {
      holdReason = "max-deletions-exceeded";
      refusal = {
        reason: "max-deletions-exceeded",
        message: refusalMessage(options.maxDeletions, deletes.length, allowed, ownedEntries),
      };
    }
  }

  const plannedCreates: CreateAction[] = [];
  for (const c of creates) {
    if (holdReason !== undefined && c.needsDelete) heldCreates.push({ action: c.action, reason: holdReason });
    else plannedCreates.push(c.action);
  }
  const sortedDeletes = sortActions(deletes, ranks, (d) => d, (a, b) => cmpStr(a.routeEntryId, b.routeEntryId));

  conflicts.sort(
    (a, b) =>
      cmpStr(a.routeTableId ?? "", b.routeTableId ?? "") ||
      cmpStr(a.nodeName, b.nodeName) ||
      compareDestinations(a.destinationCidr, b.destinationCidr) ||
      cmpStr(a.reason, b.reason),
  );
  const skipped = [...listOr(options?.skipped)].sort((a, b) => cmpStr(a.nodeName, b.nodeName));

  return {
    creates: sortActions(plannedCreates, ranks, (c) => c),
    deletes: holdReason === undefined ? sortedDeletes : [],
    conflicts,
    skipped,
    satisfied: sortActions(satisfied, ranks, (d) => d, (a, b) => cmpStr(a.nodeName, b.nodeName)),
    refusal,
    held: {
      deletes: sortActions(
        [...frozen, ...(holdReason === undefined ? [] : sortedDeletes.map((action) => ({ action, reason: holdReason })))],
        ranks,
        (h) => h.action,
        (a, b) => cmpStr(a.action.routeEntryId, b.action.routeEntryId),
      ),
      creates: sortActions(heldCreates, ranks, (h) => h.action),
    },
    ownedEntries,
  };
}

function deleteOf(
  routeTableId: string,
  c: Classified,
  reason: DeleteAction["reason"],
  nodeName: string | undefined,
): DeleteAction {
  const instanceId = c.own.owned ? c.own.instanceId : "";
  const destinationCidr = c.own.owned ? c.own.destination.text : textOf(c.entry.destinationCidr);
  return {
    kind: "delete",
    routeTableId,
    routeEntryId: textOf(c.entry.routeEntryId),
    destinationCidr,
    instanceId,
    reason,
    nodeName,
  };
}
