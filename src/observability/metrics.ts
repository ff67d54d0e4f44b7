// The operator's Prometheus metrics: one prom-client Registry per Metrics instance (never the
// global default registry), built from METRICS in metric-definitions.ts, with typed methods for
// the controller and a CloudCallObserver for the cloud adapter. Label values are bounded: no
// nodeName or CIDR is ever a label, and free-form cloud error codes are capped.

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { EVENT_LOOP_LAG_NAMES, registerEventLoopLag } from "./event-loop-lag.js";
import type { CloudCallObserver } from "../cloud/observer.js";
import type { SkipReason } from "../domain/types.js";
import {
  HELD_ROUTE_REASONS,
  METRICS,
  NODE_ELIGIBILITY_VALUES,
  OPERATION_RESULTS,
  RECONCILE_RESULTS,
  REFUSAL_RULES,
  ROUTE_OPERATIONS,
  ROUTE_STATES,
  WRITE_KINDS,
  type HeldRouteReason,
  type OperationResult,
  type ReconcileMetricResult,
  type RouteOperation,
  type RouteState,
  type WriteKind,
} from "./metric-definitions.js";
import type { GateRule } from "../domain/write-gate.js";

export interface MetricsOptions {
  /**
   * Register prom-client's process_* and nodejs_* collectors on this registry.
   * @default true
   */
  readonly defaultMetrics?: boolean;
  /**
   * How many distinct cloud error codes (besides "OK") get their own `code` label value; any
   * further code is counted as "other". Alibaba codes are a fixed vocabulary, but an adapter bug
   * or a gateway echoing arbitrary text must not grow the series set without bound.
   * @default 40
   */
  readonly maxErrorCodes?: number;
  /**
   * How many distinct `action` label values are accepted; further ones become "other".
   * @default 40
   */
  readonly maxActions?: number;
  /** Current time in milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
  /** Operator version for vpc_route_sync_build_info. @default "unknown" */
  readonly version?: string;
}

/** Route counts of one table after a pass; a missing field counts as 0. */
export type RouteCounts = Partial<Record<RouteState, number>>;

/** Node counts by eligibility: `eligible` plus any SkipReason; a missing field counts as 0. */
export type NodeEligibilityCounts = Partial<Record<"eligible" | SkipReason, number>>;

/**
 * The label value used for codes and actions beyond the caps.
 * @internal exported for tests
 */
export const OVERFLOW_LABEL = "other";

// Alibaba codes look like "Throttling.User" or "InvalidRouteTableId.NotFound". Anything else
// (spaces, very long strings) is not a code but a message in the wrong place.
const LABEL_TOKEN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,79}$/;

/** A bounded set of label values: the first `max` distinct tokens are kept, the rest map to "other". */
class BoundedLabel {
  readonly #seen = new Set<string>();
  readonly #max: number;
  readonly #always: ReadonlySet<string>;

  constructor(max: number, always: readonly string[] = []) {
    this.#max = max;
    this.#always = new Set(always);
  }

  map(value: string): string {
    if (this.#always.has(value)) return value;
    if (!LABEL_TOKEN.test(value)) return value === "" ? "unknown" : OVERFLOW_LABEL;
    if (this.#seen.has(value)) return value;
    if (this.#seen.size >= this.#max) return OVERFLOW_LABEL;
    this.#seen.add(value);
    return value;
  }
}

function checkCount(what: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${what} must be a finite number >= 0, got ${String(value)}`);
  }
  return value;
}

function positiveInteger(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`MetricsOptions.${option} must be an integer >= 1, got ${String(value)}`);
  }
  return value;
}

/** What the Node informer reports after a complete list (kube/node-relist.ts' ListReport has this shape). */
export interface NodeListCounts {
  readonly reason: "start" | "expired" | "periodic";
  readonly added: number;
  readonly updated: number;
  readonly deleted: number;
  /** Set when the list's resourceVersion is lower than one seen before (etcd restored). */
  readonly rewoundFrom: string | undefined;
}

export class Metrics {
  /** The registry holding every family of this instance; serve it, or merge it into another. */
  readonly registry: Registry;

  readonly #now: () => number;
  readonly #codes: BoundedLabel;
  readonly #actions: BoundedLabel;
  readonly #routeTables = new Set<string>();

  readonly #reconcileTotal: Counter<"result">;
  readonly #reconcileDuration: Histogram;
  readonly #lastSuccessfulReconcile: Gauge;
  readonly #routeOperations: Counter<"operation" | "result">;
  readonly #writesRefused: Counter<"kind" | "rule">;
  readonly #routes: Gauge<"route_table_id" | "state">;
  readonly #nodes: Gauge<"eligibility">;
  readonly #cloudApiCalls: Counter<"action" | "code">;
  readonly #cloudApiCallDuration: Histogram<"action">;
  readonly #cloudApiRetries: Counter<"action">;
  readonly #cloudApiThrottles: Counter<"action">;
  readonly #routeTableEntries: Gauge<"route_table_id">;
  readonly #routeTableEntriesLimit: Gauge<"route_table_id">;
  readonly #nodeRouteLatency: Histogram;
  readonly #leader: Gauge;
  readonly #informerSynced: Gauge;
  readonly #routesHeld: Gauge<"reason">;
  readonly #informerRestarts: Counter;
  readonly #informerRelistCorrections: Counter<"kind">;
  readonly #informerRewinds: Counter;
  readonly #eventsDropped: Counter;
  readonly #routeTableReadable: Gauge<"route_table_id">;

  constructor(options: MetricsOptions = {}) {
    this.registry = new Registry();
    this.#now = options.now ?? Date.now;
    this.#codes = new BoundedLabel(positiveInteger("maxErrorCodes", options.maxErrorCodes ?? 40), ["OK"]);
    this.#actions = new BoundedLabel(positiveInteger("maxActions", options.maxActions ?? 40));
    const registers = [this.registry];

    const counter = <L extends string>(d: { name: string; help: string; labels: readonly L[] }): Counter<L> =>
      new Counter<L>({ name: d.name, help: d.help, labelNames: d.labels, registers });
    const gauge = <L extends string>(d: { name: string; help: string; labels: readonly L[] }): Gauge<L> =>
      new Gauge<L>({ name: d.name, help: d.help, labelNames: d.labels, registers });
    const histogram = <L extends string>(d: {
      name: string;
      help: string;
      labels: readonly L[];
      buckets: readonly number[];
    }): Histogram<L> =>
      new Histogram<L>({ name: d.name, help: d.help, labelNames: d.labels, buckets: [...d.buckets], registers });

    this.#reconcileTotal = counter(METRICS.reconcileTotal);
    this.#reconcileDuration = histogram(METRICS.reconcileDuration);
    this.#lastSuccessfulReconcile = gauge(METRICS.lastSuccessfulReconcile);
    this.#routeOperations = counter(METRICS.routeOperations);
    this.#writesRefused = counter(METRICS.writesRefused);
    this.#routes = gauge(METRICS.routes);
    this.#nodes = gauge(METRICS.nodes);
    this.#cloudApiCalls = counter(METRICS.cloudApiCalls);
    this.#cloudApiCallDuration = histogram(METRICS.cloudApiCallDuration);
    this.#cloudApiRetries = counter(METRICS.cloudApiRetries);
    this.#cloudApiThrottles = counter(METRICS.cloudApiThrottles);
    this.#routeTableEntries = gauge(METRICS.routeTableEntries);
    this.#routeTableEntriesLimit = gauge(METRICS.routeTableEntriesLimit);
    this.#nodeRouteLatency = histogram(METRICS.nodeRouteLatency);
    this.#leader = gauge(METRICS.leader);
    this.#informerSynced = gauge(METRICS.informerSynced);
    this.#routesHeld = gauge(METRICS.routesHeld);
    this.#informerRestarts = counter(METRICS.informerRestarts);
    this.#informerRelistCorrections = counter(METRICS.informerRelistCorrections);
    this.#informerRewinds = counter(METRICS.informerResourceVersionRewinds);
    this.#eventsDropped = counter(METRICS.eventsDropped);
    this.#routeTableReadable = gauge(METRICS.routeTableReadable);
    gauge(METRICS.buildInfo).set({ version: options.version ?? "unknown", runtime_version: process.version }, 1);

    // Pre-initialise the fixed label sets so that rate() and absent-series alerts see zeros
    // from the first scrape instead of series that appear on the first event.
    for (const result of RECONCILE_RESULTS) this.#reconcileTotal.inc({ result }, 0);
    for (const operation of ROUTE_OPERATIONS) {
      for (const result of OPERATION_RESULTS) this.#routeOperations.inc({ operation, result }, 0);
    }
    for (const eligibility of NODE_ELIGIBILITY_VALUES) this.#nodes.set({ eligibility }, 0);
    this.#lastSuccessfulReconcile.set(0);
    this.#leader.set(0);
    this.#informerSynced.set(0);
    for (const reason of HELD_ROUTE_REASONS) this.#routesHeld.set({ reason }, 0);
    this.#informerRestarts.inc(0);
    for (const kind of ["add", "update", "delete"]) this.#informerRelistCorrections.inc({ kind }, 0);
    this.#informerRewinds.inc(0);
    this.#eventsDropped.inc(0);

    if (options.defaultMetrics ?? true) {
      // prom-client's own event-loop lag gauges sample every 10 ms (~8 ms of CPU per second idle):
      // replaced by the same gauges sampled every 100 ms (event-loop-lag.ts).
      collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 1_000 });
      for (const name of EVENT_LOOP_LAG_NAMES) this.registry.removeSingleMetric(name);
      registerEventLoopLag(this.registry);
    }
  }

  /** The Content-Type of {@link render}'s output. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition of every family in this registry. */
  async render(): Promise<string> {
    return this.registry.metrics();
  }

  /** One reconcile pass ended. A success also moves the last-success timestamp to now. */
  observeReconcile(result: ReconcileMetricResult, seconds: number): void {
    if (!RECONCILE_RESULTS.includes(result)) throw new RangeError(`unknown reconcile result "${String(result)}"`);
    this.#reconcileTotal.inc({ result });
    this.#reconcileDuration.observe(checkCount("reconcile duration", seconds));
    if (result === "success") this.#lastSuccessfulReconcile.set(this.#now() / 1000);
  }

  /** `count` route entries were created or deleted (a batch reports its per-entry outcomes). */
  routeOperation(operation: RouteOperation, result: OperationResult, count = 1): void {
    if (!ROUTE_OPERATIONS.includes(operation)) throw new RangeError(`unknown route operation "${String(operation)}"`);
    if (!OPERATION_RESULTS.includes(result)) throw new RangeError(`unknown operation result "${String(result)}"`);
    this.#routeOperations.inc({ operation, result }, checkCount("route operation count", count));
  }

  /** The write gate refused a write (never sent). */
  writeRefused(kind: WriteKind, rule: GateRule): void {
    if (!WRITE_KINDS.includes(kind)) throw new RangeError(`unknown write kind "${String(kind)}"`);
    if (!REFUSAL_RULES.includes(rule)) throw new RangeError(`unknown gate rule "${String(rule)}"`);
    this.#writesRefused.inc({ kind, rule });
  }

  /** Route counts of one table after a pass; every state is set (absent ones to 0). */
  setRoutes(routeTableId: string, counts: RouteCounts): void {
    const route_table_id = checkRouteTableId(routeTableId);
    for (const state of ROUTE_STATES) {
      this.#routes.set({ route_table_id, state }, checkCount(`routes ${state}`, counts[state] ?? 0));
    }
    this.#routeTables.add(route_table_id);
  }

  /** Custom entries used in a table and the table's quota. */
  setQuota(routeTableId: string, used: number, limit: number): void {
    const route_table_id = checkRouteTableId(routeTableId);
    this.#routeTableEntries.set({ route_table_id }, checkCount("route table entries", used));
    this.#routeTableEntriesLimit.set({ route_table_id }, checkCount("route table entries limit", limit));
    this.#routeTables.add(route_table_id);
  }

  /** Whether the last pass could read the table (an unreadable table is a failure, never "no changes"). */
  setRouteTableReadable(routeTableId: string, readable: boolean): void {
    const route_table_id = checkRouteTableId(routeTableId);
    this.#routeTableReadable.set({ route_table_id }, readable ? 1 : 0);
    this.#routeTables.add(route_table_id);
  }

  /**
   * Drop the per-table series of every table not in `routeTableIds`, e.g. after the set of managed
   * tables changed, so that alerts do not fire on a table that is no longer managed.
   */
  retainRouteTables(routeTableIds: Iterable<string>): void {
    const keep = new Set(routeTableIds);
    for (const route_table_id of [...this.#routeTables]) {
      if (keep.has(route_table_id)) continue;
      for (const state of ROUTE_STATES) this.#routes.remove({ route_table_id, state });
      this.#routeTableEntries.remove({ route_table_id });
      this.#routeTableEntriesLimit.remove({ route_table_id });
      this.#routeTableReadable.remove({ route_table_id });
      this.#routeTables.delete(route_table_id);
    }
  }

  /** Node counts by eligibility after a pass; every value is set (absent ones to 0). */
  setNodeEligibility(counts: NodeEligibilityCounts): void {
    for (const key of Object.keys(counts)) {
      if (!NODE_ELIGIBILITY_VALUES.includes(key)) throw new RangeError(`unknown node eligibility "${key}"`);
    }
    const byKey = counts as Record<string, number | undefined>;
    for (const eligibility of NODE_ELIGIBILITY_VALUES) {
      this.#nodes.set({ eligibility }, checkCount(`nodes ${eligibility}`, byKey[eligibility] ?? 0));
    }
  }

  /** A Node's route became Available `seconds` after the Node change that asked for it was seen. */
  observeNodeRouteLatency(seconds: number): void {
    this.#nodeRouteLatency.observe(checkCount("node route latency", seconds));
  }

  /** Owned routes held back from deletion after a pass, by reason (absent reasons to 0). */
  setRoutesHeld(counts: Partial<Record<HeldRouteReason, number>>): void {
    for (const reason of HELD_ROUTE_REASONS) this.#routesHeld.set({ reason }, checkCount(`routes held ${reason}`, counts[reason] ?? 0));
  }

  setLeader(isLeader: boolean): void {
    this.#leader.set(isLeader ? 1 : 0);
  }

  setInformerSynced(synced: boolean): void {
    this.#informerSynced.set(synced ? 1 : 0);
  }

  informerRestarted(): void {
    this.#informerRestarts.inc();
  }

  /** After each complete Node list: what a periodic re-list corrected, and a resourceVersion that went back. */
  nodeListed(report: NodeListCounts): void {
    if (report.rewoundFrom !== undefined) this.#informerRewinds.inc();
    if (report.reason !== "periodic") return;
    const corrections = { add: report.added, update: report.updated, delete: report.deleted };
    for (const [kind, count] of Object.entries(corrections)) if (count > 0) this.#informerRelistCorrections.inc({ kind }, count);
  }

  eventDropped(): void {
    this.#eventsDropped.inc();
  }

  /**
   * Forget what the last pass measured (routes, quota, Node counts), e.g. when this replica loses
   * the lease: a follower must not keep exporting the old leader's view of the world.
   */
  clearPassState(): void {
    this.retainRouteTables([]);
    for (const eligibility of NODE_ELIGIBILITY_VALUES) this.#nodes.set({ eligibility }, 0);
    this.setRoutesHeld({});
  }

  /** An observer for the cloud adapter that feeds the vpc_route_sync_cloud_api_* families. */
  cloudObserver(): CloudCallObserver {
    return {
      onApiCall: (action, code, durationMs) => {
        const a = this.#actions.map(action);
        this.#cloudApiCalls.inc({ action: a, code: this.#codes.map(code) });
        if (Number.isFinite(durationMs) && durationMs >= 0) {
          this.#cloudApiCallDuration.observe({ action: a }, durationMs / 1000);
        }
      },
      onRetry: (action) => {
        this.#cloudApiRetries.inc({ action: this.#actions.map(action) });
      },
      onThrottle: (action) => {
        this.#cloudApiThrottles.inc({ action: this.#actions.map(action) });
      },
    };
  }
}

function checkRouteTableId(routeTableId: string): string {
  if (!LABEL_TOKEN.test(routeTableId)) {
    throw new RangeError(`routeTableId must be a route table id such as "vtb-xxxx", got ${JSON.stringify(routeTableId)}`);
  }
  return routeTableId;
}
