// The doctor report: schema, tallies, exit codes (--strict), text grouping and truncation.
import { describe, expect, it } from "vitest";
import type { CheckResult } from "../../src/doctor/all-checks.js";
import { buildDoctorReport, doctorReportSchema, formatDoctorText, TEXT_OBJECT_LIMIT } from "../../src/doctor/report.js";

const source = { cluster: "api" as const, regionId: "cn-hangzhou", routeTableIds: ["vtb-1"], clusterName: "k", clusterCidrs: [] };
const result = (id: string, status: CheckResult["status"], objects = 0): CheckResult => ({
  id,
  area: "nodes",
  title: id,
  status,
  summary: `${id} summary`,
  objects: Array.from({ length: objects }, (_, i) => ({ kind: "Node" as const, name: `n${i}`, detail: "d" })),
  ...(status === "pass" ? {} : { fix: "do it" }),
});

describe("doctor report", () => {
  it.each([
    [["pass", "pass"], false, "pass", 0],
    [["pass", "warn"], false, "warn", 0],
    [["pass", "warn"], true, "warn", 1],
    [["warn", "fail"], false, "fail", 1],
  ] as const)("%j strict=%s -> %s, exit %i", (statuses, strict, expected, exitCode) => {
    const report = buildDoctorReport(statuses.map((s, i) => result(`c${i}`, s)), source, strict);
    expect(doctorReportSchema.parse(report)).toEqual(report);
    expect([report.result, report.exitCode]).toEqual([expected, exitCode]);
  });

  it("rejects a report of another schema version or with unknown fields", () => {
    const report = buildDoctorReport([result("c", "pass")], source, false);
    expect(doctorReportSchema.safeParse({ ...report, schemaVersion: 2 }).success).toBe(false);
    expect(doctorReportSchema.safeParse({ ...report, extra: 1 }).success).toBe(false);
  });

  it("shows at most TEXT_OBJECT_LIMIT objects per check in text, and the fix", () => {
    const text = formatDoctorText(buildDoctorReport([result("many", "fail", TEXT_OBJECT_LIMIT + 3)], source, false));
    expect(text).toContain("Nodes\n  FAIL  many: many summary\n");
    expect(text).toContain("... and 3 more (--output json lists all)");
    expect(text).toContain("fix: do it");
    expect(text.trimEnd().split("\n").at(-1)).toBe("0 passed, 0 warned, 1 failed");
  });
});
