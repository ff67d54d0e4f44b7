// Preloaded into the controller by `npm run soak` (node --expose-gc --import .../soak-probe.js
// dist/cli.js run ...): every SOAK_PROBE_MS it measures the event-loop delay since the last
// sample, then runs a full GC and appends one JSON line with the heap after it to SOAK_PROBE_FILE.
// The GC's own pause is not counted as event-loop delay (the histogram is reset after it).
import { appendFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import v8 from "node:v8";

const file = process.env.SOAK_PROBE_FILE;
const everyMs = Number(process.env.SOAK_PROBE_MS ?? "10000");
const gc = (globalThis as { gc?: () => void }).gc;

if (file !== undefined && file !== "" && everyMs > 0) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const timer = setInterval(() => {
    const ms = (ns: number): number => Number((ns / 1e6).toFixed(2));
    const loop = { eldP50Ms: ms(delay.percentile(50)), eldP99Ms: ms(delay.percentile(99)), eldMaxMs: ms(delay.max) };
    gc?.();
    gc?.();
    delay.reset();
    const heap = v8.getHeapStatistics();
    const line = {
      t: Date.now(),
      gc: gc !== undefined,
      heapAfterGcMiB: Number((heap.used_heap_size / 2 ** 20).toFixed(2)),
      heapTotalMiB: Number((heap.total_heap_size / 2 ** 20).toFixed(2)),
      heapLimitMiB: Number((heap.heap_size_limit / 2 ** 20).toFixed(1)),
      externalMiB: Number((process.memoryUsage().external / 2 ** 20).toFixed(2)),
      ...loop,
    };
    try {
      appendFileSync(file, `${JSON.stringify(line)}\n`);
    } catch {
      // the soak's directory went away: nothing to report to
    }
  }, everyMs);
  timer.unref();
}
