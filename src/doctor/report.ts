// The doctor report: its JSON form (a versioned zod schema, the contract of `--output json`,
// documented in docs/doctor.md), the text form grouped by area, and the exit code. Pure.
import type { Cidr } from "../domain/cidr.js";
import { z } from "zod";
import { exitCodeFor } from "../error-policy.js";
import type { CheckResult } from "./all-checks.js";
import { CHECK_AREAS, CHECK_STATUSES, OBJECT_KINDS, type CheckArea, type CheckStatus } from "./check.js";

export const DOCTOR_SCHEMA_VERSION = 1;

const objectSchema = z
  .object({ kind: z.enum(OBJECT_KINDS), name: z.string(), namespace: z.string().nullable(), detail: z.string() })
  .strict();

const checkSchema = z
  .object({
    id: z.string(),
    area: z.enum(CHECK_AREAS),
    title: z.string(),
    status: z.enum(CHECK_STATUSES),
    summary: z.string(),
    objects: z.array(objectSchema),
    fix: z.string().nullable(),
  })
  .strict();

/** @internal exported for tests */
export const doctorReportSchema = z
  .object({
    schemaVersion: z.literal(DOCTOR_SCHEMA_VERSION),
    kind: z.literal("DoctorReport"),
    source: z
      .object({
        cluster: z.enum(["api", "files"]),
        regionId: z.string(),
        vpcId: z.string().nullable(),
        routeTableIds: z.array(z.string()),
        clusterName: z.string(),
        clusterCidrs: z.array(z.string()),
      })
      .strict(),
    checks: z.array(checkSchema),
    summary: z.object({ pass: z.number().int(), warn: z.number().int(), fail: z.number().int() }).strict(),
    strict: z.boolean(),
    /** fail when any check failed (or, with strict, warned); warn when any warned; else pass. */
    result: z.enum(CHECK_STATUSES),
    exitCode: z.union([z.literal(0), z.literal(1)]),
  })
  .strict();

export type DoctorReport = z.infer<typeof doctorReportSchema>;

export interface ReportSource {
  readonly cluster: "api" | "files";
  readonly regionId: string;
  readonly vpcId?: string | undefined;
  readonly routeTableIds: readonly string[];
  readonly clusterName: string;
  readonly clusterCidrs: readonly Cidr[];
}

export function buildDoctorReport(results: readonly CheckResult[], source: ReportSource, strict: boolean): DoctorReport {
  const tally = (status: CheckStatus): number => results.filter((r) => r.status === status).length;
  const summary = { pass: tally("pass"), warn: tally("warn"), fail: tally("fail") };
  const result: CheckStatus = summary.fail > 0 ? "fail" : summary.warn > 0 ? "warn" : "pass";
  return {
    schemaVersion: DOCTOR_SCHEMA_VERSION,
    kind: "DoctorReport",
    source: {
      cluster: source.cluster,
      regionId: source.regionId,
      vpcId: source.vpcId ?? null,
      routeTableIds: [...source.routeTableIds],
      clusterName: source.clusterName,
      clusterCidrs: source.clusterCidrs.map((c) => c.text),
    },
    checks: results.map((r) => ({
      id: r.id,
      area: r.area,
      title: r.title,
      status: r.status,
      summary: r.summary,
      objects: r.objects.map((o) => ({ kind: o.kind, name: o.name, namespace: o.namespace ?? null, detail: o.detail })),
      fix: r.fix ?? null,
    })),
    summary,
    strict,
    result,
    exitCode: exitCodeFor({ checksFailed: result === "fail" || (strict && result === "warn") }),
  };
}

const AREA_TITLES: Readonly<Record<CheckArea, string>> = {
  nodes: "Nodes",
  pods: "Pods",
  "virtual-nodes": "Virtual nodes",
  cloud: "Cloud (VPC API)",
  routes: "Routes",
};

const MARK: Readonly<Record<CheckStatus, string>> = { pass: "PASS", warn: "WARN", fail: "FAIL" };

/** Objects shown per check in text; the JSON report has them all. *
 * @internal exported for tests
 */
export const TEXT_OBJECT_LIMIT = 10;

export function formatDoctorText(report: DoctorReport): string {
  const lines: string[] = [];
  for (const area of CHECK_AREAS) {
    const checks = report.checks.filter((c) => c.area === area);
    if (checks.length === 0) continue;
    lines.push(AREA_TITLES[area]);
    for (const check of checks) {
      lines.push(`  ${MARK[check.status]}  ${check.title}: ${check.summary}`);
      for (const o of check.objects.slice(0, TEXT_OBJECT_LIMIT)) {
        lines.push(`        ${o.kind} ${o.namespace === null ? "" : `${o.namespace}/`}${o.name}: ${o.detail}`);
      }
      const more = check.objects.length - TEXT_OBJECT_LIMIT;
      if (more > 0) lines.push(`        ... and ${more} more (--output json lists all)`);
      if (check.fix !== null) lines.push(`        fix: ${check.fix}`);
    }
    lines.push("");
  }
  const { pass, warn, fail } = report.summary;
  lines.push(`${pass} passed, ${warn} warned, ${fail} failed${report.strict ? " (--strict: warnings fail)" : ""}`);
  return `${lines.join("\n")}\n`;
}
