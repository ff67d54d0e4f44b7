// One table of defaults: the flag table (config/flags.ts, fed by src/defaults.ts where code needs the
// same value) is what --help shows, what the parser falls back to, what the code falls back to when
// a caller leaves a setting out, and what docs/configuration.md states in its default column.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { resolveAdapterOptions } from "../../src/cloud/alibaba/adapter-options.js";
import { COMMAND_FLAGS, COMMANDS, defaultTextOf, parseConfig, type FlagSpec } from "../../src/config/index.js";
import { DEFAULTS } from "../../src/defaults.js";
import { durationText } from "../../src/util/duration-text.js";
import { memoryIo, parse, REQUIRED } from "./helpers.js";

const ALL_FLAGS: readonly FlagSpec[] = [...new Map(COMMANDS.flatMap((c) => COMMAND_FLAGS[c]).map((spec) => [spec.name, spec])).values()];

/** `| flag | command | default | environment variable | meaning |` rows of docs/configuration.md, by flag name. */
function docsDefaultColumn(): Map<string, string> {
  const docs = readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");
  const cells = new Map<string, string>();
  for (const line of docs.split("\n")) {
    if (!line.startsWith("| `--")) continue;
    // Split on cell borders, not on escaped pipes inside a cell (`<n\|n%>`).
    const [flagCell, , defaultCell] = line.slice(1).split(/(?<!\\)\|/).map((cell) => cell.trim());
    // The first table is the flag table; later ones (the CCM alias names) have no default column.
    for (const match of (flagCell ?? "").matchAll(/`--([a-z0-9-]+)/g)) {
      if (match[1] !== undefined && !cells.has(match[1])) cells.set(match[1], defaultCell ?? "");
    }
  }
  return cells;
}

describe("the default of every flag", () => {
  const docs = docsDefaultColumn();

  it.each(ALL_FLAGS.filter((spec) => spec.default !== undefined).map((spec) => [spec.name, spec] as const))(
    "--%s: docs/configuration.md's default column shows the table's value",
    (name, spec) => {
      expect(docs.has(name), `no row for --${name}`).toBe(true);
      // As a code span of its own: "5" inside "`50%`" or a sentence does not count.
      expect(docs.get(name)).toContain(`\`${spec.default!}\``);
    },
  );

  it.each(ALL_FLAGS.map((spec) => [spec.name, spec] as const))("--%s: --help shows the table's default", (name, spec) => {
    const command = COMMANDS.find((c) => COMMAND_FLAGS[c].includes(spec))!;
    const outcome = parseConfig([command, "--help"], {}, memoryIo());
    expect(outcome.kind).toBe("help");
    const help = (outcome as { text: string }).text.replace(/\s+/g, " ");
    expect(help).toContain(`--${name}`);
    expect(help).toContain(`(default: ${defaultTextOf(spec)};`);
  });
});

describe("DEFAULTS (src/defaults.ts) is what the parser and the code fall back to", () => {
  it("the flag table spells each shared default from DEFAULTS", () => {
    const byName = new Map(ALL_FLAGS.map((spec) => [spec.name, spec.default]));
    expect(Object.fromEntries(["api-qps", "leader-election-id", "lease-duration", "renew-deadline", "retry-period", "route-table-quota"].map((n) => [n, byName.get(n)]))).toEqual({
      "api-qps": String(DEFAULTS.apiQps),
      "leader-election-id": DEFAULTS.leaseName,
      "lease-duration": durationText(DEFAULTS.leaseDurationMs),
      "renew-deadline": durationText(DEFAULTS.renewDeadlineMs),
      "retry-period": durationText(DEFAULTS.retryPeriodMs),
      "route-table-quota": String(DEFAULTS.routeTableQuota),
    });
  });

  it("the parser's values without flags", () => {
    const run = parse<"run">(["run", ...REQUIRED]);
    expect(run.apiQps).toBe(DEFAULTS.apiQps);
    expect(run.routeTableQuota).toBe(DEFAULTS.routeTableQuota);
    expect(run.leaderElection).toMatchObject({
      leaseName: DEFAULTS.leaseName,
      leaseDurationMs: DEFAULTS.leaseDurationMs,
      renewDeadlineMs: DEFAULTS.renewDeadlineMs,
      retryPeriodMs: DEFAULTS.retryPeriodMs,
    });
    expect(parse<"doctor">(["doctor", ...REQUIRED]).routeTableQuota).toBe(DEFAULTS.routeTableQuota);
  });

  it("the adapter's options without settings", () => {
    const resolved = resolveAdapterOptions({ regionId: "cn-hangzhou", credential: { kind: "default-chain" } });
    expect(resolved).toMatchObject({ qps: DEFAULTS.apiQps, connectTimeoutMs: DEFAULTS.connectTimeoutMs, readTimeoutMs: DEFAULTS.readTimeoutMs });
  });

  it("durationText spells milliseconds as the flags take them", () => {
    expect([15_000, 2_000, 60_000, 90_000, 3_600_000, 1_500, 0].map(durationText)).toEqual(["15s", "2s", "1m", "90s", "1h", "1500ms", "0s"]);
  });
});
