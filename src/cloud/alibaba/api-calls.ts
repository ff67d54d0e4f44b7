// Call plumbing of the Alibaba adapter: every VPC API call goes through here, rate limited (one
// queue per adapter), bounded by an outer deadline, observed (metrics), logged, and - for reads
// only - retried by retry-policy.ts. Writes are made exactly once: the write loop re-reads before
// any retry so nothing is applied twice blindly.
import PQueue from "p-queue";
import { CloudError } from "../errors.js";
import { classifyError, scrubSecrets } from "./classify-error.js";
import type { ResolvedAdapterOptions } from "./adapter-options.js";
import { decideRetry, type RetryOptions } from "./retry-policy.js";
import { abortError, sleep } from "../../util/timers.js";
import { isAborted, requestIdOf, withDeadline } from "./write-outcome.js";

/** What a call is about: the table (for logs) and the signal that aborts it. */
export interface CallScope {
  readonly routeTableId?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** The adapter's resolved options this part uses, and the secret values to scrub from messages. */
export type ApiCallsOptions = Pick<ResolvedAdapterOptions, "qps" | "readConcurrency" | "callDeadlineMs" | "retry" | "observer" | "logger" | "timers"> & {
  readonly secrets: readonly string[];
};

export class ApiCalls {
  readonly #queue: PQueue;
  readonly #options: ApiCallsOptions;
  readonly #random: () => number;

  constructor(options: ApiCallsOptions) {
    this.#options = options;
    this.#random = () => options.timers.random();
    const { qps, readConcurrency } = options;
    // Spread calls evenly: qps 5 means at most one call started per 200 ms window.
    this.#queue =
      qps >= 1
        ? new PQueue({ concurrency: readConcurrency, intervalCap: Math.floor(qps), interval: 1000, strict: true })
        : new PQueue({ concurrency: readConcurrency, intervalCap: 1, interval: Math.ceil(1000 / qps), strict: true });
  }

  get secrets(): readonly string[] {
    return this.#options.secrets;
  }

  get retry(): RetryOptions {
    return this.#options.retry;
  }

  /** Backoff decision for the attempt-th failure, with this adapter's jitter. */
  decide(failure: CloudError, attempt: number): ReturnType<typeof decideRetry> {
    return decideRetry(failure, attempt, this.#options.retry, this.#random);
  }

  /** A read with retries: reads are safe to repeat. */
  async read<T>(action: string, scope: CallScope, call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.#once(action, scope, call);
      } catch (error) {
        const failure = classifyError(error, { action, secrets: this.#options.secrets });
        const decision = this.decide(failure, attempt);
        if (!decision.retry) throw failure;
        this.noteRetry(action, failure, decision.delayMs, scope.routeTableId);
        if (!(await this.sleep(decision.delayMs, scope))) throw classifyError(abortError(scope.signal), { action });
      }
    }
  }

  /** A write, exactly once: the caller re-reads before any retry so nothing is applied twice blindly. */
  write<T>(action: string, scope: CallScope, call: () => Promise<T>): Promise<T> {
    return this.#once(action, scope, call);
  }

  noteRetry(action: string, failure: CloudError, delayMs: number, routeTableId: string | undefined): void {
    this.#options.observer.onRetry?.(action, failure.code, delayMs);
    this.#options.logger.debug({ action, code: failure.code, requestId: failure.requestId, routeTableId, delayMs }, "retrying vpc api call");
  }

  /** Sleeps; false when aborted. */
  sleep(ms: number, scope: CallScope): Promise<boolean> {
    return sleep(this.#options.timers, ms, scope.signal);
  }

  /** One HTTP call: rate limited, bounded by the outer deadline, observed and logged. */
  async #once<T>(action: string, scope: CallScope, call: () => Promise<T>): Promise<T> {
    const signal = scope.signal;
    if (isAborted(signal)) throw classifyError(abortError(signal), { action });
    const { timers, observer, logger, secrets, callDeadlineMs } = this.#options;
    const queued = this.#queue.add(async () => {
      // Checked again when the call leaves the queue: leadership (or the process) may have ended
      // while it waited behind the rate limit, and nothing may be sent after that.
      if (isAborted(signal)) throw classifyError(abortError(signal), { action });
      const started = timers.now();
      try {
        const value = await withDeadline(call(), callDeadlineMs, scope.signal);
        const durationMs = Math.max(0, timers.now() - started);
        observer.onApiCall?.(action, "OK", durationMs);
        logger.debug({ action, code: "OK", requestId: requestIdOf(value), routeTableId: scope.routeTableId, durationMs }, "vpc api call");
        return value;
      } catch (error) {
        const failure = classifyError(error, { action, secrets });
        const durationMs = Math.max(0, timers.now() - started);
        observer.onApiCall?.(action, failure.code, durationMs);
        if (failure.kind === "throttled") observer.onThrottle?.(action);
        // Debug only: the failure reaches the user once, where the caller reports it (the pass's
        // table or entry result, the command's one error line, the controller's "reconcile failed").
        const fields = { action, code: failure.code, requestId: failure.requestId, routeTableId: scope.routeTableId, durationMs, error: scrubSecrets(failure.message, secrets) };
        logger.debug(fields, "vpc api call failed");
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
}
