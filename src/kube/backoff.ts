// Exponential backoff with jitter, shared by the informer restarts and the status-patch retries.
// Jitter keeps two replicas (or many informers after an apiserver restart) from retrying in step.

export interface BackoffPolicy {
  /** First delay. @default 500 */
  readonly initialMs: number;
  /** Upper bound of any delay. @default 30000 */
  readonly maxMs: number;
  /** Growth per attempt. @default 2 */
  readonly factor?: number;
}

/**
 * Delay before retry number `attempt` (0-based): `initialMs * factor^attempt`, capped at `maxMs`,
 * then "equal jitter" (a uniformly random value between half and all of it), so the delay never
 * collapses to zero but spreads concurrent retries.
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number): number {
  const factor = policy.factor ?? 2;
  const exponential = policy.initialMs * Math.pow(factor, Math.max(0, attempt));
  const capped = Math.min(policy.maxMs, exponential);
  return Math.round(capped / 2 + (random() * capped) / 2);
}
