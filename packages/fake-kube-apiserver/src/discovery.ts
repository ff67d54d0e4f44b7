// Discovery, version and OpenAPI v3 documents: the minimum kubectl needs before any verb (legacy
// discovery shapes, which kubectl accepts when it asked for aggregated discovery), and OpenAPI v3
// paths that advertise `fieldValidation` so kubectl >= 1.29 validates server-side on create.

import type { JsonObject } from "./json.ts";
import { RESOURCE_ENDPOINTS, apiVersionOf, type ResourceEndpoint } from "./resource-types.ts";

/** The fields of `/version` that name the release (version.Info in k8s.io/apimachinery). */
export interface ServerVersion {
  readonly major: string;
  readonly minor: string;
  readonly gitVersion: string;
}

export const FAKE_KUBE_VERSION: ServerVersion = { major: "1", minor: "32", gitVersion: "v1.32.0-fake" };

export function versionDocument(version: ServerVersion = FAKE_KUBE_VERSION): JsonObject {
  return {
    major: version.major,
    minor: version.minor,
    gitVersion: version.gitVersion,
    gitCommit: "0000000000000000000000000000000000000000",
    gitTreeState: "clean",
    buildDate: "2026-01-01T00:00:00Z",
    goVersion: "go1.23.0",
    compiler: "gc",
    platform: "linux/amd64",
  };
}

const VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"];

interface GroupVersion {
  readonly group: string;
  readonly version: string;
}

function groupVersions(): GroupVersion[] {
  const seen = new Map<string, GroupVersion>();
  for (const e of RESOURCE_ENDPOINTS) seen.set(apiVersionOf(e), { group: e.group, version: e.version });
  return [...seen.values()];
}

export function apiVersionsDocument(serverAddress: string): JsonObject {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

function groupDocument(group: string): JsonObject {
  const versions = groupVersions()
    .filter((gv) => gv.group === group)
    .map((gv) => ({ groupVersion: apiVersionOf(gv), version: gv.version }));
  return { kind: "APIGroup", apiVersion: "v1", name: group, versions, preferredVersion: versions[0] };
}

export function apiGroupListDocument(): JsonObject {
  const groups = [...new Set(groupVersions().map((gv) => gv.group))].filter((g) => g !== "");
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: groups.map((g) => {
      const doc = groupDocument(g);
      return { name: doc["name"], versions: doc["versions"], preferredVersion: doc["preferredVersion"] };
    }),
  };
}

export function apiGroupDocument(group: string): JsonObject | undefined {
  return groupVersions().some((gv) => gv.group === group && group !== "") ? groupDocument(group) : undefined;
}

function resourceEntries(endpoint: ResourceEndpoint): JsonObject[] {
  const entries: JsonObject[] = [
    {
      name: endpoint.plural,
      singularName: endpoint.singular,
      namespaced: endpoint.namespaced,
      kind: endpoint.kind,
      verbs: VERBS,
      ...(endpoint.shortNames.length > 0 ? { shortNames: endpoint.shortNames } : {}),
    },
  ];
  if (endpoint.storage.hasStatus) {
    entries.push({ name: `${endpoint.plural}/status`, singularName: "", namespaced: endpoint.namespaced, kind: endpoint.kind, verbs: ["get", "patch", "update"] });
  }
  return entries;
}

export function apiResourceListDocument(group: string, version: string): JsonObject | undefined {
  const endpoints = RESOURCE_ENDPOINTS.filter((e) => e.group === group && e.version === version);
  if (endpoints.length === 0) return undefined;
  const resources = endpoints.flatMap(resourceEntries);
  if (group === "" && version === "v1") {
    resources.push({ name: "namespaces", singularName: "namespace", namespaced: false, kind: "Namespace", verbs: ["get", "list"], shortNames: ["ns"] });
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: apiVersionOf({ group, version }), resources };
}

function openApiKey(gv: GroupVersion): string {
  return gv.group === "" ? `api/${gv.version}` : `apis/${gv.group}/${gv.version}`;
}

export function openApiRootDocument(): JsonObject {
  const paths: JsonObject = {};
  for (const gv of groupVersions()) {
    const key = openApiKey(gv);
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=fake1` };
  }
  return { paths };
}

const QUERY_PARAMETERS = ["dryRun", "fieldManager", "fieldValidation", "pretty"].map((name) => ({
  name,
  in: "query",
  schema: { type: "string", uniqueItems: true },
}));

export function openApiGroupDocument(key: string): JsonObject | undefined {
  const gv = groupVersions().find((candidate) => openApiKey(candidate) === key);
  if (gv === undefined) return undefined;
  const paths: JsonObject = {};
  for (const e of RESOURCE_ENDPOINTS.filter((r) => r.group === gv.group && r.version === gv.version)) {
    const gvk = { group: e.group, version: e.version, kind: e.kind };
    const prefix = `/${openApiKey(gv)}${e.namespaced ? "/namespaces/{namespace}" : ""}/${e.plural}`;
    const operation = (verb: string): JsonObject => ({
      operationId: `${verb}${e.kind}`,
      "x-kubernetes-action": verb,
      "x-kubernetes-group-version-kind": gvk,
      parameters: QUERY_PARAMETERS,
      responses: { "200": { description: "OK" } },
    });
    paths[prefix] = { get: operation("list"), post: operation("post") };
    paths[`${prefix}/{name}`] = { get: operation("get"), put: operation("put"), patch: operation("patch"), delete: operation("delete") };
    if (e.storage.hasStatus) {
      paths[`${prefix}/{name}/status`] = { get: operation("get"), put: operation("put"), patch: operation("patch") };
    }
  }
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes (vpc-route-sync fake)", version: FAKE_KUBE_VERSION.gitVersion },
    paths,
    components: { schemas: {} },
  };
}
