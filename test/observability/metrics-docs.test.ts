import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { METRIC_DEFINITIONS } from "../../src/observability/metric-definitions.js";
import { exportedSeriesNames } from "./promql-names.js";

const DOCS = readFileSync(join(import.meta.dirname, "../../docs/metrics.md"), "utf8");

interface DocumentedMetric {
  readonly name: string;
  readonly type: string;
  readonly labels: string[];
}

// Rows of the reference table: | `name` | type | `label`, `label` or — | meaning |
const documented: DocumentedMetric[] = [...DOCS.matchAll(/^\| `(vpc_route_sync_\w+)` \| (\w+) \| ([^|]*) \|/gm)].map((m) => ({
  name: m[1]!,
  type: m[2]!,
  labels: [...m[3]!.matchAll(/`(\w+)`/g)].map((l) => l[1]!),
}));

let known: Set<string>;
beforeAll(async () => {
  known = await exportedSeriesNames();
});

describe("docs/metrics.md", () => {
  it("documents every exported family", () => {
    const names = new Set(documented.map((d) => d.name));
    for (const definition of METRIC_DEFINITIONS) expect(names.has(definition.name), `${definition.name} is not documented`).toBe(true);
  });

  it("documents no family that is not exported", () => {
    const exported = new Set(METRIC_DEFINITIONS.map((d) => d.name));
    for (const row of documented) expect(exported.has(row.name), `${row.name} is documented but not exported`).toBe(true);
    expect(new Set(documented.map((d) => d.name)).size).toBe(documented.length);
  });

  it.each(METRIC_DEFINITIONS.map((d) => [d.name, d] as const))("gives %s its real type and labels", (name, definition) => {
    const row = documented.find((d) => d.name === name);
    expect(row?.type).toBe(definition.type);
    expect(row?.labels).toEqual([...definition.labels]);
  });

  it("mentions only metric names that exist anywhere in its text", () => {
    for (const [name] of DOCS.matchAll(/\b(?:vpc_route_sync|process|nodejs)_[a-z0-9_]*[a-z0-9]\b/g)) {
      // Group mentions such as `nodejs_eventloop_lag_*` stand for a prefix.
      const isPrefix = DOCS.includes(`${name}_*`) || DOCS.includes(`${name}*`);
      const exists = known.has(name) || (isPrefix && [...known].some((k) => k.startsWith(name)));
      expect(exists, `docs mention ${name}`).toBe(true);
    }
  });
});
