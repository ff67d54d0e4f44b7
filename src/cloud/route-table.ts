// The cloud seam: the only thing the reconciler knows about a VPC. Two implementations keep each
// other honest through one contract suite (test/contract/route-table-contract.ts): the in-memory
// table (test/contract/memory-route-table.ts, test code) and the Alibaba adapter (src/cloud/alibaba/).
import type { RouteCreate, RouteDelete, RouteEntry, RouteRelabel } from "../domain/types.js";
import type { GatedCreate, GatedDelete, GatedModify } from "../domain/write-gate.js";

export interface RouteTableInfo {
  readonly routeTableId: string;
  readonly vpcId: string;
  /** "System" or "Custom". */
  readonly routeTableType: string;
  readonly routeTableName?: string | undefined;
}

/** Outcome of one create or delete inside a batch. */
export type EntryOutcome =
  /** Done: created (or found already present with the same next hop), or deleted (or found already gone). */
  | { readonly ok: true; readonly routeEntryId?: string | undefined; readonly note?: "already-present" | "already-absent" }
  /** Not done. `error` is classified (see CloudError). */
  | { readonly ok: false; readonly error: CloudErrorLike; readonly unknown?: undefined }
  /**
   * Not known: the write was sent (or accepted) but an abort (SIGTERM, lost leadership) came before
   * it was confirmed. The server may well have applied it; the next pass re-reads the table and
   * decides. Never to be reported as "failed, not applied". `error` says why it is unconfirmed.
   */
  | { readonly ok: false; readonly unknown: true; readonly error: CloudErrorLike };

export interface CloudErrorLike {
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
  readonly requestId?: string | undefined;
}

/** Outcome of each relabel, in the order of the request. */
export type RelabelResult = ReadonlyArray<{ readonly action: RouteRelabel; readonly outcome: EntryOutcome }>;

/** The writes of one table, each admitted by the write gate. */
export interface GatedBatch {
  readonly creates: readonly GatedCreate[];
  readonly deletes: readonly GatedDelete[];
}

export interface BatchResult {
  readonly creates: ReadonlyArray<{ readonly action: RouteCreate; readonly outcome: EntryOutcome }>;
  readonly deletes: ReadonlyArray<{ readonly action: RouteDelete; readonly outcome: EntryOutcome }>;
}

export interface ApplyOptions {
  /**
   * Aborts waiting and further API calls; no call is sent after it fired. Entries not yet sent are
   * reported as failed with code "Aborted"; entries already sent but not confirmed as `unknown`.
   */
  readonly signal?: AbortSignal | undefined;
  /** Called after each API write call completes, for progress display. */
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

/**
 * Reads and writes the custom route entries of the route tables of one VPC.
 *
 * Contract (both implementations, checked by the contract suite):
 * - `listRouteTables(vpcId)` returns every route table of the VPC (all pages).
 * - `listRoutes(routeTableId)` returns every route entry of the table that a route controller
 *   could care about (custom entries of all next-hop types, with their status), across all pages.
 *   System entries may be included; callers must not assume they are absent.
 * - `apply(routeTableId, batch)` performs deletes first, then creates, in calls of at most
 *   50 entries, one write at a time per VPC, waiting after each write until the touched entries
 *   are `Available` (creates) or gone (deletes) before the next write.
 *   It is idempotent by promise: creating an entry whose destination already routes to the same
 *   instance, or deleting an entry that is already gone, is reported `ok`. Creating a destination
 *   that is held by a different next hop is reported as a failure with code
 *   `RouteEntry.DestinationHeld`, never as success.
 *   Transient errors (throttling, conflicts with in-flight changes, 5xx, timeouts) are retried
 *   inside `apply`; what is returned as failed is final for this pass. It never throws for a
 *   per-entry failure; it throws a `CloudError` only when the whole call cannot proceed and no
 *   outcome is known (e.g. credentials rejected before anything was written).
 * - `relabel(routeTableId, items)` rewrites the name and description of existing custom entries
 *   (ModifyRouteEntry, one call per entry; destination and next hop never change), one write at a
 *   time per VPC like `apply`. It is idempotent: writing the text an entry already has is `ok`.
 *   An entry that is gone fails with code `InvalidRouteEntry.NotFound` (not retryable); a
 *   non-Custom entry with `OperationDenied`. Used by the deletion guard (hold marks) and the
 *   marker migration; never throws for a per-entry failure.
 */
export interface RouteTable {
  listRouteTables(vpcId: string): Promise<RouteTableInfo[]>;
  listRoutes(routeTableId: string): Promise<RouteEntry[]>;
  /** Writes only what the write gate admitted (domain/write-gate.ts): a plain action does not compile. */
  apply(routeTableId: string, batch: GatedBatch, options?: ApplyOptions): Promise<BatchResult>;
  relabel(routeTableId: string, items: readonly GatedModify[], options?: ApplyOptions): Promise<RelabelResult>;
  /**
   * Optional: the entries at `destinations` (about to be created) that `listRoutes` may have left
   * out, whatever their type or next hop (an API that reads an omitted filter as Custom or
   * Instance only). [] when the listing is known to show every type. The pass adds them to the
   * table as read before it decides, so a create is never aimed at them (issue 16, defect 5).
   */
  hiddenHolders?(routeTableId: string, destinations: readonly string[], signal?: AbortSignal): Promise<RouteEntry[]>;
}

/**
 * Per-entry failure code of a relabel whose entry no longer exists.
 * @internal exported for tests
 */
export const ENTRY_NOT_FOUND = "InvalidRouteEntry.NotFound";

/** Maximum entries per CreateRouteEntries / DeleteRouteEntries call (API limit). */
export const MAX_BATCH_ENTRIES = 50;

/** Per-entry failure code of a create whose destination routes elsewhere (never reported as success). */
export const DESTINATION_HELD = "RouteEntry.DestinationHeld";

/** The message of a DESTINATION_HELD failure, naming the route that holds the destination. */
export function destinationHeldMessage(action: RouteCreate, holder: RouteEntry | undefined): string {
  if (holder === undefined) {
    return `destination ${action.destinationCidr} in route table ${action.routeTableId} is held by another route (not visible to DescribeRouteEntryList); not routed to ${action.instanceId}`;
  }
  const hops = holder.nextHops.map((h) => `${h.nextHopType}:${h.nextHopId}`).join(",") || "none";
  return `destination ${action.destinationCidr} in route table ${action.routeTableId} is held by ${holder.type} route ${holder.routeEntryId} (next hop ${hops}); not routed to ${action.instanceId}`;
}
