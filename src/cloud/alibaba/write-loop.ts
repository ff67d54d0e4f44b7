// The write loop shared by creates and deletes: one batch call per round for the entries still
// pending, a wait for a quiet table before each call, per-entry failures correlated by key,
// retryable ones written again after a backoff, a batch that one bad entry fails split in halves
// to isolate it, and entries that may have been applied re-read before any retry.
import type { Logger } from "pino";
import { CloudError } from "../errors.js";
import type { ApplyOptions, EntryOutcome } from "../route-table.js";
import type { ApiCalls, CallScope } from "./api-calls.js";
import { classifyError, classifyFailedCode } from "./classify-error.js";
import type { InvalidVerdicts } from "./invalid-verdicts.js";
import type { BatchWriteResult, ItemFailure } from "./vpc-api.js";
import { mayHaveBeenApplied, unconfirmed } from "./write-outcome.js";

export type WriteAction = "CreateRouteEntries" | "DeleteRouteEntries";

export interface Progress {
  done: number;
  readonly total: number;
  wrote: boolean;
  readonly options: ApplyOptions;
  /** Halvings left for isolating invalid entries in this apply (caps the calls a bad batch costs). */
  splitsLeft: number;
}

/** Halvings per apply: isolating one bad entry in 50 takes about 6; 50 bad entries would take 49. */
export const MAX_SPLITS_PER_APPLY = 12;

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
  /** Entries rejected as invalid on their own, not sent again while the verdict is fresh. */
  readonly verdicts: InvalidVerdicts;
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
  const verdictKey = (a: A): string => `${routeTableId}\u0000${action}\u0000${spec.keyOf(a)}`;
  let pending = deps.verdicts.filter(items, verdictKey, outcomes);
  let attempt = 0;
  // True while `pending` holds entries of a write that was sent and may have been applied: an
  // abort then leaves them unknown, never "failed" (the next pass re-reads).
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
      await deps.waitQuiet(ctx);
      const batch = pending;
      result = await calls.write(action, ctx, () => {
        sent = true;
        return spec.call(batch);
      });
    } catch (error) {
      const failure = classifyError(error, { action, secrets: calls.secrets });
      if (failure.kind === "aborted") {
        uncertain ||= sent;
        abandon();
        break;
      }
      throwIfNothingDone(failure, ctx.progress);
      const decision = calls.decide(failure, attempt);
      if (!decision.retry) {
        if (failure.kind === "invalid" && pending.length === 1 && pending[0] !== undefined) {
          deps.verdicts.remember(verdictKey(pending[0]), failure);
        }
        if (failure.kind === "invalid" && pending.length > 1 && ctx.progress.splitsLeft > 0) {
          // One bad entry (e.g. a destination inside a vSwitch CIDR) fails the whole call: split to
          // isolate it, within a budget per apply (a batch of bad entries must not cost ~2n calls).
          ctx.progress.splitsLeft -= 1;
          const half = Math.ceil(pending.length / 2);
          await writeLoop(deps, spec, pending.slice(0, half), ctx, outcomes, toConfirm);
          await writeLoop(deps, spec, pending.slice(half), ctx, outcomes, toConfirm);
        } else {
          for (const a of pending) outcomes.set(a, { ok: false, error: failure });
        }
        break;
      }
      calls.noteRetry(action, failure, decision.delayMs, routeTableId);
      uncertain = mayHaveBeenApplied(failure);
      if (!(await calls.sleep(decision.delayMs, ctx))) {
        abandon();
        break;
      }
      if (uncertain) {
        try {
          pending = await spec.recheck(pending, toConfirm);
          uncertain = false;
        } catch (recheckError) {
          // Cannot tell what was applied: report, and let the next pass (which re-reads) decide.
          const unknown = classifyError(recheckError, { action: "DescribeRouteEntryList", secrets: calls.secrets });
          for (const a of pending) outcomes.set(a, unknown.kind === "aborted" ? unconfirmed() : { ok: false, error: unknown });
          break;
        }
      }
      continue;
    }
    uncertain = false;
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

/** Credentials, permission and a missing table are final when nothing was written yet: the whole apply fails. */
function throwIfNothingDone(failure: CloudError, progress: Progress): void {
  if ((failure.kind === "credentials" || failure.kind === "permission" || failure.kind === "not-found") && !progress.wrote) throw failure;
}
