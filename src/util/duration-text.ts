// Milliseconds spelled as a duration flag value (`15s`, `1m`, `500ms`), for defaults and messages.

/** The shortest exact spelling in one unit: h, m, s or ms. */
export function durationText(ms: number): string {
  if (ms !== 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms !== 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
