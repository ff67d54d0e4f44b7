// Turns one pino JSON log line into a human-readable line for terminals:
//   HH:MM:SS.mmm LEVEL message key=value key="value with spaces" ...
// followed by an indented stack when the line carries an error. Written here because pino-pretty
// is not a dependency, and a formatter this small does not justify one.

const LEVEL_NAMES: Readonly<Record<number, string>> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};

// Fields that the line header already shows, or that only matter to machines.
const HEADER_FIELDS = new Set(["level", "time", "msg", "pid", "hostname"]);

const BARE_VALUE = /^[A-Za-z0-9._:/@+\-[\]]+$/;

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

function clock(time: unknown): string {
  const date = typeof time === "string" || typeof time === "number" ? new Date(time) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) return "--:--:--.---";
  return `${pad(date.getHours(), 2)}:${pad(date.getMinutes(), 2)}:${pad(date.getSeconds(), 2)}.${pad(date.getMilliseconds(), 3)}`;
}

function levelName(level: unknown): string {
  if (typeof level === "string") return level.toUpperCase();
  if (typeof level === "number") return LEVEL_NAMES[level] ?? `L${level}`;
  return "?";
}

function formatValue(value: unknown): string {
  if (typeof value === "string") return value !== "" && BARE_VALUE.test(value) ? value : JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  return JSON.stringify(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reformat one serialized pino record (a JSON object, with or without the trailing newline).
 * Anything that is not a JSON object is returned unchanged, so nothing is ever lost.
 */
export function formatLogLineAsText(line: string): string {
  const trimmed = line.endsWith("\n") ? line.slice(0, -1) : line;
  let record: unknown;
  try {
    record = JSON.parse(trimmed);
  } catch {
    return line;
  }
  if (!isRecord(record)) return line;

  const parts = [clock(record.time), levelName(record.level).padEnd(5), typeof record.msg === "string" ? record.msg : ""];
  const stacks: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (HEADER_FIELDS.has(key)) continue;
    if (isRecord(value) && typeof value.stack === "string") {
      // An error: its message inline, its own fields flattened, its stack (with causes) below.
      parts.push(`${key}=${formatValue(value.message)}`);
      for (const [field, fieldValue] of Object.entries(value)) {
        if (field === "message" || field === "stack" || fieldValue === undefined) continue;
        parts.push(`${key}.${field}=${formatValue(fieldValue)}`);
      }
      stacks.push(value.stack);
      continue;
    }
    parts.push(`${key}=${formatValue(value)}`);
  }
  const head = parts.filter((p) => p !== "").join(" ");
  const tail = stacks.map((stack) => stack.split("\n").map((l) => `    ${l}`).join("\n"));
  return [head, ...tail].join("\n") + "\n";
}
