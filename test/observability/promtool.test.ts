// The alert rules tested as Prometheus users test theirs: `promtool check rules` on the
// PrometheusRule's groups and `promtool test rules` with test/observability/promtool/alerts.test.yaml,
// which has, for every alert, a case where it fires (labels and rendered annotations) and one where
// it stays quiet. The input series of those cases use only metric and label names (and label
// values) the operator exports, so a passing unit test is about the series Prometheus will scrape.
// promtool is built by scripts/build-promtool.sh (.ci/run); without a cached build the promtool
// runs are skipped with a message, the coverage and name checks still run.
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { METRICS, OPERATION_RESULTS, RECONCILE_RESULTS, ROUTE_OPERATIONS, ROUTE_STATES } from "../../src/observability/metric-definitions.js";
import { KUSTOMIZE_DIR, REPO } from "../support/renderings.js";

const run = promisify(execFile);
const RULES = join(KUSTOMIZE_DIR, "components/prometheus-operator/prometheusrule.yaml");
const UNIT_TESTS = join(import.meta.dirname, "promtool/alerts.test.yaml");

interface AlertRule {
  readonly alert: string;
  readonly expr: string;
}
interface UnitTests {
  readonly rule_files: string[];
  readonly tests: {
    readonly input_series: { series: string; values: string }[];
    readonly alert_rule_test: { alertname: string; eval_time: string; exp_alerts: unknown[] }[];
  }[];
}

const groups = (parse(readFileSync(RULES, "utf8")) as { spec: { groups: { rules: AlertRule[] }[] } }).spec.groups;
const alerts = groups.flatMap((g) => g.rules).map((r) => r.alert);
const unitTests = parse(readFileSync(UNIT_TESTS, "utf8")) as UnitTests;

async function promtoolBinary(): Promise<{ promtool?: string; reason?: string }> {
  try {
    const { stdout } = await run("bash", [join(REPO, "scripts/build-promtool.sh"), "--cached"], { encoding: "utf8" });
    return { promtool: stdout.trim() };
  } catch (error) {
    return { reason: (error as { stderr?: string }).stderr?.trim() || (error as Error).message };
  }
}
const { promtool, reason } = await promtoolBinary();
if (promtool === undefined) console.warn(`test/observability/promtool: promtool runs SKIPPED: ${reason ?? ""}`);

/** The rule groups as a Prometheus rule file, next to a copy of the unit tests (rule_files is relative). */
const work = mkdtempSync(join(tmpdir(), "vrs-promtool-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
function writeRules(text: string): void {
  writeFileSync(join(work, "rules.yaml"), stringify({ groups: (parse(text) as { spec: { groups: unknown } }).spec.groups }));
  copyFileSync(UNIT_TESTS, join(work, "alerts.test.yaml"));
}

async function promtoolRun(args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(promtool!, args, { cwd: work, encoding: "utf8" });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

describe("the alert unit tests (test/observability/promtool/alerts.test.yaml)", () => {
  it("have, for every alert, a case where it fires and one where it stays quiet", () => {
    expect(unitTests.rule_files).toEqual(["rules.yaml"]);
    const cases = unitTests.tests.flatMap((t) => t.alert_rule_test);
    for (const alert of alerts) {
      const own = cases.filter((c) => c.alertname === alert);
      expect(own.some((c) => c.exp_alerts.length > 0), `${alert} fires somewhere`).toBe(true);
      expect(own.some((c) => c.exp_alerts.length === 0), `${alert} stays quiet somewhere`).toBe(true);
    }
    expect(new Set(cases.map((c) => c.alertname))).toEqual(new Set(alerts));
  });

  it("feed only series the operator exports: metric names, label names and label values", () => {
    const families = new Map<string, readonly string[]>(Object.values(METRICS).map((m) => [m.name, m.labels]));
    const values: Record<string, readonly string[]> = { state: ROUTE_STATES, operation: ROUTE_OPERATIONS };
    // Labels Prometheus adds to every scraped series.
    const target = ["namespace", "job", "instance"];
    for (const { series } of unitTests.tests.flatMap((t) => t.input_series)) {
      const [, name, body] = /^([a-z_:][\w:]*)\{(.*)\}$/.exec(series) ?? [];
      if (name === "up") continue; // another job's series (the VpcRouteSyncAbsent case)
      expect(families.has(name!), `${series}: unknown metric`).toBe(true);
      for (const [, label, value] of (body ?? "").matchAll(/(\w+)="([^"]*)"/g)) {
        expect([...target, ...families.get(name!)!], `${series}: label ${label}`).toContain(label);
        const allowed = label === "result" ? (name === METRICS.reconcileTotal.name ? RECONCILE_RESULTS : OPERATION_RESULTS) : values[label!];
        if (allowed) expect(allowed, `${series}: ${label}="${value}"`).toContain(value);
      }
    }
  });
});

describe.skipIf(promtool === undefined)("promtool", () => {
  it("check rules: the PrometheusRule's groups are valid Prometheus rules", async () => {
    writeRules(readFileSync(RULES, "utf8"));
    const result = await promtoolRun(["check", "rules", "rules.yaml"]);
    expect(result.output).toContain(`SUCCESS: ${alerts.length} rules found`);
    expect(result.code).toBe(0);
  });

  it("test rules: every alert fires and stays quiet as alerts.test.yaml says", async () => {
    writeRules(readFileSync(RULES, "utf8"));
    const result = await promtoolRun(["test", "rules", "alerts.test.yaml"]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain("SUCCESS");
  });

  it("the unit tests catch a changed rule: a threshold or a `for` edited makes them fail", async () => {
    const original = readFileSync(RULES, "utf8");
    for (const [from, to] of [["> 600", "> 6000"], ["for: 15m", "for: 45m"]] as const) {
      expect(original).toContain(from);
      writeRules(original.replace(from, to));
      const result = await promtoolRun(["test", "rules", "alerts.test.yaml"]);
      expect(result.code, `${from} → ${to}`).not.toBe(0);
      expect(result.output).toContain("FAILED");
    }
  });
});
