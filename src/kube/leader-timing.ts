// The one rule for leader-election timings, shared by config validation (a bad pair is exit 2 at
// start, naming the flag) and the elector (which refuses them too, for callers other than the CLI).
// Import-light on purpose: the config module must not load the Kubernetes client.

/** client-go's JitterFactor for the acquire loop: waits between retryPeriod and 2.2 × retryPeriod. */
export const ACQUIRE_JITTER = 1.2;

export interface LeaderTimings {
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
}

export type LeaderTimingProblem =
  | { readonly field: "retryPeriod"; readonly message: string }
  | { readonly field: "renewDeadline"; readonly message: string }
  | { readonly field: "leaseDuration"; readonly message: string };

/** The first rule the timings break, or undefined. Messages use the option names of the elector. */
export function leaderTimingProblem(t: LeaderTimings): LeaderTimingProblem | undefined {
  if (!(t.retryPeriodMs > 0)) return { field: "retryPeriod", message: `retryPeriod must be > 0, got ${t.retryPeriodMs} ms` };
  if (!(t.renewDeadlineMs > ACQUIRE_JITTER * t.retryPeriodMs)) {
    return {
      field: "renewDeadline",
      message: `renewDeadline (${t.renewDeadlineMs} ms) must be greater than ${ACQUIRE_JITTER} × retryPeriod (${t.retryPeriodMs} ms)`,
    };
  }
  if (!(t.leaseDurationMs > t.renewDeadlineMs)) {
    return {
      field: "leaseDuration",
      message: `leaseDuration (${t.leaseDurationMs} ms) must be greater than renewDeadline (${t.renewDeadlineMs} ms)`,
    };
  }
  return undefined;
}
