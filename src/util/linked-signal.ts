// A signal that aborts when any of its sources does, unlinked from them once the work it guards is
// over. `AbortSignal.any` does the first half only: Node (22.x here, and later lines, nodejs/node
// #55351 and #64476) keeps every composite it made in each source's set of dependants for as long as
// that source lives, even after GC, about 180-320 bytes each. Combining a process-long signal (the
// leader-election loop, the informer's stop signal) with a per-request one on every request or pass
// therefore grows the heap without bound (docs/performance.md, "What grows in the soak"). Here the
// link is one 'abort' listener per source, removed by `dispose()`: nothing stays behind.

export interface LinkedSignal {
  readonly signal: AbortSignal;
  /** Removes the listeners from the sources; afterwards the signal no longer follows them. Idempotent. */
  readonly dispose: () => void;
}

/** A signal that aborts with the reason of the first source that aborts (at once if one already has). */
export function linkedSignal(sources: readonly AbortSignal[]): LinkedSignal {
  const controller = new AbortController();
  const links: Array<readonly [AbortSignal, () => void]> = [];
  const dispose = (): void => {
    for (const [source, onAbort] of links) source.removeEventListener("abort", onAbort);
    links.length = 0;
  };
  for (const source of sources) {
    if (source.aborted) {
      dispose();
      controller.abort(source.reason);
      break;
    }
    const onAbort = (): void => {
      dispose();
      controller.abort(source.reason);
    };
    source.addEventListener("abort", onAbort, { once: true });
    links.push([source, onAbort]);
  }
  return { signal: controller.signal, dispose };
}
