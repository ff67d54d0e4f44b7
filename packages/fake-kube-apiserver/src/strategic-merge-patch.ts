// Strategic merge patch (`application/strategic-merge-patch+json`) driven by a small per-resource
// schema: which lists merge by a key (status.conditions by `type`) and which are sets of primitives
// (metadata.finalizers). Every other list is replaced whole, as with the Go struct tags upstream.
// Directives: `$patch: replace|delete` (maps and list elements), `$deleteFromPrimitiveList/<field>`,
// `$retainKeys`; `$setElementOrder/<field>` is accepted and ignored (it only orders the output).

import { clone, deepEqual, isObject, type JsonObject } from "./json.ts";
import { badRequest } from "./status-error.ts";

/** How a list field merges: by the value of `mergeKey` in each element, or as a set of primitives. */
export type ListStrategy = { readonly mergeKey: string } | "set";

/** Keyed by the dotted field path from the object root, e.g. `status.conditions`. */
export type PatchSchema = Readonly<Record<string, ListStrategy>>;

const DELETE = Symbol("delete");

function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.filter((item) => !(isObject(item) && item["$patch"] !== undefined && Object.keys(item).length === 1)).map(stripDirectives);
  }
  if (!isObject(value)) return value;
  const result: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    if (!key.startsWith("$")) result[key] = stripDirectives(item);
  }
  return result;
}

function mergeList(original: unknown, patch: readonly unknown[], path: readonly string[], schema: PatchSchema): unknown[] {
  const strategy = schema[path.join(".")];
  if (strategy === undefined) return stripDirectives(patch) as unknown[];
  if (strategy === "set") {
    const result = Array.isArray(original) ? clone(original) : [];
    for (const item of patch) {
      if (!result.some((existing) => deepEqual(existing, item))) result.push(clone(item));
    }
    return result;
  }
  const { mergeKey } = strategy;
  if (patch.some((item) => isObject(item) && item["$patch"] === "replace")) {
    return stripDirectives(patch.filter((item) => !(isObject(item) && item["$patch"] === "replace"))) as unknown[];
  }
  const result: unknown[] = Array.isArray(original) ? clone(original) : [];
  for (const item of patch) {
    if (!isObject(item)) {
      throw badRequest(`strategic merge patch: ${path.join(".")} elements must be objects with merge key "${mergeKey}"`);
    }
    if (!Object.prototype.hasOwnProperty.call(item, mergeKey)) {
      throw badRequest(`strategic merge patch: an element of ${path.join(".")} does not contain declared merge key: ${mergeKey}`);
    }
    const index = result.findIndex((existing) => isObject(existing) && deepEqual(existing[mergeKey], item[mergeKey]));
    if (item["$patch"] === "delete") {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    const merged = mergeMap(index >= 0 ? result[index] : undefined, item, path, schema);
    if (merged === DELETE) {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) {
      result[index] = merged;
    } else {
      result.push(merged);
    }
  }
  return result;
}

function mergeMap(original: unknown, patch: JsonObject, path: readonly string[], schema: PatchSchema): JsonObject | typeof DELETE {
  const directive = patch["$patch"];
  if (directive === "replace") return stripDirectives(patch) as JsonObject;
  if (directive === "delete") return DELETE;
  if (directive !== undefined) {
    throw badRequest(`strategic merge patch: unknown $patch directive ${JSON.stringify(directive)} at ${path.join(".") || "<root>"}`);
  }
  const result: JsonObject = isObject(original) ? { ...original } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (!key.startsWith("$deleteFromPrimitiveList/")) continue;
    const field = key.slice("$deleteFromPrimitiveList/".length);
    const current = result[field];
    if (!Array.isArray(value)) throw badRequest(`strategic merge patch: ${key} must be a list`);
    if (Array.isArray(current)) {
      const remaining = current.filter((item) => !value.some((doomed) => deepEqual(doomed, item)));
      if (remaining.length === 0) delete result[field];
      else result[field] = remaining;
    }
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith("$")) continue;
    const childPath = [...path, key];
    if (value === null) {
      delete result[key];
    } else if (isObject(value)) {
      const merged = mergeMap(result[key], value, childPath, schema);
      if (merged === DELETE) delete result[key];
      else result[key] = merged;
    } else if (Array.isArray(value)) {
      result[key] = mergeList(result[key], value, childPath, schema);
    } else {
      result[key] = value;
    }
  }
  const retainKeys = patch["$retainKeys"];
  if (Array.isArray(retainKeys)) {
    for (const key of Object.keys(result)) {
      if (!retainKeys.includes(key)) delete result[key];
    }
  }
  return result;
}

export function applyStrategicMergePatch(document: JsonObject, patch: unknown, schema: PatchSchema): JsonObject {
  if (!isObject(patch)) throw badRequest("strategic merge patch: the body must be a JSON object");
  const merged = mergeMap(clone(document), patch, [], schema);
  if (merged === DELETE) throw badRequest("strategic merge patch: $patch: delete is not allowed on the whole object");
  return merged;
}
