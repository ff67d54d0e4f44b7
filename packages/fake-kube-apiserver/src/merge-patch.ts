// RFC 7386 JSON Merge Patch (`application/merge-patch+json`): maps merge, `null` deletes, lists
// are replaced whole.

import { clone, isObject, type JsonObject } from "./json.ts";
import { badRequest } from "./status-error.ts";

function merge(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else {
      result[key] = merge(result[key], value);
    }
  }
  return result;
}

export function applyMergePatch(document: JsonObject, patch: unknown): JsonObject {
  if (!isObject(patch)) throw badRequest("merge patch: the body must be a JSON object");
  const result = merge(clone(document), patch);
  return result as JsonObject;
}
