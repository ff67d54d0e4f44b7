import { describe, expect, it } from "vitest";
import { PassScheduler, type PassVerdict, type PassTrigger } from "../../src/reconcile/pass-scheduler.js";
import { ManualTimers } from "../support/manual-timers.js";

function setup(outcomes: PassVerdict[] = [], opts: Partial<{ window: number; resync: number }> = {}) {
  const timers = new ManualTimers();
  const passes: Array<PassTrigger & { at: number }> = [];
  let release: (() => void) | undefined;
  let block = false;
  const loop = new PassScheduler({
    aggregationWindowMs: opts.window ?? 1_000,
    resyncPeriodMs: opts.resync ?? 60_000,
    backoffBaseMs: 1_000,
    backoffMaxMs: 8_000,
    timers,
    runPass: async (trigger) => {
      passes.push({ ...trigger, at: timers.now() });
      if (block) await new Promise<void>((r) => (release = r));
      return outcomes.shift() ?? "success";
    },
  });
  return {
    timers,
    passes,
    loop,
    blockNext: () => (block = true),
    unblock: () => {
      block = false;
      release?.();
    },
  };
}

describe("PassScheduler", () => {
  it("runs a first pass at start, then one pass per resync period", async () => {
    const { timers, passes, loop } = setup();
    loop.start();
    await timers.advance(0);
    expect(passes.map((p) => p.cause)).toEqual(["start"]);
    await timers.advance(60_000);
    await timers.advance(60_000);
    expect(passes.map((p) => p.cause)).toEqual(["start", "resync", "resync"]);
    await loop.stop();
  });

  it("folds a burst of 500 changes into one pass after the aggregation window", async () => {
    const { timers, passes, loop } = setup();
    loop.start();
    await timers.advance(0);
    for (let i = 0; i < 500; i++) loop.notifyChange();
    await timers.advance(999);
    expect(passes).toHaveLength(1);
    await timers.advance(1);
    expect(passes).toHaveLength(2);
    expect(passes[1]).toMatchObject({ cause: "change", changes: 500 });
    await loop.stop();
  });

  it("runs one more pass for changes that arrive while a pass is in flight", async () => {
    const s = setup();
    s.loop.start();
    s.blockNext();
    await s.timers.advance(0);
    expect(s.passes).toHaveLength(1);
    for (let i = 0; i < 10; i++) s.loop.notifyChange();
    await s.timers.advance(5_000); // still blocked: no overlapping pass
    expect(s.passes).toHaveLength(1);
    s.unblock();
    await s.timers.advance(1_000);
    expect(s.passes.map((p) => [p.cause, p.changes])).toEqual([
      ["start", 0],
      ["change", 10],
    ]);
    await s.loop.stop();
  });

  it("backs off exponentially on retryable failures, capped, with full jitter, and resets after success", async () => {
    const { timers, passes, loop } = setup(["backoff", "backoff", "backoff", "backoff", "backoff", "success"]);
    // Full jitter: the delay is random() times the capped exponential (1 s, 2 s, 4 s, 8 s, 8 s).
    timers.randomValue = 0.5;
    loop.start();
    await timers.advance(0);
    for (const gap of [500, 1_000, 2_000, 4_000, 4_000]) await timers.advance(gap);
    const at = passes.map((p) => p.at - passes[0]!.at);
    expect(at).toEqual([0, 500, 1_500, 3_500, 7_500, 11_500]);
    expect(loop.consecutiveFailures).toBe(0);
    await loop.stop();
  });

  it("does not hot-loop on final errors: waits for the resync", async () => {
    const { timers, passes, loop } = setup(["give-up", "give-up"]);
    loop.start();
    await timers.advance(59_999);
    expect(passes).toHaveLength(1);
    await timers.advance(1);
    expect(passes).toHaveLength(2);
    expect(loop.consecutiveFailures).toBe(2);
    await loop.stop();
  });

  // Issue 20: a change cut the failure backoff to the aggregation window, so Node churn during a
  // VPC outage meant a full read pass every window.
  it("a change does not cut a failure backoff short: it is folded into the retry pass", async () => {
    const { timers, passes, loop } = setup(["backoff", "backoff", "backoff", "backoff", "success"]);
    loop.start();
    timers.randomValue = 0.999;
    await timers.advance(0);
    await timers.advance(999);
    await timers.advance(1_998);
    await timers.advance(3_996); // 4 passes; the next backoff is 7.992 s
    expect(passes).toHaveLength(4);
    loop.notifyChange();
    await timers.advance(1_000);
    loop.notifyChange();
    await timers.advance(6_991);
    expect(passes).toHaveLength(4);
    await timers.advance(1);
    expect(passes).toHaveLength(5);
    expect(passes[4]).toMatchObject({ cause: "retry", changes: 2 });
    await loop.stop();
  });

  it("during an outage, a change during a pass that ends in a retry waits for the backoff too", async () => {
    const s = setup(["backoff", "backoff", "backoff"]);
    s.timers.randomValue = 0.999;
    s.loop.start();
    await s.timers.advance(0);
    await s.timers.advance(999);
    s.blockNext();
    await s.timers.advance(1_998); // the third pass, blocked
    s.loop.notifyChange();
    s.unblock();
    await s.timers.advance(3_995);
    expect(s.passes).toHaveLength(3);
    await s.timers.advance(1);
    expect(s.passes).toHaveLength(4);
    expect(s.passes[3]).toMatchObject({ cause: "retry", changes: 1 });
    await s.loop.stop();
  });

  it("after a single transient failure (a blip, not an outage) a change still runs the next pass soon", async () => {
    const { timers, passes, loop } = setup(["backoff"]);
    timers.randomValue = 0.999;
    loop.start();
    await timers.advance(0);
    loop.notifyChange();
    await timers.advance(999);
    expect(passes.map((p) => p.cause)).toEqual(["start", "change"]);
    await loop.stop();
  });

  it("a change cuts the wait after a final failure short (it may be the fix)", async () => {
    const { timers, passes, loop } = setup(["give-up"]);
    loop.start();
    await timers.advance(0);
    loop.notifyChange();
    await timers.advance(1_000);
    expect(passes.map((p) => p.cause)).toEqual(["start", "change"]);
    await loop.stop();
  });

  it("stop() waits for the in-flight pass and schedules nothing afterwards", async () => {
    const s = setup();
    s.loop.start();
    s.blockNext();
    await s.timers.advance(0);
    let stopped = false;
    const stopping = s.loop.stop().then(() => (stopped = true));
    await s.timers.advance(0);
    expect(stopped).toBe(false);
    s.unblock();
    await stopping;
    expect(s.timers.pendingCount).toBe(0);
    s.loop.notifyChange();
    await s.timers.advance(120_000);
    expect(s.passes).toHaveLength(1);
  });

  it("a start() while the previous term's pass is still returning runs a start pass when it has", async () => {
    const s = setup();
    s.loop.start();
    s.blockNext();
    await s.timers.advance(0);
    void s.loop.stop(); // e.g. the Lease was lost mid-pass
    s.loop.start(); // and won again before the pass returned
    await s.timers.advance(0);
    expect(s.passes).toHaveLength(1);
    s.unblock();
    await s.timers.advance(0);
    expect(s.passes.map((p) => p.cause)).toEqual(["start", "start"]);
    await s.loop.stop();
  });
});
