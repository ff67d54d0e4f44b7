// Messages about files that hold secrets (kubeconfig, cloud-config, nodes-file) must not quote
// their content: YAML and JSON parsers put the offending line (a bearer token, a client key) in
// their messages. These helpers keep the reason and the position and drop the rest; what is left is
// scrubbed of every value the text holds (observability/secret-scrubber.ts, redactValuesOf).
import { errorMessage } from "../errors.js";
import { redactValuesOf } from "./secret-scrubber.js";

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
    return `not valid YAML${where}: ${redactValuesOf(e.reason, text)}`;
  }
  if (error instanceof SyntaxError) return describeJsonError(error, text);
  const first = errorMessage(error).split("\n")[0] ?? "";
  return redactValuesOf(first, text);
}

/** A JSON.parse error by position only (V8 quotes up to ~30 characters of the input in its message). */
export function describeJsonError(error: SyntaxError, text: string): string {
  const position = /at position (\d+)/.exec(error.message);
  if (position) return `not valid JSON at ${positionOf(text, Number(position[1]))}`;
  if (/Unexpected end of JSON input/.test(error.message)) return "not valid JSON: the text ends too early";
  return "not valid JSON";
}
