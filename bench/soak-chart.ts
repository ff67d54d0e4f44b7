// The soak's chart: four small panels over time (minutes) - memory (RSS, heap after GC), event-loop
// delay p99, open descriptors and sockets, mean pass duration - as one SVG file.
import type { SoakSample } from "./soak.js";

interface Series {
  readonly name: string;
  readonly color: string;
  readonly value: (s: SoakSample) => number;
}

const PANELS: readonly { readonly title: string; readonly series: readonly Series[] }[] = [
  {
    title: "Memory (MiB)",
    series: [
      { name: "RSS", color: "#1f77b4", value: (s) => s.rssMiB },
      { name: "heap after GC", color: "#ff7f0e", value: (s) => s.heapAfterGcMiB },
    ],
  },
  { title: "Event-loop delay p99 (ms)", series: [{ name: "p99", color: "#2ca02c", value: (s) => s.eldP99Ms }] },
  {
    title: "Open descriptors",
    series: [
      { name: "fds", color: "#9467bd", value: (s) => s.fds },
      { name: "sockets", color: "#8c564b", value: (s) => s.sockets },
    ],
  },
  { title: "Mean pass duration (ms)", series: [{ name: "pass", color: "#d62728", value: (s) => s.passMeanMs }] },
];

const W = 380;
const H = 230;

function panel(x0: number, y0: number, title: string, series: readonly Series[], samples: readonly SoakSample[]): string {
  const left = x0 + 50;
  const top = y0 + 30;
  const plotW = W - 70;
  const plotH = H - 80;
  const minutes = samples.map((s) => s.elapsedS / 60);
  const xMax = Math.max(1, ...minutes);
  const values = series.flatMap((s) => samples.map(s.value)).filter(Number.isFinite);
  const yMax = values.length === 0 ? 1 : niceCeil(Math.max(...values) * 1.1);
  const sx = (m: number): number => left + (m / xMax) * plotW;
  const sy = (v: number): number => top + plotH - (v / yMax) * plotH;
  const parts = [`<text x="${left + plotW / 2}" y="${y0 + 18}" text-anchor="middle" font-weight="bold">${title}</text>`];
  parts.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);
  for (let k = 0; k <= 4; k++) {
    const v = (yMax * k) / 4;
    parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${sy(v)}" y2="${sy(v)}" stroke="#eee"/><text x="${left - 5}" y="${sy(v) + 4}" text-anchor="end" font-size="10">${Number(v.toPrecision(3))}</text>`);
    const m = (xMax * k) / 4;
    parts.push(`<text x="${sx(m)}" y="${top + plotH + 14}" text-anchor="middle" font-size="10">${Math.round(m)}</text>`);
  }
  parts.push(`<text x="${left + plotW / 2}" y="${top + plotH + 28}" text-anchor="middle" font-size="11">minutes</text>`);
  series.forEach((s, i) => {
    const pts = samples.filter((p) => Number.isFinite(s.value(p))).map((p) => `${sx(p.elapsedS / 60).toFixed(1)},${sy(s.value(p)).toFixed(1)}`);
    if (pts.length > 0) parts.push(`<polyline points="${pts.join(" ")}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`);
    parts.push(`<rect x="${left + 8 + i * 110}" y="${top + 6}" width="12" height="3" fill="${s.color}"/><text x="${left + 24 + i * 110}" y="${top + 11}" font-size="10">${s.name}</text>`);
  });
  return parts.join("\n");
}

function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const e = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((f) => f * e).find((c) => c >= v) ?? 10 * e;
}

export function soakChart(samples: readonly SoakSample[]): string {
  const body = PANELS.map((p, i) => panel((i % 2) * W, Math.floor(i / 2) * H, p.title, p.series, samples));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${2 * H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${2 * W}" height="${2 * H}" fill="white"/>`,
    ...body,
    "</svg>",
    "",
  ].join("\n");
}
