// Strategic merge of a plain object into a Node, for the in-process `patchNode` (so tests can write
// `patchNode("n1", { status: { conditions: [...] } })` and get conditions merged by type).

import type { JsonObject } from "./json.ts";
import { STORAGE_TYPES } from "./resource-types.ts";
import { applyStrategicMergePatch } from "./strategic-merge-patch.ts";

export function strategicPatchNode(node: JsonObject, patch: object): JsonObject {
  return applyStrategicMergePatch(node, patch, STORAGE_TYPES.nodes.patchSchema);
}
