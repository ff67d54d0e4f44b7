// TokenReview and SubjectAccessReview over HTTP: the identity table decides, everything else is no.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeKube, type FakeKubeServer } from "../src/index.ts";

let fake: FakeKubeServer;

beforeAll(async () => {
  fake = await startFakeKube({
    identities: { "scraper-token": { username: "scraper", groups: ["monitoring"], nonResourceGrants: [{ verb: "get", path: "/metrics" }] } },
  });
});
afterAll(() => fake.close());

async function post(path: string, body: unknown, method = "POST"): Promise<{ status: number; body: { status?: Record<string, unknown>; message?: string } }> {
  const response = await fetch(`${fake.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${fake.token}`, "Content-Type": "application/json" },
    ...(method === "GET" ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as { status?: Record<string, unknown>; message?: string } };
}

const TOKEN_REVIEWS = "/apis/authentication.k8s.io/v1/tokenreviews";
const ACCESS_REVIEWS = "/apis/authorization.k8s.io/v1/subjectaccessreviews";
const review = (kind: string, spec: object) => ({ kind, apiVersion: kind === "TokenReview" ? "authentication.k8s.io/v1" : "authorization.k8s.io/v1", spec });

describe("fake-kube reviews", () => {
  it.each([
    ["scraper-token", { authenticated: true, user: { username: "scraper", uid: "", groups: ["monitoring"] } }],
    ["someone-else", { authenticated: false }],
  ])("TokenReview of %s", async (token, expected) => {
    const answer = await post(TOKEN_REVIEWS, review("TokenReview", { token }));
    expect(answer.status).toBe(201);
    expect(answer.body.status).toMatchObject(expected);
  });

  it.each([
    ["the granted URL and verb", { user: "scraper", nonResourceAttributes: { verb: "get", path: "/metrics" } }, true],
    ["another URL", { user: "scraper", nonResourceAttributes: { verb: "get", path: "/debug" } }, false],
    ["another user", { user: "nobody", nonResourceAttributes: { verb: "get", path: "/metrics" } }, false],
    ["resource attributes", { user: "scraper", resourceAttributes: { verb: "get", resource: "nodes" } }, false],
  ])("SubjectAccessReview for %s", async (_name, spec, allowed) => {
    const answer = await post(ACCESS_REVIEWS, review("SubjectAccessReview", spec));
    expect(answer.status).toBe(201);
    expect(answer.body.status?.["allowed"]).toBe(allowed);
  });

  it.each([
    [TOKEN_REVIEWS, "not json", 400, "the body is not valid JSON"],
    [TOKEN_REVIEWS, review("TokenReview", {}), 400, "spec.token is required"],
    [ACCESS_REVIEWS, review("SubjectAccessReview", { nonResourceAttributes: {} }), 400, "spec.user is required"],
    [ACCESS_REVIEWS, review("TokenReview", { token: "x" }), 400, "expected kind SubjectAccessReview"],
  ])("refuses a bad body at %s", async (path, body, status, message) => {
    const answer = await post(path, body);
    expect(answer.status).toBe(status);
    expect(answer.body.message).toContain(message);
  });

  it("refuses other methods", async () => {
    expect((await post(TOKEN_REVIEWS, undefined, "GET")).status).toBe(405);
  });
});
