// What a finished pass means for metrics, Node conditions and Events, computed from a PassResult
// by pure functions so the controller only forwards the results.
import type { EventReason } from "../kube/event-recorder.js";
import type { NodeEligibilityCounts, RouteCounts } from "../observability/metrics.js";
import { HELD_ROUTE_REASONS, type HeldRouteReason } from "../observability/metric-definitions.js";
import type { SkipReason } from "../domain/types.js";
import type { PassResult } from "../reconcile/pass-runner.js";

/** Owned routes held back from deletion, by the reasons vpc_route_sync_routes_held exports. */
export function heldRouteCounts(result: PassResult): Partial<Record<HeldRouteReason, number>> {
  const counts: Partial<Record<HeldRouteReason, number>> = {};
  for (const h of result.plan.held.deletes) {
    // Refused this pass = marked held in the VPC now (or, if the mark failed, refused again next pass).
    const reason = h.reason === "max-deletions-exceeded" ? "deletion-held" : h.reason;
    if ((HELD_ROUTE_REASONS as readonly string[]).includes(reason)) counts[reason as HeldRouteReason] = (counts[reason as HeldRouteReason] ?? 0) + 1;
  }
  return counts;
}

export function eligibilityCounts(result: PassResult): NodeEligibilityCounts {
  const counts: Partial<Record<"eligible" | SkipReason, number>> = { eligible: result.eligible.length };
  for (const s of result.plan.skipped) counts[s.reason] = (counts[s.reason] ?? 0) + 1;
  return counts;
}

/** Per-table route counts after the pass (what /metrics shows as vpc_route_sync_routes). */
export function routeCounts(result: PassResult): Map<string, Required<RouteCounts>> {
  const counts = new Map<string, Required<RouteCounts>>();
  const get = (id: string): Required<RouteCounts> => {
    let c = counts.get(id);
    if (!c) {
      c = { desired: 0, present: 0, missing: 0, stale: 0, conflict: 0 };
      counts.set(id, c);
    }
    return c;
  };
  for (const id of result.actual.keys()) get(id);
  for (const s of result.plan.satisfied) {
    const c = get(s.routeTableId);
    c.desired += 1;
    c.present += 1;
  }
  for (const r of result.creates) {
    const c = get(r.action.routeTableId);
    if (r.outcome.ok) c.present += 1;
  }
  const desiredCreates = [...result.plan.creates, ...result.plan.held.creates.map((h) => h.action)];
  for (const a of desiredCreates) get(a.routeTableId).desired += 1;
  for (const conflict of result.plan.conflicts) {
    if (!conflict.routeTableId) continue;
    const c = get(conflict.routeTableId);
    c.desired += 1;
    c.conflict += 1;
  }
  const deleted = new Set(result.deletes.filter((d) => d.outcome.ok).map((d) => d.action));
  for (const d of [...result.plan.deletes, ...result.plan.held.deletes.map((h) => h.action)]) {
    if (!deleted.has(d)) get(d.routeTableId).stale += 1;
  }
  for (const c of counts.values()) c.missing = Math.max(0, c.desired - c.present - c.conflict);
  return counts;
}

/** Custom entries in each table after the pass (for the quota gauge). */
export function customEntryCounts(result: PassResult): Map<string, number> {
  const used = new Map<string, number>();
  for (const [id, entries] of result.actual) used.set(id, entries.filter((e) => e.type === "Custom").length);
  for (const r of result.creates) if (r.outcome.ok) used.set(r.action.routeTableId, (used.get(r.action.routeTableId) ?? 0) + 1);
  for (const r of result.deletes) if (r.outcome.ok) used.set(r.action.routeTableId, (used.get(r.action.routeTableId) ?? 1) - 1);
  return used;
}

export interface PlannedEvent {
  /** A Node name, or undefined for a cluster-wide event (recorded on the operator's own object). */
  readonly nodeName?: string | undefined;
  readonly reason: EventReason;
  readonly message: string;
}

/** The Event for each skip reason: Warnings for bad input, NodeSkipped (Normal) for skips by design. */
const SKIP_EVENT: Record<SkipReason, EventReason | undefined> = {
  "invalid-provider-id": "InvalidProviderID",
  // One instance per region is the documented setup: another region's Nodes are skipped by design,
  // not bad input (issue 17), so no Warning for each of them.
  "other-region": "NodeSkipped",
  "invalid-pod-cidr": "InvalidPodCIDR",
  "outside-cluster-cidr": "InvalidPodCIDR",
  "virtual-kubelet": "NodeSkipped",
  excluded: "NodeSkipped",
  hybrid: "NodeSkipped",
  deleting: "NodeSkipped",
  "no-provider-id": "NodeSkipped",
  "no-pod-cidr": "NodeSkipped",
  "unsafe-pod-cidr": "InvalidPodCIDR",
  "duplicate-node-name": "InvalidProviderID",
  "shared-instance": "InvalidProviderID",
  // Reported through the OverlappingPodCIDR conflict of each Node involved.
  "overlapping-cidr": undefined,
};

/** The Events a pass produces; the recorder deduplicates repeats across passes. */
export function passEvents(result: PassResult): PlannedEvent[] {
  const events: PlannedEvent[] = [];
  for (const s of result.plan.skipped) {
    const reason = SKIP_EVENT[s.reason];
    if (reason) events.push({ nodeName: s.nodeName, reason, message: s.message });
  }
  for (const c of result.plan.conflicts) {
    events.push({
      nodeName: c.nodeName,
      reason: c.reason === "overlapping-pod-cidr" ? "OverlappingPodCIDR" : "RouteConflict",
      message: c.message,
    });
  }
  for (const { action, outcome } of result.creates) {
    const where = `${action.destinationCidr} -> ${action.instanceId} in ${action.routeTableId}`;
    if (outcome.ok && outcome.note === "already-present") {
      // Both controllers ran for a moment (docs/migrate-from-ccm.md): the create met the other's route.
      const message = `route ${where} was already there, made by another controller (e.g. the cloud-controller-manager) after this pass read the table; nothing was created, and the route is claimed on a later pass`;
      events.push({ nodeName: action.nodeName, reason: "RouteAlreadyPresent", message });
    } else if (outcome.ok) {
      events.push({ nodeName: action.nodeName, reason: "RouteCreated", message: `created route ${where}` });
    } else if (outcome.error.code === "QuotaExceeded") {
      const message = `route table ${action.routeTableId} is full (QuotaExceeded): cannot create ${where}`;
      events.push({ nodeName: action.nodeName, reason: "QuotaExceeded", message });
      events.push({ reason: "QuotaExceeded", message: `route table ${action.routeTableId} is full (QuotaExceeded)` });
    } else {
      events.push({ nodeName: action.nodeName, reason: "CreateRouteFailed", message: `cannot create ${where}: ${outcome.error.code}: ${outcome.error.message}` });
    }
  }
  for (const { action, outcome } of result.marks) {
    if (action.reason !== "claim" || !outcome.ok) continue;
    const message = `claimed route ${action.routeEntryId} (${action.destinationCidr} in ${action.routeTableId}, made before vpc-route-sync managed it): marker written, next hop unchanged`;
    events.push({ nodeName: action.nodeName, reason: "RouteClaimed", message });
  }
  for (const { action, outcome } of result.deletes) {
    const where = `${action.destinationCidr} -> ${action.instanceId} in ${action.routeTableId} (${action.reason})`;
    if (outcome.ok) events.push({ nodeName: action.nodeName, reason: "RouteDeleted", message: `deleted route ${where}` });
    else events.push({ reason: "DeleteRouteFailed", message: `cannot delete ${where}: ${outcome.error.code}: ${outcome.error.message}` });
  }
  if (result.plan.refusal) events.push({ reason: "DeletionsRefused", message: result.plan.refusal.message });
  for (const f of result.tableFailures) {
    events.push({ reason: "SyncRouteFailed", message: `cannot read route table ${f.routeTableId}: ${f.error.code}: ${f.error.message}` });
  }
  if (result.networkFailure) {
    const f = result.networkFailure;
    events.push({ reason: "SyncRouteFailed", message: `cannot read the VPC's network (VPC and vSwitch CIDR blocks), so no route is created: ${f.code}: ${f.message}` });
  }
  return events;
}
