// The resources the fake serves, described once: how they are stored (one storage per kind, shared by
// every API version that serves it) and how each REST endpoint presents them. Events are core/v1
// only (the product writes no events.k8s.io/v1 Events, so the fake does not serve that API). Pods, DaemonSets
// and Deployments are served read/write with their real shapes (what `doctor` reads).

import { clone, isObject, readPath, stringField, type JsonObject } from "./json.ts";
import type { FieldCause } from "./status-error.ts";
import type { PatchSchema } from "./strategic-merge-patch.ts";
import { isMicroTime } from "./time-format.ts";

export type StorageKey = "nodes" | "events" | "leases" | "pods" | "daemonsets" | "deployments";

export interface StorageType {
  readonly key: StorageKey;
  readonly namespaced: boolean;
  /** Has a `/status` subresource: the main resource ignores `status`, `/status` changes only it. */
  readonly hasStatus: boolean;
  /** PUT on a missing object creates it (true for Events and Leases upstream). */
  readonly createOnUpdate: boolean;
  /** Whether a PUT without metadata.resourceVersion is allowed (false: 422, as for Leases upstream). */
  readonly unconditionalUpdate: boolean;
  readonly patchSchema: PatchSchema;
  /** Dotted paths holding metav1.MicroTime values (exactly six fractional digits on the wire). */
  readonly microTimeFields: readonly string[];
  /** Field selector names and their values for one stored object. */
  readonly selectableFields: readonly string[];
  fieldsOf(obj: JsonObject): Record<string, string>;
  /** Kind-specific validation on create and update, as field errors (422 Invalid). */
  validate(obj: JsonObject): FieldCause[];
}

export interface ResourceEndpoint {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly singular: string;
  readonly kind: string;
  readonly listKind: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly storage: StorageType;
  /** The object as this endpoint serves it. */
  toView(stored: JsonObject): JsonObject;
  /** The object as the storage keeps it. */
  fromView(view: JsonObject): JsonObject;
}

export function apiVersionOf(endpoint: { readonly group: string; readonly version: string }): string {
  return endpoint.group === "" ? endpoint.version : `${endpoint.group}/${endpoint.version}`;
}

const COMMON_PATCH_SCHEMA: PatchSchema = {
  "metadata.finalizers": "set",
  "metadata.ownerReferences": { mergeKey: "uid" },
};

function metadataFields(obj: JsonObject, namespaced: boolean): Record<string, string> {
  const metadata = isObject(obj["metadata"]) ? obj["metadata"] : {};
  const fields: Record<string, string> = { "metadata.name": stringField(metadata, "name") ?? "" };
  if (namespaced) fields["metadata.namespace"] = stringField(metadata, "namespace") ?? "";
  return fields;
}

function fieldString(obj: JsonObject, path: string): string {
  const value = readPath(obj, path);
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

const NODE_STORAGE: StorageType = {
  key: "nodes",
  namespaced: false,
  hasStatus: true,
  createOnUpdate: false,
  unconditionalUpdate: true,
  patchSchema: {
    ...COMMON_PATCH_SCHEMA,
    "spec.podCIDRs": "set",
    "status.conditions": { mergeKey: "type" },
    "status.addresses": { mergeKey: "type" },
  },
  microTimeFields: [],
  selectableFields: ["metadata.name", "spec.unschedulable"],
  fieldsOf: (obj) => ({ ...metadataFields(obj, false), "spec.unschedulable": readPath(obj, "spec.unschedulable") === true ? "true" : "false" }),
  validate: () => [],
};

const EVENT_FIELDS = [
  "involvedObject.kind",
  "involvedObject.namespace",
  "involvedObject.name",
  "involvedObject.uid",
  "involvedObject.apiVersion",
  "involvedObject.resourceVersion",
  "involvedObject.fieldPath",
  "reason",
  "reportingComponent",
  "source",
  "type",
];

/**
 * Mirrors the core/v1 path of pkg/apis/core/validation/events.go: Events written with an `eventTime`
 * must name their reporter, action and reason and keep the message to 1 kB; all Events about
 * cluster-scoped objects live in `default` (or `kube-system`), others in their object's namespace.
 * (`type` is checked only for events.k8s.io/v1 writes, which the fake does not serve.)
 */
function validateEvent(obj: JsonObject): FieldCause[] {
  const causes: FieldCause[] = [];
  const namespace = stringField(obj["metadata"] as JsonObject, "namespace") ?? "";
  const involved = isObject(obj["involvedObject"]) ? obj["involvedObject"] : {};
  const involvedNamespace = stringField(involved, "namespace") ?? "";
  if (involvedNamespace === "" && namespace !== "default" && namespace !== "kube-system" && namespace !== "") {
    causes.push({
      field: "involvedObject.namespace",
      reason: "FieldValueInvalid",
      message: `Invalid value: "": does not match event.namespace ("${namespace}"); events about cluster-scoped objects belong in "default"`,
    });
  }
  if (involvedNamespace !== "" && involvedNamespace !== namespace) {
    causes.push({ field: "involvedObject.namespace", reason: "FieldValueInvalid", message: `Invalid value: "${involvedNamespace}": does not match event.namespace` });
  }
  if (obj["eventTime"] !== undefined && obj["eventTime"] !== null) {
    for (const field of ["reportingComponent", "reportingInstance", "action", "reason"]) {
      if ((stringField(obj, field) ?? "") === "") causes.push({ field, reason: "FieldValueRequired", message: "Required value" });
    }
    // Upstream reports the value as "" here.
    if ((stringField(obj, "message") ?? "").length > 1024) causes.push({ field: "message", reason: "FieldValueInvalid", message: 'Invalid value: "": can have at most 1024 characters' });
  }
  return causes;
}

const EVENT_STORAGE: StorageType = {
  key: "events",
  namespaced: true,
  hasStatus: false,
  createOnUpdate: true,
  unconditionalUpdate: true,
  patchSchema: COMMON_PATCH_SCHEMA,
  microTimeFields: ["eventTime", "series.lastObservedTime"],
  selectableFields: ["metadata.name", "metadata.namespace", ...EVENT_FIELDS],
  fieldsOf: (obj) => {
    const fields = metadataFields(obj, true);
    for (const field of EVENT_FIELDS) fields[field] = field === "source" ? fieldString(obj, "source.component") : fieldString(obj, field);
    return fields;
  },
  validate: validateEvent,
};

function validateLease(obj: JsonObject): FieldCause[] {
  const causes: FieldCause[] = [];
  const duration = readPath(obj, "spec.leaseDurationSeconds");
  if (duration !== undefined && duration !== null && (typeof duration !== "number" || !Number.isInteger(duration) || duration <= 0)) {
    causes.push({ field: "spec.leaseDurationSeconds", reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(duration)}: must be greater than 0` });
  }
  const transitions = readPath(obj, "spec.leaseTransitions");
  if (transitions !== undefined && transitions !== null && (typeof transitions !== "number" || !Number.isInteger(transitions) || transitions < 0)) {
    causes.push({ field: "spec.leaseTransitions", reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(transitions)}: must be greater than or equal to 0` });
  }
  return causes;
}

const LEASE_STORAGE: StorageType = {
  key: "leases",
  namespaced: true,
  hasStatus: false,
  // kube-apiserver creates a missing Lease on PUT but updates an existing one only with a resourceVersion.
  createOnUpdate: true,
  unconditionalUpdate: false,
  patchSchema: COMMON_PATCH_SCHEMA,
  microTimeFields: ["spec.acquireTime", "spec.renewTime"],
  selectableFields: ["metadata.name", "metadata.namespace"],
  fieldsOf: (obj) => metadataFields(obj, true),
  validate: validateLease,
};

/** The field selectors kube-apiserver offers for Pods (pkg/registry/core/pod/strategy.go). */
const POD_FIELDS = [
  "spec.nodeName",
  "spec.restartPolicy",
  "spec.schedulerName",
  "spec.serviceAccountName",
  "spec.hostNetwork",
  "status.phase",
  "status.podIP",
  "status.nominatedNodeName",
];

/** A namespaced workload kind with a status subresource, read by `doctor`. */
function namespacedStorage(
  key: StorageType["key"],
  listPatchKeys: PatchSchema,
  fields: readonly string[],
  fieldsOf: StorageType["fieldsOf"],
): StorageType {
  return {
    key,
    namespaced: true,
    hasStatus: true,
    createOnUpdate: false,
    unconditionalUpdate: true,
    patchSchema: { ...COMMON_PATCH_SCHEMA, ...listPatchKeys, "status.conditions": { mergeKey: "type" } },
    microTimeFields: [],
    selectableFields: ["metadata.name", "metadata.namespace", ...fields],
    fieldsOf,
    validate: () => [],
  };
}

const POD_STORAGE = namespacedStorage(
  "pods",
  {
    "spec.containers": { mergeKey: "name" },
    "spec.initContainers": { mergeKey: "name" },
    "spec.volumes": { mergeKey: "name" },
    "status.podIPs": { mergeKey: "ip" },
  },
  POD_FIELDS,
  (obj) => {
    const fields = metadataFields(obj, true);
    for (const field of POD_FIELDS) fields[field] = field === "spec.hostNetwork" ? String(readPath(obj, field) === true) : fieldString(obj, field);
    return fields;
  },
);

/** DaemonSets and Deployments (apps/v1): namespaced, with a status subresource, name selectors only. */
function workloadStorage(key: "daemonsets" | "deployments"): StorageType {
  return namespacedStorage(
    key,
    {
      "spec.template.spec.containers": { mergeKey: "name" },
      "spec.template.spec.initContainers": { mergeKey: "name" },
      "spec.template.spec.volumes": { mergeKey: "name" },
    },
    [],
    (obj) => metadataFields(obj, true),
  );
}

const DAEMONSET_STORAGE = workloadStorage("daemonsets");
const DEPLOYMENT_STORAGE = workloadStorage("deployments");

function sameShape(apiVersion: string, kind: string): (obj: JsonObject) => JsonObject {
  return (obj) => {
    const { apiVersion: _apiVersion, kind: _kind, ...rest } = obj;
    return { apiVersion, kind, ...clone(rest) };
  };
}

export const RESOURCE_ENDPOINTS: readonly ResourceEndpoint[] = [
  {
    group: "",
    version: "v1",
    plural: "nodes",
    singular: "node",
    kind: "Node",
    listKind: "NodeList",
    namespaced: false,
    shortNames: ["no"],
    storage: NODE_STORAGE,
    toView: sameShape("v1", "Node"),
    fromView: sameShape("v1", "Node"),
  },
  {
    group: "",
    version: "v1",
    plural: "events",
    singular: "event",
    kind: "Event",
    listKind: "EventList",
    namespaced: true,
    shortNames: ["ev"],
    storage: EVENT_STORAGE,
    toView: sameShape("v1", "Event"),
    fromView: sameShape("v1", "Event"),
  },
  {
    group: "coordination.k8s.io",
    version: "v1",
    plural: "leases",
    singular: "lease",
    kind: "Lease",
    listKind: "LeaseList",
    namespaced: true,
    shortNames: [],
    storage: LEASE_STORAGE,
    toView: sameShape("coordination.k8s.io/v1", "Lease"),
    fromView: sameShape("coordination.k8s.io/v1", "Lease"),
  },
  {
    group: "",
    version: "v1",
    plural: "pods",
    singular: "pod",
    kind: "Pod",
    listKind: "PodList",
    namespaced: true,
    shortNames: ["po"],
    storage: POD_STORAGE,
    toView: sameShape("v1", "Pod"),
    fromView: sameShape("v1", "Pod"),
  },
  {
    group: "apps",
    version: "v1",
    plural: "daemonsets",
    singular: "daemonset",
    kind: "DaemonSet",
    listKind: "DaemonSetList",
    namespaced: true,
    shortNames: ["ds"],
    storage: DAEMONSET_STORAGE,
    toView: sameShape("apps/v1", "DaemonSet"),
    fromView: sameShape("apps/v1", "DaemonSet"),
  },
  {
    group: "apps",
    version: "v1",
    plural: "deployments",
    singular: "deployment",
    kind: "Deployment",
    listKind: "DeploymentList",
    namespaced: true,
    shortNames: ["deploy"],
    storage: DEPLOYMENT_STORAGE,
    toView: sameShape("apps/v1", "Deployment"),
    fromView: sameShape("apps/v1", "Deployment"),
  },
];

export const STORAGE_TYPES: Readonly<Record<StorageKey, StorageType>> = {
  nodes: NODE_STORAGE,
  events: EVENT_STORAGE,
  leases: LEASE_STORAGE,
  pods: POD_STORAGE,
  daemonsets: DAEMONSET_STORAGE,
  deployments: DEPLOYMENT_STORAGE,
};

/** The endpoint that names a storage in errors and in-process results. */
export function canonicalEndpoint(key: StorageKey): ResourceEndpoint {
  const endpoint = RESOURCE_ENDPOINTS.find((e) => e.storage.key === key);
  if (endpoint === undefined) throw new Error(`no endpoint serves storage ${key}`);
  return endpoint;
}

export function findEndpoint(group: string, version: string, plural: string): ResourceEndpoint | undefined {
  return RESOURCE_ENDPOINTS.find((e) => e.group === group && e.version === version && e.plural === plural);
}

/** Checks MicroTime fields; returns the first offending path and value. */
export function badMicroTime(storage: StorageType, obj: JsonObject): { path: string; value: unknown } | undefined {
  for (const path of storage.microTimeFields) {
    const value = readPath(obj, path);
    if (value !== undefined && value !== null && !isMicroTime(value)) return { path, value };
  }
  return undefined;
}

