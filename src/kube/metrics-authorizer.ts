// Who may read /metrics when it is served with `--metrics-secure`: the request's bearer token is
// sent to the API server as a TokenReview (who is this?) and the user as a SubjectAccessReview
// (may they `get` the non-resource URL /metrics?), the delegated authentication and authorization
// that controller-runtime's secure metrics and kube-rbac-proxy do. Prometheus's service account
// then needs a ClusterRole with `nonResourceURLs: ["/metrics"], verbs: ["get"]`, and this
// controller `create` on tokenreviews and subjectaccessreviews. Decisions are cached briefly per
// token, so a scrape every 30 s costs two small API calls per minute at most.
import { createHash } from "node:crypto";
import { AuthenticationV1Api, AuthorizationV1Api } from "./kube-apis.js";
import type { KubeConnection } from "./kube-connection.js";

import type { AccessDecision } from "../observability/http-server.js";
import { errorMessage } from "../errors.js";

/** Decides on the Authorization header of one request. */
export type RequestAuthorizer = (authorizationHeader: string | undefined) => Promise<AccessDecision>;

/** The two review calls, as functions, so that the cache and the decisions are testable alone. */
export interface ReviewClient {
  /** TokenReview: the user the token belongs to, or undefined when the API server does not accept it. */
  authenticate(token: string): Promise<{ username: string; uid?: string | undefined; groups: string[] } | undefined>;
  /** SubjectAccessReview for a non-resource URL. */
  authorize(user: { username: string; uid?: string | undefined; groups: string[] }, verb: string, path: string): Promise<boolean>;
}

export interface MetricsAuthorizerOptions {
  readonly reviews: ReviewClient;
  /** The non-resource URL asked about. @default "/metrics" */
  readonly path?: string;
  /** How long an allowed / refused decision is reused. @default 60 s / 10 s */
  readonly allowedTtlMs?: number;
  readonly deniedTtlMs?: number;
  /** Tokens remembered at most (oldest forgotten first). @default 256 */
  readonly cacheSize?: number;
  readonly now?: () => number;
}

export function reviewClientFor(kubeConfig: KubeConnection): ReviewClient {
  const authentication = kubeConfig.makeApiClient(AuthenticationV1Api);
  const authorization = kubeConfig.makeApiClient(AuthorizationV1Api);
  return {
    async authenticate(token) {
      const review = await authentication.createTokenReview({ body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token } } });
      const user = review.status?.user;
      if (review.status?.authenticated !== true || user?.username === undefined) return undefined;
      return { username: user.username, uid: user.uid, groups: user.groups ?? [] };
    },
    async authorize(user, verb, path) {
      const review = await authorization.createSubjectAccessReview({
        body: {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SubjectAccessReview",
          spec: { user: user.username, uid: user.uid, groups: user.groups, nonResourceAttributes: { verb, path } },
        },
      });
      return review.status?.allowed === true;
    },
  };
}

export function createMetricsAuthorizer(options: MetricsAuthorizerOptions): RequestAuthorizer {
  const path = options.path ?? "/metrics";
  const now = options.now ?? Date.now;
  const allowedTtlMs = options.allowedTtlMs ?? 60_000;
  const deniedTtlMs = options.deniedTtlMs ?? 10_000;
  const cacheSize = options.cacheSize ?? 256;
  // Keyed by a hash: the tokens themselves are not kept.
  const cache = new Map<string, { decision: AccessDecision; expiresAt: number }>();

  async function decide(token: string): Promise<AccessDecision> {
    let user;
    try {
      user = await options.reviews.authenticate(token);
    } catch (error) {
      return { allowed: false, status: 500, reason: `TokenReview failed: ${errorMessage(error)}` };
    }
    if (user === undefined) return { allowed: false, status: 401, reason: "the API server did not authenticate the bearer token" };
    try {
      if (await options.reviews.authorize(user, "get", path)) return { allowed: true };
    } catch (error) {
      return { allowed: false, status: 500, reason: `SubjectAccessReview failed: ${errorMessage(error)}` };
    }
    return { allowed: false, status: 403, reason: `${user.username} may not get ${path}` };
  }

  return async (header) => {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "")?.[1];
    if (token === undefined) return { allowed: false, status: 401, reason: "a bearer token is required" };
    const key = createHash("sha256").update(token).digest("hex");
    const cached = cache.get(key);
    if (cached !== undefined && cached.expiresAt > now()) return cached.decision;
    const decision = await decide(token);
    // A failed review is not remembered: the next scrape asks again.
    if (decision.allowed || decision.status !== 500) {
      cache.delete(key);
      cache.set(key, { decision, expiresAt: now() + (decision.allowed ? allowedTtlMs : deniedTtlMs) });
      if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
    }
    return decision;
  };
}
