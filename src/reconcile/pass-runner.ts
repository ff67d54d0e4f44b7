// One reconcile pass: read the route tables, plan against the Nodes, apply the plan. Shared by
// the one-shot `reconcile` command, the controller loop and the demo, so all three behave alike.
import type { Logger } from "pino";
import type { BatchResult, EntryOutcome, RouteTable } from "../cloud/route-table.js";
import { asCloudError, CloudError } from "../cloud/errors.js";
import type { VpcNetwork, VpcNetworkSource } from "../cloud/vpc-network.js";
import { networkBlocks } from "../domain/plan-input.js";
import { ConfigError } from "../errors.js";
import { routesTo } from "../domain/route-entry.js";
import { buildPlan } from "../domain/build-plan.js";
import { entriesOf, parseEntries, type ParsedEntry } from "../domain/route-tables.js";
import { approvalsOf } from "../domain/approval.js";
import { WriteGate, type GateSettings, type RefusedWrite } from "../domain/write-gate.js";
import { adoptableBy, type OwnershipContext } from "../domain/entry-ownership.js";
import { parseProviderId } from "../domain/provider-id.js";
import type { PlanResult } from "../domain/plan.js";
import type { PassSettings } from "../domain/settings.js";
import type {
  CreateAction,
  DeleteAction,
  EligibleNode,
  MarkAction,
  NodeFacts,
  Plan,
  RouteEntry,
} from "../domain/types.js";

export interface PassRequest {
  readonly nodes: readonly NodeFacts[];
  /** False until the Node cache has synced: nothing is deleted then. */
  readonly allowDeletes: boolean;
  /** Plan only: no write call of any kind. */
  readonly dryRun: boolean;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

/** How one table failed to be read; the pass plans nothing for that table. */
export interface TableFailure {
  readonly routeTableId: string;
  readonly error: CloudError;
}

export interface ActionResult<A> {
  readonly action: A;
  readonly outcome: EntryOutcome;
}

/** Where a Node's route stands after the pass (drives NetworkUnavailable). */
export type NodeRouteState =
  | { readonly state: "available" }
  | { readonly state: "pending"; readonly message: string }
  | { readonly state: "failed"; readonly message: string; readonly code: string }
  /** A managed table could not be read: whether the route is there is not known this pass. */
  | { readonly state: "unknown"; readonly message: string };

export type PassOutcome =
  /** Nothing to do. */
  | "in-sync"
  /** Changes applied, all succeeded. */
  | "applied"
  /** Dry run: changes are pending. */
  | "changes-pending"
  /** Some action or API call failed. */
  | "failed"
  /** The max-deletions guard refused the deletes (other actions may have been applied). */
  | "refused";

export interface PassResult {
  readonly routeTableIds: readonly string[];
  readonly plan: PlanResult;
  readonly eligible: readonly EligibleNode[];
  readonly actual: ReadonlyMap<string, readonly RouteEntry[]>;
  readonly tableFailures: readonly TableFailure[];
  /** The VPC's network (VPC and vSwitch CIDRs) could not be read: no create was planned this pass. */
  readonly networkFailure?: CloudError | undefined;
  readonly creates: readonly ActionResult<CreateAction>[];
  readonly deletes: readonly ActionResult<DeleteAction>[];
  /** Hold marks, released holds and marker migrations (ModifyRouteEntry), applied before the rest. */
  readonly marks: readonly ActionResult<MarkAction>[];
  /** Writes the write gate refused (never sent), each with its rule; in a dry run, what it would refuse. */
  readonly refusedWrites: readonly RefusedWrite[];
  readonly nodeRoutes: ReadonlyMap<string, NodeRouteState>;
  readonly outcome: PassOutcome;
  /** True when a failure is worth retrying soon (transient cloud error). */
  readonly retryable: boolean;
}

export interface PassRunnerDeps {
  readonly routeTable: RouteTable;
  /**
   * Where the VPC's own network is read each pass (production wiring always gives one). Absent:
   * only the tables' System entries guard against pod CIDRs that overlap the VPC.
   */
  readonly vpcNetwork?: VpcNetworkSource | undefined;
  readonly settings: PassSettings;
  readonly logger: Logger;
}

export class PassRunner {
  readonly #deps: PassRunnerDeps;

  constructor(deps: PassRunnerDeps) {
    this.#deps = deps;
  }

  /** The managed route tables: the configured ids, or every VRouter table of the VPC. */
  async resolveRouteTables(): Promise<string[]> {
    const { settings, routeTable, logger } = this.#deps;
    if (settings.routeTableIds.length > 0) return [...settings.routeTableIds];
    if (!settings.vpcId) {
      throw new ConfigError("no route table to manage: set --route-table-ids or --vpc-id", { code: "Config.NoRouteTable" });
    }
    const tables = await routeTable.listRouteTables(settings.vpcId);
    const ids = tables.map((t) => t.routeTableId).sort();
    if (ids.length === 0) {
      throw new ConfigError(`VPC ${settings.vpcId} has no route table`, { code: "Config.NoRouteTable" });
    }
    logger.debug({ vpcId: settings.vpcId, routeTableIds: ids }, "route tables discovered");
    return ids;
  }

  async run(request: PassRequest): Promise<PassResult> {
    const { routeTable, settings, logger } = this.#deps;
    const routeTableIds = await this.resolveRouteTables();

    // The tables as read, each destination parsed once here: the planner and the gate decide on this one view.
    const tables = new Map<string, ParsedEntry[]>();
    const tableFailures: TableFailure[] = [];
    const [network] = await Promise.all([
      this.#readNetwork(routeTableIds, request.signal),
      ...routeTableIds.map(async (routeTableId) => {
        try {
          tables.set(routeTableId, parseEntries(await routeTable.listRoutes(routeTableId)));
        } catch (error) {
          const cloudError = asCloudError(error);
          logger.warn({ routeTableId, code: cloudError.code, err: cloudError }, "route table read failed");
          tableFailures.push({ routeTableId, error: cloudError });
        }
      }),
    ]);
    const networkFailure = network instanceof CloudError ? network : undefined;
    // Parsed once, here where it enters: the planner and the gate check creates against the same blocks.
    const blocks = network instanceof CloudError ? "unreadable" : network && networkBlocks(network);
    // Plan only for the tables we could read: never decide on partial knowledge.
    const planNow = () =>
      buildPlan({
        settings,
        nodes: request.nodes,
        routeTableIds: routeTableIds.filter((id) => tables.has(id)),
        tables,
        allowDeletes: request.allowDeletes,
        network: blocks,
      });
    let { plan, eligible } = planNow();
    // What the listing may have left out at a destination about to be created joins the table as
    // read, and the pass decides again: a conflict, never a write (issue 16, defect 5).
    if (await revealHiddenHolders(routeTable, plan, tables, tableFailures, logger, request.signal)) ({ plan, eligible } = planNow());
    const readable = routeTableIds.filter((id) => tables.has(id));
    const actual = entriesOf(tables);

    const gate = new WriteGate(gateSettingsOf(settings, adoptableFor(request.nodes, eligible, settings.regionId)), {
      tables,
      network: blocks === undefined || blocks === "unreadable" ? blocks : blocks.map((b) => b.cidr),
      wanted: wantedDestinations(eligible, readable, plan),
      // Only the leader writes: the controller aborts the signal the moment leadership is lost.
      leader: () => request.dryRun || request.signal?.aborted !== true,
    });
    const creates: ActionResult<CreateAction>[] = [];
    const deletes: ActionResult<DeleteAction>[] = [];
    const marks: ActionResult<MarkAction>[] = [];
    const refusedWrites: RefusedWrite[] = [];
    if (request.dryRun) refusedWrites.push(...reviewPlan(gate, readable, plan));
    else marks.push(...(await this.#applyMarks(gate, readable, plan.marks, request.signal, refusedWrites)));
    // A refusal that could not be recorded in the VPC would not survive this pass: routes created
    // now would dilute the guard's base next pass. Write nothing else then.
    const holdsRecorded = marks.every((m) => m.outcome.ok || m.action.reason !== "hold-deletion");
    if (!request.dryRun && holdsRecorded) {
      const total = plan.creates.length + plan.deletes.length;
      let doneBefore = 0;
      for (const routeTableId of readable) {
        const tableCreates = plan.creates.filter((c) => c.routeTableId === routeTableId);
        const tableDeletes = plan.deletes.filter((d) => d.routeTableId === routeTableId);
        if (tableCreates.length === 0 && tableDeletes.length === 0) continue;
        const base = doneBefore;
        const result = await this.#applyTable(gate, routeTableId, tableCreates, tableDeletes, refusedWrites, {
          signal: request.signal,
          onProgress: request.onProgress ? (done) => request.onProgress?.(base + done, total) : undefined,
        });
        doneBefore += tableCreates.length + tableDeletes.length;
        creates.push(...result.creates);
        deletes.push(...result.deletes);
      }
    }

    const nodeRoutes = nodeRouteStates({ eligible, routeTableIds: readable, actual, plan, creates, tableFailures, dryRun: request.dryRun });
    const { outcome, retryable } = outcomeOf({ plan, tableFailures, networkFailure, failedActions: [...marks, ...creates, ...deletes].filter((r) => !r.outcome.ok), refusedWrites, dryRun: request.dryRun });
    return { routeTableIds, plan, eligible, actual, tableFailures, networkFailure, creates, deletes, marks, refusedWrites, nodeRoutes, outcome, retryable };
  }

  /** The VPC's network, a CloudError when it cannot be read (then no create is planned), undefined without a source. */
  async #readNetwork(routeTableIds: readonly string[], signal: AbortSignal | undefined): Promise<VpcNetwork[] | CloudError | undefined> {
    const { vpcNetwork, settings, logger } = this.#deps;
    if (vpcNetwork === undefined) return undefined;
    try {
      const networks = await vpcNetwork.read(settings.vpcId, routeTableIds, signal);
      logger.debug({ networks }, "vpc network read");
      return networks;
    } catch (error) {
      const cloudError = asCloudError(error);
      logger.error({ vpcId: settings.vpcId, code: cloudError.code, err: cloudError }, "VPC network (VPC and vSwitch CIDR blocks) could not be read: no route is created this pass");
      return cloudError;
    }
  }

  async #applyMarks(
    gate: WriteGate,
    routeTableIds: readonly string[],
    planned: readonly MarkAction[],
    signal: AbortSignal | undefined,
    refusedWrites: RefusedWrite[],
  ): Promise<ActionResult<MarkAction>[]> {
    const { routeTable, logger } = this.#deps;
    const results: ActionResult<MarkAction>[] = [];
    for (const routeTableId of routeTableIds) {
      const proposed = planned.filter((m) => m.routeTableId === routeTableId);
      if (proposed.length === 0) continue;
      const { modifies } = gate.admit(routeTableId, { creates: [], deletes: [], modifies: proposed });
      results.push(...this.#refused(modifies.refused, refusedWrites));
      const tableMarks = modifies.admitted;
      if (tableMarks.length === 0) continue;
      let outcomes: ReadonlyArray<{ readonly outcome: EntryOutcome }>;
      try {
        outcomes = await routeTable.relabel(routeTableId, tableMarks, { signal });
      } catch (error) {
        const cloudError = asCloudError(error);
        outcomes = tableMarks.map(() => ({ outcome: { ok: false, error: cloudError } as const }));
      }
      tableMarks.forEach((action, i) => {
        const outcome = outcomeAt(outcomes as BatchResult["creates"], i);
        const fields = { routeTableId, routeEntryId: action.routeEntryId, destinationCidr: action.destinationCidr, nodeName: action.nodeName, reason: action.reason };
        if (outcome.ok) logger.info(fields, action.reason === "hold-deletion" ? "route held: deletion refused" : action.reason === "claim" ? "route claimed" : "route marker rewritten");
        else if (outcome.unknown === true) logger.warn({ ...fields, code: outcome.error.code }, "route marker write unconfirmed");
        else logger.error({ ...fields, code: outcome.error.code, error: outcome.error.message }, "route marker write failed");
        results.push({ action, outcome });
      });
    }
    return results;
  }

  /** Writes the gate refused: reported with the rule (log, plan output, error code `Gate.<rule>`), never sent. */
  #refused<A extends CreateAction | DeleteAction | MarkAction>(refused: readonly RefusedWrite<A>[], into: RefusedWrite[]): ActionResult<A>[] {
    return refused.map((r) => {
      into.push(r);
      this.#deps.logger.error(
        { rule: r.rule, kind: r.kind, routeTableId: r.action.routeTableId, destinationCidr: r.action.destinationCidr, error: r.message },
        "write refused by the write gate",
      );
      return { action: r.action, outcome: gateRefusalOutcome(r) };
    });
  }

  async #applyTable(
    gate: WriteGate,
    routeTableId: string,
    proposedCreates: CreateAction[],
    proposedDeletes: DeleteAction[],
    refusedWrites: RefusedWrite[],
    options: { signal?: AbortSignal | undefined; onProgress?: ((done: number, total: number) => void) | undefined },
  ): Promise<{ creates: ActionResult<CreateAction>[]; deletes: ActionResult<DeleteAction>[] }> {
    const { routeTable, logger } = this.#deps;
    const admitted = gate.admit(routeTableId, { creates: proposedCreates, deletes: proposedDeletes });
    const refusedCreates = this.#refused(admitted.creates.refused, refusedWrites);
    const refusedDeletes = this.#refused(admitted.deletes.refused, refusedWrites);
    const tableCreates = admitted.creates.admitted;
    const tableDeletes = admitted.deletes.admitted;
    if (tableCreates.length === 0 && tableDeletes.length === 0) return { creates: refusedCreates, deletes: refusedDeletes };
    let result: BatchResult;
    try {
      result = await routeTable.apply(routeTableId, { creates: tableCreates, deletes: tableDeletes }, options);
    } catch (error) {
      // The whole call failed before any outcome was known: every action failed with that error.
      const cloudError = asCloudError(error);
      logger.error({ routeTableId, code: cloudError.code, err: cloudError }, "route table write failed");
      const outcome: EntryOutcome = { ok: false, error: cloudError };
      return {
        creates: [...refusedCreates, ...tableCreates.map((action) => ({ action, outcome }))],
        deletes: [...refusedDeletes, ...tableDeletes.map((action) => ({ action, outcome }))],
      };
    }
    // The adapter returns outcomes in the order of the request; map them back to plan actions.
    const creates = tableCreates.map((action, i) => ({ action, outcome: outcomeAt(result.creates, i) }));
    const deletes = tableDeletes.map((action, i) => ({ action, outcome: outcomeAt(result.deletes, i) }));
    for (const { action, outcome } of deletes) {
      const fields = { routeTableId, destinationCidr: action.destinationCidr, instanceId: action.instanceId, nodeName: action.nodeName };
      if (outcome.ok) logger.info({ ...fields, reason: action.reason }, "route deleted");
      else if (outcome.unknown === true) logger.warn({ ...fields, code: outcome.error.code }, "route delete unconfirmed");
      else logger.warn({ ...fields, code: outcome.error.code, requestId: outcome.error.requestId, error: outcome.error.message }, "route delete failed");
    }
    for (const { action, outcome } of creates) {
      const fields = { routeTableId, destinationCidr: action.destinationCidr, instanceId: action.instanceId, nodeName: action.nodeName };
      if (outcome.ok && outcome.note === "already-present") logger.info(fields, "route already present (made by another controller meanwhile)");
      else if (outcome.ok) logger.info(fields, "route created");
      else if (outcome.unknown === true) logger.warn({ ...fields, code: outcome.error.code }, "route create unconfirmed");
      else logger.warn({ ...fields, code: outcome.error.code, requestId: outcome.error.requestId, error: outcome.error.message }, "route create failed");
    }
    return { creates: [...refusedCreates, ...creates], deletes: [...refusedDeletes, ...deletes] };
  }
}

/** How the pass ended, and whether trying again may help. */
function outcomeOf(pass: {
  readonly plan: Plan;
  readonly tableFailures: readonly TableFailure[];
  readonly networkFailure: CloudError | undefined;
  readonly failedActions: ReadonlyArray<ActionResult<CreateAction | DeleteAction | MarkAction>>;
  readonly refusedWrites: readonly RefusedWrite[];
  readonly dryRun: boolean | undefined;
}): { outcome: PassOutcome; retryable: boolean } {
  const { plan, tableFailures, networkFailure, failedActions, refusedWrites, dryRun } = pass;
  const hasChanges = plan.creates.length + plan.deletes.length > 0;
  let outcome: PassOutcome;
  if (tableFailures.length > 0 || networkFailure || failedActions.length > 0 || (!dryRun && refusedWrites.length > 0)) outcome = "failed";
  else if (plan.refusal) outcome = "refused";
  else if (dryRun) outcome = hasChanges ? "changes-pending" : "in-sync";
  else outcome = hasChanges ? "applied" : "in-sync";
  const retryable =
    tableFailures.some((f) => f.error.retryable) ||
    networkFailure?.retryable === true ||
    failedActions.some((r) => !r.outcome.ok && r.outcome.error.retryable);
  return { outcome, retryable };
}

/**
 * Asks the route table for holders its listing may not show at the destinations the plan creates
 * (RouteTable.hiddenHolders) and adds them, parsed, to `tables`; a table whose lookup fails leaves
 * `tables` (a table failure: nothing is decided on it this pass). True when `tables` changed.
 */
async function revealHiddenHolders(
  routeTable: RouteTable,
  plan: Plan,
  tables: Map<string, ParsedEntry[]>,
  tableFailures: TableFailure[],
  logger: Logger,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  if (routeTable.hiddenHolders === undefined) return false;
  let changed = false;
  for (const routeTableId of new Set(plan.creates.map((c) => c.routeTableId))) {
    const destinations = plan.creates.filter((c) => c.routeTableId === routeTableId).map((c) => c.destinationCidr);
    try {
      const known = new Set((tables.get(routeTableId) ?? []).map((p) => p.entry.routeEntryId));
      const hidden = (await routeTable.hiddenHolders(routeTableId, destinations, signal)).filter((e) => !known.has(e.routeEntryId));
      if (hidden.length === 0) continue;
      logger.debug({ routeTableId, destinations: hidden.map((e) => e.destinationCidr) }, "routes the listing did not show hold destinations to create");
      tables.set(routeTableId, [...(tables.get(routeTableId) ?? []), ...parseEntries(hidden)]);
    } catch (error) {
      const cloudError = asCloudError(error);
      logger.warn({ routeTableId, code: cloudError.code, err: cloudError }, "route table read failed");
      tableFailures.push({ routeTableId, error: cloudError });
      tables.delete(routeTableId);
    }
    changed = true;
  }
  return changed;
}

/** The gate's view of the settings: who we are, where we may act, how many deletes a pass may make. */
function gateSettingsOf(settings: PassSettings, adoptable: OwnershipContext["adoptable"]): GateSettings {
  return {
    identity: { ...settings, adoptable },
    maxDeletions: settings.maxDeletions,
    approvals: approvalsOf(settings.approveDeletions ?? []),
  };
}

/** Which unmarked routes the gate takes as adopted: the planner's rule (adoptableBy), over the same Nodes. */
function adoptableFor(nodes: readonly NodeFacts[], eligible: readonly EligibleNode[], regionId: string): OwnershipContext["adoptable"] {
  const instances = new Set(nodes.flatMap((n) => {
    const id = parseProviderId(n.providerId, regionId);
    return id.ok ? [id.instanceId] : [];
  }));
  return adoptableBy(instances, new Set(eligible.flatMap((n) => n.podCidrs.map((cidr) => cidr.text))));
}

/** Destinations of eligible Nodes without a conflict, per table: what a claim may mark. */
function wantedDestinations(eligible: readonly EligibleNode[], routeTableIds: readonly string[], plan: Plan): Map<string, string> {
  const conflicted = new Set(plan.conflicts.map((c) => c.nodeName));
  const wanted = new Map<string, string>();
  for (const node of eligible) {
    if (conflicted.has(node.nodeName)) continue;
    for (const routeTableId of routeTableIds) for (const cidr of node.podCidrs) wanted.set(`${routeTableId} ${cidr.text}`, node.instanceId);
  }
  return wanted;
}

/** A dry run sends nothing, but shows what the gate would refuse. */
function reviewPlan(gate: WriteGate, routeTableIds: readonly string[], plan: Plan): RefusedWrite[] {
  const refused: RefusedWrite[] = [];
  for (const routeTableId of routeTableIds) {
    const inTable = <A extends { routeTableId: string }>(list: readonly A[]): A[] => list.filter((a) => a.routeTableId === routeTableId);
    const r = gate.admit(routeTableId, { creates: inTable(plan.creates), deletes: inTable(plan.deletes), modifies: inTable(plan.marks) });
    refused.push(...r.modifies.refused, ...r.deletes.refused, ...r.creates.refused);
  }
  return refused;
}

function gateRefusalOutcome(r: RefusedWrite): EntryOutcome {
  return { ok: false, error: { code: `Gate.${r.rule}`, message: `refused by the write gate (${r.rule}): ${r.message}`, retryable: false } };
}

function outcomeAt(list: BatchResult["creates"] | BatchResult["deletes"], i: number): EntryOutcome {
  return (
    list[i]?.outcome ?? {
      ok: false,
      error: { code: "Internal.MissingOutcome", message: "the cloud adapter reported no outcome for this entry", retryable: true },
    }
  );
}

/** Where one destination of a Node stands in one table; undefined when it is routed and Available. */
function destinationState(d: {
  readonly routeTableId: string;
  readonly cidr: string;
  readonly instanceId: string;
  readonly created: ActionResult<CreateAction> | undefined;
  readonly planned: boolean;
  readonly entry: RouteEntry | undefined;
  readonly dryRun: boolean;
}): NodeRouteState | undefined {
  const { routeTableId, cidr, created, entry } = d;
  if (created) {
    return created.outcome.ok ? undefined : { state: "failed", message: `${cidr} in ${routeTableId}: ${created.outcome.error.message}`, code: created.outcome.error.code };
  }
  if (d.planned) return { state: "pending", message: d.dryRun ? "route not created yet (dry run)" : "route not created yet" };
  if (!entry) return { state: "pending", message: `route ${cidr} in ${routeTableId} is held back this pass` };
  // Our route still points at the Node's previous instance (its re-pointing was held back): the
  // Node's pods are not reachable through it.
  if (!routesTo(entry, d.instanceId)) return { state: "pending", message: `route ${cidr} in ${routeTableId} does not point at ${d.instanceId} yet` };
  if (entry.status !== "Available") return { state: "pending", message: `route ${cidr} in ${routeTableId} is ${entry.status}` };
  return undefined;
}

/** Where each eligible Node's routes stand after a pass (also what `doctor` compares NetworkUnavailable with). */
export function nodeRouteStates(input: {
  readonly eligible: readonly EligibleNode[];
  readonly routeTableIds: readonly string[];
  readonly actual: ReadonlyMap<string, readonly RouteEntry[]>;
  readonly plan: Plan;
  /** The creates sent this pass (none: what the plan says stands). */
  readonly creates?: readonly ActionResult<CreateAction>[] | undefined;
  readonly tableFailures?: readonly TableFailure[] | undefined;
  readonly dryRun: boolean;
}): Map<string, NodeRouteState> {
  const { eligible, routeTableIds, actual, plan, creates = [], tableFailures = [], dryRun } = input;
  const key = (routeTableId: string, cidr: string): string => `${routeTableId} ${cidr}`;
  const entryByKey = new Map<string, RouteEntry>();
  for (const [routeTableId, entries] of actual) {
    for (const e of entries) entryByKey.set(key(routeTableId, e.destinationCidr), e);
  }
  const createByKey = new Map(creates.map((r) => [key(r.action.routeTableId, r.action.destinationCidr), r]));
  const plannedCreate = new Set(plan.creates.map((c) => key(c.routeTableId, c.destinationCidr)));
  const conflictByNode = new Map<string, string>();
  for (const c of plan.conflicts) if (!conflictByNode.has(c.nodeName)) conflictByNode.set(c.nodeName, c.message);

  const states = new Map<string, NodeRouteState>();
  for (const node of eligible) {
    let state: NodeRouteState = { state: "available" };
    const conflict = conflictByNode.get(node.nodeName);
    if (conflict) {
      states.set(node.nodeName, { state: "failed", message: conflict, code: "RouteConflict" });
      continue;
    }
    if (tableFailures.length > 0) {
      const f = tableFailures[0]!;
      state = { state: "unknown", message: `route table ${f.routeTableId} could not be read: ${f.error.message}` };
    }
    for (const routeTableId of routeTableIds) {
      for (const { text: cidr } of node.podCidrs) {
        const k = key(routeTableId, cidr);
        const next = destinationState({ routeTableId, cidr, instanceId: node.instanceId, created: createByKey.get(k), planned: plannedCreate.has(k), entry: entryByKey.get(k), dryRun });
        // A failed create always shows; otherwise the first thing still pending does.
        if (next !== undefined && (next.state === "failed" || state.state === "available" || state.state === "unknown")) state = next;
      }
    }
    states.set(node.nodeName, state);
  }
  return states;
}
