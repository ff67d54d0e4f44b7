// Delegated authentication and authorization of /metrics (`run --metrics-secure`): the real
// review calls (kube-apis.ts) against the fake Kubernetes API's TokenReview and SubjectAccessReview.
import { loadKubeConfig } from "../../src/kube/kube-config.js";
import type { KubeConnection } from "../../src/kube/kube-connection.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetricsAuthorizer, reviewClientFor } from "../../src/kube/metrics-authorizer.js";
import { startFakeKube, type FakeKubeServer } from "@vpc-route-sync/fake-kube-apiserver";

const PROMETHEUS = "prometheus-token-0001";
const NOSY = "nosy-token-0001";

let kube: FakeKubeServer;
let kubeConfig: KubeConnection;

beforeAll(async () => {
  kube = await startFakeKube({
    identities: {
      [PROMETHEUS]: { username: "system:serviceaccount:monitoring:prometheus", groups: ["system:serviceaccounts"], nonResourceGrants: [{ verb: "get", path: "/metrics" }] },
      [NOSY]: { username: "system:serviceaccount:default:nosy", nonResourceGrants: [{ verb: "get", path: "/healthz" }] },
    },
  });
  kubeConfig = loadKubeConfig({ kubeconfigPath: kube.kubeconfigPath });
});

afterAll(() => kube.close());

const reviewCalls = (): number => kube.requests().filter((r) => /tokenreviews|subjectaccessreviews/.test(r.path)).length;

describe("the /metrics authorizer", () => {
  it.each([
    ["a token allowed to get /metrics", `Bearer ${PROMETHEUS}`, { allowed: true }],
    ["no Authorization header", undefined, { allowed: false, status: 401, reason: "a bearer token is required" }],
    ["a Basic header", "Basic dXNlcjpwYXNz", { allowed: false, status: 401, reason: "a bearer token is required" }],
    ["a token the API server does not know", "Bearer forged-token", { allowed: false, status: 401, reason: "the API server did not authenticate the bearer token" }],
    ["a known user without the grant", `Bearer ${NOSY}`, { allowed: false, status: 403, reason: "system:serviceaccount:default:nosy may not get /metrics" }],
  ])("%s", async (_name, header, expected) => {
    const authorize = createMetricsAuthorizer({ reviews: reviewClientFor(kubeConfig) });
    expect(await authorize(header)).toEqual(expected);
  });

  it("reuses a decision for its time to live, then asks again", async () => {
    let now = 1_000_000;
    const authorize = createMetricsAuthorizer({ reviews: reviewClientFor(kubeConfig), now: () => now, allowedTtlMs: 60_000 });
    const before = reviewCalls();
    await authorize(`Bearer ${PROMETHEUS}`);
    await authorize(`Bearer ${PROMETHEUS}`);
    expect(reviewCalls() - before).toBe(2); // one TokenReview + one SubjectAccessReview
    now += 60_001;
    expect(await authorize(`Bearer ${PROMETHEUS}`)).toEqual({ allowed: true });
    expect(reviewCalls() - before).toBe(4);
  });

  it("answers 500 when the API server fails, and does not remember it", async () => {
    const authorize = createMetricsAuthorizer({ reviews: reviewClientFor(kubeConfig) });
    const rule = kube.faults.failRequests({ status: 503, path: "tokenreviews", times: 1 });
    const failed = await authorize(`Bearer ${PROMETHEUS}`);
    kube.faults.clearErrors(rule);
    expect(failed).toMatchObject({ allowed: false, status: 500 });
    expect(failed.allowed === false && failed.reason).toMatch(/^TokenReview failed: /);
    expect(await authorize(`Bearer ${PROMETHEUS}`)).toEqual({ allowed: true });
  });
});
