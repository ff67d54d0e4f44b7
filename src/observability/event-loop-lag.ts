// prom-client's `nodejs_eventloop_lag_*` gauges, under the same names, sampled every 100 ms instead
// of its default 10 ms: a 10 ms libuv timer alone costs an idle controller ~8 ms of CPU per second
// (docs/performance.md, issue 19). prom-client resets its histogram at every scrape and prints
// "Nan" when a scrape finds it empty, which a 100 ms period makes likely for frequent scrapes; here
// an empty histogram keeps the previous values instead. Node's histogram records the time between
// two ticks of its sampling timer, the period included; the period is subtracted, so the gauges
// read the delay itself (prom-client's read ~10 ms more).
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Gauge, type Registry } from "prom-client";

const STATS = [
  ["min", "The minimum recorded event loop delay.", (h: Histogram) => h.min],
  ["max", "The maximum recorded event loop delay.", (h: Histogram) => h.max],
  ["mean", "The mean of the recorded event loop delays.", (h: Histogram) => h.mean],
  ["stddev", "The standard deviation of the recorded event loop delays.", (h: Histogram) => h.stddev],
  ["p50", "The 50th percentile of the recorded event loop delays.", (h: Histogram) => h.percentile(50)],
  ["p90", "The 90th percentile of the recorded event loop delays.", (h: Histogram) => h.percentile(90)],
  ["p99", "The 99th percentile of the recorded event loop delays.", (h: Histogram) => h.percentile(99)],
] as const;

type Histogram = ReturnType<typeof monitorEventLoopDelay>;

/** Names prom-client's default collectors register for the event loop lag (replaced by these). */
export const EVENT_LOOP_LAG_NAMES: readonly string[] = ["nodejs_eventloop_lag_seconds", ...STATS.map(([stat]) => `nodejs_eventloop_lag_${stat}_seconds`)];

export function registerEventLoopLag(registry: Registry, resolutionMs = 100): void {
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  const periodNs = resolutionMs * 1e6;
  histogram.enable();
  const lag = new Gauge({ name: "nodejs_eventloop_lag_seconds", help: "Lag of event loop in seconds.", registers: [registry] });
  const gauges = STATS.map(([stat, help, read]) => ({
    stat,
    gauge: new Gauge({ name: `nodejs_eventloop_lag_${stat}_seconds`, help, registers: [registry] }),
    read,
  }));
  // The collect hook of one gauge fills them all (prom-client calls it at every scrape).
  const first = gauges[0];
  if (first === undefined) return;
  const collect = (): void => {
    const start = process.hrtime.bigint();
    setImmediate(() => lag.set(Number(process.hrtime.bigint() - start) / 1e9));
    if (histogram.count === 0) return;
    for (const { stat, gauge, read } of gauges) {
      const delay = stat === "stddev" ? read(histogram) : read(histogram) - periodNs;
      gauge.set(Math.max(0, delay) / 1e9);
    }
    histogram.reset();
  };
  (first.gauge as unknown as { collect: () => void }).collect = collect;
}
