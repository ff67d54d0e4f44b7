// The RouteTable seam implemented over the Alibaba Cloud VPC API (RPC calls in vpc-api.ts).
// A table is read with one unfiltered DescribeRouteEntryList per 100 entries (plus an explicit
// IpVersion=ipv6 read when IPv6 routes are desired, or may exist and the listing is not known to
// show them), whichever way the API reads an omitted RouteEntryType, NextHopType or IpVersion. What
// the listings returned tells which reading the API has (listingShows): until a listing has shown
// a non-Custom entry and a non-instance next hop, the destinations about to be created are looked
// up by type before any create is aimed at them (hiddenHolders), so that a route the listing left
// out is reported as a conflict, never written over (issue 16, defect 5). Writes go in batches of
// <= 50, one writer per VPC, each write preceded by a wait for a quiet table (a recent quiet read
// stands for it) and followed by an adaptive wait until the touched entries settle.
// The parts live beside this file: adapter-options.ts (defaults), api-calls.ts (rate limit,
// deadlines, read retries), vpc-lock.ts (one writer per VPC), write-loop.ts (batches, per-entry
// failures, splitting), settle.ts (poll until settled, quiet wait). Retries are decided by
// retry-policy.ts only; errors are classified by classify-error.ts only.
import type { Logger } from "pino";
import type { RouteEntry, RouteRelabel } from "../../domain/types.js";
import type { GatedCreate, GatedDelete, GatedModify } from "../../domain/write-gate.js";
import { CloudError } from "../errors.js";
import {
  MAX_BATCH_ENTRIES,
  type ApplyOptions,
  type BatchResult,
  type GatedBatch,
  type EntryOutcome,
  type RelabelResult,
  type RouteTable,
  type RouteTableInfo,
} from "../route-table.js";
import { parseCidr } from "../../domain/cidr.js";
import { routesTo } from "../../domain/route-entry.js";
import { isCredentialSource, resolveAdapterOptions, type AlibabaRouteTableOptions } from "./adapter-options.js";
import { ApiCalls, type CallScope } from "./api-calls.js";
import { classifyError, isAlreadyExistsCode, isEntryNotFoundCode } from "./classify-error.js";
import { createCredential, secretsOf } from "./credentials.js";
import { parseEndpoint } from "./endpoint.js";
import { pollUntilSettled, QuietTables, SettleSchedule, waitQuiet, type SettleDeps, type SettleSpec } from "./settle.js";
import { VpcApi, type EntryFilter } from "./vpc-api.js";
import type { Timers } from "../../util/timers.js";
import { VpcLock } from "./vpc-lock.js";
import { InvalidVerdicts } from "./invalid-verdicts.js";
import { MAX_SPLITS_PER_APPLY, writeLoop, type Progress, type WriteContext, type WriteLoopDeps, type WriteSpec } from "./write-loop.js";
import { aborted, chunked, createKey, destinationHeld, unconfirmed } from "./write-outcome.js";

export type { AlibabaRouteTableOptions } from "./adapter-options.js";
export { ROUTE_ENTRY_NOT_SETTLED } from "./settle.js";

const ENTRY_PAGE_SIZE = 100;
const TABLE_PAGE_SIZE = 50;

/**
 * Next-hop types other than Instance, asked one by one only to find the holder of a destination
 * that a create reported taken and the unfiltered read did not show (under the reading where an
 * omitted NextHopType means Instance).
 */
const FOREIGN_NEXT_HOP_TYPES: readonly string[] = [
  "VpnGateway",
  "RouterInterface",
  "HaVip",
  "NatGateway",
  "NetworkInterface",
  "IPv6Gateway",
  "Attachment",
  "Ipv4Gateway",
  "GatewayEndpoint",
  "Ecr",
  "VpcPeer",
  "GatewayLoadBalancerEndpoint",
];

/** A lookup for what an unfiltered listing may leave out; `wholeTable`: System routes, which block any overlapping create. */
interface HiddenLookup {
  readonly filter: EntryFilter;
  readonly wholeTable: boolean;
}

/** Route types other than Custom, asked one by one while no listing has shown one. */
const TYPE_LOOKUPS: readonly HiddenLookup[] = [
  { filter: { routeEntryType: "System" }, wholeTable: true },
  ...["BGP", "CEN", "ECR"].map((routeEntryType) => ({ filter: { routeEntryType }, wholeTable: false })),
];

/**
 * Next-hop types asked one by one while no listing has shown a non-instance next hop: the foreign
 * ones, and the System routes' own (`local` for a vSwitch, `service` for cloud services), which no
 * route-type lookup returns where an omitted NextHopType means Instance.
 */
const HOP_LOOKUPS: readonly HiddenLookup[] = [
  ...FOREIGN_NEXT_HOP_TYPES.map((nextHopType) => ({ filter: { nextHopType }, wholeTable: false })),
  ...["local", "service"].map((nextHopType) => ({ filter: { nextHopType }, wholeTable: true })),
];

/** A create waiting for confirmation on a re-read. */
interface CreateToConfirm {
  readonly action: GatedCreate;
  /** The API said the destination already exists: success only if it routes to our instance. */
  readonly reportedExisting: boolean;
}

interface DeleteToConfirm {
  readonly action: GatedDelete;
  /** The API said the entry does not exist: done once a re-read confirms it is gone. */
  readonly reportedMissing: boolean;
}


export function createAlibabaRouteTable(options: AlibabaRouteTableOptions): AlibabaRouteTable {
  return new AlibabaRouteTable(options);
}

export class AlibabaRouteTable implements RouteTable {
  readonly #api: VpcApi;
  readonly #calls: ApiCalls;
  readonly #log: Logger;
  readonly #listIpv6: boolean;
  /** False once the API refused a DestCidrBlockList read: confirmations then read the whole table. */
  #targetedReads = true;
  readonly #timers: Timers;
  readonly #lock = new VpcLock();
  readonly #settle: SettleDeps;
  readonly #writes: WriteLoopDeps;
  /** routeTableId -> vpcId, learned from DescribeRouteTableList. */
  readonly #vpcOfTable = new Map<string, string>();
  /**
   * What a listing that left the filter out has returned (then the API does not read the omitted
   * filter as Custom / Instance / IPv4 only): a non-Custom entry, a non-instance next hop, an IPv6 entry.
   */
  readonly #listingShows = { otherTypes: false, otherHops: false, ipv6: false };
  /** Tables whose VPC has no IPv6 CIDR block (noteIpv6): no IPv6 entry to read there. */
  readonly #noIpv6Tables = new Set<string>();

  constructor(options: AlibabaRouteTableOptions) {
    const resolved = resolveAdapterOptions(options);
    this.#listIpv6 = resolved.listIpv6;
    this.#timers = resolved.timers;
    this.#log = resolved.logger;
    const source = options.credential;
    const credential = isCredentialSource(source) ? createCredential(source) : source;
    this.#api = new VpcApi({
      regionId: options.regionId,
      endpoint: options.endpoint !== undefined ? parseEndpoint(options.endpoint) : undefined,
      credential,
      connectTimeoutMs: resolved.connectTimeoutMs,
      readTimeoutMs: resolved.readTimeoutMs,
      userAgent: options.userAgent,
    });
    this.#calls = new ApiCalls({ ...resolved, secrets: isCredentialSource(source) ? secretsOf(source) : [] });
    this.#settle = {
      calls: this.#calls,
      log: this.#log,
      timers: resolved.timers,
      writeDeadlineMs: resolved.writeDeadlineMs,
      schedule: new SettleSchedule(resolved.firstPollMs, resolved.pollIntervalMs),
      quiet: new QuietTables(),
      read: (ctx, destinations) => this.#readDestinations(ctx.routeTableId, destinations, ctx),
    };
    this.#writes = { calls: this.#calls, log: this.#log, verdicts: new InvalidVerdicts(this.#timers), waitQuiet: (ctx) => waitQuiet(this.#settle, ctx) };
  }

  async listRouteTables(vpcId: string): Promise<RouteTableInfo[]> {
    const tables: RouteTableInfo[] = [];
    for (let pageNumber = 1; ; pageNumber += 1) {
      const page = await this.#calls.read("DescribeRouteTableList", {}, () =>
        this.#api.describeRouteTableList(vpcId, undefined, pageNumber, TABLE_PAGE_SIZE),
      );
      for (const table of page.tables) {
        tables.push(table);
        this.#vpcOfTable.set(table.routeTableId, table.vpcId);
      }
      if (page.tables.length < TABLE_PAGE_SIZE || tables.length >= page.totalCount) break;
    }
    return tables;
  }

  async listRoutes(routeTableId: string): Promise<RouteEntry[]> {
    return this.#readTable(routeTableId, {});
  }

  /**
   * The VPC network source tells whether the VPC of these tables has an IPv6 CIDR block: without
   * one no IPv6 route can exist there, and an IPv4-only listing is not followed by an IPv6 read.
   */
  noteIpv6(routeTableIds: readonly string[], vpcHasIpv6: boolean): void {
    for (const id of routeTableIds) {
      if (vpcHasIpv6) this.#noIpv6Tables.delete(id);
      else this.#noIpv6Tables.add(id);
    }
  }

  /**
   * Entries that listRoutes may have left out at `destinations` (canonical CIDRs about to be
   * created), and System routes anywhere in the table (a create overlapping one is refused): one
   * DescribeRouteEntryList per route type other than Custom while no listing has shown one, and one
   * per next-hop type other than Instance while no listing has shown one, each filtered to the
   * destinations (DestCidrBlockList, per IP version) but the System ones. No call once the listings
   * have shown both. Not covered: an API that reads both omissions restrictively hides a route that
   * is neither Custom nor to an instance from every lookup but the `local`/`service` ones.
   */
  async hiddenHolders(routeTableId: string, destinations: readonly string[], signal?: AbortSignal): Promise<RouteEntry[]> {
    const lookups = [...(this.#listingShows.otherTypes ? [] : TYPE_LOOKUPS), ...(this.#listingShows.otherHops ? [] : HOP_LOOKUPS)];
    const wanted = new Set(destinations.map(canonicalCidr));
    if (lookups.length === 0 || wanted.size === 0) return [];
    const found = new Map<string, RouteEntry>();
    for (const family of [[...wanted].filter((d) => !d.includes(":")), [...wanted].filter((d) => d.includes(":"))]) {
      if (family.length === 0) continue;
      const ipVersion = family[0]!.includes(":") ? ("ipv6" as const) : undefined;
      // At most one batch of destinations per call; the whole table where the API refuses the list.
      const where = this.#targetedReads && family.length <= MAX_BATCH_ENTRIES ? { destinations: family } : {};
      for (const lookup of lookups) {
        try {
          await this.#readPages(routeTableId, { ...lookup.filter, ...(lookup.wholeTable ? {} : where), ipVersion }, { signal }, found);
        } catch (error) {
          // A region that does not know a type should not hide the others.
          if (error instanceof CloudError && error.kind === "invalid") continue;
          throw error;
        }
      }
    }
    return [...found.values()].filter((e) => e.type === "System" || wanted.has(canonicalCidr(e.destinationCidr)));
  }

  async apply(routeTableId: string, batch: GatedBatch, options: ApplyOptions = {}): Promise<BatchResult> {
    for (const action of [...batch.creates, ...batch.deletes]) {
      if (action.routeTableId !== routeTableId) {
        throw new TypeError(`apply(${routeTableId}): action for ${action.destinationCidr} names route table ${action.routeTableId}`);
      }
    }
    if (batch.creates.length === 0 && batch.deletes.length === 0) return { creates: [], deletes: [] };
    const vpcId = await this.#vpcOf(routeTableId, options.signal);
    return this.#lock.exclusive(vpcId, () => this.#applyLocked(routeTableId, batch, options));
  }

  /**
   * ModifyRouteEntry of name and description, one entry at a time under the VPC's write lock,
   * after the table settles. Rewriting a description is idempotent, so transient failures are
   * retried like reads.
   */
  async relabel(routeTableId: string, items: readonly GatedModify[], options: ApplyOptions = {}): Promise<RelabelResult> {
    if (items.length === 0) return [];
    const vpcId = await this.#vpcOf(routeTableId, options.signal);
    return this.#lock.exclusive(vpcId, async () => {
      const ctx: WriteContext = { routeTableId, signal: options.signal, progress: { done: 0, total: items.length, wrote: false, options, splitsLeft: 0 } };
      await waitQuiet(this.#settle, ctx);
      const results: Array<{ action: RouteRelabel; outcome: EntryOutcome }> = [];
      for (const action of items) {
        let outcome: EntryOutcome;
        let sent = false;
        try {
          await this.#calls.read("ModifyRouteEntry", ctx, () => {
            sent = true;
            return this.#api.modifyRouteEntry(action);
          });
          outcome = { ok: true, routeEntryId: action.routeEntryId };
        } catch (error) {
          const failure = classifyError(error, { action: "ModifyRouteEntry", secrets: this.#calls.secrets });
          // Sent, then aborted before the answer (or during a retry's backoff): it may well be applied.
          outcome = sent && failure.kind === "aborted" ? unconfirmed() : { ok: false, error: failure };
        }
        results.push({ action, outcome });
        options.onProgress?.(results.length, items.length);
      }
      return results;
    });
  }

  // ---- writes ---------------------------------------------------------------------------------

  async #applyLocked(routeTableId: string, batch: GatedBatch, options: ApplyOptions): Promise<BatchResult> {
    const progress: Progress = { done: 0, total: batch.creates.length + batch.deletes.length, wrote: false, options, splitsLeft: MAX_SPLITS_PER_APPLY };
    const ctx: WriteContext = { routeTableId, signal: options.signal, progress };
    const deleteOutcomes = new Map<GatedDelete, EntryOutcome>();
    const createOutcomes = new Map<GatedCreate, EntryOutcome>();
    for (const chunk of chunked(batch.deletes)) {
      const toConfirm: DeleteToConfirm[] = [];
      await writeLoop(this.#writes, this.#deleteSpec(ctx), chunk, ctx, deleteOutcomes, toConfirm);
      await pollUntilSettled(this.#settle, DELETE_SETTLE, toConfirm, ctx, deleteOutcomes);
      finishChunk(chunk, ctx, deleteOutcomes);
    }
    for (const chunk of chunked(batch.creates)) {
      const toConfirm: CreateToConfirm[] = [];
      await writeLoop(this.#writes, this.#createSpec(ctx, createOutcomes), chunk, ctx, createOutcomes, toConfirm);
      await pollUntilSettled(this.#settle, this.#createSettle, toConfirm, ctx, createOutcomes);
      finishChunk(chunk, ctx, createOutcomes);
    }
    return {
      deletes: batch.deletes.map((action) => ({ action, outcome: deleteOutcomes.get(action) ?? aborted() })),
      creates: batch.creates.map((action) => ({ action, outcome: createOutcomes.get(action) ?? aborted() })),
    };
  }

  #createSpec(ctx: WriteContext, outcomes: Map<GatedCreate, EntryOutcome>): WriteSpec<GatedCreate, CreateToConfirm> {
    return {
      action: "CreateRouteEntries",
      call: (pending) => this.#api.createRouteEntries(pending),
      keyOf: (a) => createKey(a.destinationCidr, a.instanceId),
      failureKey: (f) => createKey(f.destinationCidr ?? "", f.nextHop ?? ""),
      isDoneCode: isAlreadyExistsCode,
      confirm: (action, reportedExisting) => ({ action, reportedExisting }),
      recheck: (pending, toConfirm) => this.#recheckCreates(pending, ctx, toConfirm, outcomes),
    };
  }

  #deleteSpec(ctx: WriteContext): WriteSpec<GatedDelete, DeleteToConfirm> {
    return {
      action: "DeleteRouteEntries",
      call: (pending) => this.#api.deleteRouteEntries(pending),
      keyOf: (a) => a.routeEntryId,
      failureKey: (f) => f.routeEntryId ?? "",
      isDoneCode: isEntryNotFoundCode,
      confirm: (action, reportedMissing) => ({ action, reportedMissing }),
      recheck: async (pending, toConfirm) => {
        const present = new Map((await this.#settle.read(ctx, pending.map((a) => a.destinationCidr))).map((e) => [e.routeEntryId, e]));
        const still: GatedDelete[] = [];
        for (const action of pending) {
          const entry = present.get(action.routeEntryId);
          if (entry === undefined || entry.status === "Deleting") toConfirm.push({ action, reportedMissing: false });
          else still.push(action);
        }
        return still;
      },
    };
  }

  /** After a write that may have been applied: entries already present leave `pending` for confirmation. */
  async #recheckCreates(pending: GatedCreate[], ctx: WriteContext, toConfirm: CreateToConfirm[], outcomes: Map<GatedCreate, EntryOutcome>): Promise<GatedCreate[]> {
    const byCidr = new Map((await this.#settle.read(ctx, pending.map((a) => a.destinationCidr))).map((e) => [e.destinationCidr, e]));
    const still: GatedCreate[] = [];
    for (const action of pending) {
      const holder = byCidr.get(action.destinationCidr);
      if (holder === undefined) still.push(action);
      else if (routesTo(holder, action.instanceId)) toConfirm.push({ action, reportedExisting: false });
      else outcomes.set(action, { ok: false, error: destinationHeld(action, holder) });
    }
    return still;
  }

  /** Creates settle when Available with our next hop; a destination held by another route is DestinationHeld. */
  readonly #createSettle: SettleSpec<CreateToConfirm, GatedCreate> = {
    action: "CreateRouteEntries",
    actionOf: (item) => item.action,
    destinationOf: (item) => item.action.destinationCidr,
    decide: async (entries, open, ctx, outcomes) => {
      const byCidr = new Map(entries.map((e) => [e.destinationCidr, e]));
      const next: CreateToConfirm[] = [];
      const heldElsewhere: CreateToConfirm[] = [];
      for (const item of open) {
        const entry = byCidr.get(item.action.destinationCidr);
        if (entry !== undefined && routesTo(entry, item.action.instanceId)) {
          if (entry.status === "Available") {
            outcomes.set(item.action, { ok: true, routeEntryId: entry.routeEntryId, ...(item.reportedExisting ? { note: "already-present" as const } : {}) });
          } else {
            next.push(item);
          }
        } else if (entry !== undefined) {
          outcomes.set(item.action, { ok: false, error: destinationHeld(item.action, entry) });
        } else if (item.reportedExisting) {
          heldElsewhere.push(item);
        } else {
          next.push(item);
        }
      }
      if (heldElsewhere.length > 0) await this.#reportForeignHolders(heldElsewhere, ctx, outcomes);
      return next;
    },
    stateOf: (item, lastRead) => {
      const entry = lastRead.find((e) => e.destinationCidr === item.action.destinationCidr);
      return entry === undefined ? "not visible" : `still ${entry.status}`;
    },
    describe: (item) => ({ text: `${item.action.destinationCidr} -> ${item.action.instanceId}`, fields: { destinationCidr: item.action.destinationCidr } }),
  };

  /** The API says "already exists" but the table read shows no holder: look the destination up, for the message. */
  async #reportForeignHolders(items: readonly CreateToConfirm[], ctx: WriteContext, outcomes: Map<GatedCreate, EntryOutcome>): Promise<void> {
    for (const item of items) {
      let holder: RouteEntry | undefined;
      try {
        holder = await this.#findHolder(ctx.routeTableId, item.action.destinationCidr, ctx);
      } catch (error) {
        this.#log.debug({ action: "DescribeRouteEntryList", code: classifyError(error).code, routeTableId: ctx.routeTableId }, "foreign holder lookup failed");
      }
      outcomes.set(item.action, { ok: false, error: destinationHeld(item.action, holder) });
    }
  }

  // ---- reads ----------------------------------------------------------------------------------

  /** Every entry of the table: one unfiltered read per 100 entries, plus the IPv6 read when asked for. */
  async #readTable(routeTableId: string, scope: CallScope): Promise<RouteEntry[]> {
    const byId = new Map<string, RouteEntry>();
    await this.#readPages(routeTableId, {}, scope, byId);
    // IPv6 entries are read explicitly when IPv6 routes are desired, or when an owned one may be
    // there to report (item 1: both families alike) and the listing is not known to show IPv6.
    const ipv6Possible = !this.#listingShows.ipv6 && !this.#noIpv6Tables.has(routeTableId);
    if (this.#listIpv6 || ipv6Possible) await this.#readPages(routeTableId, { ipVersion: "ipv6" }, scope, byId);
    const entries = [...byId.values()];
    this.#settle.quiet.noteRead(routeTableId, entries, this.#timers.now());
    return entries;
  }

  /**
   * The entries of `destinations` (at most one batch): one DestCidrBlockList call per IP version, so
   * confirming a batch costs one call however large the table. Without destinations (the quiet wait)
   * or where the API refuses the list, the whole table.
   */
  async #readDestinations(routeTableId: string, destinations: readonly string[], scope: CallScope): Promise<RouteEntry[]> {
    if (destinations.length === 0 || destinations.length > MAX_BATCH_ENTRIES || !this.#targetedReads) return this.#readTable(routeTableId, scope);
    const byId = new Map<string, RouteEntry>();
    const v6 = destinations.filter((d) => d.includes(":"));
    const v4 = destinations.filter((d) => !d.includes(":"));
    try {
      if (v4.length > 0) await this.#readPages(routeTableId, { destinations: v4 }, scope, byId);
      if (v6.length > 0) await this.#readPages(routeTableId, { destinations: v6, ipVersion: "ipv6" }, scope, byId);
    } catch (error) {
      if (!(error instanceof CloudError && error.kind === "invalid")) throw error;
      this.#log.info({ action: "DescribeRouteEntryList", code: error.code, routeTableId }, "DestCidrBlockList refused; confirming writes by reading the whole table");
      this.#targetedReads = false;
      return this.#readTable(routeTableId, scope);
    }
    const entries = [...byId.values()];
    this.#settle.quiet.noteRead(routeTableId, entries, this.#timers.now());
    return entries;
  }

  /** The holder of one destination: by destination alone, then per foreign next-hop type (rare: only after a create found it taken). */
  async #findHolder(routeTableId: string, destination: string, scope: CallScope): Promise<RouteEntry | undefined> {
    const ipVersion = destination.includes(":") ? ("ipv6" as const) : undefined;
    for (const nextHopType of [undefined, ...FOREIGN_NEXT_HOP_TYPES]) {
      const found = new Map<string, RouteEntry>();
      try {
        await this.#readPages(routeTableId, { destination, nextHopType, ipVersion }, scope, found);
      } catch (error) {
        // A region that does not know a next-hop type should not hide the others.
        if (error instanceof CloudError && error.kind === "invalid" && nextHopType !== undefined) continue;
        throw error;
      }
      const holder = [...found.values()][0];
      if (holder !== undefined) return holder;
    }
    return undefined;
  }

  async #readPages(routeTableId: string, filter: EntryFilter, scope: CallScope, into: Map<string, RouteEntry>): Promise<void> {
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const page = await this.#calls.read("DescribeRouteEntryList", { routeTableId, signal: scope.signal }, () =>
        this.#api.describeRouteEntryList(routeTableId, filter, token, ENTRY_PAGE_SIZE),
      );
      for (const entry of page.entries) into.set(entry.routeEntryId, entry);
      this.#learnReading(filter, page.entries);
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
  }

  /** What entries returned with a filter left out prove about how the API reads that omission. */
  #learnReading(filter: EntryFilter, entries: readonly RouteEntry[]): void {
    const shows = this.#listingShows;
    if (filter.routeEntryType === undefined && entries.some((e) => e.type !== "Custom")) shows.otherTypes = true;
    if (filter.nextHopType === undefined && entries.some((e) => e.nextHops.some((h) => h.nextHopType !== "Instance"))) shows.otherHops = true;
    if (filter.ipVersion === undefined && entries.some((e) => e.destinationCidr.includes(":"))) shows.ipv6 = true;
  }

  /** A read of another VPC API through this adapter's plumbing (rate limit, deadline, retries, classification). */
  readVpc<T>(action: string, call: (api: VpcApi) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.#calls.read(action, { signal }, () => call(this.#api));
  }

  async #vpcOf(routeTableId: string, signal: AbortSignal | undefined): Promise<string> {
    const known = this.#vpcOfTable.get(routeTableId);
    if (known !== undefined) return known;
    const page = await this.#calls.read("DescribeRouteTableList", { routeTableId, signal }, () =>
      this.#api.describeRouteTableList(undefined, routeTableId, 1, TABLE_PAGE_SIZE),
    );
    const table = page.tables.find((t) => t.routeTableId === routeTableId);
    if (table === undefined) {
      throw new CloudError(`route table ${routeTableId} was not found in this region (check the route table id and --region)`, {
        code: "InvalidRouteTableId.NotFound",
        kind: "not-found",
        retryable: false,
        requestId: page.requestId,
        action: "DescribeRouteTableList",
      });
    }
    this.#vpcOfTable.set(routeTableId, table.vpcId);
    return table.vpcId;
  }
}

/** The canonical text of a CIDR (the form the plan uses), or the text itself when it does not parse. */
function canonicalCidr(text: string): string {
  const parsed = parseCidr(text);
  return parsed.ok ? parsed.cidr.text : text;
}

/** Deletes settle once the entry is gone. */
const DELETE_SETTLE: SettleSpec<DeleteToConfirm, GatedDelete> = {
  action: "DeleteRouteEntries",
  actionOf: (item) => item.action,
  destinationOf: (item) => item.action.destinationCidr,
  decide: (entries, open, _ctx, outcomes) => {
    const present = new Set(entries.map((e) => e.routeEntryId));
    const next: DeleteToConfirm[] = [];
    for (const item of open) {
      if (present.has(item.action.routeEntryId)) next.push(item);
      else outcomes.set(item.action, { ok: true, routeEntryId: item.action.routeEntryId, ...(item.reportedMissing ? { note: "already-absent" as const } : {}) });
    }
    return Promise.resolve(next);
  },
  stateOf: (item, lastRead) => `still ${lastRead.find((e) => e.routeEntryId === item.action.routeEntryId)?.status ?? "present"}`,
  describe: (item) => ({ text: `${item.action.routeEntryId} (${item.action.destinationCidr})`, fields: { routeEntryId: item.action.routeEntryId } }),
};

/** Every entry of the chunk has an outcome; progress moves on. */
function finishChunk<A>(chunk: readonly A[], ctx: WriteContext, outcomes: Map<A, EntryOutcome>): void {
  for (const action of chunk) if (!outcomes.has(action)) outcomes.set(action, aborted());
  ctx.progress.done += chunk.length;
  ctx.progress.options.onProgress?.(ctx.progress.done, ctx.progress.total);
}
