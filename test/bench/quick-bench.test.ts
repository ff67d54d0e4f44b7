// The smoke run of the performance benchmarks (`npm run bench -- --quick convergence steady`) as a
// test: it checks exact API call counts only - one write per 50 routes, one entry read per 100
// entries, no write in a steady pass - never a time.
import { describe, expect, it } from "vitest";
import { runConvergenceSuite, runSteadySuite } from "../../bench/convergence-bench.js";

describe("quick benchmark (call counts only)", () => {
  it("cold convergence of 120 routes: ceil(120/50) write calls, every route Available", async () => {
    const { result } = await runConvergenceSuite({ quick: true });
    expect(result.checks.length).toBeGreaterThan(0);
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
  });

  it("steady pass over 120 routes: ceil(R/100) entry reads, one table read, no write", async () => {
    const result = await runSteadySuite({ quick: true });
    expect(result.checks.length).toBeGreaterThan(0);
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
  });
});
