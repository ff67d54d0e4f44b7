// Writes the measured figures into docs/performance.md (between `<!-- bench:NAME -->` and
// `<!-- /bench:NAME -->` markers, so the prose around them stays hand-written) and draws the SVG
// chart of convergence time and API calls versus N for the three strategies.
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { ConvergenceFigures, Strategy } from "./convergence-bench.js";
import { formatSuite, type SuiteResult } from "./report.js";

/** bench/ compiles to build-bench/bench/: the docs are the source tree's. */
const DOC = fileURLToPath(new URL("../../docs/performance.md", import.meta.url));
const CHART = fileURLToPath(new URL("../../docs/performance-convergence.svg", import.meta.url));

export function replaceBlock(text: string, name: string, body: string): string {
  const begin = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i < 0 || j < i) return text;
  return `${text.slice(0, i + begin.length)}\n${body}\n${text.slice(j)}`;
}

export async function writePerformanceDoc(results: readonly SuiteResult[], machine: Record<string, unknown>, chart: string | undefined): Promise<string> {
  let text = await readFile(DOC, "utf8");
  const load = (machine.loadAverage as number[]).join(" ");
  const loadEnd = ((machine.loadAverageAtEnd as number[] | undefined) ?? []).join(" ");
  text = replaceBlock(
    text,
    "machine",
    [
      `Measured ${String(machine.date)} on ${String(machine.cpus)} CPUs (${String(machine.cpuModel)}), ${String(machine.totalMemoryGiB)} GiB, ${String(machine.platform)}, Node ${String(machine.node)}.`,
      `Load average (1/5/15 min) at the start: ${load}; at the end: ${loadEnd}. The machine was shared with other jobs: wall-clock times carry that noise; call counts do not.`,
    ].join("\n"),
  );
  const bySuite = new Map<string, string[]>();
  for (const result of results) {
    const parts = bySuite.get(result.suite) ?? [];
    // One result: its table as is; several (the controller suite): each under its own title.
    parts.push(formatSuite(result).replace(/^## /, "#### "));
    bySuite.set(result.suite, parts);
  }
  for (const [suite, parts] of bySuite) text = replaceBlock(text, suite, parts.length === 1 ? parts[0]!.replace(/^#### .*\n\n/, "") : parts.join("\n\n"));
  if (chart !== undefined) text = replaceBlock(text, "chart", "![Convergence time and API calls versus N](performance-convergence.svg)");
  await writeFile(DOC, text);
  return DOC;
}

const COLORS: Record<Strategy | "bound", string> = { ours: "#1f77b4", ccm: "#ff7f0e", generic: "#d62728", bound: "#7f7f7f" };

/** Two log-log panels: convergence time (s) and API calls versus N. */
export async function writeChart(figures: readonly ConvergenceFigures[]): Promise<string> {
  const sizes = [...new Set(figures.map((f) => f.n))].sort((a, b) => a - b);
  const strategies = [...new Set(figures.map((f) => f.strategy))];
  const timeOf = (f: ConvergenceFigures): number | undefined => {
    const ms = f.ms ?? (f.readyAtEnd > 0 ? (f.timeBoxMs * f.n) / f.readyAtEnd : undefined);
    return ms === undefined ? undefined : ms / 1000;
  };
  const panel = (x0: number, title: string, unit: string, series: { name: Strategy | "bound"; points: [number, number | undefined][]; dashed?: boolean }[]): string => {
    const width = 380;
    const height = 260;
    const left = x0 + 60;
    const top = 40;
    const plotW = width - 80;
    const plotH = height - 80;
    const ys = series.flatMap((s) => s.points.map((p) => p[1]).filter((v): v is number => v !== undefined && v > 0));
    const yMin = 10 ** Math.floor(Math.log10(Math.min(...ys)));
    const yMax = 10 ** Math.ceil(Math.log10(Math.max(...ys)));
    const xMin = sizes[0]!;
    const xMax = sizes[sizes.length - 1]!;
    const sx = (n: number): number => left + (xMax === xMin ? plotW / 2 : ((Math.log10(n) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * plotW);
    const sy = (v: number): number => top + plotH - ((Math.log10(v) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin) || 1)) * plotH;
    const parts: string[] = [`<text x="${left + plotW / 2}" y="20" text-anchor="middle" font-weight="bold">${title}</text>`];
    parts.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);
    for (let e = Math.log10(yMin); e <= Math.log10(yMax); e++) {
      const y = sy(10 ** e);
      parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${y}" y2="${y}" stroke="#eee"/><text x="${left - 6}" y="${y + 4}" text-anchor="end" font-size="11">${(10 ** e).toLocaleString("en-US")}</text>`);
    }
    for (const n of sizes) parts.push(`<text x="${sx(n)}" y="${top + plotH + 16}" text-anchor="middle" font-size="11">${n.toLocaleString("en-US")}</text>`);
    parts.push(`<text x="${left + plotW / 2}" y="${top + plotH + 34}" text-anchor="middle" font-size="12">N (routes)</text>`);
    parts.push(`<text x="${x0 + 14}" y="${top + plotH / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 ${x0 + 14} ${top + plotH / 2})">${unit}</text>`);
    for (const s of series) {
      const pts = s.points.filter((p): p is [number, number] => p[1] !== undefined && p[1] > 0).map(([n, v]) => `${sx(n).toFixed(1)},${sy(v).toFixed(1)}`);
      if (pts.length === 0) continue;
      parts.push(`<polyline points="${pts.join(" ")}" fill="none" stroke="${COLORS[s.name]}" stroke-width="2"${s.dashed === true ? ' stroke-dasharray="5,4"' : ""}/>`);
      for (const p of pts) parts.push(`<circle cx="${p.split(",")[0]}" cy="${p.split(",")[1]}" r="3" fill="${COLORS[s.name]}"/>`);
    }
    return parts.join("\n");
  };
  const timeSeries = strategies.map((name) => ({ name, points: sizes.map((n): [number, number | undefined] => [n, timeOf(figures.find((f) => f.n === n && f.strategy === name)!)]) }));
  const bound = { name: "bound" as const, dashed: true, points: sizes.map((n): [number, number | undefined] => [n, (figures.find((f) => f.n === n)?.lowerBoundMs ?? 0) / 1000]) };
  const callSeries = strategies.map((name) => ({ name, points: sizes.map((n): [number, number | undefined] => [n, figures.find((f) => f.n === n && f.strategy === name)?.total]) }));
  const legend = [...strategies, "bound" as const]
    .map((name, i) => `<rect x="${70 + i * 150}" y="292" width="14" height="4" fill="${COLORS[name]}"/><text x="${90 + i * 150}" y="298" font-size="12">${name === "bound" ? "lower bound" : name === "ours" ? "ours" : name === "ccm" ? "Alibaba CCM (model)" : "generic controller"}</text>`)
    .join("\n");
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="780" height="310" font-family="sans-serif" font-size="12">`,
    `<rect width="780" height="310" fill="white"/>`,
    panel(0, "Cold convergence time (s, log)", "seconds", [...timeSeries, bound]),
    panel(390, "API calls to converge (log)", "calls", callSeries),
    legend,
    `</svg>`,
  ].join("\n");
  await writeFile(CHART, `${svg}\n`);
  return CHART;
}
