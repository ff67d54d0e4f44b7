// Injected time: everything that waits or measures time takes a Timers so tests can drive it.

export interface TimerHandle {
  cancel(): void;
}

export interface Timers {
  now(): number;
  /** Runs `fn` after `ms` milliseconds unless cancelled. */
  schedule(ms: number, fn: () => void): TimerHandle;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  schedule(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(t) };
  },
};

/** Resolves after `ms`, or rejects with the signal's reason when aborted first. */
export function sleep(timers: Timers, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
      return;
    }
    const onAbort = (): void => {
      handle.cancel();
      reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
    };
    const handle = timers.schedule(ms, () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
