// Injected time for the Kubernetes building blocks: the informer's restart backoff, the status
// writer's conflict retries and the leader elector's lease clock all read time through this, so
// tests can drive them and nothing here calls Date.now() or setTimeout directly.

/** Opaque: whatever `setTimeout` returned (a Timeout object on Node, a number elsewhere). */
export type TimerHandle = object | number;

export interface KubeTimers {
  /** Milliseconds since the epoch (wall clock; used for Lease/Event timestamps too). */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** Uniform random number in [0, 1), for jitter. */
  random(): number;
}

/** Real time. Timers are unref'd so a pending backoff never keeps the process alive on its own. */
export const systemTimers: KubeTimers = Object.freeze({
  now: () => Date.now(),
  setTimeout: (callback: () => void, ms: number): TimerHandle => {
    const handle = setTimeout(callback, ms);
    handle.unref();
    return handle;
  },
  clearTimeout: (handle: TimerHandle): void => {
    clearTimeout(handle as Parameters<typeof clearTimeout>[0]);
  },
  random: () => Math.random(),
});

/**
 * Resolves after `ms` on the given timers, or at once (without error) when `signal` aborts.
 * Callers check their own state after waking; an abort is not an error here.
 */
export function sleep(timers: KubeTimers, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const onAbort = (): void => {
      timers.clearTimeout(handle);
      resolve();
    };
    const handle = timers.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
