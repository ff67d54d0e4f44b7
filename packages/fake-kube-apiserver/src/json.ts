// Small helpers for the plain-JSON objects the fake stores and serves. Stored objects are never
// mutated in place: every write produces a new tree, so snapshots and watch history can share them.

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** The `metadata` map of an object, created when missing. */
export function metadataOf(obj: JsonObject): JsonObject {
  const existing = obj["metadata"];
  if (isObject(existing)) return existing;
  const created: JsonObject = {};
  obj["metadata"] = created;
  return created;
}

export function stringField(obj: JsonObject | undefined, key: string): string | undefined {
  const value = obj?.[key];
  return typeof value === "string" ? value : undefined;
}

/** Structural equality of JSON values; key order does not matter. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const aKeys = Object.keys(a).filter((k) => a[k] !== undefined);
    const bKeys = Object.keys(b).filter((k) => b[k] !== undefined);
    return aKeys.length === bKeys.length && aKeys.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** Reads a dotted path (`spec.unschedulable`, `involvedObject.name`) from an object. */
export function readPath(obj: JsonObject, dottedPath: string): unknown {
  let current: unknown = obj;
  for (const part of dottedPath.split(".")) {
    if (!isObject(current)) return undefined;
    current = current[part];
  }
  return current;
}
