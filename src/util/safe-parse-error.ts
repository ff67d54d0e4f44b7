// Messages about files that hold secrets (kubeconfig, cloud-config, nodes-file) must not quote
// their content: YAML and JSON parsers put the offending line (a bearer token, a client key) in
// their messages. These helpers keep the reason and the position and drop the rest.
import { errorMessage } from "../errors.js";

/** Words of `text` that could be a secret value: every scalar of 6+ characters after a `:` or `=`, or a quoted string. */
function secretCandidates(text: string): string[] {
  const values = new Set<string>();
  for (const match of text.matchAll(/[:=]\s*["']?([^\s"',}\]]{6,})/g)) values.add(match[1]!);
  for (const match of text.matchAll(/"([^"\n]{6,})"/g)) values.add(match[1]!);
  for (const word of text.split(/[\s"',:{}[\]=]+/)) if (word.length >= 16) values.add(word);
  return [...values].sort((a, b) => b.length - a.length);
}

/** `message` with every value found in `text` replaced by [redacted]. */
export function redactContent(message: string, text: string): string {
  let out = message;
  for (const value of secretCandidates(text)) out = out.split(value).join("[redacted]");
  return out;
}

/** "line L, column C" for a character offset. */
export function positionOf(text: string, offset: number): string {
  const before = text.slice(0, Math.max(0, offset));
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return `line ${line}, column ${column}`;
}

/**
 * A parse or load error of `text`, told without quoting `text`: YAML errors (js-yaml) by reason and
 * position, JSON errors by position, anything else by its first line with every value of `text` redacted.
 */
export function describeWithoutContent(error: unknown, text: string): string {
  const e = error as { name?: unknown; reason?: unknown; mark?: { line?: unknown; column?: unknown } } | undefined;
  if (e?.name === "YAMLException" && typeof e.reason === "string") {
    const line = typeof e.mark?.line === "number" ? e.mark.line + 1 : undefined;
    const column = typeof e.mark?.column === "number" ? e.mark.column + 1 : undefined;
    const where = line === undefined ? "" : ` at line ${line}${column === undefined ? "" : `, column ${column}`}`;
    return `not valid YAML${where}: ${redactContent(e.reason, text)}`;
  }
  if (error instanceof SyntaxError) return describeJsonError(error, text);
  const first = errorMessage(error).split("\n")[0] ?? "";
  return redactContent(first, text);
}

/** A JSON.parse error by position only (V8 quotes up to ~30 characters of the input in its message). */
export function describeJsonError(error: SyntaxError, text: string): string {
  const position = /at position (\d+)/.exec(error.message);
  if (position) return `not valid JSON at ${positionOf(text, Number(position[1]))}`;
  if (/Unexpected end of JSON input/.test(error.message)) return "not valid JSON: the text ends too early";
  return "not valid JSON";
}
