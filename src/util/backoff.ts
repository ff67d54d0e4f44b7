// The one backoff formula of the project: exponential growth, capped, with full jitter. Used by the
// cloud retry policy (cloud/alibaba/retry-policy.ts), the informer restarts and status-patch retries
// (kube/), and the reconcile loop's retry of a failed pass (reconcile/pass-scheduler.ts).
// Full jitter (a uniformly random delay between 0 and the capped exponential) spreads the retries of
// two replicas, many informers after an apiserver restart, or many clients throttled at once, and on
// average halves the wait of a plain exponential backoff.

export interface BackoffPolicy {
  /** Ceiling of the first delay (attempt 0). */
  readonly initialMs: number;
  /** Upper bound of every delay. */
  readonly maxMs: number;
  /** Growth of the ceiling per attempt. @default 2 */
  readonly factor?: number;
}

/**
 * Delay before retry number `attempt` (0-based): uniform in [0, ceiling), ceiling =
 * min(maxMs, initialMs * factor^attempt), in whole milliseconds.
 * @param random uniform in [0, 1) (Timers.random in production, fixed in tests)
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number): number {
  const factor = policy.factor ?? 2;
  // The exponent is capped so that a long outage never overflows to Infinity * 0 = NaN.
  const ceiling = Math.min(policy.maxMs, policy.initialMs * factor ** Math.min(Math.max(0, attempt), 64));
  return Math.floor(random() * ceiling);
}
