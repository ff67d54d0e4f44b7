// The one function that decides whether a failed VPC API call is retried and after how long.
// The project's one backoff formula (util/backoff.ts: exponential, capped, full jitter), never
// shorter than the server's x-acs-retry-after hint.
import { backoffDelay } from "../../util/backoff.js";
import type { CloudError } from "../errors.js";

export interface RetryOptions {
  /** Total attempts of one logical call, the first included. @default 6 */
  readonly maxAttempts: number;
  /** Backoff base: attempt n waits up to base * 2^(n-1). @default 500 */
  readonly baseDelayMs: number;
  /** Cap of one backoff delay. @default 30000 */
  readonly maxDelayMs: number;
}

/** @internal exported for tests */
export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 30_000 };

export type RetryDecision = { readonly retry: true; readonly delayMs: number } | { readonly retry: false };

/**
 * @param error the classified failure of attempt number `attempt` (1-based)
 * @param random uniform in [0, 1)
 */
export function decideRetry(error: CloudError, attempt: number, options: RetryOptions, random: () => number): RetryDecision {
  if (!error.retryable || attempt >= options.maxAttempts) return { retry: false };
  const jittered = backoffDelay({ initialMs: options.baseDelayMs, maxMs: options.maxDelayMs }, attempt - 1, random);
  const hinted = error.retryAfterMs !== undefined ? Math.min(error.retryAfterMs, options.maxDelayMs) : 0;
  return { retry: true, delayMs: Math.max(jittered, hinted) };
}

/** Validates user-supplied retry options, naming the wrong field. */
export function resolveRetryOptions(partial: Partial<RetryOptions> | undefined): RetryOptions {
  const merged = { ...DEFAULT_RETRY, ...stripUndefined(partial ?? {}) };
  if (!Number.isInteger(merged.maxAttempts) || merged.maxAttempts < 1) {
    throw new TypeError(`retry.maxAttempts must be an integer >= 1, got ${String(merged.maxAttempts)}`);
  }
  for (const key of ["baseDelayMs", "maxDelayMs"] as const) {
    if (!Number.isFinite(merged[key]) || merged[key] < 0) {
      throw new TypeError(`retry.${key} must be a number >= 0, got ${String(merged[key])}`);
    }
  }
  return merged;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
