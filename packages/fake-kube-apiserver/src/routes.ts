// Maps request paths to what serves them: discovery and OpenAPI documents, the synthetic Namespace
// resource, and resource endpoints (`/api/v1/nodes/n1/status`, `/apis/g/v/namespaces/ns/leases`).

import { findEndpoint } from "./resource-types.ts";
import type { ResourceRoute } from "./resource-api.ts";

export type Route =
  | { readonly type: "version" }
  | { readonly type: "health" }
  | { readonly type: "api-versions" }
  | { readonly type: "api-groups" }
  | { readonly type: "api-group"; readonly group: string }
  | { readonly type: "api-resources"; readonly group: string; readonly version: string }
  | { readonly type: "openapi-root" }
  | { readonly type: "openapi-group"; readonly key: string }
  | { readonly type: "namespaces"; readonly name: string | undefined }
  | { readonly type: "token-review" }
  | { readonly type: "subject-access-review" }
  | { readonly type: "resource"; readonly route: ResourceRoute };

const HEALTH_PATHS = new Set(["/healthz", "/livez", "/readyz"]);

function resourceRoute(group: string, version: string, rest: readonly string[]): Route | undefined {
  const [first, second, third, fourth, fifth, ...extra] = rest;
  if (first === undefined) return { type: "api-resources", group, version };
  if (first === "namespaces" && group === "" && version === "v1" && (third === undefined || third === "status" || third === "finalize")) {
    if (third !== undefined) return undefined;
    return { type: "namespaces", name: second };
  }
  if (first === "namespaces" && second !== undefined && third !== undefined) {
    const endpoint = findEndpoint(group, version, third);
    if (endpoint === undefined || !endpoint.namespaced || extra.length > 0) return undefined;
    return { type: "resource", route: { endpoint, namespace: second, name: fourth, subresource: fifth } };
  }
  const endpoint = findEndpoint(group, version, first);
  if (endpoint === undefined || fourth !== undefined) return undefined;
  if (endpoint.namespaced && second !== undefined) return undefined;
  return { type: "resource", route: { endpoint, namespace: undefined, name: second, subresource: third } };
}

export function routeFor(pathname: string): Route | undefined {
  if (pathname === "/version" || pathname === "/version/") return { type: "version" };
  if (HEALTH_PATHS.has(pathname)) return { type: "health" };
  if (pathname === "/openapi/v3" || pathname === "/openapi/v3/") return { type: "openapi-root" };
  if (pathname.startsWith("/openapi/v3/")) return { type: "openapi-group", key: pathname.slice("/openapi/v3/".length) };
  let segments: string[];
  try {
    segments = pathname.split("/").filter((s) => s !== "").map((s) => decodeURIComponent(s));
  } catch {
    return undefined; // malformed percent-encoding: no such resource
  }
  if (segments[0] === "api") {
    if (segments.length === 1) return { type: "api-versions" };
    if (segments[1] !== "v1") return undefined;
    return resourceRoute("", "v1", segments.slice(2));
  }
  if (segments[0] === "apis") {
    const [, group, version] = segments;
    if (group === undefined) return { type: "api-groups" };
    const path = segments.join("/");
    if (path === "apis/authentication.k8s.io/v1/tokenreviews") return { type: "token-review" };
    if (path === "apis/authorization.k8s.io/v1/subjectaccessreviews") return { type: "subject-access-review" };
    if (version === undefined) return { type: "api-group", group };
    return resourceRoute(group, version, segments.slice(3));
  }
  return undefined;
}
