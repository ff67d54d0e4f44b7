// The planner: (desired routes, actual route entries, options) -> actions, conflicts and reasons.
// Pure and total: no I/O, no clock, never throws on input. The dry-run output is this plan.
// Four small steps, each in its own module:
//   0. plan-input.ts   derives what the steps read (the input was checked at its edges: see there)
//   1./2. plan-decide.ts  index the desired routes; decide each destination of each table:
//        keep / create / replace / conflict / hold, and collect candidate deletes
//   3. plan-guard.ts   the safety rails (Node cache synced, max-deletions with durable holds)
//   4. plan-order.ts   a deterministic order for every list
//
// Per route table and destination (compared in canonical CIDR form, so `FD00::/64` and
// `fd00::/64` are one destination):
//   - an entry routing exactly the desired destination to the desired instance through a single
//     Instance next hop satisfies it, marked or not, in any status but Deleting: no action (a
//     held or legacy marker on it is rewritten: the Node is back / the marker gains the uid);
//   - a destination overlapping the VPC's own network -- a VPC or vSwitch CIDR block (input.network,
//     read from the VPC) or a System route of the table: conflict `overlaps-vpc-network`, no action;
//     when the network could not be read, no create at all (held `vpc-network-unreadable`);
//   - held by an entry we own that points elsewhere: delete it (`next-hop-changed`), then create
//     -- unless that entry is held (deletion guard) or carries a legacy marker: then both wait;
//   - held by an entry we do not own: conflict `destination-held-by-foreign-route`, no action;
//   - held by an entry in Deleting status: the create waits for the next pass (the API keeps
//     destinations unique per table, so creating now would fail);
//   - owned entries that no desired route wants: delete, `cidr-changed` when the Node they belong
//     to is still eligible with other CIDRs, else `stale` -- except (held back, never deleted):
//     entries outside the cluster CIDR (`outside-cluster-cidr`, like the route controller's
//     isResponsibleForRoute), entries of Nodes skipped for overlapping pod CIDRs and entries at
//     a disputed CIDR (`pod-cidr-conflict`), entries of Nodes skipped for a shared instance or a
//     duplicate name and entries to that instance (`node-conflict`), entries held by the guard (`deletion-held`) and
//     legacy-marker entries (`legacy-marker`), unless a human approved their deletion.
// Owned entries in Deleting status are never deleted again and do not count in the guard's base.
// Owned entries that are Pending or Modifying are planned like Available ones: the executor waits
// until they are Available before deleting (the API only deletes Available entries).
import { markerKey } from "./ownership.js";
import { decideTable, indexDesired, newDraft, type DecideContext, type Draft } from "./plan-decide.js";
import { applyGuard } from "./plan-guard.js";
import { prepareInput, type NetworkBlock } from "./plan-input.js";
import { cmpStr, destinationParser, sortActions } from "./plan-order.js";
import type { ParsedTables } from "./route-tables.js";
import type { PlanSettings } from "./settings.js";
import type { CreateAction, DeleteAction, DesiredRoute, Plan, SkippedNode, Conflict, UnclaimedRoute } from "./types.js";

/** Conflicts between Nodes: the routes involved are frozen as they are (held, never deleted) until fixed. */
const FREEZING_SKIPS: ReadonlyMap<string, HoldReason> = new Map([
  ["overlapping-cidr", "pod-cidr-conflict"],
  ["shared-instance", "node-conflict"],
  ["duplicate-node-name", "node-conflict"],
]);

export type MaxDeletions =
  /** At most `value` deletes per pass. */
  | { readonly kind: "count"; readonly value: number }
  /** At most max(1, ceil(value/100 x owned entries across all managed tables)) deletes per pass. */
  | { readonly kind: "percent"; readonly value: number };

/**
 * What plan() is handed: the settings (domain/settings.ts, the one shape from config/ down), the
 * desired routes and the tables as read, and what eligibility and the pass learnt. buildPlan
 * (build-plan.ts) fills the desired routes and the Node facts from the Nodes.
 */
export interface PlanInput {
  readonly settings: PlanSettings;
  /** False until the Node cache has synced: then nothing is deleted. */
  readonly allowDeletes: boolean;
  readonly desired: readonly DesiredRoute[];
  /**
   * The managed tables as read, by id, each entry's destination parsed where the tables were read
   * (route-tables.ts; the write gate checks against the same view). A table with no entry in the map plans nothing.
   */
  readonly tables: ParsedTables;
  /**
   * The VPC's own network, read from the VPC each pass: a desired destination that overlaps (contains,
   * equals or lies inside) a VPC or vSwitch CIDR block is the conflict `overlaps-vpc-network`.
   * `"unreadable"`: it could not be read, so no create is planned (held `vpc-network-unreadable`:
   * a route that cannot be checked is not written). Absent: only System entries of the tables are checked.
   */
  readonly network?: readonly NetworkBlock[] | "unreadable" | undefined;
  /** Passed through from eligibility into the plan. */
  readonly skipped?: readonly SkippedNode[] | undefined;
  readonly conflicts?: readonly Conflict[] | undefined;
  /**
   * The ECS instances named by the cluster's Node objects (every Node, eligible or skipped), with the
   * Node's name. `--adopt-unmarked` adopts only unmarked routes to one of these instances, or at the
   * pod CIDR of an eligible Node; an excluded Node's routes are left as they are.
   */
  readonly nodeInstances?: readonly NodeInstance[] | undefined;
}

export interface NodeInstance {
  readonly instanceId: string;
  readonly nodeName: string;
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
  | "pod-cidr-conflict"
  /** Refused by the guard on an earlier pass and marked held in the VPC: only a human releases it. */
  | "deletion-held"
  /** Owned but outside the cluster CIDR (e.g. the cluster CIDR changed): reported, never deleted. */
  | "outside-cluster-cidr"
  /**
   * The entry belongs to a Node skipped as `shared-instance` or `duplicate-node-name`, or routes to
   * the instance two Nodes name: frozen as it is until the Nodes are fixed (a copied providerID or
   * a reused name must not take down the working Node's route).
   */
  | "node-conflict"
  /** Marked with this --cluster-name but no cluster uid: cannot be proven ours, so never deleted. */
  | "legacy-marker"
  /** The VPC's network could not be read this pass: a create that cannot be checked is not made. */
  | "vpc-network-unreadable"
  /** The route's Node carries an exclude-node label: its route is neither created nor deleted (as the CCM does). */
  | "excluded-node";

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
  /** Unmarked routes serving Nodes that could not be claimed (no cluster identity): see UnclaimedRoute. */
  readonly unclaimed: readonly UnclaimedRoute[];
}

/** Plans the changes that bring `actual` to `desired`. See the module comment for the rules. */
export function plan(request: PlanInput): PlanResult {
  const input = prepareInput(request);
  const o = input.options;
  const destinations = destinationParser();
  const index = indexDesired(input.desired);
  const excluded = new Set(o.skipped.filter((s) => s.reason === "excluded").map((s) => s.nodeName));
  const duplicateNames = new Set(o.skipped.filter((s) => s.reason === "duplicate-node-name").map((s) => s.nodeName));
  const ctx: DecideContext = {
    options: o,
    destinations,
    index,
    frozenNodeKeys: new Map(o.skipped.flatMap((s) => {
      const hold = FREEZING_SKIPS.get(s.reason);
      return hold === undefined ? [] : [[markerKey(s.nodeName), hold] as const];
    })),
    frozenInstances: new Set([
      ...o.skipped.flatMap((s) => (s.reason === "shared-instance" && s.instanceId !== undefined ? [s.instanceId] : [])),
      // The instances of Nodes skipped for a duplicate name too: whatever node key their routes' markers carry.
      ...[...o.nodeInstances].filter(([, nodeName]) => duplicateNames.has(nodeName)).map(([instanceId]) => instanceId),
    ]),
    disputed: new Set(o.conflicts.filter((c) => c.reason === "overlapping-pod-cidr").map((c) => destinations.key(c.destinationCidr))),
    excludedNodeKeys: new Set([...excluded].map(markerKey)),
    excludedInstances: new Set([...o.nodeInstances].filter(([, nodeName]) => excluded.has(nodeName)).map(([instanceId]) => instanceId)),
  };
  const draft = newDraft(o.conflicts);
  const tableIds = new Set<string>([...index.byTable.keys(), ...input.tables.keys()]);
  for (const routeTableId of [...tableIds].sort(cmpStr)) {
    decideTable(routeTableId, input.tables.get(routeTableId) ?? [], ctx, draft);
  }
  const guarded = applyGuard(draft, o);
  return order(draft, o.skipped, guarded, destinations);
}

function order(draft: Draft, skipped: readonly SkippedNode[], g: ReturnType<typeof applyGuard>, destinations: ReturnType<typeof destinationParser>): PlanResult {
  const { satisfied, conflicts } = draft;
  const ranks = destinations.rank(
    (function* () {
      for (const d of g.deletes) yield d.destinationCidr;
      for (const h of g.held) yield h.action.destinationCidr;
      for (const c of g.creates) yield c.destinationCidr;
      for (const h of g.heldCreates) yield h.action.destinationCidr;
      for (const m of g.marks) yield m.destinationCidr;
      for (const s of satisfied) yield s.destination.text;
    })(),
  );
  const byEntryId = (a: { routeEntryId: string }, b: { routeEntryId: string }): number => cmpStr(a.routeEntryId, b.routeEntryId);
  return {
    creates: sortActions<CreateAction>(g.creates, ranks, (c) => c),
    deletes: sortActions<DeleteAction>(g.deletes, ranks, (d) => d, byEntryId),
    marks: sortActions(g.marks, ranks, (m) => m, byEntryId),
    conflicts: [...conflicts].sort(
      (a, b) =>
        cmpStr(a.routeTableId ?? "", b.routeTableId ?? "") ||
        cmpStr(a.nodeName, b.nodeName) ||
        destinations.compare(a.destinationCidr, b.destinationCidr) ||
        cmpStr(a.reason, b.reason),
    ),
    skipped: [...skipped].sort((a, b) => cmpStr(a.nodeName, b.nodeName)),
    satisfied: sortActions(satisfied, ranks, (d) => ({ routeTableId: d.routeTableId, destinationCidr: d.destination.text }), (a, b) => cmpStr(a.nodeName, b.nodeName)),
    refusal: g.refusal,
    held: {
      deletes: sortActions(g.held, ranks, (h) => h.action, (a, b) => byEntryId(a.action, b.action)),
      creates: sortActions(g.heldCreates, ranks, (h) => h.action),
    },
    ownedEntries: draft.base,
    unclaimed: sortActions<UnclaimedRoute>(draft.unclaimed, ranks, (u) => u, byEntryId),
  };
}
