// What one reconcile pass learned about the VPC, kept for the next (issue 19): the managed route
// tables discovered from the VPC and the VPC's network (VPC and vSwitch CIDRs), each refreshed at
// most every `discoveryMaxAgeMs` (10 min), and each table's entries as the last full listing read
// them, kept current with the outcomes of our own writes. Wraps the RouteTable and the
// VpcNetworkSource the PassRunner is given; the pass runner itself is unchanged.
//
// When the cached entries are used: only by passes the controller runs for a Node change. Every
// other pass (start, resync, retry) calls `expireListings()` first and reads every table in full,
// so drift (a route deleted or re-pointed by hand, a foreign route) is repaired at the resync period
// as before. A cached listing is dropped - and the next pass reads - whenever it may be wrong:
//   - a listing that saw any entry not Available is used once, never kept;
//   - any write or relabel outcome that is not a confirmed success, or a write call that throws;
//   - it is older than `listingMaxAgeMs` (default: the discovery age).
// The discovered tables and the network are dropped on any failed create or table read (a table
// removed, a vSwitch added over a pod CIDR: errors that say the VPC changed) and re-read next pass.
import { entryCreatedBy } from "../domain/route-entry.js";
import type { RouteEntry } from "../domain/types.js";
import type { ApplyOptions, BatchResult, GatedBatch, RelabelResult, RouteTable, RouteTableInfo } from "./route-table.js";
import type { GatedModify } from "../domain/write-gate.js";
import type { VpcNetwork, VpcNetworkSource } from "./vpc-network.js";

/** How long discovered tables and the VPC network are trusted (the bound: refreshed at least every 10 minutes). */
export const DISCOVERY_MAX_AGE_MS = 10 * 60_000;

export interface PassCacheOptions {
  readonly routeTable: RouteTable;
  readonly vpcNetwork?: VpcNetworkSource | undefined;
  /** @default DISCOVERY_MAX_AGE_MS */
  readonly discoveryMaxAgeMs?: number | undefined;
  /** @default discoveryMaxAgeMs */
  readonly listingMaxAgeMs?: number | undefined;
  /** @default Date.now */
  readonly now?: (() => number) | undefined;
}

interface Stamped<T> {
  readonly value: T;
  readonly at: number;
}

export interface PassCacheStats {
  readonly listingHits: number;
  readonly listingMisses: number;
  readonly discoveryHits: number;
  readonly networkHits: number;
}

export class PassCache {
  readonly #inner: RouteTable;
  readonly #network: VpcNetworkSource | undefined;
  readonly #discoveryMaxAgeMs: number;
  readonly #listingMaxAgeMs: number;
  readonly #now: () => number;
  readonly #tables = new Map<string, Stamped<RouteTableInfo[]>>();
  readonly #networks = new Map<string, Stamped<VpcNetwork[]>>();
  /** routeTableId -> entries by destination (the table's state after our own confirmed writes). */
  readonly #listings = new Map<string, Stamped<Map<string, RouteEntry>>>();
  #stats = { listingHits: 0, listingMisses: 0, discoveryHits: 0, networkHits: 0 };

  /** The RouteTable to give the PassRunner. */
  readonly routeTable: RouteTable;
  /** The VpcNetworkSource to give the PassRunner (undefined when none was wrapped). */
  readonly vpcNetwork: VpcNetworkSource | undefined;

  constructor(options: PassCacheOptions) {
    this.#inner = options.routeTable;
    this.#network = options.vpcNetwork;
    this.#discoveryMaxAgeMs = options.discoveryMaxAgeMs ?? DISCOVERY_MAX_AGE_MS;
    this.#listingMaxAgeMs = options.listingMaxAgeMs ?? this.#discoveryMaxAgeMs;
    this.#now = options.now ?? Date.now;
    this.routeTable = {
      listRouteTables: (vpcId) => this.#listRouteTables(vpcId),
      listRoutes: (routeTableId) => this.#listRoutes(routeTableId),
      apply: (routeTableId, batch, applyOptions) => this.#apply(routeTableId, batch, applyOptions),
      relabel: (routeTableId, items, applyOptions) => this.#relabel(routeTableId, items, applyOptions),
      // Looked up afresh each time: what a listing leaves out is not cached.
      ...(options.routeTable.hiddenHolders !== undefined
        ? { hiddenHolders: (routeTableId: string, destinations: readonly string[], signal?: AbortSignal) => this.#inner.hiddenHolders!(routeTableId, destinations, signal) }
        : {}),
    };
    const network = this.#network;
    this.vpcNetwork = network === undefined ? undefined : { read: (vpcId, ids, signal) => this.#readNetwork(network, vpcId, ids, signal) };
  }

  /** The next pass reads every table in full (call before a start, resync or retry pass). */
  expireListings(): void {
    this.#listings.clear();
  }

  /** Forget everything: tables, network and listings are read again by the next pass. */
  invalidate(): void {
    this.#listings.clear();
    this.#tables.clear();
    this.#networks.clear();
  }

  stats(): PassCacheStats {
    return { ...this.#stats };
  }

  #fresh<T>(stamped: Stamped<T> | undefined, maxAgeMs: number): stamped is Stamped<T> {
    return stamped !== undefined && this.#now() - stamped.at <= maxAgeMs;
  }

  async #listRouteTables(vpcId: string): Promise<RouteTableInfo[]> {
    const cached = this.#tables.get(vpcId);
    if (this.#fresh(cached, this.#discoveryMaxAgeMs)) {
      this.#stats.discoveryHits += 1;
      return [...cached.value];
    }
    const tables = await this.#inner.listRouteTables(vpcId);
    this.#tables.set(vpcId, { value: [...tables], at: this.#now() });
    return tables;
  }

  async #readNetwork(source: VpcNetworkSource, vpcId: string | undefined, routeTableIds: readonly string[], signal: AbortSignal | undefined): Promise<VpcNetwork[]> {
    const key = `${vpcId ?? ""}\u0000${[...routeTableIds].sort().join(",")}`;
    const cached = this.#networks.get(key);
    if (this.#fresh(cached, this.#discoveryMaxAgeMs)) {
      this.#stats.networkHits += 1;
      return cached.value;
    }
    const networks = await source.read(vpcId, routeTableIds, signal);
    this.#networks.set(key, { value: networks, at: this.#now() });
    return networks;
  }

  async #listRoutes(routeTableId: string): Promise<RouteEntry[]> {
    const cached = this.#listings.get(routeTableId);
    if (this.#fresh(cached, this.#listingMaxAgeMs)) {
      this.#stats.listingHits += 1;
      return [...cached.value.values()];
    }
    this.#stats.listingMisses += 1;
    let entries: RouteEntry[];
    try {
      entries = await this.#inner.listRoutes(routeTableId);
    } catch (error) {
      // The table may be gone or the VPC changed: discover again next pass.
      this.invalidate();
      throw error;
    }
    if (entries.every((e) => e.status === "Available")) {
      this.#listings.set(routeTableId, { value: new Map(entries.map((e) => [e.destinationCidr, e])), at: this.#now() });
    } else {
      this.#listings.delete(routeTableId);
    }
    return entries;
  }

  async #apply(
    routeTableId: string,
    batch: GatedBatch,
    options: ApplyOptions | undefined,
  ): Promise<BatchResult> {
    let result: BatchResult;
    try {
      result = await this.#inner.apply(routeTableId, batch, options);
    } catch (error) {
      this.#listings.delete(routeTableId);
      throw error;
    }
    const failedCreate = result.creates.some((r) => !r.outcome.ok);
    if (failedCreate) this.invalidate();
    const listing = this.#listings.get(routeTableId);
    if (listing === undefined) return result;
    if (failedCreate || result.deletes.some((r) => !r.outcome.ok)) {
      this.#listings.delete(routeTableId);
      return result;
    }
    for (const { action } of result.deletes) {
      const held = listing.value.get(action.destinationCidr);
      if (held?.routeEntryId === action.routeEntryId) listing.value.delete(action.destinationCidr);
    }
    for (const { action, outcome } of result.creates) {
      const routeEntryId = outcome.ok ? outcome.routeEntryId : undefined;
      if (routeEntryId === undefined || routeEntryId === "") {
        // Confirmed, but without the id a later delete needs: read the table next time.
        this.#listings.delete(routeTableId);
        return result;
      }
      listing.value.set(action.destinationCidr, entryCreatedBy(action, routeEntryId));
    }
    return result;
  }

  async #relabel(routeTableId: string, items: readonly GatedModify[], options: ApplyOptions | undefined): Promise<RelabelResult> {
    // Relabels are rare (migration, holds): the next pass reads the table rather than patching names here.
    this.#listings.delete(routeTableId);
    return this.#inner.relabel(routeTableId, items, options);
  }
}
