// Waiting on the table after writes: one generic "poll until settled" for creates and deletes
// (each decides its items against a fresh read of the table), and the wait for a quiet table
// before a write (the API rejects writes to a VPC with unsettled entries).
import type { Logger } from "pino";
import type { RouteEntry } from "../../domain/types.js";
import { CloudError } from "../errors.js";
import type { EntryOutcome } from "../route-table.js";
import type { ApiCalls } from "./api-calls.js";
import { classifyError } from "./classify-error.js";
import type { WriteAction, WriteContext } from "./write-loop.js";
import { unconfirmed } from "./write-outcome.js";
import { abortError, type Timers } from "../../util/timers.js";

export const ROUTE_ENTRY_NOT_SETTLED = "RouteEntry.NotSettled";

/** How long a read that found the table quiet stands in for the wait-for-quiet read of the next write. */
export const QUIET_READ_MAX_AGE_MS = 5000;

export interface SettleDeps {
  readonly calls: ApiCalls;
  readonly log: Logger;
  readonly timers: Timers;
  readonly writeDeadlineMs: number;
  readonly schedule: SettleSchedule;
  readonly quiet: QuietTables;
  /**
   * One read of the entries of these destinations (every entry the settle decision needs; a
   * targeted read where the API allows it, else the whole table); notes quiet reads in `quiet`.
   */
  read(ctx: WriteContext, destinations: readonly string[]): Promise<RouteEntry[]>;
}

/**
 * When to re-read after a write. Before anything is learned: a short first wait, then waits of at
 * most twice that. Once a batch of a table has settled, the next batch aims its first read at the
 * earliest time after a write at which this table was seen settled, among the batches since its
 * Pending time last changed (entries of one table stay Pending about equally long; the latest time
 * one was still seen Pending bounds that from below), then polls with short waits again - so a
 * write is usually confirmed by one read (issue 19: an added Node costs its write and one read)
 * instead of a read per poll interval.
 */
export class SettleSchedule {
  readonly #firstPollMs: number;
  readonly #maxPollMs: number;
  /** Per table: latest time after a write an entry was seen unsettled (lo), earliest it was seen settled (hi). */
  readonly #learned = new Map<string, { readonly lo: number | undefined; readonly hi: number; readonly readMs: number }>();

  constructor(firstPollMs: number, maxPollMs: number) {
    this.#firstPollMs = firstPollMs;
    this.#maxPollMs = maxPollMs;
  }

  /** The wait before the n-th read (n = 0 for the first) after a write to `routeTableId`. */
  wait(routeTableId: string, n: number): number {
    const learned = this.#learned.get(routeTableId);
    if (n === 0 && learned !== undefined) {
      // Never seen unsettled (settles within a read): probe a little earlier each time.
      const target = learned.lo !== undefined ? Math.max(learned.hi, learned.lo + this.#firstPollMs / 2) : learned.hi * 0.8;
      return Math.max(0, Math.min(this.#maxPollMs * 10, target - learned.readMs));
    }
    if (learned === undefined) {
      // Nothing learned yet: short waits (at most twice the first), so the first batch of a table
      // overshoots its settle time by little; it teaches the batches after it.
      return Math.min(this.#maxPollMs, this.#firstPollMs * 2, this.#firstPollMs * 1.5 ** n);
    }
    return Math.min(this.#maxPollMs, (this.#firstPollMs / 2) * 1.5 ** Math.max(0, n - 1));
  }

  /** A batch settled: `openMs` after the write a read last saw it unsettled (if any), `settledMs` after the write one saw it settled. */
  learn(routeTableId: string, openMs: number | undefined, settledMs: number, readMs: number): void {
    const prev = this.#learned.get(routeTableId);
    let lo = prev?.lo === undefined ? openMs : openMs === undefined ? prev.lo : Math.max(prev.lo, openMs);
    let hi = prev === undefined ? settledMs : Math.min(prev.hi, settledMs);
    if (lo !== undefined && lo >= hi) {
      // The bounds cross: the Pending time changed. Start over from this batch.
      lo = openMs;
      hi = settledMs;
    }
    this.#learned.set(routeTableId, { lo, hi, readMs });
  }
}

/** Tables whose latest read found every entry settled, and when: good for one write. */
export class QuietTables {
  readonly #quietAt = new Map<string, number>();
  /** Tables whose last read (of any age) found every entry it saw settled. */
  readonly #lastSeenQuiet = new Set<string>();

  noteRead(routeTableId: string, entries: readonly RouteEntry[], at: number): void {
    if (entries.every((e) => e.status === "Available")) {
      this.#quietAt.set(routeTableId, at);
      this.#lastSeenQuiet.add(routeTableId);
    } else {
      this.#quietAt.delete(routeTableId);
      this.#lastSeenQuiet.delete(routeTableId);
    }
  }

  /**
   * True when the next write may go without a wait-for-quiet read; uses it up. A quiet read of the
   * table within QUIET_READ_MAX_AGE_MS stands for the wait. So does an older one, once (issue 19): a
   * Node event in a quiet cluster then costs its write and its confirmation only. If the VPC is busy
   * after all, it refuses the write (IncorrectRouteEntryStatus or VPC_ROUTE_ENTRY_STATUS_ERROR, both
   * retryable) and the retry finds no quiet read to stand for its wait, so it reads first.
   */
  take(routeTableId: string, now: number): boolean {
    const at = this.#quietAt.get(routeTableId);
    this.#quietAt.delete(routeTableId);
    const seenQuiet = this.#lastSeenQuiet.delete(routeTableId);
    return (at !== undefined && now - at <= QUIET_READ_MAX_AGE_MS) || seenQuiet;
  }
}

/** How one kind of write decides that its entries have settled. */
export interface SettleSpec<I, A> {
  readonly action: WriteAction;
  /** The requested action an item confirms (the key of the outcome). */
  actionOf(item: I): A;
  /** The destination whose entry decides the item. */
  destinationOf(item: I): string;
  /** Sets the outcome of every item this read decides; returns the items still open. */
  decide(entries: readonly RouteEntry[], open: readonly I[], ctx: WriteContext, outcomes: Map<A, EntryOutcome>): Promise<I[]>;
  /** "still Pending", "not visible", ...: the state of an item still open at the deadline. */
  stateOf(item: I, lastRead: readonly RouteEntry[]): string;
  /** How the item is named in the not-settled message and log line. */
  describe(item: I): { readonly text: string; readonly fields: Record<string, string> };
}

/** Re-reads the table until every item is decided, the write deadline passes, or the apply is aborted. */
export async function pollUntilSettled<I, A>(
  deps: SettleDeps,
  spec: SettleSpec<I, A>,
  items: readonly I[],
  ctx: WriteContext,
  outcomes: Map<A, EntryOutcome>,
): Promise<void> {
  if (items.length === 0) return;
  const { timers, schedule } = deps;
  const wroteAt = timers.now();
  const deadline = wroteAt + deps.writeDeadlineMs;
  let open = [...items];
  let last: RouteEntry[] = [];
  let openMs: number | undefined;
  for (let n = 0; ; n += 1) {
    if (!(await deps.calls.sleep(schedule.wait(ctx.routeTableId, n), ctx))) break;
    const readFrom = timers.now();
    try {
      last = await deps.read(ctx, open.map((item) => spec.destinationOf(item)));
    } catch (error) {
      const failure = classifyError(error, { action: "DescribeRouteEntryList", secrets: deps.calls.secrets });
      for (const item of open) outcomes.set(spec.actionOf(item), failure.kind === "aborted" ? unconfirmed() : { ok: false, error: failure });
      return;
    }
    const readTo = timers.now();
    open = await spec.decide(last, open, ctx, outcomes);
    if (open.length === 0) {
      schedule.learn(ctx.routeTableId, openMs, readTo - wroteAt, readTo - readFrom);
      return;
    }
    openMs = readTo - wroteAt;
    if (ctx.signal?.aborted === true || timers.now() >= deadline) break;
  }
  for (const item of open) {
    if (ctx.signal?.aborted === true) {
      // Written, not confirmed: unknown (the next pass re-reads), never "failed and not applied".
      outcomes.set(spec.actionOf(item), unconfirmed());
      continue;
    }
    const { text, fields } = spec.describe(item);
    deps.log.warn({ action: spec.action, code: ROUTE_ENTRY_NOT_SETTLED, routeTableId: ctx.routeTableId, ...fields }, "route entry did not settle");
    outcomes.set(spec.actionOf(item), {
      ok: false,
      error: new CloudError(
        `route entry ${text} in ${ctx.routeTableId} is ${spec.stateOf(item, last)} after ${deps.writeDeadlineMs} ms (writeDeadlineMs); it will be checked again on the next pass`,
        { code: ROUTE_ENTRY_NOT_SETTLED, kind: "conflict", retryable: true, action: spec.action },
      ),
    });
  }
}

/**
 * Waits (up to writeDeadlineMs) until no entry of the table is Pending/Modifying/Deleting: the API
 * rejects writes to a VPC with unsettled entries. If an entry the read does not show is in flight
 * the write fails with a conflict code and is retried.
 */
export async function waitQuiet(deps: SettleDeps, ctx: WriteContext): Promise<void> {
  // A read that just found the table quiet (the pass's listing, the previous batch's confirmation) is this wait.
  if (deps.quiet.take(ctx.routeTableId, deps.timers.now())) return;
  const deadline = deps.timers.now() + deps.writeDeadlineMs;
  for (let n = 0; ; n += 1) {
    const entries = await deps.read(ctx, []);
    deps.quiet.take(ctx.routeTableId, deps.timers.now());
    const busy = entries.filter((e) => e.status !== "Available");
    if (busy.length === 0) return;
    if (deps.timers.now() >= deadline) {
      deps.log.warn({ action: "DescribeRouteEntryList", routeTableId: ctx.routeTableId, busy: busy.length }, "route table still has unsettled entries; writing anyway");
      return;
    }
    deps.log.debug({ action: "DescribeRouteEntryList", routeTableId: ctx.routeTableId, busy: busy.length }, "waiting for route table to settle");
    if (!(await deps.calls.sleep(deps.schedule.wait(ctx.routeTableId, n + 1), ctx))) throw abortError(ctx.signal);
  }
}
