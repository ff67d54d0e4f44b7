// The RouteTable seam implemented over the Alibaba Cloud VPC API (@alicloud/vpc20160428).
// Reads page through every result; writes go in batches of <= 50, one writer per VPC, each write
// preceded by a wait for a quiet table and followed by a wait until the touched entries settle.
// Retries are decided by retry-policy.ts only; errors are classified by classify-error.ts only.
import PQueue from "p-queue";
import pino, { type Logger } from "pino";
import type { RouteCreate, RouteDelete, RouteEntry, RouteRelabel } from "../../domain/types.js";
import { CloudError } from "../errors.js";
import { NO_OBSERVER, type CloudCallObserver } from "../observer.js";
import type { CredentialSource } from "../credential-source.js";
import {
  type ApplyOptions,
  type BatchResult,
  type EntryOutcome,
  type RelabelResult,
  type RouteTable,
  type RouteTableInfo,
} from "../route-table.js";
import { routesTo } from "../../domain/route-entry.js";
import { classifyError, classifyFailedCode, isAlreadyExistsCode, isEntryNotFoundCode, scrubSecrets } from "./classify-error.js";
import { createCredential, secretsOf, type AlibabaCredential } from "./credentials.js";
import { parseEndpoint } from "./endpoint.js";
import { decideRetry, resolveRetryOptions, type RetryOptions } from "./retry-policy.js";
import { VpcApi, type BatchWriteResult, type ItemFailure } from "./vpc-api.js";
import { abortError, realTimers, sleep, type Timers } from "../../util/timers.js";
import { InvalidVerdicts } from "./invalid-verdicts.js";
import { aborted, chunked, createKey, destinationHeld, isAborted, mayHaveBeenApplied, requestIdOf, unconfirmed, withDeadline } from "./write-outcome.js";

/**
 * Next-hop types listed one by one. DescribeRouteEntryList documents `NextHopType` with
 * "Instance (default)", so an unfiltered call may return only instance routes; asking per type is
 * the only reading of the docs under which foreign routes (VPN, router interface, ...) are seen.
 */
export const ALL_NEXT_HOP_TYPES: readonly string[] = [
  "Instance",
  "HaVip",
  "VpnGateway",
  "NatGateway",
  "NetworkInterface",
  "RouterInterface",
  "IPv6Gateway",
  "Attachment",
  "Ipv4Gateway",
  "GatewayEndpoint",
  "Ecr",
  "VpcPeer",
  "GatewayLoadBalancerEndpoint",
];

export interface AlibabaRouteTableOptions {
  readonly regionId: string;
  /** "http://127.0.0.1:1234", "127.0.0.1:1234" or "vpc-vpc.cn-shanghai.aliyuncs.com"; absent = the SDK's endpoint for the region. */
  readonly endpoint?: string | undefined;
  /** Where credentials come from, or a ready Credential (then secrets cannot be scrubbed by value). */
  readonly credential: CredentialSource | AlibabaCredential;
  /** API calls per second across this adapter. @default 5 */
  readonly qps?: number | undefined;
  /** Concurrent read calls. @default 2 */
  readonly readConcurrency?: number | undefined;
  /** SDK socket connect/inactivity timeout. @default 5000 */
  readonly connectTimeoutMs?: number | undefined;
  /** SDK read timeout. @default 10000 */
  readonly readTimeoutMs?: number | undefined;
  /** Outer deadline of one HTTP call (the SDK's read timer is unreliable, reference §3). @default connect + read timeout */
  readonly callDeadlineMs?: number | undefined;
  /** How long to wait for written entries to become Available (or gone). @default 120000 */
  readonly writeDeadlineMs?: number | undefined;
  /** Polling interval while waiting for entries to settle. @default 1000 */
  readonly pollIntervalMs?: number | undefined;
  readonly retry?: Partial<RetryOptions> | undefined;
  /** Next-hop types that listRoutes asks for, or "unfiltered" for one call without the filter. @default ALL_NEXT_HOP_TYPES */
  readonly listNextHopTypes?: readonly string[] | "unfiltered" | undefined;
  readonly observer?: CloudCallObserver | undefined;
  readonly logger?: Logger | undefined;
  /** Clock, waits and backoff jitter. @default realTimers */
  readonly timers?: Timers | undefined;
  readonly userAgent?: string | undefined;
}

export const ROUTE_ENTRY_NOT_SETTLED = "RouteEntry.NotSettled";

const ENTRY_PAGE_SIZE = 100;
const TABLE_PAGE_SIZE = 50;

interface CallContext {
  readonly routeTableId?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

interface Progress {
  done: number;
  readonly total: number;
  wrote: boolean;
  readonly options: ApplyOptions;
  /** Halvings left for isolating invalid entries in this apply (caps the calls a bad batch costs). */
  splitsLeft: number;
}

/** Halvings per apply: isolating one bad entry in 50 takes about 6; 50 bad entries would take 49. */
const MAX_SPLITS_PER_APPLY = 12;


/** A create waiting for confirmation on a re-read. */
interface CreateToConfirm {
  readonly action: RouteCreate;
  /** The API said the destination already exists: success only if it routes to our instance. */
  readonly reportedExisting: boolean;
}

interface DeleteToConfirm {
  readonly action: RouteDelete;
  /** The API said the entry does not exist: done once a re-read confirms it is gone. */
  readonly reportedMissing: boolean;
}

/** How creates and deletes differ inside the shared write loop. */
interface WriteSpec<A, C> {
  readonly action: "CreateRouteEntries" | "DeleteRouteEntries";
  /** One batch call for these entries. */
  call(pending: readonly A[]): Promise<BatchWriteResult>;
  /** Correlates a requested entry with a per-entry failure (never by next hop alone). */
  keyOf(action: A): string;
  failureKey(failure: ItemFailure): string;
  /** A per-entry code meaning "already done": confirmed by re-reading, not trusted. */
  isDoneCode(code: string): boolean;
  confirm(action: A, reportedDone: boolean): C;
  /** After a write that may have been applied: moves applied entries to `toConfirm`, returns the rest. */
  recheck(pending: A[], toConfirm: C[]): Promise<A[]>;
}

export function createAlibabaRouteTable(options: AlibabaRouteTableOptions): AlibabaRouteTable {
  return new AlibabaRouteTable(options);
}

export class AlibabaRouteTable implements RouteTable {
  readonly #api: VpcApi;
  readonly #queue: PQueue;
  readonly #secrets: readonly string[];
  readonly #observer: CloudCallObserver;
  readonly #log: Logger;
  readonly #timers: Timers;
  readonly #random: () => number;
  readonly #retry: RetryOptions;
  readonly #callDeadlineMs: number;
  readonly #writeDeadlineMs: number;
  readonly #pollIntervalMs: number;
  readonly #listTypes: readonly string[] | "unfiltered";
  /** routeTableId -> vpcId, learned from DescribeRouteTableList. */
  readonly #vpcOfTable = new Map<string, string>();
  /**
   * Entries the API rejected as invalid on their own (e.g. a destination inside a vSwitch CIDR), by
   * table + action + destination + next hop: not sent again for an hour, so a bad
   * Node does not cost a split of every batch on every pass. A changed input is a new key.
   */
  readonly #invalidVerdicts: InvalidVerdicts;
  /** Tail of the write chain of each VPC: one writer per VPC inside this adapter. */
  readonly #vpcWriters = new Map<string, Promise<unknown>>();

  constructor(options: AlibabaRouteTableOptions) {
    if (typeof options.regionId !== "string" || !/^[a-z]{2}(-[a-z0-9]+)+$/.test(options.regionId)) {
      throw new TypeError(`Alibaba route table: regionId ${JSON.stringify(options.regionId)} is not a region id like "cn-shanghai"`);
    }
    const qps = positive("qps", options.qps ?? 5);
    const connectTimeoutMs = positive("connectTimeoutMs", options.connectTimeoutMs ?? 5000);
    const readTimeoutMs = positive("readTimeoutMs", options.readTimeoutMs ?? 10_000);
    this.#callDeadlineMs = positive("callDeadlineMs", options.callDeadlineMs ?? connectTimeoutMs + readTimeoutMs);
    this.#writeDeadlineMs = positive("writeDeadlineMs", options.writeDeadlineMs ?? 120_000);
    this.#pollIntervalMs = positive("pollIntervalMs", options.pollIntervalMs ?? 1000);
    this.#retry = resolveRetryOptions(options.retry);
    const readConcurrency = Math.floor(positive("readConcurrency", options.readConcurrency ?? 2));
    this.#listTypes = options.listNextHopTypes ?? ALL_NEXT_HOP_TYPES;
    if (this.#listTypes !== "unfiltered" && this.#listTypes.length === 0) {
      throw new TypeError("Alibaba route table: listNextHopTypes must name at least one next-hop type");
    }
    this.#observer = options.observer ?? NO_OBSERVER;
    this.#log = options.logger ?? pino({ level: "silent" });
    const timers = options.timers ?? realTimers;
    this.#timers = timers;
    this.#random = () => timers.random();
    this.#invalidVerdicts = new InvalidVerdicts(timers);

    const source = options.credential;
    const credential = isCredentialSource(source) ? createCredential(source) : source;
    this.#secrets = isCredentialSource(source) ? secretsOf(source) : [];
    this.#api = new VpcApi({
      regionId: options.regionId,
      endpoint: options.endpoint !== undefined ? parseEndpoint(options.endpoint) : undefined,
      credential,
      connectTimeoutMs,
      readTimeoutMs,
      userAgent: options.userAgent,
    });
    // Spread calls evenly: qps 5 means at most one call started per 200 ms window.
    this.#queue =
      qps >= 1
        ? new PQueue({ concurrency: readConcurrency, intervalCap: Math.floor(qps), interval: 1000, strict: true })
        : new PQueue({ concurrency: readConcurrency, intervalCap: 1, interval: Math.ceil(1000 / qps), strict: true });
  }

  async listRouteTables(vpcId: string): Promise<RouteTableInfo[]> {
    const tables: RouteTableInfo[] = [];
    for (let pageNumber = 1; ; pageNumber += 1) {
      const page = await this.#read("DescribeRouteTableList", {}, () =>
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
    return this.#listEntries(routeTableId, this.#listTypes, {});
  }

  async apply(
    routeTableId: string,
    batch: { readonly creates: readonly RouteCreate[]; readonly deletes: readonly RouteDelete[] },
    options: ApplyOptions = {},
  ): Promise<BatchResult> {
    for (const action of [...batch.creates, ...batch.deletes]) {
      if (action.routeTableId !== routeTableId) {
        throw new TypeError(`apply(${routeTableId}): action for ${action.destinationCidr} names route table ${action.routeTableId}`);
      }
    }
    if (batch.creates.length === 0 && batch.deletes.length === 0) return { creates: [], deletes: [] };
    const vpcId = await this.#vpcOf(routeTableId, options.signal);
    return this.#exclusive(vpcId, () => this.#applyLocked(routeTableId, batch, options));
  }

  /**
   * ModifyRouteEntry of name and description, one entry at a time under the VPC's write lock,
   * after the table settles. Rewriting a description is idempotent, so transient failures are
   * retried like reads.
   */
  async relabel(routeTableId: string, items: readonly RouteRelabel[], options: ApplyOptions = {}): Promise<RelabelResult> {
    if (items.length === 0) return [];
    const vpcId = await this.#vpcOf(routeTableId, options.signal);
    return this.#exclusive(vpcId, async () => {
      const ctx: CallContext = { routeTableId, signal: options.signal };
      await this.#waitQuiet(routeTableId, ctx);
      const results: Array<{ action: RouteRelabel; outcome: EntryOutcome }> = [];
      for (const action of items) {
        let outcome: EntryOutcome;
        try {
          await this.#read("ModifyRouteEntry", ctx, () => this.#api.modifyRouteEntry(action));
          outcome = { ok: true, routeEntryId: action.routeEntryId };
        } catch (error) {
          const failure = classifyError(error, { action: "ModifyRouteEntry", secrets: this.#secrets });
          outcome = { ok: false, error: failure };
        }
        results.push({ action, outcome });
        options.onProgress?.(results.length, items.length);
      }
      return results;
    });
  }

  // ---- writes ---------------------------------------------------------------------------------

  async #applyLocked(
    routeTableId: string,
    batch: { readonly creates: readonly RouteCreate[]; readonly deletes: readonly RouteDelete[] },
    options: ApplyOptions,
  ): Promise<BatchResult> {
    const progress: Progress = { done: 0, total: batch.creates.length + batch.deletes.length, wrote: false, options, splitsLeft: MAX_SPLITS_PER_APPLY };
    const deleteOutcomes = new Map<RouteDelete, EntryOutcome>();
    const createOutcomes = new Map<RouteCreate, EntryOutcome>();
    const ctx: CallContext = { routeTableId, signal: options.signal };
    for (const chunk of chunked(batch.deletes)) await this.#deleteChunk(chunk, ctx, progress, deleteOutcomes);
    for (const chunk of chunked(batch.creates)) await this.#createChunk(chunk, ctx, progress, createOutcomes);
    return {
      deletes: batch.deletes.map((action) => ({ action, outcome: deleteOutcomes.get(action) ?? aborted() })),
      creates: batch.creates.map((action) => ({ action, outcome: createOutcomes.get(action) ?? aborted() })),
    };
  }

  async #createChunk(chunk: readonly RouteCreate[], ctx: CallContext, progress: Progress, outcomes: Map<RouteCreate, EntryOutcome>): Promise<void> {
    const toConfirm: CreateToConfirm[] = [];
    await this.#writeLoop(this.#createSpec(ctx, outcomes), chunk, ctx, progress, outcomes, toConfirm);
    await this.#confirmCreates(toConfirm, ctx, outcomes);
    for (const action of chunk) if (!outcomes.has(action)) outcomes.set(action, aborted());
    progress.done += chunk.length;
    progress.options.onProgress?.(progress.done, progress.total);
  }

  /**
   * Writes `items` with one batch action until every entry is answered, retried out, or handed to
   * confirmation. Shared by creates and deletes; `spec` says how the two differ.
   */
  async #writeLoop<A, C>(
    spec: WriteSpec<A, C>,
    items: readonly A[],
    ctx: CallContext,
    progress: Progress,
    outcomes: Map<A, EntryOutcome>,
    toConfirm: C[],
  ): Promise<void> {
    const routeTableId = ctx.routeTableId ?? "";
    const { action } = spec;
    const verdictKey = (a: A): string => `${routeTableId}\u0000${action}\u0000${spec.keyOf(a)}`;
    let pending = this.#invalidVerdicts.filter(items, verdictKey, outcomes);
    let attempt = 0;
    // True while `pending` holds entries of a write that was sent and may have been applied:
    // an abort then leaves them unknown, never "failed" (the next pass re-reads).
    let uncertain = false;
    const abandon = (): void => {
      if (uncertain) for (const a of pending) outcomes.set(a, unconfirmed());
    };
    while (pending.length > 0) {
      if (ctx.signal?.aborted === true) return abandon();
      attempt += 1;
      let result: BatchWriteResult;
      let sent = false;
      try {
        await this.#waitQuiet(routeTableId, ctx);
        const batch = pending;
        result = await this.#write(action, ctx, () => {
          sent = true;
          return spec.call(batch);
        });
      } catch (error) {
        const failure = classifyError(error, { action, secrets: this.#secrets });
        if (failure.kind === "aborted") {
          uncertain ||= sent;
          abandon();
          break;
        }
        this.#throwIfNothingDone(failure, progress);
        const decision = decideRetry(failure, attempt, this.#retry, this.#random);
        if (!decision.retry) {
          if (failure.kind === "invalid" && pending.length === 1 && pending[0] !== undefined) {
            this.#invalidVerdicts.remember(verdictKey(pending[0]), failure);
          }
          if (failure.kind === "invalid" && pending.length > 1 && progress.splitsLeft > 0) {
            // One bad entry (e.g. a destination inside a vSwitch CIDR) fails the whole call: split to
            // isolate it, within a budget per apply (a batch of bad entries must not cost ~2n calls).
            progress.splitsLeft -= 1;
            const half = Math.ceil(pending.length / 2);
            await this.#writeLoop(spec, pending.slice(0, half), ctx, progress, outcomes, toConfirm);
            await this.#writeLoop(spec, pending.slice(half), ctx, progress, outcomes, toConfirm);
          } else {
            for (const a of pending) outcomes.set(a, { ok: false, error: failure });
          }
          break;
        }
        this.#noteRetry(action, failure, decision.delayMs, routeTableId);
        uncertain = mayHaveBeenApplied(failure);
        if (!(await this.#sleep(decision.delayMs, ctx))) {
          abandon();
          break;
        }
        if (uncertain) {
          try {
            pending = await spec.recheck(pending, toConfirm);
            uncertain = false;
          } catch (recheckError) {
            // Cannot tell what was applied: report, and let the next pass (which re-reads) decide.
            const unknown = classifyError(recheckError, { action: "DescribeRouteEntryList", secrets: this.#secrets });
            for (const a of pending) outcomes.set(a, unknown.kind === "aborted" ? unconfirmed() : { ok: false, error: unknown });
            break;
          }
        }
        continue;
      }
      uncertain = false;
      progress.wrote = true;
      const { retryLater, retryError } = this.#sortAnswers(spec, pending, result, attempt, routeTableId, outcomes, toConfirm);
      pending = retryLater;
      if (pending.length > 0 && retryError !== undefined) {
        const decision = decideRetry(retryError, attempt, this.#retry, this.#random);
        const delayMs = decision.retry ? decision.delayMs : 0;
        this.#noteRetry(action, retryError, delayMs, routeTableId);
        if (!(await this.#sleep(delayMs, ctx))) break;
      }
    }
  }

  /** Sorts a batch answer: done entries go to confirmation, retryable failures back to pending, the rest fail. */
  #sortAnswers<A, C>(
    spec: WriteSpec<A, C>,
    pending: readonly A[],
    result: BatchWriteResult,
    attempt: number,
    routeTableId: string,
    outcomes: Map<A, EntryOutcome>,
    toConfirm: C[],
  ): { retryLater: A[]; retryError: CloudError | undefined } {
    const { action } = spec;
    const failures = new Map(result.failures.map((f) => [spec.failureKey(f), f]));
    const asked = new Set(pending.map((a) => spec.keyOf(a)));
    for (const [key, f] of failures) {
      // Should not happen; if it does, the settle wait reports the entry as not settled.
      if (!asked.has(key)) {
        this.#log.warn({ action, code: f.failedCode, requestId: result.requestId, routeTableId, destinationCidr: f.destinationCidr, routeEntryId: f.routeEntryId }, "batch failure matches no requested entry");
      }
    }
    const retryLater: A[] = [];
    let retryError: CloudError | undefined;
    for (const a of pending) {
      const failed = failures.get(spec.keyOf(a));
      if (failed === undefined) {
        toConfirm.push(spec.confirm(a, false));
      } else if (spec.isDoneCode(failed.failedCode ?? "")) {
        toConfirm.push(spec.confirm(a, true));
      } else {
        // VPC_ROUTE_ENTRY_STATUS_ERROR ("middle status") lands here as a retryable conflict: it is
        // also what a busy VPC answers for entries it did not create, so the entry is written
        // again after the wait; if it did get created, that write reports a duplicate we check.
        const error = classifyFailedCode(failed.failedCode ?? "", failed.failedMessage, { action, secrets: this.#secrets, requestId: result.requestId });
        if (error.retryable && attempt < this.#retry.maxAttempts) {
          retryLater.push(a);
          retryError = error;
        } else {
          outcomes.set(a, { ok: false, error });
        }
      }
    }
    return { retryLater, retryError };
  }

  #createSpec(ctx: CallContext, outcomes: Map<RouteCreate, EntryOutcome>): WriteSpec<RouteCreate, CreateToConfirm> {
    return {
      action: "CreateRouteEntries",
      call: (pending) => this.#api.createRouteEntries(pending.map((a) => ({ ...a }))),
      keyOf: (a) => createKey(a.destinationCidr, a.instanceId),
      failureKey: (f) => createKey(f.destinationCidr ?? "", f.nextHop ?? ""),
      isDoneCode: isAlreadyExistsCode,
      confirm: (action, reportedExisting) => ({ action, reportedExisting }),
      recheck: (pending, toConfirm) => this.#recheckCreates(pending, ctx, toConfirm, outcomes),
    };
  }

  #deleteSpec(ctx: CallContext): WriteSpec<RouteDelete, DeleteToConfirm> {
    return {
      action: "DeleteRouteEntries",
      call: (pending) => this.#api.deleteRouteEntries(pending.map((a) => ({ routeTableId: a.routeTableId, routeEntryId: a.routeEntryId }))),
      keyOf: (a) => a.routeEntryId,
      failureKey: (f) => f.routeEntryId ?? "",
      isDoneCode: isEntryNotFoundCode,
      confirm: (action, reportedMissing) => ({ action, reportedMissing }),
      recheck: async (pending, toConfirm) => {
        const present = new Map((await this.#listEntries(ctx.routeTableId ?? "", ["Instance"], ctx)).map((e) => [e.routeEntryId, e]));
        const still: RouteDelete[] = [];
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
  async #recheckCreates(pending: RouteCreate[], ctx: CallContext, toConfirm: CreateToConfirm[], outcomes: Map<RouteCreate, EntryOutcome>): Promise<RouteCreate[]> {
    const entries = await this.#listEntries(ctx.routeTableId ?? "", ["Instance"], ctx);
    const byCidr = new Map(entries.map((e) => [e.destinationCidr, e]));
    const still: RouteCreate[] = [];
    for (const action of pending) {
      const holder = byCidr.get(action.destinationCidr);
      if (holder === undefined) still.push(action);
      else if (routesTo(holder, action.instanceId)) toConfirm.push({ action, reportedExisting: false });
      else outcomes.set(action, { ok: false, error: destinationHeld(action, holder) });
    }
    return still;
  }

  /** Waits until every create is Available with our next hop; decides DestinationHeld and NotSettled. */
  async #confirmCreates(toConfirm: readonly CreateToConfirm[], ctx: CallContext, outcomes: Map<RouteCreate, EntryOutcome>): Promise<void> {
    if (toConfirm.length === 0) return;
    const routeTableId = ctx.routeTableId ?? "";
    const deadline = this.#timers.now() + this.#writeDeadlineMs;
    let open = [...toConfirm];
    let lastSeen: Map<string, RouteEntry>;
    for (;;) {
      let entries: RouteEntry[];
      try {
        entries = await this.#listEntries(routeTableId, ["Instance"], ctx);
      } catch (error) {
        const failure = classifyError(error, { action: "DescribeRouteEntryList", secrets: this.#secrets });
        for (const item of open) outcomes.set(item.action, failure.kind === "aborted" ? unconfirmed() : { ok: false, error: failure });
        return;
      }
      lastSeen = new Map(entries.map((e) => [e.destinationCidr, e]));
      const next: CreateToConfirm[] = [];
      const heldElsewhere: CreateToConfirm[] = [];
      for (const item of open) {
        const entry = lastSeen.get(item.action.destinationCidr);
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
      open = next;
      if (open.length === 0) return;
      if (ctx.signal?.aborted === true) break;
      if (this.#timers.now() >= deadline) break;
      if (!(await this.#sleep(this.#pollIntervalMs, ctx))) break;
    }
    for (const item of open) {
      if (ctx.signal?.aborted === true) {
        outcomes.set(item.action, unconfirmed());
        continue;
      }
      const entry = lastSeen.get(item.action.destinationCidr);
      const state = entry === undefined ? "not visible" : `still ${entry.status}`;
      this.#log.warn({ action: "CreateRouteEntries", code: ROUTE_ENTRY_NOT_SETTLED, routeTableId, destinationCidr: item.action.destinationCidr }, "route entry did not settle");
      outcomes.set(item.action, {
        ok: false,
        error: new CloudError(
          `route entry ${item.action.destinationCidr} -> ${item.action.instanceId} in ${routeTableId} is ${state} after ${this.#writeDeadlineMs} ms (writeDeadlineMs); it will be checked again on the next pass`,
          { code: ROUTE_ENTRY_NOT_SETTLED, kind: "conflict", retryable: true, action: "CreateRouteEntries" },
        ),
      });
    }
  }

  /** The API says "already exists" but no instance route holds it: find the foreign holder for the message. */
  async #reportForeignHolders(items: readonly CreateToConfirm[], ctx: CallContext, outcomes: Map<RouteCreate, EntryOutcome>): Promise<void> {
    let all: RouteEntry[] = [];
    try {
      all = await this.#listEntries(ctx.routeTableId ?? "", this.#listTypes, ctx);
    } catch (error) {
      this.#log.debug({ action: "DescribeRouteEntryList", code: classifyError(error).code, routeTableId: ctx.routeTableId }, "foreign holder lookup failed");
    }
    for (const item of items) {
      const holder = all.find((e) => e.destinationCidr === item.action.destinationCidr);
      outcomes.set(item.action, { ok: false, error: destinationHeld(item.action, holder) });
    }
  }

  async #deleteChunk(chunk: readonly RouteDelete[], ctx: CallContext, progress: Progress, outcomes: Map<RouteDelete, EntryOutcome>): Promise<void> {
    const toConfirm: DeleteToConfirm[] = [];
    await this.#writeLoop(this.#deleteSpec(ctx), chunk, ctx, progress, outcomes, toConfirm);
    await this.#confirmDeletes(toConfirm, ctx, outcomes);
    for (const action of chunk) if (!outcomes.has(action)) outcomes.set(action, aborted());
    progress.done += chunk.length;
    progress.options.onProgress?.(progress.done, progress.total);
  }

  async #confirmDeletes(
    toConfirm: readonly DeleteToConfirm[],
    ctx: CallContext,
    outcomes: Map<RouteDelete, EntryOutcome>,
  ): Promise<void> {
    if (toConfirm.length === 0) return;
    const routeTableId = ctx.routeTableId ?? "";
    const deadline = this.#timers.now() + this.#writeDeadlineMs;
    let open = [...toConfirm];
    let present: Map<string, RouteEntry>;
    for (;;) {
      try {
        present = new Map((await this.#listEntries(routeTableId, ["Instance"], ctx)).map((e) => [e.routeEntryId, e]));
      } catch (error) {
        const failure = classifyError(error, { action: "DescribeRouteEntryList", secrets: this.#secrets });
        for (const item of open) outcomes.set(item.action, failure.kind === "aborted" ? unconfirmed() : { ok: false, error: failure });
        return;
      }
      const next = [];
      for (const item of open) {
        if (present.has(item.action.routeEntryId)) next.push(item);
        else outcomes.set(item.action, { ok: true, routeEntryId: item.action.routeEntryId, ...(item.reportedMissing ? { note: "already-absent" as const } : {}) });
      }
      open = next;
      if (open.length === 0) return;
      if (ctx.signal?.aborted === true || this.#timers.now() >= deadline) break;
      if (!(await this.#sleep(this.#pollIntervalMs, ctx))) break;
    }
    for (const item of open) {
      if (ctx.signal?.aborted === true) {
        outcomes.set(item.action, unconfirmed());
        continue;
      }
      const status = present.get(item.action.routeEntryId)?.status ?? "present";
      this.#log.warn({ action: "DeleteRouteEntries", code: ROUTE_ENTRY_NOT_SETTLED, routeTableId, routeEntryId: item.action.routeEntryId }, "route entry did not settle");
      outcomes.set(item.action, {
        ok: false,
        error: new CloudError(
          `route entry ${item.action.routeEntryId} (${item.action.destinationCidr}) in ${routeTableId} is still ${status} after ${this.#writeDeadlineMs} ms (writeDeadlineMs); it will be checked again on the next pass`,
          { code: ROUTE_ENTRY_NOT_SETTLED, kind: "conflict", retryable: true, action: "DeleteRouteEntries" },
        ),
      });
    }
  }

  /**
   * Waits (up to writeDeadlineMs) until no instance route of the table is Pending/Modifying/Deleting:
   * the API rejects writes to a VPC with unsettled entries. Foreign types are not polled (too many
   * calls); if one of them is in flight the write fails with a conflict code and is retried.
   */
  async #waitQuiet(routeTableId: string, ctx: CallContext): Promise<void> {
    const deadline = this.#timers.now() + this.#writeDeadlineMs;
    for (;;) {
      const entries = await this.#listEntries(routeTableId, ["Instance"], ctx);
      const busy = entries.filter((e) => e.status !== "Available");
      if (busy.length === 0) return;
      if (this.#timers.now() >= deadline) {
        this.#log.warn({ action: "DescribeRouteEntryList", routeTableId, busy: busy.length }, "route table still has unsettled entries; writing anyway");
        return;
      }
      this.#log.debug({ action: "DescribeRouteEntryList", routeTableId, busy: busy.length }, "waiting for route table to settle");
      if (!(await this.#sleep(this.#pollIntervalMs, ctx))) throw abortError(ctx.signal);
    }
  }

  #throwIfNothingDone(failure: CloudError, progress: Progress): void {
    if ((failure.kind === "credentials" || failure.kind === "permission" || failure.kind === "not-found") && !progress.wrote) throw failure;
  }

  // ---- reads ----------------------------------------------------------------------------------

  async #listEntries(routeTableId: string, types: readonly string[] | "unfiltered", ctx: CallContext): Promise<RouteEntry[]> {
    const byId = new Map<string, RouteEntry>();
    for (const type of types === "unfiltered" ? [undefined] : types) {
      let nextToken: string | undefined;
      do {
        let page;
        try {
          page = await this.#read("DescribeRouteEntryList", { routeTableId, signal: ctx.signal }, () =>
            this.#api.describeRouteEntryList(routeTableId, type, nextToken, ENTRY_PAGE_SIZE),
          );
        } catch (error) {
          // A region that does not know a foreign next-hop type should not hide the others.
          if (error instanceof CloudError && error.kind === "invalid" && type !== undefined && type !== "Instance" && nextToken === undefined) {
            this.#log.debug({ action: "DescribeRouteEntryList", code: error.code, routeTableId, nextHopType: type }, "next-hop type not listable; skipped");
            break;
          }
          throw error;
        }
        for (const entry of page.entries) byId.set(entry.routeEntryId, entry);
        nextToken = page.nextToken;
      } while (nextToken !== undefined);
    }
    return [...byId.values()];
  }

  async #vpcOf(routeTableId: string, signal: AbortSignal | undefined): Promise<string> {
    const known = this.#vpcOfTable.get(routeTableId);
    if (known !== undefined) return known;
    const page = await this.#read("DescribeRouteTableList", { routeTableId, signal }, () =>
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

  /** A read of another VPC API through this adapter's plumbing (rate limit, deadline, retries, classification). */
  readVpc<T>(action: string, call: (api: VpcApi) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.#read(action, { signal }, () => call(this.#api));
  }

  // ---- call plumbing --------------------------------------------------------------------------

  /** A read with retries: reads are safe to repeat. */
  async #read<T>(action: string, ctx: CallContext, call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.#once(action, ctx, call);
      } catch (error) {
        const failure = classifyError(error, { action, secrets: this.#secrets });
        const decision = decideRetry(failure, attempt, this.#retry, this.#random);
        if (!decision.retry) throw failure;
        this.#noteRetry(action, failure, decision.delayMs, ctx.routeTableId);
        if (!(await this.#sleep(decision.delayMs, ctx))) throw classifyError(abortError(ctx.signal), { action });
      }
    }
  }

  /** A write, exactly once: the caller re-reads before any retry so nothing is applied twice blindly. */
  #write<T>(action: string, ctx: CallContext, call: () => Promise<T>): Promise<T> {
    return this.#once(action, ctx, call);
  }

  /** One HTTP call: rate limited, bounded by the outer deadline, observed and logged. */
  async #once<T>(action: string, ctx: CallContext, call: () => Promise<T>): Promise<T> {
    const signal = ctx.signal;
    if (signal?.aborted === true) throw classifyError(abortError(signal), { action });
    const queued = this.#queue.add(async () => {
      // Checked again when the call leaves the queue: leadership (or the process) may have ended
      // while it waited behind the rate limit, and nothing may be sent after that.
      if (signal?.aborted === true) throw classifyError(abortError(signal), { action });
      const started = this.#timers.now();
      try {
        const value = await withDeadline(call(), this.#callDeadlineMs, ctx.signal);
        const durationMs = Math.max(0, this.#timers.now() - started);
        this.#observer.onApiCall?.(action, "OK", durationMs);
        this.#log.debug({ action, code: "OK", requestId: requestIdOf(value), routeTableId: ctx.routeTableId, durationMs }, "vpc api call");
        return value;
      } catch (error) {
        const failure = classifyError(error, { action, secrets: this.#secrets });
        const durationMs = Math.max(0, this.#timers.now() - started);
        this.#observer.onApiCall?.(action, failure.code, durationMs);
        if (failure.kind === "throttled") this.#observer.onThrottle?.(action);
        // Transient failures are routine under load (and retried): debug; the rest: warn.
        const fields = { action, code: failure.code, requestId: failure.requestId, routeTableId: ctx.routeTableId, durationMs, error: scrubSecrets(failure.message, this.#secrets) };
        if (failure.retryable) this.#log.debug(fields, "vpc api call failed");
        else this.#log.warn(fields, "vpc api call failed");
        throw failure;
      }
    }, { signal });
    try {
      return await queued;
    } catch (error) {
      // p-queue rejects a call dropped from the queue with the signal's reason (e.g. "leadership lost").
      if (isAborted(signal) && !(error instanceof CloudError)) throw classifyError(abortError(signal), { action });
      throw error;
    }
  }

  #noteRetry(action: string, failure: CloudError, delayMs: number, routeTableId: string | undefined): void {
    this.#observer.onRetry?.(action, failure.code, delayMs);
    this.#log.debug({ action, code: failure.code, requestId: failure.requestId, routeTableId, delayMs }, "retrying vpc api call");
  }

  /** Sleeps; false when aborted. */
  #sleep(ms: number, ctx: CallContext): Promise<boolean> {
    return sleep(this.#timers, ms, ctx.signal);
  }

  async #exclusive<T>(vpcId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#vpcWriters.get(vpcId) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    this.#vpcWriters.set(vpcId, tail);
    try {
      return await run;
    } finally {
      if (this.#vpcWriters.get(vpcId) === tail) this.#vpcWriters.delete(vpcId);
    }
  }
}

function isCredentialSource(value: CredentialSource | AlibabaCredential): value is CredentialSource {
  return typeof (value as { kind?: unknown }).kind === "string" && typeof (value as { getCredential?: unknown }).getCredential !== "function";
}

function positive(name: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`Alibaba route table: ${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}

