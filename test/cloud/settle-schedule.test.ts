// SettleSchedule (issue 19): after a table's batches have settled, the first read after the next
// write is aimed where one read confirms it - at the earliest time a batch was seen settled, never
// before the latest time one was still seen Pending.
import { describe, expect, it } from "vitest";
import { SettleSchedule } from "../../src/cloud/alibaba/settle.js";

describe("SettleSchedule", () => {
  it("aims the first read to end at the earliest settled time seen, not just past the last Pending sighting", () => {
    const schedule = new SettleSchedule(100, 1000);
    // Batch 1: seen Pending 1,500 ms after its write, settled at 2,300 ms; batch 2: 1,950 / 2,120.
    schedule.learn("vtb-1", 1500, 2300, 100);
    schedule.learn("vtb-1", 1950, 2120, 100);
    expect(schedule.wait("vtb-1", 0)).toBe(2120 - 100);
    // A batch confirmed by its first read keeps the bounds.
    schedule.learn("vtb-1", undefined, 2150, 100);
    expect(schedule.wait("vtb-1", 0)).toBe(2120 - 100);
  });

  it("starts over when the Pending time changes (the bounds cross)", () => {
    const schedule = new SettleSchedule(100, 1000);
    schedule.learn("vtb-1", 1950, 2120, 100);
    schedule.learn("vtb-1", 4000, 4200, 100);
    expect(schedule.wait("vtb-1", 0)).toBe(4200 - 100);
  });

  it("never seen Pending: probes a little earlier than the last settled read", () => {
    const schedule = new SettleSchedule(100, 1000);
    schedule.learn("vtb-1", undefined, 200, 50);
    expect(schedule.wait("vtb-1", 0)).toBe(200 * 0.8 - 50);
  });
});
