// Informers (makeInformer / ListWatch from @kubernetes/client-node 2.0.1) against the fake: the cache
// follows adds, updates and deletes; a forced 410 (ERROR event or HTTP 410) makes it re-list; a 500 on
// the watch stops it until start() is called again, after which it converges.

import { CoreV1Api, ListWatch, Watch, makeInformer, type V1Node } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeKube, type FakeKubeServer } from "../src/index.ts";
import { kubeConfigFor, nodeFixture, waitFor } from "./helpers.ts";

let fake: FakeKubeServer;
let informer: ListWatch<V1Node>;
let stopped: boolean;
const log: string[] = [];

beforeEach(async () => {
  fake = await startFakeKube({ nodes: [nodeFixture("n1"), nodeFixture("n2"), nodeFixture("n3")] });
  log.length = 0;
  stopped = false;
});

afterEach(async () => {
  stopped = true;
  await informer?.stop();
  await fake.close();
});

function startInformer(labelSelector?: string): Promise<void> {
  const kc = kubeConfigFor(fake);
  const core = kc.makeApiClient(CoreV1Api);
  informer = makeInformer(kc, "/api/v1/nodes", () => core.listNode({ labelSelector }), labelSelector) as ListWatch<V1Node>;
  informer.on("add", (n) => log.push(`add ${n.metadata?.name}`));
  informer.on("update", (n) => log.push(`update ${n.metadata?.name}`));
  informer.on("delete", (n) => log.push(`delete ${n.metadata?.name}`));
  informer.on("error", (e) => log.push(`error ${(e as { statusCode?: number }).statusCode ?? (e as Error).name}`));
  return informer.start();
}

function cachedNames(): string[] {
  return informer
    .list()
    .map((n) => n.metadata?.name ?? "")
    .sort();
}

function serverNames(): string[] {
  return fake
    .listNodes()
    .map((n) => (n["metadata"] as { name: string }).name)
    .sort();
}

async function converged(what: string): Promise<void> {
  await waitFor(what, () => JSON.stringify(cachedNames()) === JSON.stringify(serverNames()) && informer.latestResourceVersion() === fake.resourceVersion());
}

const watchOpen = (): boolean => fake.openWatches().length === 1;

describe("fake-kube with client-node informers", () => {
  it("follows adds, updates and deletes", async () => {
    await startInformer();
    await waitFor("watch open", watchOpen);
    expect(cachedNames()).toEqual(["n1", "n2", "n3"]);
    fake.createNode(nodeFixture("n4"));
    fake.patchNode("n1", { metadata: { labels: { touched: "yes" } } });
    fake.deleteNode("n2");
    await converged("cache matches the server");
    expect(informer.get("n1")?.metadata?.labels?.["touched"]).toBe("yes");
    expect(log).toEqual(["add n1", "add n2", "add n3", "add n4", "update n1", "delete n2"]);
  });

  it("sees objects enter and leave its label selector as add and delete", async () => {
    fake.patchNode("n1", { metadata: { labels: { pool: "edge" } } });
    await startInformer("pool=edge");
    await waitFor("watch open", watchOpen);
    expect(cachedNames()).toEqual(["n1"]);
    fake.patchNode("n2", { metadata: { labels: { pool: "edge" } } });
    fake.patchNode("n1", { metadata: { labels: { pool: null } } });
    await waitFor("n2 in, n1 out", () => JSON.stringify(cachedNames()) === '["n2"]');
    expect(log).toEqual(["add n1", "add n2", "delete n1"]);
  });

  it("re-lists after a 410 ERROR event when its resourceVersion was compacted away", async () => {
    await startInformer();
    await waitFor("watch open", watchOpen);
    // In one tick: end the watch, change the world behind the informer's back, forget history.
    fake.faults.dropWatches();
    fake.deleteNode("n3");
    fake.createNode(nodeFixture("n9"));
    fake.faults.compactHistory();
    await converged("cache matches the server after the re-list");
    expect(log).toEqual(["add n1", "add n2", "add n3", "delete n3", "add n9"]);
    const gets = fake.requests().map((r) => `${r.watch ? "WATCH" : "LIST"} ${r.status}`);
    expect(gets.slice(0, 4)).toEqual(["LIST 200", "WATCH 200", "WATCH 200", "LIST 200"]);
  });

  it("re-lists after an HTTP 410 on the watch", async () => {
    await startInformer();
    await waitFor("watch open", watchOpen);
    fake.faults.failRequests({ status: 410, watch: true, times: 1 });
    fake.faults.dropWatches();
    fake.deleteNode("n1");
    await converged("cache matches the server");
    await waitFor("watch open again", watchOpen);
    expect(fake.requests().map((r) => `${r.watch ? "WATCH" : "LIST"} ${r.status}`)).toEqual(["LIST 200", "WATCH 200", "WATCH 410", "LIST 200", "WATCH 200"]);
    expect(log).toContain("delete n1");
  });

  it("stops on a 500 from the watch and converges once restarted", async () => {
    await startInformer();
    informer.on("error", () => {
      // What a controller does: restart unless it is shutting down.
      if (!stopped) void informer.start();
    });
    await waitFor("watch open", watchOpen);
    fake.faults.failRequests({ status: 500, method: "GET", path: "^/api/v1/nodes$", watch: true, times: 1 });
    fake.faults.dropWatches("reset");
    fake.createNode(nodeFixture("n7"));
    await converged("cache matches the server after the restart");
    expect(log).toContain("error 500");
    expect(log).toContain("add n7");
    expect(fake.requests().filter((r) => r.status === 500)).toHaveLength(1);
  });

  it("resumes from its resourceVersion when the server closes the stream cleanly", async () => {
    await startInformer();
    await waitFor("watch open", watchOpen);
    const rv = informer.latestResourceVersion();
    fake.faults.dropWatches("close");
    await waitFor("re-watch", () => fake.requests().filter((r) => r.watch).length === 2 && watchOpen());
    fake.patchNode("n2", { metadata: { labels: { after: "reconnect" } } });
    await converged("cache matches the server");
    const watches = fake.requests().filter((r) => r.watch);
    expect(new URLSearchParams(watches[1]?.query).get("resourceVersion")).toBe(rv);
    expect(fake.requests().filter((r) => !r.watch)).toHaveLength(1);
  });

  it("serves a raw Watch with bookmarks and a field selector", async () => {
    const watch = new Watch(kubeConfigFor(fake));
    const seen: string[] = [];
    const rv = fake.resourceVersion();
    const controller = await watch.watch(
      "/api/v1/nodes",
      { resourceVersion: rv, allowWatchBookmarks: true, fieldSelector: "metadata.name=n2" },
      (type: string, obj: V1Node) => seen.push(`${type} ${obj.metadata?.name ?? obj.metadata?.resourceVersion}`),
      () => undefined,
    );
    fake.patchNode("n1", { metadata: { labels: { a: "1" } } });
    fake.patchNode("n2", { metadata: { labels: { a: "1" } } });
    fake.deleteNode("n2");
    await waitFor("delete seen", () => seen.includes("DELETED n2"));
    fake.faults.sendBookmarks();
    await waitFor("bookmark", () => seen.length === 4);
    controller.abort();
    expect(seen).toEqual([`BOOKMARK ${rv}`, "MODIFIED n2", "DELETED n2", `BOOKMARK ${fake.resourceVersion()}`]);
  });
});
