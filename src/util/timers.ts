// Injected time for the whole project: everything that reads the clock, waits, or draws jitter
// takes a Timers, so tests drive it with test/support/manual-timers.ts and nothing else calls
// Date.now(), setTimeout or Math.random for scheduling.
//
// Decisions, made once here for every user (reconcile loop, controller, kube building blocks,
// cloud adapter):
// - now() is the wall clock (ms since the epoch). The kube side needs it for Lease and Event
//   timestamps; one clock keeps tests to a single timeline. The waits measured with it (settle
//   deadlines, lease expiry, pass durations) tolerate a step of the system clock: a forward step
//   ends a wait early, which the reconcile loop's next pass repairs; a backward step lengthens it,
//   and every such wait is also bounded by its caller's AbortSignal. Remote timestamps are never
//   compared with it (see leader-election.ts), so skew between hosts does not matter.
// - Real timers are ref'd (plain Node timers). An awaited backoff or settle poll is work in
//   progress: an unref'd one would let the one-shot `reconcile` command exit silently in the
//   middle of a write. Long-lived components cancel their timers on stop(), and the CLI ends
//   every command with an explicit process.exit, so a pending timer never holds a finished
//   process.

/** Opaque: whatever setTimeout returned (a Timeout object on Node, a number in test clocks). */
export type TimerHandle = object | number;

export interface Timers {
  /** Wall clock, milliseconds since the epoch. */
  now(): number;
  /** Runs `callback` once after `ms` milliseconds (at once for ms <= 0) unless cleared first. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** Uniform random number in [0, 1), for jitter. */
  random(): number;
}

/** Real time: Date.now(), Node timers (ref'd, see the header) and Math.random(). */
export const realTimers: Timers = Object.freeze({
  now: () => Date.now(),
  setTimeout: (callback: () => void, ms: number): TimerHandle => setTimeout(callback, Math.max(0, ms)),
  clearTimeout: (handle: TimerHandle): void => {
    clearTimeout(handle as Parameters<typeof clearTimeout>[0]);
  },
  random: () => Math.random(),
});

/**
 * Waits `ms` on the given timers. Resolves true when the time passed, false (at once) when
 * `signal` is or becomes aborted; never rejects. Callers that treat an abort as an error throw
 * abortError(signal) themselves; the others just re-check their own state after waking.
 */
export function sleep(timers: Timers, ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve(false);
      return;
    }
    const onAbort = (): void => {
      timers.clearTimeout(handle);
      resolve(false);
    };
    const handle = timers.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The error to throw for an aborted operation: the signal's own AbortError reason, or a new one. */
export function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === "AbortError") return reason;
  return new DOMException("The operation was aborted", "AbortError");
}
