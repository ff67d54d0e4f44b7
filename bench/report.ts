// What a benchmark suite returns, and how results are printed: a plain-text table per suite plus
// the pass/fail of each functional check (e.g. "write calls = ceil(n/50)"), never a timing gate.

export type Cell = string | number | boolean | null;

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface SuiteResult {
  readonly suite: string;
  readonly title: string;
  /** Column keys of `rows`, in print order. */
  readonly columns: readonly string[];
  readonly rows: readonly Record<string, Cell>[];
  readonly checks: readonly Check[];
  readonly notes: readonly string[];
}

function text(cell: Cell | undefined): string {
  if (cell === null || cell === undefined) return "-";
  if (typeof cell === "number") return Number.isInteger(cell) ? String(cell) : cell.toFixed(cell >= 100 ? 0 : cell >= 10 ? 1 : 2);
  return String(cell);
}

/** A Markdown-compatible table (pastes into docs/performance.md as is). */
export function formatTable(columns: readonly string[], rows: readonly Record<string, Cell>[]): string {
  const cells = rows.map((row) => columns.map((c) => text(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: readonly string[]): string =>
    `| ${values.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join(" | ")} |`;
  return [line(columns), `|${widths.map((w, i) => (i === 0 ? `-${"-".repeat(w)}-` : `-${"-".repeat(w)}:`)).join("|")}|`, ...cells.map(line)].join("\n");
}

export function formatSuite(result: SuiteResult): string {
  const parts = [`## ${result.title}`, "", formatTable(result.columns, result.rows)];
  if (result.checks.length > 0) {
    parts.push("", ...result.checks.map((c) => `${c.ok ? "ok  " : "FAIL"} ${c.name}: ${c.detail}`));
  }
  if (result.notes.length > 0) parts.push("", ...result.notes.map((n) => `note: ${n}`));
  return parts.join("\n");
}
