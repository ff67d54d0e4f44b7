// Defensive readers for data that crossed a process boundary (JSON from the API server or the
// VPC API): the domain never throws on input, so a list that is not a list reads as empty.

/** `value` when it is an array, else an empty list. (Array.isArray alone widens to any[].) */
export function listOr<T>(value: readonly T[] | null | undefined): readonly T[] {
  return Array.isArray(value) ? (value as readonly T[]) : [];
}

/**
 * Text of a value for keys and messages. Never throws: String() throws on objects whose
 * toString is not callable, which junk JSON can produce.
 */
export function textOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined || typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    return String(value);
  }
  return `[${typeof value}]`;
}
