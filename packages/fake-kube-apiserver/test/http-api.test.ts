// The wire protocol over plain fetch: error Status objects, discovery and OpenAPI documents, Table
// output, the watch stream (replay, synthetic ADDED, selectors, bookmarks, 410, timeouts) and the
// /__fake control endpoints.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeKube, type FakeKubeServer } from "../src/index.ts";
import { RawWatch, nodeFixture, waitFor } from "./helpers.ts";

let fake: FakeKubeServer;
const watches: RawWatch[] = [];

beforeEach(async () => {
  fake = await startFakeKube({ nodes: [nodeFixture("n1", { labels: { pool: "a" } }), nodeFixture("n2", { labels: { pool: "b" } })], now: () => Date.parse("2026-01-01T00:10:00Z") });
});

afterEach(async () => {
  await Promise.all(watches.splice(0).map((w) => w.stop()));
  await fake.close();
});

function watch(pathAndQuery: string, headers?: Record<string, string>): RawWatch {
  const w = new RawWatch(fake, pathAndQuery, headers);
  watches.push(w);
  return w;
}

async function call(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${fake.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${fake.token}`, ...(body === undefined ? {} : { "Content-Type": contentType }) },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe("fake-kube errors and discovery", () => {
  it.each([
    ["GET", "/api/v1/services", 404, "NotFound", "the server could not find the requested resource"],
    ["GET", "/apis/apps/v1/statefulsets", 404, "NotFound", "the server could not find the requested resource"],
    ["GET", "/api/v1/namespaces/default/pods/zzz", 404, "NotFound", 'pods "zzz" not found'],
    ["GET", "/api/v1/namespaces/default/nodes", 404, "NotFound", "the server could not find the requested resource"],
    ["GET", "/api/v1/nodes/zzz", 404, "NotFound", 'nodes "zzz" not found'],
    ["GET", "/api/v1/nodes/%E0%A4%A", 404, "NotFound", "the server could not find the requested resource"],
    ["GET", "/api/v1/namespaces?watch=true", 405, "MethodNotAllowed", "the server does not allow this method on the requested resource (WATCH)"],
    ["GET", "/api/v1/nodes/zzz/status", 404, "NotFound", 'nodes "zzz" not found'],
    ["GET", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/l1", 404, "NotFound", 'leases.coordination.k8s.io "l1" not found'],
    ["POST", "/api/v1/nodes/n1", 405, "MethodNotAllowed", "the server does not allow this method on the requested resource (POST)"],
    ["DELETE", "/api/v1/nodes", 405, "MethodNotAllowed", "the server does not allow this method on the requested resource (DELETE)"],
    ["POST", "/api", 405, "MethodNotAllowed", "the server does not allow this method on the requested resource (POST)"],
  ])("%s %s -> %i %s", async (method, path, status, reason, message) => {
    const { status: code, json } = await call(method, path);
    expect(code).toBe(status);
    expect(json).toMatchObject({ kind: "Status", apiVersion: "v1", status: "Failure", reason, message, code: status });
  });

  it("answers bad bodies with 400 naming the problem", async () => {
    expect((await call("POST", "/api/v1/nodes", "{not json")).json["message"]).toMatch(/^Node body: the body is not valid JSON/);
    expect((await call("POST", "/api/v1/nodes", { apiVersion: "v2", kind: "Node", metadata: { name: "x" } })).json["message"]).toBe(
      "the API version in the data (v2) does not match the expected API version (v1)",
    );
    expect((await call("PUT", "/api/v1/nodes/n1", { metadata: { name: "n2" } })).json["message"]).toBe(
      "the name of the object (n2) does not match the name on the URL (n1)",
    );
    expect((await call("GET", "/api/v1/nodes?labelSelector=a%3D%3D%3Db")).status).toBe(400);
  });

  it("serves discovery, version and OpenAPI v3 documents", async () => {
    expect((await call("GET", "/version")).json).toMatchObject({ major: "1", minor: "32" });
    expect((await call("GET", "/api")).json).toMatchObject({ kind: "APIVersions", versions: ["v1"] });
    const groups = (await call("GET", "/apis")).json["groups"] as { name: string }[];
    expect(groups.map((g) => g.name).sort()).toEqual(["apps", "coordination.k8s.io"]);
    const core = (await call("GET", "/api/v1")).json["resources"] as { name: string; verbs: string[] }[];
    expect(core.map((r) => r.name)).toEqual(["nodes", "nodes/status", "events", "pods", "pods/status", "namespaces"]);
    const apps = (await call("GET", "/apis/apps/v1")).json["resources"] as { name: string; namespaced: boolean }[];
    expect(apps.map((r) => r.name)).toEqual(["daemonsets", "daemonsets/status", "deployments", "deployments/status"]);
    expect((await call("GET", "/apis/coordination.k8s.io/v1")).json).toMatchObject({ groupVersion: "coordination.k8s.io/v1", resources: [{ name: "leases", namespaced: true }] });
    expect((await call("GET", "/apis/coordination.k8s.io")).json).toMatchObject({ kind: "APIGroup", preferredVersion: { groupVersion: "coordination.k8s.io/v1" } });
    expect((await call("GET", "/apis/events.k8s.io/v1/events")).status).toBe(404);
    const root = (await call("GET", "/openapi/v3")).json["paths"] as Record<string, { serverRelativeURL: string }>;
    const doc = (await call("GET", root["api/v1"]!.serverRelativeURL)).json["paths"] as Record<string, Record<string, { parameters: { name: string }[]; "x-kubernetes-group-version-kind": unknown }>>;
    expect(doc["/api/v1/nodes/{name}"]?.["patch"]?.["x-kubernetes-group-version-kind"]).toEqual({ group: "", version: "v1", kind: "Node" });
    expect(doc["/api/v1/nodes/{name}"]?.["patch"]?.parameters.map((p) => p.name)).toContain("fieldValidation");
    expect((await fetch(`${fake.url}/openapi/v2`, { headers: { Authorization: `Bearer ${fake.token}` } })).status).toBe(404);
  });

  it("prints Tables for kubectl get", async () => {
    fake.patchNode("n1", { metadata: { labels: { "node-role.kubernetes.io/control-plane": "" } }, status: { nodeInfo: { kubeletVersion: "v1.32.1" } } });
    fake.patchNode("n2", { spec: { unschedulable: true }, status: { conditions: [{ type: "Ready", status: "False" }] } });
    const response = await fetch(`${fake.url}/api/v1/nodes?limit=500`, {
      headers: { Authorization: `Bearer ${fake.token}`, Accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" },
    });
    expect(response.headers.get("content-type")).toBe("application/json;as=Table;v=v1;g=meta.k8s.io");
    const table = (await response.json()) as { columnDefinitions: { name: string; priority: number }[]; rows: { cells: unknown[]; object: { kind: string } }[] };
    expect(table.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name)).toEqual(["Name", "Status", "Roles", "Age", "Version"]);
    expect(table.rows.map((r) => r.cells.slice(0, 5))).toEqual([
      ["n1", "Ready", "control-plane", "0s", "v1.32.1"],
      ["n2", "NotReady,SchedulingDisabled", "<none>", "0s", ""],
    ]);
    expect(table.rows[0]?.object.kind).toBe("PartialObjectMetadata");
  });

  it("creates namespaces on demand: every namespace exists", async () => {
    expect((await call("GET", "/api/v1/namespaces/anything")).json).toMatchObject({ kind: "Namespace", metadata: { name: "anything" }, status: { phase: "Active" } });
    const list = (await call("GET", "/api/v1/namespaces")).json["items"] as { metadata: { name: string } }[];
    expect(list.map((n) => n.metadata.name)).toEqual(["default", "kube-node-lease", "kube-public", "kube-system"]);
  });
});

describe("fake-kube watch stream", () => {
  it("flushes headers at once and streams chunked JSON lines", async () => {
    const w = watch(`/api/v1/nodes?watch=1&resourceVersion=${fake.resourceVersion()}`);
    await waitFor("headers", () => w.status === 200);
    expect(w.contentType).toBe("application/json");
    expect(w.events).toEqual([]);
    fake.createNode(nodeFixture("n3"));
    await w.until("ADDED n3", (events) => events.length === 1);
    expect(w.summary()).toEqual(["ADDED n3"]);
  });

  it.each([
    ["", ["ADDED n1", "ADDED n2", "MODIFIED n1"]],
    ["0", ["ADDED n1", "ADDED n2", "MODIFIED n1"]],
  ])("starts with synthetic ADDED events for resourceVersion=%j", async (rv, expected) => {
    const w = watch(`/api/v1/nodes?watch=true&resourceVersion=${rv}`);
    await w.until("initial events", (events) => events.length === 2);
    fake.patchNode("n1", { metadata: { labels: { x: "1" } } });
    await w.until("live event", (events) => events.length === 3);
    expect(w.summary()).toEqual(expected);
  });

  it("replays history after a resourceVersion, then bookmarks", async () => {
    const rv = fake.resourceVersion();
    fake.createNode(nodeFixture("n3"));
    fake.patchNode("n3", { metadata: { labels: { x: "1" } } });
    fake.deleteNode("n3");
    const w = watch(`/api/v1/nodes?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true`);
    await w.until("bookmark", (events) => events.some((e) => e.type === "BOOKMARK"));
    expect(w.summary()).toEqual(["ADDED n3", "MODIFIED n3", "DELETED n3", "BOOKMARK"]);
    expect(w.events.map((e) => e.object.metadata?.resourceVersion)).toEqual([1003, 1004, 1005, 1005].map(String));
    expect(w.events[3]?.object).toEqual({ kind: "Node", apiVersion: "v1", metadata: { resourceVersion: "1005" } });
  });

  it("turns MODIFIED into ADDED/DELETED as objects enter or leave the selector", async () => {
    const w = watch(`/api/v1/nodes?watch=true&resourceVersion=${fake.resourceVersion()}&labelSelector=pool%3Da`);
    await waitFor("headers", () => w.status === 200);
    fake.patchNode("n2", { metadata: { labels: { pool: "a" } } });
    fake.patchNode("n1", { metadata: { labels: { pool: "c" } } });
    fake.patchNode("n1", { metadata: { labels: { other: "x" } } });
    fake.patchNode("n2", { metadata: { labels: { other: "x" } } });
    await w.until("three events", (events) => events.length === 3);
    expect(w.summary()).toEqual(["ADDED n2", "DELETED n1", "MODIFIED n2"]);
  });

  it("sends a 410 ERROR event and closes when the resourceVersion is older than the history", async () => {
    const rv = fake.resourceVersion();
    fake.createNode(nodeFixture("n3"));
    fake.faults.compactHistory();
    const w = watch(`/api/v1/nodes?watch=true&resourceVersion=${rv}`);
    await w.finished();
    expect(w.status).toBe(200);
    expect(w.events).toEqual([
      {
        type: "ERROR",
        object: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: `too old resource version: ${rv} (${fake.resourceVersion()})`, reason: "Expired", code: 410 },
      },
    ]);
  });

  it("expires watches that fall out of a small history window, with HTTP 410 when configured", async () => {
    await fake.close();
    fake = await startFakeKube({ historyLimit: 2, expiredWatchAsHttp410: true });
    const rv = fake.resourceVersion();
    for (const name of ["a", "b", "c"]) fake.createNode(nodeFixture(name));
    const response = await fetch(`${fake.url}/api/v1/nodes?watch=true&resourceVersion=${rv}`, { headers: { Authorization: `Bearer ${fake.token}` } });
    expect(response.status).toBe(410);
    expect(await response.json()).toMatchObject({ reason: "Expired", code: 410 });
    const recent = watch(`/api/v1/nodes?watch=true&resourceVersion=${Number(rv) + 1}`);
    await recent.until("replay", (events) => events.length === 2);
    expect(recent.summary()).toEqual(["ADDED b", "ADDED c"]);
  });

  it("after an etcd restore, a watch from a resourceVersion in the future is accepted and silent until writes pass it", async () => {
    const backup = (await call("POST", "/__fake/faults/etcd-backup")).json["id"];
    const backedUpRv = Number(fake.resourceVersion());
    fake.createNode(nodeFixture("n3"));
    fake.deleteNode("n1");
    const futureRv = fake.resourceVersion();
    const open = watch(`/api/v1/nodes?watch=true&resourceVersion=${futureRv}`);
    await waitFor("headers", () => open.status === 200);
    expect((await call("POST", "/__fake/faults/etcd-restore", { id: backup })).json).toEqual({ ok: true, closed: 1 });
    await open.finished();
    const list = await call("GET", "/api/v1/nodes");
    expect((list.json["metadata"] as { resourceVersion: string }).resourceVersion).toBe(String(backedUpRv));
    expect((list.json["items"] as { metadata: { name: string } }[]).map((n) => n.metadata.name)).toEqual(["n1", "n2"]);
    // Two writes reuse the resourceVersions n3's create and n1's delete had: the watch skips them.
    const w = watch(`/api/v1/nodes?watch=true&resourceVersion=${futureRv}`);
    await waitFor("headers", () => w.status === 200);
    fake.patchNode("n2", { metadata: { labels: { x: "1" } } });
    fake.patchNode("n2", { metadata: { labels: { x: "2" } } });
    expect(fake.resourceVersion()).toBe(futureRv);
    fake.patchNode("n1", { metadata: { labels: { x: "3" } } });
    await w.until("the first write past the watch's resourceVersion", (events) => events.length === 1);
    expect(w.summary()).toEqual(["MODIFIED n1"]);
    expect(await call("POST", "/__fake/faults/etcd-restore", { id: "backup-none" })).toMatchObject({ status: 400, json: { message: 'restoreEtcd: no backup "backup-none" (take one with backupEtcd)' } });
  });

  it("answers a watch with an injected ERROR event when asked to", async () => {
    fake.faults.failRequests({ status: 504, reason: "Timeout", message: "Too large resource version: 2000, current: 1002", watch: true, times: 1, asWatchEvent: true });
    const w = watch(`/api/v1/nodes?watch=true&resourceVersion=2000`);
    await w.finished();
    expect(w.status).toBe(200);
    expect(w.events).toEqual([
      { type: "ERROR", object: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Too large resource version: 2000, current: 1002", reason: "Timeout", code: 504 } },
    ]);
    expect((await call("GET", "/api/v1/nodes")).status).toBe(200);
  });

  it("ends the stream after timeoutSeconds", async () => {
    const w = watch(`/api/v1/nodes?watch=true&resourceVersion=${fake.resourceVersion()}&timeoutSeconds=1`);
    await w.finished();
    expect(w.status).toBe(200);
    expect(fake.openWatches()).toEqual([]);
  });

  it("streams Tables to kubectl get -w", async () => {
    const w = watch(`/api/v1/nodes?watch=true&resourceVersion=0`, { Accept: "application/json;as=Table;v=v1;g=meta.k8s.io" });
    await w.until("two rows", (events) => events.length === 2);
    expect(w.contentType).toBe("application/json;as=Table;v=v1;g=meta.k8s.io");
    expect(w.events.map((e) => [e.object["kind"], (e.object["rows"] as { cells: string[] }[])[0]?.cells[0], "columnDefinitions" in e.object])).toEqual([
      ["Table", "n1", true],
      ["Table", "n2", false],
    ]);
  });

  it("serves namespaced watches for leases and all-namespace watches for events", async () => {
    const leases = watch(`/apis/coordination.k8s.io/v1/namespaces/kube-system/leases?watch=true&resourceVersion=${fake.resourceVersion()}`);
    const events = watch(`/api/v1/events?watch=true&resourceVersion=${fake.resourceVersion()}`);
    await waitFor("headers", () => leases.status === 200 && events.status === 200);
    fake.createLease("default", { metadata: { name: "elsewhere" } });
    fake.createLease("kube-system", { metadata: { name: "here" } });
    await call("POST", "/api/v1/namespaces/default/events", { metadata: { name: "e1" }, involvedObject: { kind: "Node", name: "n1" }, message: "hello" });
    await leases.until("lease", (e) => e.length === 1);
    await events.until("event", (e) => e.length === 1);
    expect(leases.summary()).toEqual(["ADDED here"]);
    expect(events.events[0]?.object).toMatchObject({ apiVersion: "v1", kind: "Event", message: "hello", involvedObject: { name: "n1" } });
  });
});

describe("fake-kube control endpoints", () => {
  it("injects errors for matching requests a number of times", async () => {
    const added = await call("POST", "/__fake/faults/errors", { status: 503, method: "GET", path: "^/api/v1/nodes$", times: 2 });
    expect(added.json).toMatchObject({ ok: true, id: expect.any(String) });
    expect((await call("GET", "/api/v1/nodes/n1")).status).toBe(200);
    expect((await call("GET", "/api/v1/nodes")).json).toMatchObject({ reason: "ServiceUnavailable", code: 503 });
    expect((await call("GET", "/api/v1/nodes")).status).toBe(503);
    expect((await call("GET", "/api/v1/nodes")).status).toBe(200);

    await call("POST", "/__fake/faults/errors", { status: 500 });
    expect((await call("GET", "/api/v1/nodes")).status).toBe(500);
    await call("DELETE", "/__fake/faults/errors");
    expect((await call("GET", "/api/v1/nodes")).status).toBe(200);

    await call("POST", "/__fake/faults/errors", { status: 500, query: "(^|&)limit=7(&|$)" });
    expect((await call("GET", "/api/v1/nodes?limit=7")).status).toBe(500);
    expect((await call("GET", "/api/v1/nodes?limit=70")).status).toBe(200);
    expect((await call("GET", "/api/v1/nodes")).status).toBe(200);
    await call("DELETE", "/__fake/faults/errors");

    expect((await call("POST", "/__fake/faults/errors", { status: 99 })).json).toMatchObject({ code: 400, message: expect.stringContaining("status must be an HTTP status code") });
    expect((await call("POST", "/__fake/faults/errors", { status: 500, path: "(" })).json).toMatchObject({ code: 400, message: expect.stringContaining("not a valid regular expression") });
  });

  it("drops watches now and on an interval, compacts, sends bookmarks and adds latency", async () => {
    const first = watch(`/api/v1/nodes?watch=true&resourceVersion=${fake.resourceVersion()}&allowWatchBookmarks=true`);
    await first.until("initial bookmark", (e) => e.length === 1);
    expect((await call("POST", "/__fake/faults/bookmarks")).json).toMatchObject({ sent: 1 });
    await first.until("second bookmark", (e) => e.length === 2);
    expect((await call("POST", "/__fake/faults/drop-watches", { mode: "close" })).json).toMatchObject({ dropped: 1 });
    await first.finished();

    await call("PUT", "/__fake/faults/drop-watches-every", { intervalMs: 20 });
    const second = watch(`/api/v1/nodes?watch=true&resourceVersion=${fake.resourceVersion()}`);
    await second.finished();
    await call("DELETE", "/__fake/faults/drop-watches-every");

    const rv = fake.resourceVersion();
    await call("POST", "/__fake/faults/compact");
    const third = watch(`/api/v1/nodes?watch=true&resourceVersion=${rv}`);
    await third.finished();
    expect(third.events[0]?.object.code).toBe(410);

    await call("PUT", "/__fake/faults/latency", { ms: 30, path: "^/api/v1/nodes/n1$" });
    expect((await call("GET", "/api/v1/nodes/n1")).status).toBe(200);
    await call("DELETE", "/__fake/faults");
    const state = (await call("GET", "/__fake/state")).json;
    expect(state).toMatchObject({ nodes: 2, openWatches: [] });
  });

  it("logs requests (not control calls) with status and content type", async () => {
    await call("PATCH", "/api/v1/nodes/n1", { metadata: { labels: { a: "b" } } }, "application/merge-patch+json");
    await call("GET", "/api/v1/nodes?limit=1");
    const { json } = await call("GET", "/__fake/requests");
    expect((json["items"] as Record<string, unknown>[]).map((r) => [r["method"], r["path"], r["query"], r["status"], r["contentType"]])).toEqual([
      ["PATCH", "/api/v1/nodes/n1", "", 200, "application/merge-patch+json"],
      ["GET", "/api/v1/nodes", "limit=1", 200, ""],
    ]);
    await call("DELETE", "/__fake/requests");
    expect(fake.requests()).toEqual([]);
  });
});
