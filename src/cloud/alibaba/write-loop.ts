// The write loop shared by creates and deletes: one batch call per round for the entries still
// pending, a wait for a quiet table before each call, per-entry failures correlated by key,
// retryable ones written again after a backoff, a batch that one bad entry fails split in halves
// to isolate it, and entries that may have been applied re-read before any retry.
import type { Logger } from "pino";
import { CloudError } from "../errors.js";
import { MAX_BATCH_ENTRIES, type ApplyOptions, type EntryOutcome } from "../route-table.js";
import type { ApiCalls, CallScope } from "./api-calls.js";
import { classifyError, classifyFailedCode } from "./classify-error.js";
import type { BatchWriteResult, ItemFailure } from "./vpc-api.js";

export type WriteAction = "CreateRouteEntries" | "DeleteRouteEntries";

export interface Progress {
  done: number;
  readonly total: number;
  wrote: boolean;
  readonly options: ApplyOptions;
}

/** Everything one apply() works on: the table (always known here), its abort signal and progress. */
export interface WriteContext extends CallScope {
  readonly routeTableId: string;
  readonly signal?: AbortSignal | undefined;
  readonly progress: Progress;
}

/** How creates and deletes differ inside the shared write loop. */
export interface WriteSpec<A, C> {
  readonly action: WriteAction;
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

export interface WriteLoopDeps {
  readonly calls: ApiCalls;
  readonly log: Logger;
  /** Returns once the table accepts a write (no unsettled entries), or throws when aborted. */
  waitQuiet(ctx: WriteContext): Promise<void>;
}

/**
 * Writes `items` with one batch action until every entry is answered, retried out, or handed to
 * confirmation (`toConfirm`).
 */
export async function writeLoop<A, C>(
  deps: WriteLoopDeps,
  spec: WriteSpec<A, C>,
  items: readonly A[],
  ctx: WriteContext,
  outcomes: Map<A, EntryOutcome>,
  toConfirm: C[],
): Promise<void> {
  const { calls } = deps;
  const { routeTableId } = ctx;
  const { action } = spec;
  let pending = [...items];
  let attempt = 0;
  while (pending.length > 0) {
    if (ctx.signal?.aborted === true) break;
    attempt += 1;
    let result: BatchWriteResult;
    try {
      await deps.waitQuiet(ctx);
      const batch = pending;
      result = await calls.write(action, ctx, () => spec.call(batch));
    } catch (error) {
      const failure = classifyError(error, { action, secrets: calls.secrets });
      if (failure.kind === "aborted") break;
      throwIfNothingDone(failure, ctx.progress);
      const decision = calls.decide(failure, attempt);
      if (!decision.retry) {
        if (failure.kind === "invalid" && pending.length > 1) {
          // One bad entry (e.g. a destination inside a vSwitch CIDR) fails the whole call: split to isolate it.
          const half = Math.ceil(pending.length / 2);
          await writeLoop(deps, spec, pending.slice(0, half), ctx, outcomes, toConfirm);
          await writeLoop(deps, spec, pending.slice(half), ctx, outcomes, toConfirm);
        } else {
          for (const a of pending) outcomes.set(a, { ok: false, error: failure });
        }
        break;
      }
      calls.noteRetry(action, failure, decision.delayMs, routeTableId);
      if (!(await calls.sleep(decision.delayMs, ctx))) break;
      if (mayHaveBeenApplied(failure)) {
        try {
          pending = await spec.recheck(pending, toConfirm);
        } catch (recheckError) {
          // Cannot tell what was applied: report, and let the next pass (which re-reads) decide.
          const unknown = classifyError(recheckError, { action: "DescribeRouteEntryList", secrets: calls.secrets });
          for (const a of pending) outcomes.set(a, { ok: false, error: unknown });
          break;
        }
      }
      continue;
    }
    ctx.progress.wrote = true;
    const { retryLater, retryError } = sortAnswers(deps, spec, pending, result, ctx, attempt, outcomes, toConfirm);
    pending = retryLater;
    if (pending.length > 0 && retryError !== undefined) {
      const decision = calls.decide(retryError, attempt);
      const delayMs = decision.retry ? decision.delayMs : 0;
      calls.noteRetry(action, retryError, delayMs, routeTableId);
      if (!(await calls.sleep(delayMs, ctx))) break;
    }
  }
}

/** Sorts the entries of one answered batch call: to confirm, to write again, or failed. */
function sortAnswers<A, C>(
  deps: WriteLoopDeps,
  spec: WriteSpec<A, C>,
  pending: readonly A[],
  result: BatchWriteResult,
  ctx: WriteContext,
  attempt: number,
  outcomes: Map<A, EntryOutcome>,
  toConfirm: C[],
): { retryLater: A[]; retryError: CloudError | undefined } {
  const { calls, log } = deps;
  const { routeTableId } = ctx;
  const { action } = spec;
  const failures = new Map(result.failures.map((f) => [spec.failureKey(f), f]));
  const asked = new Set(pending.map((a) => spec.keyOf(a)));
  for (const [key, f] of failures) {
    // Should not happen; if it does, the settle wait reports the entry as not settled.
    if (!asked.has(key)) {
      log.warn({ action, code: f.failedCode, requestId: result.requestId, routeTableId, destinationCidr: f.destinationCidr, routeEntryId: f.routeEntryId }, "batch failure matches no requested entry");
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
      const error = classifyFailedCode(failed.failedCode ?? "", failed.failedMessage, { action, secrets: calls.secrets, requestId: result.requestId });
      if (error.retryable && attempt < calls.retry.maxAttempts) {
        retryLater.push(a);
        retryError = error;
      } else {
        outcomes.set(a, { ok: false, error });
      }
    }
  }
  return { retryLater, retryError };
}

export function chunked<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += MAX_BATCH_ENTRIES) out.push(items.slice(i, i + MAX_BATCH_ENTRIES));
  return out;
}

/** Credentials, permission and a missing table are final when nothing was written yet: the whole apply fails. */
function throwIfNothingDone(failure: CloudError, progress: Progress): void {
  if ((failure.kind === "credentials" || failure.kind === "permission" || failure.kind === "not-found") && !progress.wrote) throw failure;
}

/** Network, server and unknown failures leave it open whether the write was applied. */
function mayHaveBeenApplied(failure: CloudError): boolean {
  return failure.kind === "network" || failure.kind === "server" || failure.kind === "unknown";
}

/** The outcome of an entry the apply was aborted before it could confirm. */
export function abortedOutcome(): EntryOutcome {
  return { ok: false, error: new CloudError("apply was aborted before this entry was confirmed", { code: "Aborted", kind: "aborted", retryable: false }) };
}
