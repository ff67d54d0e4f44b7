// TokenReview (authentication.k8s.io/v1) and SubjectAccessReview (authorization.k8s.io/v1), the two
// "create-only" reviews a delegating server (like `run --metrics-secure`) sends to the API server.
// The fake knows a table of bearer tokens, each with a user and the non-resource URLs and verbs it
// may use; every other token is unauthenticated and every other request denied. Resource attributes
// are always denied: nothing in this project asks about them.
import type { Exchange } from "./exchange.ts";
import { isObject, type JsonObject } from "./json.ts";
import { badRequest } from "./status-error.ts";

export interface ReviewIdentity {
  readonly username: string;
  readonly uid?: string;
  readonly groups?: readonly string[];
  /** Non-resource requests this user may make, e.g. `{ verb: "get", path: "/metrics" }`. */
  readonly nonResourceGrants?: readonly { readonly verb: string; readonly path: string }[];
}

/** Bearer token → who it is. */
export type ReviewIdentities = ReadonlyMap<string, ReviewIdentity>;

function specOf(exchange: Exchange, kind: string): JsonObject {
  const body = exchange.jsonObject(kind);
  if (body["kind"] !== undefined && body["kind"] !== kind) throw badRequest(`expected kind ${kind}, got ${JSON.stringify(body["kind"])}`);
  const spec = body["spec"];
  if (!isObject(spec)) throw badRequest(`${kind}: spec is required`);
  return spec;
}

export function handleTokenReview(exchange: Exchange, identities: ReviewIdentities): void {
  const spec = specOf(exchange, "TokenReview");
  const token = spec["token"];
  if (typeof token !== "string" || token === "") throw badRequest("TokenReview: spec.token is required");
  const identity = identities.get(token);
  const audiences = Array.isArray(spec["audiences"]) ? spec["audiences"] : [];
  const status = identity
    ? { authenticated: true, user: { username: identity.username, uid: identity.uid ?? "", groups: [...(identity.groups ?? [])] }, audiences }
    : { authenticated: false, user: {}, error: "invalid bearer token" };
  exchange.send(201, { kind: "TokenReview", apiVersion: "authentication.k8s.io/v1", metadata: { creationTimestamp: null }, spec, status });
}

export function handleSubjectAccessReview(exchange: Exchange, identities: ReviewIdentities): void {
  const spec = specOf(exchange, "SubjectAccessReview");
  const user = spec["user"];
  if (typeof user !== "string" || user === "") throw badRequest("SubjectAccessReview: spec.user is required");
  const attributes = spec["nonResourceAttributes"];
  let allowed = false;
  if (isObject(attributes)) {
    const identity = [...identities.values()].find((candidate) => candidate.username === user);
    allowed = (identity?.nonResourceGrants ?? []).some((grant) => grant.verb === attributes["verb"] && grant.path === attributes["path"]);
  }
  const status = allowed ? { allowed: true, reason: "granted by the fake's identity table" } : { allowed: false };
  exchange.send(201, { kind: "SubjectAccessReview", apiVersion: "authorization.k8s.io/v1", metadata: { creationTimestamp: null }, spec, status });
}
