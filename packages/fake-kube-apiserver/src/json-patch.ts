// RFC 6902 JSON Patch (`application/json-patch+json`): add, remove, replace, move, copy, test.
// Works on a copy; the input document is never modified.

import { clone, deepEqual, isObject, type JsonObject } from "./json.ts";
import { KubeStatusError, badRequest } from "./status-error.ts";

function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw badRequest(`json patch: invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split("/")
    .map((token) => token.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function parseIndex(token: string, length: number, allowEnd: boolean, pointer: string): number {
  if (allowEnd && token === "-") return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw badRequest(`json patch: invalid array index "${token}" in "${pointer}"`);
  const index = Number(token);
  if (index > length || (!allowEnd && index === length)) {
    throw badRequest(`json patch: array index ${index} out of bounds in "${pointer}"`);
  }
  return index;
}

function resolveParent(doc: unknown, pointer: string): { parent: unknown; last: string } {
  const tokens = parsePointer(pointer);
  const last = tokens.pop();
  if (last === undefined) throw badRequest(`json patch: the root document cannot be the target of "${pointer}"`);
  let current: unknown = doc;
  for (const token of tokens) {
    if (Array.isArray(current)) {
      current = current[parseIndex(token, current.length, false, pointer)];
    } else if (isObject(current) && Object.prototype.hasOwnProperty.call(current, token)) {
      current = current[token];
    } else {
      throw badRequest(`json patch: path "${pointer}" does not exist`);
    }
  }
  return { parent: current, last };
}

function getValue(doc: unknown, pointer: string): unknown {
  if (pointer === "") return doc;
  const { parent, last } = resolveParent(doc, pointer);
  if (Array.isArray(parent)) return parent[parseIndex(last, parent.length, false, pointer)];
  if (isObject(parent) && Object.prototype.hasOwnProperty.call(parent, last)) return parent[last];
  throw badRequest(`json patch: path "${pointer}" does not exist`);
}

function addValue(doc: unknown, pointer: string, value: unknown): void {
  const { parent, last } = resolveParent(doc, pointer);
  if (Array.isArray(parent)) {
    parent.splice(parseIndex(last, parent.length, true, pointer), 0, value);
  } else if (isObject(parent)) {
    parent[last] = value;
  } else {
    throw badRequest(`json patch: parent of "${pointer}" is not an object or array`);
  }
}

function removeValue(doc: unknown, pointer: string): unknown {
  const { parent, last } = resolveParent(doc, pointer);
  if (Array.isArray(parent)) {
    return parent.splice(parseIndex(last, parent.length, false, pointer), 1)[0];
  }
  if (isObject(parent) && Object.prototype.hasOwnProperty.call(parent, last)) {
    const removed = parent[last];
    delete parent[last];
    return removed;
  }
  throw badRequest(`json patch: cannot remove "${pointer}": it does not exist`);
}

export function applyJsonPatch(document: JsonObject, patch: unknown): JsonObject {
  if (!Array.isArray(patch)) throw badRequest("json patch: the body must be a JSON array of operations");
  const doc = clone(document);
  for (const operation of patch) {
    if (!isObject(operation) || typeof operation["op"] !== "string" || typeof operation["path"] !== "string") {
      throw badRequest(`json patch: each operation needs string "op" and "path": ${JSON.stringify(operation)}`);
    }
    const path = operation["path"];
    const hasValue = Object.prototype.hasOwnProperty.call(operation, "value");
    const from = operation["from"];
    switch (operation["op"]) {
      case "add":
        if (!hasValue) throw badRequest(`json patch: "add" at "${path}" needs a value`);
        addValue(doc, path, clone(operation["value"]));
        break;
      case "remove":
        removeValue(doc, path);
        break;
      case "replace":
        if (!hasValue) throw badRequest(`json patch: "replace" at "${path}" needs a value`);
        removeValue(doc, path);
        addValue(doc, path, clone(operation["value"]));
        break;
      case "move": {
        if (typeof from !== "string") throw badRequest(`json patch: "move" to "${path}" needs "from"`);
        addValue(doc, path, removeValue(doc, from));
        break;
      }
      case "copy":
        if (typeof from !== "string") throw badRequest(`json patch: "copy" to "${path}" needs "from"`);
        addValue(doc, path, clone(getValue(doc, from)));
        break;
      case "test":
        if (!deepEqual(getValue(doc, path), operation["value"])) {
          throw new KubeStatusError(422, "Invalid", `json patch: test operation failed at "${path}"`);
        }
        break;
      default:
        throw badRequest(`json patch: unknown operation "${String(operation["op"])}"`);
    }
  }
  if (!isObject(doc)) throw badRequest("json patch: the result is not an object");
  return doc;
}
