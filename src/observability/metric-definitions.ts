// The operator's own Prometheus metric families, as data: one list that the Metrics class builds
// its collectors from, that docs/metrics.md is checked against, and that the alert rules and the
// Grafana dashboard are validated with. Adding a family here without documenting it fails a test.

import { SKIP_REASONS } from "../domain/types.js";
import { GATE_RULES, type GateRule } from "../domain/write-gate.js";

export type MetricType = "counter" | "gauge" | "histogram";

export interface MetricDefinition {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly labels: readonly string[];
  /** Histogram upper bounds, in the metric's unit. */
  readonly buckets?: readonly number[];
}

/** @internal exported for tests */
export const METRIC_PREFIX = "vpc_route_sync_";

export const RECONCILE_RESULTS = ["success", "error", "refused"] as const;
export type ReconcileMetricResult = (typeof RECONCILE_RESULTS)[number];

export const ROUTE_OPERATIONS = ["create", "delete"] as const;
export type RouteOperation = (typeof ROUTE_OPERATIONS)[number];

export const OPERATION_RESULTS = ["success", "error", "unknown"] as const;
export type OperationResult = (typeof OPERATION_RESULTS)[number];

export const ROUTE_STATES = ["desired", "present", "missing", "stale", "conflict"] as const;
export type RouteState = (typeof ROUTE_STATES)[number];

export const WRITE_KINDS = ["create", "delete", "modify"] as const;
export type WriteKind = (typeof WRITE_KINDS)[number];
/** The `rule` values of vpc_route_sync_writes_refused_total: the write gate's rule ids. */
export const REFUSAL_RULES: readonly GateRule[] = GATE_RULES;

/** The `reason` values of vpc_route_sync_routes_held. */
export const HELD_ROUTE_REASONS = ["deletion-held", "legacy-marker", "outside-cluster-cidr", "excluded-node"] as const;
export type HeldRouteReason = (typeof HELD_ROUTE_REASONS)[number];

/** `eligible` plus every SkipReason: the complete, fixed value set of the `eligibility` label. */
export const NODE_ELIGIBILITY_VALUES: readonly string[] = ["eligible", ...SKIP_REASONS];

/**
 * Every family the operator exports under {@link METRIC_PREFIX}, keyed by a short name the
 * Metrics class uses. The process/runtime group from prom-client is listed separately in
 * {@link DEFAULT_METRIC_GROUPS}.
 */
export const METRICS = {
  reconcileTotal: {
    name: "vpc_route_sync_reconcile_total",
    type: "counter",
    help: "Reconcile passes by outcome: success, error (a pass failed and will be retried), refused (a safety rail such as --max-deletions refused the deletes).",
    labels: ["result"],
  },
  reconcileDuration: {
    name: "vpc_route_sync_reconcile_duration_seconds",
    type: "histogram",
    help: "Wall-clock duration of one reconcile pass, from reading Nodes and routes to the last route becoming Available.",
    labels: [],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600],
  },
  lastSuccessfulReconcile: {
    name: "vpc_route_sync_last_successful_reconcile_timestamp_seconds",
    type: "gauge",
    help: "Unix time of the end of the last reconcile pass that succeeded; 0 until one has.",
    labels: [],
  },
  routeOperations: {
    name: "vpc_route_sync_route_operations_total",
    type: "counter",
    help: "Route entries created or deleted in the VPC, per entry, by outcome: success, error, unknown (sent but not confirmed before an abort; re-read on the next pass).",
    labels: ["operation", "result"],
  },
  writesRefused: {
    name: "vpc_route_sync_writes_refused_total",
    type: "counter",
    help: "Writes the write gate refused (never sent), by kind (create, delete, modify) and rule (the gate's rule id). Normally 0: a refusal means the tables changed under a pass or a planning defect.",
    labels: ["kind", "rule"],
  },
  routes: {
    name: "vpc_route_sync_routes",
    type: "gauge",
    help: "Routes per route table after the last pass: desired (eligible Node pod CIDRs), present (desired and found), missing (desired, not found), stale (owned, not desired), conflict (desired destination held by a route we do not own).",
    labels: ["route_table_id", "state"],
  },
  routesHeld: {
    name: "vpc_route_sync_routes_held",
    type: "gauge",
    help: "Owned routes the last pass would not delete, by reason: deletion-held (refused by --max-deletions, marked hold=deletion in the VPC; stays until the Nodes return or reconcile --approve-deletions), legacy-marker (no cluster uid: not provably ours), outside-cluster-cidr (outside --cluster-cidr). Alert on deletion-held > 0.",
    labels: ["reason"],
  },
  nodes: {
    name: "vpc_route_sync_nodes",
    type: "gauge",
    help: "Nodes seen in the last pass by eligibility: eligible, or the reason the Node gets no route. The sum over all values is the Node count.",
    labels: ["eligibility"],
  },
  cloudApiCalls: {
    name: "vpc_route_sync_cloud_api_calls_total",
    type: "counter",
    help: "HTTP calls to the Alibaba Cloud API by action and result code (the Alibaba error code, OK on success, other beyond the distinct-code cap).",
    labels: ["action", "code"],
  },
  cloudApiCallDuration: {
    name: "vpc_route_sync_cloud_api_call_duration_seconds",
    type: "histogram",
    help: "Duration of one HTTP call to the Alibaba Cloud API, retries counted separately.",
    labels: ["action"],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  },
  cloudApiRetries: {
    name: "vpc_route_sync_cloud_api_retries_total",
    type: "counter",
    help: "Cloud API calls retried after a transient error (throttling, conflict with an in-flight change, 5xx, timeout).",
    labels: ["action"],
  },
  cloudApiThrottles: {
    name: "vpc_route_sync_cloud_api_throttles_total",
    type: "counter",
    help: "Cloud API calls answered with a throttling error.",
    labels: ["action"],
  },
  routeTableEntries: {
    name: "vpc_route_sync_route_table_entries",
    type: "gauge",
    help: "Custom route entries in the route table (all owners), counted against the table's quota.",
    labels: ["route_table_id"],
  },
  routeTableReadable: {
    name: "vpc_route_sync_route_table_readable",
    type: "gauge",
    help: "1 when the last pass could read the route table, 0 when it could not (nothing was planned for it: its other per-table series are from the last pass that read it).",
    labels: ["route_table_id"],
  },
  routeTableEntriesLimit: {
    name: "vpc_route_sync_route_table_entries_limit",
    type: "gauge",
    help: "Quota of custom route entries for the route table.",
    labels: ["route_table_id"],
  },
  nodeRouteLatency: {
    name: "vpc_route_sync_node_route_latency_seconds",
    type: "histogram",
    help: "Time from a Node change being seen to its route being Available in the VPC.",
    labels: [],
    buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 900],
  },
  leader: {
    name: "vpc_route_sync_leader",
    type: "gauge",
    help: "1 while this replica holds the leader Lease and runs the reconcile loop, else 0.",
    labels: [],
  },
  informerSynced: {
    name: "vpc_route_sync_informer_synced",
    type: "gauge",
    help: "1 once the Node informer has listed all Nodes and is watching, else 0. Nothing is deleted before it is 1.",
    labels: [],
  },
  eventsDropped: {
    name: "vpc_route_sync_events_dropped_total",
    type: "counter",
    help: "Kubernetes Events not sent because too many were already waiting (API server slow or answering 429).",
    labels: [],
  },
  informerRestarts: {
    name: "vpc_route_sync_informer_restarts_total",
    type: "counter",
    help: "Times the Node informer had to re-list (watch error, 410 Gone, connection lost).",
    labels: [],
  },
  informerRelistCorrections: {
    name: "vpc_route_sync_informer_relist_corrections_total",
    type: "counter",
    help: "Node changes a periodic full re-list found that the watch had not delivered, by kind (add, update, delete).",
    labels: ["kind"],
  },
  informerResourceVersionRewinds: {
    name: "vpc_route_sync_informer_resource_version_rewinds_total",
    type: "counter",
    help: "Node lists whose resourceVersion was lower than one already seen (etcd restored from a backup); the cache was rebuilt from the list.",
    labels: [],
  },
  buildInfo: {
    name: "vpc_route_sync_build_info",
    type: "gauge",
    help: "Always 1; the labels carry the operator version and the Node.js version.",
    labels: ["version", "runtime_version"],
  },
} as const satisfies Record<string, MetricDefinition>;

/**
 * The operator's own families, in documentation order.
 * @internal exported for tests
 */
export const METRIC_DEFINITIONS: readonly MetricDefinition[] = Object.values(METRICS);

/**
 * The prom-client default collectors, kept under their standard names so that stock Node.js
 * dashboards work. Documented as groups; the exact list depends on the Node.js version.
 * @internal exported for tests
 */
export const DEFAULT_METRIC_GROUPS: readonly { readonly prefix: string; readonly help: string }[] = [
  { prefix: "process_", help: "CPU seconds, resident/virtual memory, heap, open and max file descriptors, start time." },
  { prefix: "nodejs_", help: "Event loop lag, active handles/requests/resources, V8 heap spaces, GC durations, version." },
];
