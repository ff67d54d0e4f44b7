// Test helper: the metric names a PromQL expression (or a Grafana query) refers to, and the set of
// names the operator actually exports. A regex-level reading of PromQL, enough to catch a misspelt
// or removed metric in the shipped alerts and dashboard.

import { METRIC_DEFINITIONS } from "../../src/observability/metric-definitions.js";
import { Metrics } from "../../src/observability/metrics.js";

const KEYWORDS = new Set(["and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "inf", "nan"]);

/** PromQL functions and aggregation operators the shipped queries may use. */
export const PROMQL_FUNCTIONS = new Set([
  "abs", "absent", "absent_over_time", "avg", "avg_over_time", "bottomk", "ceil", "changes", "clamp", "clamp_max",
  "clamp_min", "count", "count_over_time", "delta", "deriv", "floor", "group", "histogram_quantile", "idelta",
  "increase", "irate", "label_replace", "last_over_time", "max", "max_over_time", "min", "min_over_time", "quantile",
  "rate", "resets", "round", "scalar", "sort", "sort_desc", "sum", "sum_over_time", "time", "timestamp", "topk", "vector",
]);

export interface PromqlReferences {
  readonly metrics: ReadonlySet<string>;
  readonly functions: ReadonlySet<string>;
}

export function promqlReferences(expr: string): PromqlReferences {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, " ")
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ")
    .replace(/\$\{?\w+\}?/g, " ");
  const metrics = new Set<string>();
  const functions = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w.:])[A-Za-z_:][\w:]*/g)) {
    const token = match[0];
    const rest = stripped.slice((match.index ?? 0) + token.length);
    if (/^\s*\(/.test(rest)) functions.add(token);
    else if (!KEYWORDS.has(token.toLowerCase())) metrics.add(token);
  }
  return { metrics, functions };
}

/** Every series name a scrape of the operator can contain (histograms with their suffixes). */
export async function exportedSeriesNames(): Promise<Set<string>> {
  const metrics = new Metrics();
  const names = new Set<string>();
  const add = (name: string, type: string): void => {
    names.add(name);
    if (type === "histogram" || type === "summary") for (const s of ["_bucket", "_sum", "_count"]) names.add(name + s);
  };
  for (const d of METRIC_DEFINITIONS) add(d.name, d.type);
  for (const m of await metrics.registry.getMetricsAsJSON()) add(m.name, String(m.type));
  return names;
}
