// The model-based suite (issue 16): generated histories of Node lists, flags, foreign routes, hand
// edits, faults, crashes, identity and mode switches, approvals and renames, run against the real
// pass runner over the real SDK and the fake VPC API; after every pass the invariants of
// test/model/invariants.ts are checked against the fake's state and request log, and at the end of
// each history every eligible conflict-free Node must be routed. Fixed seeds here; longer runs:
// `npm run fuzz -- --runs N --seed S` (docs/testing.md, "The model-based suite").
import { describe, expect, it } from "vitest";
import { checkHistories } from "./history.js";
import { INVARIANTS, OPEN_DEFECTS } from "./invariants.js";

const SEEDS = [7, 1601, 424242];
const RUNS_PER_SEED = 12;

describe("model-based suite: the safety invariants hold over generated histories", () => {
  it.each(SEEDS)("seed %i", async (seed) => {
    const summary = await checkHistories({ seed, runs: RUNS_PER_SEED, maxCommands: 25 });
    if (summary.failure !== undefined) expect.fail(summary.failure);
    expect(summary.histories).toBeGreaterThanOrEqual(RUNS_PER_SEED);
  });

  it("every open defect names an invariant the suite checks", () => {
    for (const id of OPEN_DEFECTS) expect(Object.keys(INVARIANTS)).toContain(id);
  });
});
