// A working in-memory RouteTable: VPCs, route tables and entries held in maps, with the same
// idempotency and failure semantics as the Alibaba adapter (checked by the contract suite).
// Test code only (the product never ships it): used by unit tests of the reconciler and as the
// reference behaviour of the seam, beside the contract suite that checks both implementations.
import type { NextHop, RouteCreate, RouteDelete, RouteEntry, RouteEntryStatus, RouteRelabel } from "../../src/domain/types.js";
import type { ApplyOptions, BatchResult, CloudErrorLike, EntryOutcome, RelabelResult, RouteTable, RouteTableInfo } from "../../src/cloud/route-table.js";
import { DESTINATION_HELD, ENTRY_NOT_FOUND, MAX_BATCH_ENTRIES, destinationHeldMessage } from "../../src/cloud/route-table.js";
import { entryCreatedBy, routesTo } from "../../src/domain/route-entry.js";
import { CloudError } from "../../src/cloud/errors.js";

/** An entry placed in a table from outside the seam (system routes, foreign routes, hand edits). */
export interface MemoryEntrySeed {
  readonly destinationCidr: string;
  /** One next hop, or several for an ECMP route. */
  readonly nextHops: readonly NextHop[];
  /** @default "Custom" */
  readonly type?: string | undefined;
  /** @default "Available" */
  readonly status?: RouteEntryStatus | undefined;
  readonly routeEntryId?: string | undefined;
  readonly routeEntryName?: string | undefined;
  readonly description?: string | undefined;
}

export interface MemoryRouteTableSeed {
  readonly routeTableId: string;
  /** @default "System" for the first table of a VPC, "Custom" otherwise */
  readonly routeTableType?: string | undefined;
  readonly routeTableName?: string | undefined;
  readonly entries?: readonly MemoryEntrySeed[] | undefined;
}

export interface MemoryVpcSeed {
  readonly vpcId: string;
  readonly routeTables: readonly MemoryRouteTableSeed[];
}

export interface MemoryRouteTableOptions {
  readonly vpcs?: readonly MemoryVpcSeed[] | undefined;
  /** Custom entries a table may hold; creates beyond it fail with `QuotaExceeded`. @default 200 */
  readonly quotaPerTable?: number | undefined;
}

/** One simulated write call, for tests that count calls. */
export interface MemoryWriteCall {
  readonly action: "CreateRouteEntries" | "DeleteRouteEntries" | "ModifyRouteEntry";
  readonly routeTableId: string;
  readonly size: number;
}

interface TableState {
  readonly info: RouteTableInfo;
  readonly entries: Map<string, RouteEntry>;
}


export class MemoryRouteTable implements RouteTable {
  readonly #quotaPerTable: number;
  readonly #tables = new Map<string, TableState>();
  readonly #writeCalls: MemoryWriteCall[] = [];
  #nextId = 1;

  constructor(options: MemoryRouteTableOptions = {}) {
    const quota = options.quotaPerTable ?? 200;
    if (!Number.isInteger(quota) || quota < 0) {
      throw new TypeError(`MemoryRouteTable: quotaPerTable must be a non-negative integer, got ${String(quota)}`);
    }
    this.#quotaPerTable = quota;
    for (const vpc of options.vpcs ?? []) {
      vpc.routeTables.forEach((table, index) => {
        this.addRouteTable(vpc.vpcId, table, index === 0 ? "System" : "Custom");
      });
    }
  }

  /** Adds a route table (with its seeded entries) to a VPC. */
  addRouteTable(vpcId: string, seed: MemoryRouteTableSeed, defaultType = "Custom"): void {
    if (this.#tables.has(seed.routeTableId)) {
      throw new Error(`MemoryRouteTable: route table ${seed.routeTableId} already exists`);
    }
    this.#tables.set(seed.routeTableId, {
      info: {
        routeTableId: seed.routeTableId,
        vpcId,
        routeTableType: seed.routeTableType ?? defaultType,
        routeTableName: seed.routeTableName,
      },
      entries: new Map(),
    });
    for (const entry of seed.entries ?? []) this.seedEntry(seed.routeTableId, entry);
  }

  /** Places an entry as if created by someone else (bypasses quota and uniqueness checks on purpose). */
  seedEntry(routeTableId: string, seed: MemoryEntrySeed): RouteEntry {
    const table = this.#table(routeTableId);
    const entry: RouteEntry = {
      routeTableId,
      routeEntryId: seed.routeEntryId ?? this.#newId(),
      destinationCidr: seed.destinationCidr,
      type: seed.type ?? "Custom",
      status: seed.status ?? "Available",
      nextHops: seed.nextHops.map((hop) => ({ nextHopType: hop.nextHopType, nextHopId: hop.nextHopId })),
      routeEntryName: seed.routeEntryName,
      description: seed.description,
    };
    table.entries.set(entry.routeEntryId, entry);
    return entry;
  }

  /** Removes an entry by hand; returns whether it existed. */
  removeEntry(routeTableId: string, routeEntryId: string): boolean {
    return this.#table(routeTableId).entries.delete(routeEntryId);
  }

  /** Changes an entry's status by hand (e.g. to simulate a Pending route). */
  setStatus(routeTableId: string, routeEntryId: string, status: RouteEntryStatus): void {
    const table = this.#table(routeTableId);
    const entry = table.entries.get(routeEntryId);
    if (entry === undefined) throw new Error(`MemoryRouteTable: no entry ${routeEntryId} in ${routeTableId}`);
    table.entries.set(routeEntryId, { ...entry, status });
  }

  /** A copy of every entry of the table (system and custom), in insertion order. */
  entries(routeTableId: string): RouteEntry[] {
    return [...this.#table(routeTableId).entries.values()].map(copyEntry);
  }

  /** The simulated write calls made so far (one per chunk of at most 50 entries). */
  writeCalls(): MemoryWriteCall[] {
    return [...this.#writeCalls];
  }

  listRouteTables(vpcId: string): Promise<RouteTableInfo[]> {
    const tables = [...this.#tables.values()].filter((t) => t.info.vpcId === vpcId).map((t) => ({ ...t.info }));
    return Promise.resolve(tables);
  }

  listRoutes(routeTableId: string): Promise<RouteEntry[]> {
    try {
      return Promise.resolve(this.entries(routeTableId));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  apply(
    routeTableId: string,
    batch: { readonly creates: readonly RouteCreate[]; readonly deletes: readonly RouteDelete[] },
    options: ApplyOptions = {},
  ): Promise<BatchResult> {
    const table = this.#tables.get(routeTableId);
    if (table === undefined) return Promise.reject(notFound(routeTableId));
    const total = batch.creates.length + batch.deletes.length;
    let done = 0;
    const deletes: Array<{ action: RouteDelete; outcome: EntryOutcome }> = [];
    const creates: Array<{ action: RouteCreate; outcome: EntryOutcome }> = [];

    for (const chunk of chunks(batch.deletes)) {
      if (options.signal?.aborted === true) {
        for (const action of chunk) deletes.push({ action, outcome: aborted() });
        continue;
      }
      this.#writeCalls.push({ action: "DeleteRouteEntries", routeTableId, size: chunk.length });
      for (const action of chunk) deletes.push({ action, outcome: this.#delete(table, action) });
      done += chunk.length;
      options.onProgress?.(done, total);
    }
    for (const chunk of chunks(batch.creates)) {
      if (options.signal?.aborted === true) {
        for (const action of chunk) creates.push({ action, outcome: aborted() });
        continue;
      }
      this.#writeCalls.push({ action: "CreateRouteEntries", routeTableId, size: chunk.length });
      for (const action of chunk) creates.push({ action, outcome: this.#create(table, action) });
      done += chunk.length;
      options.onProgress?.(done, total);
    }
    return Promise.resolve({ creates, deletes });
  }

  relabel(routeTableId: string, items: readonly RouteRelabel[], options: ApplyOptions = {}): Promise<RelabelResult> {
    const table = this.#tables.get(routeTableId);
    if (table === undefined) return Promise.reject(notFound(routeTableId));
    const results: Array<{ action: RouteRelabel; outcome: EntryOutcome }> = [];
    for (const action of items) {
      if (options.signal?.aborted === true) {
        results.push({ action, outcome: aborted() });
        continue;
      }
      this.#writeCalls.push({ action: "ModifyRouteEntry", routeTableId, size: 1 });
      const entry = table.entries.get(action.routeEntryId);
      if (entry === undefined) {
        results.push({ action, outcome: failure(ENTRY_NOT_FOUND, `route entry ${action.routeEntryId} does not exist in ${routeTableId}`) });
      } else if (entry.type !== "Custom") {
        results.push({ action, outcome: failure("OperationDenied", `route entry ${entry.routeEntryId} is a ${entry.type} route`) });
      } else {
        table.entries.set(entry.routeEntryId, { ...entry, routeEntryName: action.routeEntryName, description: action.description });
        results.push({ action, outcome: { ok: true, routeEntryId: entry.routeEntryId } });
      }
      options.onProgress?.(results.length, items.length);
    }
    return Promise.resolve(results);
  }

  #delete(table: TableState, action: RouteDelete): EntryOutcome {
    const entry = table.entries.get(action.routeEntryId);
    if (entry === undefined) return { ok: true, routeEntryId: action.routeEntryId, note: "already-absent" };
    if (entry.type !== "Custom") {
      return failure("OperationDenied", `route entry ${entry.routeEntryId} is a ${entry.type} route and cannot be deleted`);
    }
    table.entries.delete(entry.routeEntryId);
    return { ok: true, routeEntryId: entry.routeEntryId };
  }

  #create(table: TableState, action: RouteCreate): EntryOutcome {
    const holder = [...table.entries.values()].find((e) => e.destinationCidr === action.destinationCidr);
    if (holder !== undefined) {
      if (routesTo(holder, action.instanceId)) {
        return { ok: true, routeEntryId: holder.routeEntryId, note: "already-present" };
      }
      return failure(DESTINATION_HELD, destinationHeldMessage(action, holder), false);
    }
    const custom = [...table.entries.values()].filter((e) => e.type === "Custom").length;
    if (custom >= this.#quotaPerTable) {
      return failure("QuotaExceeded", `route table ${table.info.routeTableId} holds its maximum of ${this.#quotaPerTable} custom route entries`);
    }
    const entry = entryCreatedBy({ ...action, routeTableId: table.info.routeTableId }, this.#newId());
    table.entries.set(entry.routeEntryId, entry);
    return { ok: true, routeEntryId: entry.routeEntryId };
  }

  #table(routeTableId: string): TableState {
    const table = this.#tables.get(routeTableId);
    if (table === undefined) throw notFound(routeTableId);
    return table;
  }

  #newId(): string {
    const id = `rte-mem${String(this.#nextId).padStart(6, "0")}`;
    this.#nextId += 1;
    return id;
  }
}

/** True when the entry is a custom, single-hop route to exactly this ECS instance. */

/** The message used by both implementations when a destination belongs to another route. */

function copyEntry(entry: RouteEntry): RouteEntry {
  return { ...entry, nextHops: entry.nextHops.map((h) => ({ ...h })) };
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += MAX_BATCH_ENTRIES) out.push(items.slice(i, i + MAX_BATCH_ENTRIES));
  return out;
}

function failure(code: string, message: string, retryable = false): EntryOutcome {
  const error: CloudErrorLike = { code, message, retryable };
  return { ok: false, error };
}

function aborted(): EntryOutcome {
  return failure("Aborted", "apply was aborted before this entry was written");
}

function notFound(routeTableId: string): CloudError {
  return new CloudError(`route table ${routeTableId} does not exist`, {
    code: "InvalidRouteTableId.NotFound",
    kind: "not-found",
    retryable: false,
  });
}
