// One reconcile pass: read the route tables, plan against the Nodes, apply the plan. Shared by
// the one-shot `reconcile` command, the controller loop and the demo, so all three behave alike.
import type { Logger } from "pino";
import type { BatchResult, EntryOutcome, RouteTable } from "../cloud/route-table.js";
import { asCloudError, CloudError } from "../cloud/errors.js";
import type { VpcNetwork, VpcNetworkSource } from "../cloud/vpc-network.js";
import { ConfigurationError } from "../errors.js";
import { routesTo } from "../domain/route-entry.js";
import { buildPlan, type BuildPlanResult } from "../domain/build-plan.js";
import type { Cidr } from "../domain/cidr.js";
import type { MaxDeletions, PlanResult } from "../domain/plan.js";
import type {
  CreateAction,
  DeleteAction,
  EligibleNode,
  MarkAction,
  NodeFacts,
  Plan,
  RouteEntry,
} from "../domain/types.js";

export interface PassSettings {
  readonly regionId: string;
  readonly vpcId?: string | undefined;
  /** Managed tables; empty means "discover from vpcId". */
  readonly routeTableIds: readonly string[];
  readonly clusterName: string;
  readonly clusterCidrs: readonly Cidr[];
  readonly adoptUnmarked: boolean;
  readonly maxDeletions: MaxDeletions;
  /** The kube-system namespace UID (cluster identity in the marker); undefined with --nodes-file. */
  readonly clusterUid?: string | undefined;
  /** `reconcile --approve-deletions`: route entry ids or destinations, or `all`. */
  readonly approveDeletions?: readonly string[] | undefined;
}

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
      throw new ConfigurationError("no route table to manage: set --route-table-ids or --vpc-id", { code: "Config.NoRouteTable" });
    }
    const tables = await routeTable.listRouteTables(settings.vpcId);
    const ids = tables.map((t) => t.routeTableId).sort();
    if (ids.length === 0) {
      throw new ConfigurationError(`VPC ${settings.vpcId} has no route table`, { code: "Config.NoRouteTable" });
    }
    logger.debug({ vpcId: settings.vpcId, routeTableIds: ids }, "route tables discovered");
    return ids;
  }

  async run(request: PassRequest): Promise<PassResult> {
    const { routeTable, settings, logger } = this.#deps;
    const routeTableIds = await this.resolveRouteTables();

    const actual = new Map<string, RouteEntry[]>();
    const tableFailures: TableFailure[] = [];
    const [network] = await Promise.all([
      this.#readNetwork(routeTableIds, request.signal),
      ...routeTableIds.map(async (routeTableId) => {
        try {
          actual.set(routeTableId, await routeTable.listRoutes(routeTableId));
        } catch (error) {
          const cloudError = asCloudError(error);
          logger.warn({ routeTableId, code: cloudError.code, err: cloudError }, "route table read failed");
          tableFailures.push({ routeTableId, error: cloudError });
        }
      }),
    ]);
    const networkFailure = network instanceof CloudError ? network : undefined;
    // Plan only for the tables we could read: never decide on partial knowledge.
    const readable = routeTableIds.filter((id) => actual.has(id));
    const { plan, eligible } = planFor(settings, request.nodes, readable, actual, request.allowDeletes, network instanceof CloudError ? "unreadable" : network);

    const creates: ActionResult<CreateAction>[] = [];
    const deletes: ActionResult<DeleteAction>[] = [];
    const marks: ActionResult<MarkAction>[] = [];
    if (!request.dryRun) marks.push(...(await this.#applyMarks(readable, plan.marks, request.signal)));
    // A refusal that could not be recorded in the VPC would not survive this pass: routes created
    // now would dilute the guard's base next pass (issue 8, defect 1). Write nothing else then.
    const holdsRecorded = marks.every((m) => m.outcome.ok || m.action.reason !== "hold-deletion");
    if (!request.dryRun && holdsRecorded) {
      const total = plan.creates.length + plan.deletes.length;
      let doneBefore = 0;
      for (const routeTableId of readable) {
        const tableCreates = plan.creates.filter((c) => c.routeTableId === routeTableId);
        const tableDeletes = plan.deletes.filter((d) => d.routeTableId === routeTableId);
        if (tableCreates.length === 0 && tableDeletes.length === 0) continue;
        const base = doneBefore;
        const result = await this.#applyTable(routeTableId, tableCreates, tableDeletes, {
          signal: request.signal,
          onProgress: request.onProgress ? (done) => request.onProgress?.(base + done, total) : undefined,
        });
        doneBefore += tableCreates.length + tableDeletes.length;
        creates.push(...result.creates);
        deletes.push(...result.deletes);
      }
    }

    const nodeRoutes = nodeRouteStates(eligible, readable, actual, plan, creates, tableFailures, request.dryRun);
    const failedActions = [...marks, ...creates, ...deletes].filter((r) => !r.outcome.ok);
    const hasChanges = plan.creates.length + plan.deletes.length > 0;
    let outcome: PassOutcome;
    if (tableFailures.length > 0 || networkFailure || failedActions.length > 0) outcome = "failed";
    else if (plan.refusal) outcome = "refused";
    else if (request.dryRun) outcome = hasChanges ? "changes-pending" : "in-sync";
    else outcome = hasChanges ? "applied" : "in-sync";
    const retryable =
      tableFailures.some((f) => f.error.retryable) ||
      networkFailure?.retryable === true ||
      failedActions.some((r) => !r.outcome.ok && r.outcome.error.retryable);

    return { routeTableIds, plan, eligible, actual, tableFailures, networkFailure, creates, deletes, marks, nodeRoutes, outcome, retryable };
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
    routeTableIds: readonly string[],
    planned: readonly MarkAction[],
    signal: AbortSignal | undefined,
  ): Promise<ActionResult<MarkAction>[]> {
    const { routeTable, logger } = this.#deps;
    const results: ActionResult<MarkAction>[] = [];
    for (const routeTableId of routeTableIds) {
      const tableMarks = planned.filter((m) => m.routeTableId === routeTableId);
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
        if (outcome.ok) logger.info(fields, action.reason === "hold-deletion" ? "route held: deletion refused" : "route marker rewritten");
        else logger.error({ ...fields, code: outcome.error.code, error: outcome.error.message }, "route marker write failed");
        results.push({ action, outcome });
      });
    }
    return results;
  }

  async #applyTable(
    routeTableId: string,
    tableCreates: CreateAction[],
    tableDeletes: DeleteAction[],
    options: { signal?: AbortSignal | undefined; onProgress?: ((done: number, total: number) => void) | undefined },
  ): Promise<{ creates: ActionResult<CreateAction>[]; deletes: ActionResult<DeleteAction>[] }> {
    const { routeTable, logger } = this.#deps;
    let result: BatchResult;
    try {
      result = await routeTable.apply(routeTableId, { creates: tableCreates, deletes: tableDeletes }, options);
    } catch (error) {
      // The whole call failed before any outcome was known: every action failed with that error.
      const cloudError = asCloudError(error);
      logger.error({ routeTableId, code: cloudError.code, err: cloudError }, "route table write failed");
      const outcome: EntryOutcome = { ok: false, error: cloudError };
      return {
        creates: tableCreates.map((action) => ({ action, outcome })),
        deletes: tableDeletes.map((action) => ({ action, outcome })),
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
      if (outcome.ok) logger.info(fields, "route created");
      else if (outcome.unknown === true) logger.warn({ ...fields, code: outcome.error.code }, "route create unconfirmed");
      else logger.warn({ ...fields, code: outcome.error.code, requestId: outcome.error.requestId, error: outcome.error.message }, "route create failed");
    }
    return { creates, deletes };
  }
}

function mergeNetworks(networks: readonly VpcNetwork[]): { vpcCidrs: string[]; vSwitchCidrs: string[] } {
  return { vpcCidrs: networks.flatMap((n) => n.vpcCidrs), vSwitchCidrs: networks.flatMap((n) => n.vSwitchCidrs) };
}

function outcomeAt(list: BatchResult["creates"] | BatchResult["deletes"], i: number): EntryOutcome {
  return (
    list[i]?.outcome ?? {
      ok: false,
      error: { code: "Internal.MissingOutcome", message: "the cloud adapter reported no outcome for this entry", retryable: true },
    }
  );
}

/**
 * The plan of one pass under these settings: the one mapping from settings to plan options, used by
 * every pass and by `doctor` (what a reconcile would do now). `network`: the VPC's network as read
 * this pass, "unreadable" when the read failed (no create is planned), undefined without a source. Pure.
 */
export function planFor(
  settings: Pick<PassSettings, "regionId" | "clusterName" | "clusterUid" | "approveDeletions" | "clusterCidrs" | "adoptUnmarked" | "maxDeletions">,
  nodes: readonly NodeFacts[],
  routeTableIds: readonly string[],
  actual: ReadonlyMap<string, readonly RouteEntry[]>,
  allowDeletes: boolean,
  network: readonly VpcNetwork[] | "unreadable" | undefined,
): BuildPlanResult {
  return buildPlan({
    nodes,
    routeTableIds,
    actual,
    options: {
      regionId: settings.regionId,
      clusterName: settings.clusterName,
      clusterUid: settings.clusterUid,
      approveDeletions: settings.approveDeletions,
      clusterCidrs: [...settings.clusterCidrs],
      adoptUnmarked: settings.adoptUnmarked,
      maxDeletions: settings.maxDeletions,
      allowDeletes,
      vpcNetwork: network === "unreadable" ? "unreadable" : network && mergeNetworks(network),
    },
  });
}

/** Where each eligible Node's routes stand after a pass (also what `doctor` compares NetworkUnavailable with). */
export function nodeRouteStates(
  eligible: readonly EligibleNode[],
  routeTableIds: readonly string[],
  actual: ReadonlyMap<string, readonly RouteEntry[]>,
  plan: Plan,
  creates: readonly ActionResult<CreateAction>[],
  tableFailures: readonly TableFailure[],
  dryRun: boolean,
): Map<string, NodeRouteState> {
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
      for (const cidr of node.podCidrs) {
        const k = key(routeTableId, cidr);
        const created = createByKey.get(k);
        if (created) {
          if (!created.outcome.ok) {
            state = { state: "failed", message: `${cidr} in ${routeTableId}: ${created.outcome.error.message}`, code: created.outcome.error.code };
          }
          continue;
        }
        if (plannedCreate.has(k)) {
          if (state.state === "available" || state.state === "unknown") state = { state: "pending", message: dryRun ? "route not created yet (dry run)" : "route not created yet" };
          continue;
        }
        const entry = entryByKey.get(k);
        if (!entry) {
          if (state.state === "available" || state.state === "unknown") state = { state: "pending", message: `route ${cidr} in ${routeTableId} is held back this pass` };
        } else if (!routesTo(entry, node.instanceId)) {
          // Our route still points at the Node's previous instance (its re-pointing was held back):
          // the Node's pods are not reachable through it.
          if (state.state === "available" || state.state === "unknown") state = { state: "pending", message: `route ${cidr} in ${routeTableId} does not point at ${node.instanceId} yet` };
        } else if (entry.status !== "Available" && (state.state === "available" || state.state === "unknown")) {
          state = { state: "pending", message: `route ${cidr} in ${routeTableId} is ${entry.status}` };
        }
      }
    }
    states.set(node.nodeName, state);
  }
  return states;
}
