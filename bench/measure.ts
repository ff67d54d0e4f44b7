// Measurement helpers: repeated timing with warm-up, median/p95, and heap figures taken after a
// full garbage collection (node --expose-gc), so numbers compare between runs and machines.
import { performance } from "node:perf_hooks";
import v8 from "node:v8";

export interface Samples {
  readonly iterations: number;
  /** Median CPU time (user + system) of this process per run, when measured: robust against a busy machine. */
  readonly cpuMedianMs?: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly minMs: number;
  readonly maxMs: number;
}

/** Nearest-rank percentile of sorted samples. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(durationsMs: readonly number[]): Samples {
  const sorted = [...durationsMs].sort((a, b) => a - b);
  return {
    iterations: sorted.length,
    medianMs: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    minMs: sorted[0] ?? Number.NaN,
    maxMs: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** Full GC when the process runs with --expose-gc; returns whether it could. */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== "function") return false;
  gc();
  gc(); // a second pass frees what the first pass' finalizers released
  return true;
}

export interface HeapFigures {
  /** V8 heap in use, MiB. */
  readonly heapUsedMiB: number;
  readonly rssMiB: number;
}

export function heapNow(): HeapFigures {
  const m = process.memoryUsage();
  return { heapUsedMiB: mib(v8.getHeapStatistics().used_heap_size), rssMiB: mib(m.rss) };
}

export const mib = (bytes: number): number => round(bytes / (1024 * 1024), 1);
export const round = (n: number, digits = 2): number => Number(n.toFixed(digits));

export interface TimeOptions {
  readonly warmup: number;
  /** At least this many measured iterations… */
  readonly minIterations: number;
  /** …and more, up to maxIterations, while the total stays under budgetMs. */
  readonly maxIterations: number;
  readonly budgetMs: number;
}

/** Times `fn` (sync or async): warm-up runs first, then measured runs within the budget. */
export async function timeRepeated(fn: () => unknown, options: TimeOptions): Promise<Samples> {
  for (let i = 0; i < options.warmup; i++) await fn();
  const durations: number[] = [];
  const cpu: number[] = [];
  const started = performance.now();
  while (
    durations.length < options.minIterations ||
    (durations.length < options.maxIterations && performance.now() - started < options.budgetMs)
  ) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    durations.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { ...summarize(durations), cpuMedianMs: summarize(cpu).medianMs };
}

/**
 * Heap retained by what `make` returns (MiB, after GC) and the heap growth while making it
 * (before GC: a rough measure of garbage produced, exact only if no GC ran meanwhile).
 */
export function heapCost(make: () => unknown): { retainedMiB: number; transientMiB: number } {
  collectGarbage();
  const before = v8.getHeapStatistics().used_heap_size;
  const holder: unknown[] = [make()];
  const peak = v8.getHeapStatistics().used_heap_size;
  collectGarbage();
  const after = v8.getHeapStatistics().used_heap_size;
  // Touching the holder after the GC keeps the result alive through the measurement.
  holder.length = 0;
  return { retainedMiB: mib(Math.max(0, after - before)), transientMiB: mib(Math.max(0, peak - before)) };
}

/** Polls `condition` until true or the deadline passes; returns the time it became true. */
export async function waitFor(condition: () => boolean | Promise<boolean>, deadlineMs: number, pollMs = 10): Promise<number> {
  const limit = performance.now() + deadlineMs;
  for (;;) {
    if (await condition()) return performance.now();
    if (performance.now() > limit) throw new Error(`condition not met within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
