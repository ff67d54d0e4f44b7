// Server-side printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), which is what makes
// `kubectl get nodes` show NAME STATUS ROLES AGE VERSION. Columns follow the upstream printers.

import { isObject, metadataOf, readPath, stringField, type JsonObject } from "./json.ts";
import { humanDuration } from "./time-format.ts";

export const TABLE_CONTENT_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io";

interface Column {
  readonly name: string;
  readonly type: string;
  readonly format?: string;
  readonly priority?: number;
  readonly description: string;
  readonly cell: (obj: JsonObject, now: number) => unknown;
}

function age(obj: JsonObject, now: number): string {
  const created = stringField(metadataOf(obj), "creationTimestamp");
  return created === undefined ? "<unknown>" : humanDuration(now - Date.parse(created));
}

const NAME: Column = { name: "Name", type: "string", format: "name", description: "Name of the object", cell: (o) => metadataOf(o)["name"] };
const AGE: Column = { name: "Age", type: "string", description: "Time since creation", cell: age };

function conditions(obj: JsonObject): JsonObject[] {
  const list = readPath(obj, "status.conditions");
  return Array.isArray(list) ? list.filter(isObject) : [];
}

function nodeStatus(node: JsonObject): string {
  const ready = conditions(node).find((c) => c["type"] === "Ready");
  const states = [ready === undefined ? "Unknown" : ready["status"] === "True" ? "Ready" : "NotReady"];
  if (readPath(node, "spec.unschedulable") === true) states.push("SchedulingDisabled");
  return states.join(",");
}

function nodeRoles(node: JsonObject): string {
  const labels = metadataOf(node)["labels"];
  const roles = new Set<string>();
  if (isObject(labels)) {
    for (const [key, value] of Object.entries(labels)) {
      if (key.startsWith("node-role.kubernetes.io/") && key.length > "node-role.kubernetes.io/".length) roles.add(key.slice("node-role.kubernetes.io/".length));
      if (key === "kubernetes.io/role" && typeof value === "string" && value !== "") roles.add(value);
    }
  }
  return roles.size === 0 ? "<none>" : [...roles].sort().join(",");
}

function nodeAddress(node: JsonObject, type: string): string {
  const addresses = readPath(node, "status.addresses");
  const found = Array.isArray(addresses) ? addresses.filter(isObject).find((a) => a["type"] === type) : undefined;
  return stringField(found, "address") ?? "<none>";
}

function nodeInfo(field: string, missing: string): (node: JsonObject) => string {
  return (node) => {
    const value = readPath(node, `status.nodeInfo.${field}`);
    return typeof value === "string" && value !== "" ? value : missing;
  };
}

const NODE_COLUMNS: readonly Column[] = [
  NAME,
  { name: "Status", type: "string", description: "The status of the node", cell: nodeStatus },
  { name: "Roles", type: "string", description: "The roles of the node", cell: nodeRoles },
  AGE,
  { name: "Version", type: "string", description: "Kubelet version", cell: nodeInfo("kubeletVersion", "") },
  { name: "Internal-IP", type: "string", priority: 1, description: "Internal IP", cell: (n) => nodeAddress(n, "InternalIP") },
  { name: "External-IP", type: "string", priority: 1, description: "External IP", cell: (n) => nodeAddress(n, "ExternalIP") },
  { name: "OS-Image", type: "string", priority: 1, description: "OS image", cell: nodeInfo("osImage", "<unknown>") },
  { name: "Kernel-Version", type: "string", priority: 1, description: "Kernel version", cell: nodeInfo("kernelVersion", "<unknown>") },
  { name: "Container-Runtime", type: "string", priority: 1, description: "Container runtime", cell: nodeInfo("containerRuntimeVersion", "<unknown>") },
];

function eventObject(event: JsonObject): string {
  const text = (path: string): string => {
    const value = readPath(event, path);
    return typeof value === "string" ? value : "";
  };
  const kind = text("involvedObject.kind") || text("regarding.kind");
  const name = text("involvedObject.name") || text("regarding.name");
  return `${kind.toLowerCase()}/${name}`;
}

function eventLastSeen(event: JsonObject, now: number): string {
  const candidates = ["lastTimestamp", "eventTime", "firstTimestamp"].map((f) => event[f]);
  const seen = candidates.find((c): c is string => typeof c === "string" && c !== "");
  return seen === undefined ? "<unknown>" : humanDuration(now - Date.parse(seen));
}

const EVENT_COLUMNS: readonly Column[] = [
  { name: "Last Seen", type: "string", description: "Time since last seen", cell: eventLastSeen },
  { name: "Type", type: "string", description: "Normal or Warning", cell: (e) => e["type"] ?? "" },
  { name: "Reason", type: "string", description: "Reason", cell: (e) => e["reason"] ?? "" },
  { name: "Object", type: "string", description: "Involved object", cell: eventObject },
  { name: "Message", type: "string", description: "Message", cell: (e) => e["message"] ?? e["note"] ?? "" },
  { ...NAME, priority: 1 },
];

const LEASE_COLUMNS: readonly Column[] = [
  NAME,
  { name: "Holder", type: "string", description: "Current holder", cell: (l) => readPath(l, "spec.holderIdentity") ?? "" },
  AGE,
];

const NAMESPACE_COLUMNS: readonly Column[] = [NAME, { name: "Status", type: "string", description: "Phase", cell: () => "Active" }, AGE];

const COLUMNS_BY_KIND: Readonly<Record<string, readonly Column[]>> = {
  Node: NODE_COLUMNS,
  Event: EVENT_COLUMNS,
  Lease: LEASE_COLUMNS,
  Namespace: NAMESPACE_COLUMNS,
};

/** Whether the Accept header asks for a Table (kubectl get) rather than the objects themselves. */
export function wantsTable(accept: string | undefined): boolean {
  return accept !== undefined && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

export type IncludeObject = "None" | "Metadata" | "Object";

export interface TableOptions {
  readonly kind: string;
  readonly now: number;
  readonly includeObject: IncludeObject;
  readonly resourceVersion?: string;
  readonly continueToken?: string;
  /** Watch events carry rows only; column definitions come with the first list. */
  readonly withColumns: boolean;
}

function rowObject(obj: JsonObject, includeObject: IncludeObject): JsonObject | undefined {
  if (includeObject === "None") return undefined;
  if (includeObject === "Object") return obj;
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: obj["metadata"] };
}

export function toTable(objects: readonly JsonObject[], options: TableOptions): JsonObject {
  const columns = COLUMNS_BY_KIND[options.kind] ?? [NAME, AGE];
  const metadata: JsonObject = {};
  if (options.resourceVersion !== undefined) metadata["resourceVersion"] = options.resourceVersion;
  if (options.continueToken !== undefined) metadata["continue"] = options.continueToken;
  const table: JsonObject = { kind: "Table", apiVersion: "meta.k8s.io/v1", metadata };
  if (options.withColumns) {
    table["columnDefinitions"] = columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? "",
      description: c.description,
      priority: c.priority ?? 0,
    }));
  }
  table["rows"] = objects.map((obj) => {
    const row: JsonObject = { cells: columns.map((c) => c.cell(obj, options.now)) };
    const object = rowObject(obj, options.includeObject);
    if (object !== undefined) row["object"] = object;
    return row;
  });
  return table;
}
