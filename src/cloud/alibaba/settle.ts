// Waiting on the table after writes: one generic "poll until settled" for creates and deletes
// (each decides its items against a fresh read of the table), and the wait for a quiet table
// before a write (the API rejects writes to a VPC with unsettled entries).
import type { Logger } from "pino";
import type { RouteEntry } from "../../domain/types.js";
import { CloudError } from "../errors.js";
import type { EntryOutcome } from "../route-table.js";
import type { ApiCalls } from "./api-calls.js";
import { classifyError } from "./classify-error.js";
import { abortedOutcome, type WriteAction, type WriteContext } from "./write-loop.js";
import { abortError, type Timers } from "../../util/timers.js";

export const ROUTE_ENTRY_NOT_SETTLED = "RouteEntry.NotSettled";

export interface SettleDeps {
  readonly calls: ApiCalls;
  readonly log: Logger;
  readonly timers: Timers;
  readonly writeDeadlineMs: number;
  readonly pollIntervalMs: number;
  /** One read of the whole table (every entry the settle decision may need). */
  read(ctx: WriteContext): Promise<RouteEntry[]>;
}

/** How one kind of write decides that its entries have settled. */
export interface SettleSpec<I, A> {
  readonly action: WriteAction;
  /** The requested action an item confirms (the key of the outcome). */
  actionOf(item: I): A;
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
  const deadline = deps.timers.now() + deps.writeDeadlineMs;
  let open = [...items];
  let last: RouteEntry[];
  for (;;) {
    try {
      last = await deps.read(ctx);
    } catch (error) {
      const failure = classifyError(error, { action: "DescribeRouteEntryList", secrets: deps.calls.secrets });
      for (const item of open) outcomes.set(spec.actionOf(item), { ok: false, error: failure });
      return;
    }
    open = await spec.decide(last, open, ctx, outcomes);
    if (open.length === 0) return;
    if (ctx.signal?.aborted === true || deps.timers.now() >= deadline) break;
    if (!(await deps.calls.sleep(deps.pollIntervalMs, ctx))) break;
  }
  for (const item of open) {
    if (ctx.signal?.aborted === true) {
      outcomes.set(spec.actionOf(item), abortedOutcome());
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
  const deadline = deps.timers.now() + deps.writeDeadlineMs;
  for (;;) {
    const entries = await deps.read(ctx);
    const busy = entries.filter((e) => e.status !== "Available");
    if (busy.length === 0) return;
    if (deps.timers.now() >= deadline) {
      deps.log.warn({ action: "DescribeRouteEntryList", routeTableId: ctx.routeTableId, busy: busy.length }, "route table still has unsettled entries; writing anyway");
      return;
    }
    deps.log.debug({ action: "DescribeRouteEntryList", routeTableId: ctx.routeTableId, busy: busy.length }, "waiting for route table to settle");
    if (!(await deps.calls.sleep(deps.pollIntervalMs, ctx))) throw abortError(ctx.signal);
  }
}
