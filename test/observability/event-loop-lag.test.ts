// The event-loop lag gauges (src/observability/event-loop-lag.ts): valid numbers at every scrape,
// also one that finds no sample yet (prom-client's own printed "Nan" then), and the delay without
// the 100 ms sampling period.
import { describe, expect, it } from "vitest";
import { Metrics } from "../../src/observability/metrics.js";

const lagLines = (text: string): string[] => text.split("\n").filter((line) => line.startsWith("nodejs_eventloop_lag"));

describe("nodejs_eventloop_lag_*", () => {
  it("reads valid numbers at a scrape with no sample yet, and the delay without the sampling period after", async () => {
    const metrics = new Metrics({ version: "test" });
    const first = lagLines(await metrics.render());
    expect(first).toHaveLength(8);
    for (const line of first) expect(Number.isFinite(Number(line.split(" ")[1])), line).toBe(true);

    await new Promise((resolve) => setTimeout(resolve, 350));
    const later = lagLines(await metrics.render());
    const value = (name: string): number => Number(later.find((line) => line.startsWith(`${name} `))?.split(" ")[1]);
    // An idle loop: a few milliseconds at most, not the ~100 ms of the sampling period.
    expect(value("nodejs_eventloop_lag_max_seconds")).toBeGreaterThanOrEqual(0);
    expect(value("nodejs_eventloop_lag_max_seconds")).toBeLessThan(0.05);
    expect(value("nodejs_eventloop_lag_p99_seconds")).toBeLessThanOrEqual(value("nodejs_eventloop_lag_max_seconds"));
  });
});
