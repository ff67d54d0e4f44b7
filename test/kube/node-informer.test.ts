import type { V1Node } from "@kubernetes/client-node";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startFakeKube, type FakeKubeOptions, type FakeKubeServer } from "@vpc-route-sync/fake-kube-apiserver";
import { loadKubeConfig } from "../../src/kube/kube-config.js";
import type { KubeLogger } from "../../src/kube/kube-logger.js";
import { NodeInformer, type NodeChangeKind, type NodeInformerOptions } from "../../src/kube/node-informer.js";
import type { ListReport } from "../../src/kube/node-relist.js";
import { nodeBody, waitFor } from "./helpers.js";

interface Change {
  kind: NodeChangeKind;
  nodeName: string;
  resourceVersion: string | undefined;
  oldResourceVersion: string | undefined;
}

function recordingLogger(): KubeLogger & { messages: string[] } {
  const messages: string[] = [];
  const push = (_fields: Record<string, unknown>, message: string): void => void messages.push(message);
  return { messages, debug: push, info: push, warn: push, error: push };
}

describe("NodeInformer against the fake API server", () => {
  let fake: FakeKubeServer | undefined;
  let informer: NodeInformer | undefined;
  afterEach(async () => {
    await informer?.stop();
    await fake?.close();
    informer = undefined;
    fake = undefined;
  });

  async function setup(options: FakeKubeOptions = {}, pageSize = 500, informerOptions: Partial<NodeInformerOptions> = {}) {
    fake = await startFakeKube(options);
    const logger = recordingLogger();
    const reports: ListReport[] = [];
    informer = new NodeInformer({
      kubeConfig: loadKubeConfig({ kubeconfigPath: fake.kubeconfigPath }),
      pageSize,
      restartBackoff: { initialMs: 50, maxMs: 400 },
      watchReconnectMaxMs: 100,
      logger,
      onList: (report) => reports.push(report),
      ...informerOptions,
    });
    const changes: Change[] = [];
    informer.onChange((kind, node, oldNode) =>
      changes.push({
        kind,
        nodeName: node.metadata!.name!,
        resourceVersion: node.metadata?.resourceVersion,
        oldResourceVersion: oldNode?.metadata?.resourceVersion,
      }),
    );
    return { fake, informer, changes, logger, reports };
  }

  function cacheMatchesServer(fake: FakeKubeServer, informer: NodeInformer): boolean {
    const server = new Map(fake.listNodes().map((n) => [(n["metadata"] as { name: string }).name, (n["metadata"] as { resourceVersion: string }).resourceVersion]));
    const cache = new Map(informer.list().map((n) => [n.metadata!.name!, n.metadata!.resourceVersion!]));
    if (server.size !== cache.size) return false;
    for (const [name, rv] of server) if (cache.get(name) !== rv) return false;
    return true;
  }

  it("lists, then reports add, update (with the old object) and delete from the watch", async () => {
    const { fake, informer, changes } = await setup({ nodes: [nodeBody("n1", 1), nodeBody("n2", 2)] });
    await informer.start();
    expect(informer.synced).toBe(true);
    expect(informer.list().map((n) => n.metadata?.name).sort()).toEqual(["n1", "n2"]);
    expect(changes.map((c) => `${c.kind} ${c.nodeName}`)).toEqual(["add n1", "add n2"]);

    fake.createNode(nodeBody("n3", 3));
    const n1Before = informer.get("n1")!.metadata!.resourceVersion;
    fake.patchNode("n1", { metadata: { labels: { "service.alibabacloud.com/exclude-node": "true" } } });
    fake.deleteNode("n2");
    await waitFor(() => changes.length === 5, "three watch changes");
    expect(changes.slice(2).map((c) => `${c.kind} ${c.nodeName}`)).toEqual(["add n3", "update n1", "delete n2"]);
    expect(changes[3]!.oldResourceVersion).toBe(n1Before);
    expect(informer.get("n1")!.metadata!.labels!["service.alibabacloud.com/exclude-node"]).toBe("true");
    expect(informer.get("n2")).toBeUndefined();
  });

  it("caches slim Nodes: only the fields the operator reads, timestamps as Date from list and watch alike", async () => {
    const withCondition = (name: string, i: number) => {
      const body = nodeBody(name, i) as V1Node;
      const unavailable = { type: "NetworkUnavailable", status: "False", reason: "RouteCreated", message: "", lastHeartbeatTime: "2026-11-26T12:00:00Z", lastTransitionTime: "2026-11-26T12:00:00Z" };
      return { ...body, status: { ...body.status, conditions: [...(body.status?.conditions ?? []), unavailable] } } as V1Node;
    };
    const { fake, informer } = await setup({ nodes: [withCondition("listed", 1)] });
    await informer.start();
    fake.createNode(withCondition("watched", 2));
    const watched = await waitFor(() => informer.get("watched"), "watched node");
    for (const node of [informer.get("listed")!, watched] as V1Node[]) {
      expect(node.metadata!.creationTimestamp).toBeInstanceOf(Date);
      expect(node.status!.conditions!.map((c) => c.type)).toEqual(["NetworkUnavailable"]);
      expect(node.status!.conditions![0]!.lastTransitionTime).toBeInstanceOf(Date);
      expect(node.status!.conditions![0]!.lastHeartbeatTime).toBeInstanceOf(Date);
      expect(Object.keys(node).sort()).toEqual(["metadata", "spec", "status"]);
      expect(Object.keys(node.spec!).every((k) => ["podCIDR", "podCIDRs", "providerID"].includes(k))).toBe(true);
      expect(node.metadata!.managedFields).toBeUndefined();
      expect(node.metadata!.name).toBe(node === watched ? "watched" : "listed");
    }
  });

  it.each(["close", "reset"] as const)(
    "loses no change while watches are dropped (%s) every 150 ms and history is compacted (410)",
    async (mode) => {
      const initial = Array.from({ length: 30 }, (_, i) => nodeBody(`node-${i}`, i));
      const { fake, informer } = await setup({ nodes: initial, historyLimit: 50 }, 7);
      await informer.start();
      fake.faults.dropWatchesEvery(150, mode);
      for (let round = 0; round < 6; round += 1) {
        for (let i = 0; i < 10; i += 1) {
          const index = round * 10 + i;
          if (fake.getNode(`node-${index % 30}`)) fake.patchNode(`node-${index % 30}`, { metadata: { labels: { round: String(round) } } });
          if (index % 7 === 0) fake.createNode(nodeBody(`extra-${index}`, 100 + index));
          if (index % 11 === 0 && fake.getNode(`node-${(index + 3) % 30}`)) fake.deleteNode(`node-${(index + 3) % 30}`);
        }
        if (round === 2) fake.faults.compactHistory();
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
      fake.faults.stopDroppingWatches();
      await waitFor(() => cacheMatchesServer(fake, informer), "cache equal to the server's list", { timeoutMs: 20_000 });
      await waitFor(() => informer.synced, "synced");
    },
  );

  it("re-lists after a 410 ERROR event when history was compacted while it was disconnected", async () => {
    const { fake, informer, changes } = await setup({ nodes: [nodeBody("n1", 1), nodeBody("n2", 2)] });
    await informer.start();
    // The next watch fails, so the informer stays disconnected while the cluster changes and the
    // server compacts; its restart then watches from a resourceVersion the server no longer has.
    // Watches fail until the changes and the compaction are done: with full-jitter backoff a restart
    // can come at once, so a single failure could be retried before the cluster changes.
    const unavailable = fake.faults.failRequests({ status: 503, method: "GET", path: "^/api/v1/nodes$", watch: true, times: 1_000_000 });
    let noticed = false;
    informer.onSyncedChange((synced) => {
      if (!synced) noticed = true;
    });
    fake.faults.dropWatches("close");
    await waitFor(() => noticed, "watch failure noticed");
    fake.deleteNode("n1");
    fake.createNode(nodeBody("n3", 3));
    fake.faults.compactHistory();
    fake.faults.clearErrors(unavailable);
    await waitFor(() => informer.synced && cacheMatchesServer(fake, informer), "cache equal to the server's list");
    const lists = fake.requests().filter((r) => r.path === "/api/v1/nodes" && !r.watch);
    expect(lists.length).toBe(2);
    expect(changes.filter((c) => c.kind === "delete").map((c) => c.nodeName)).toEqual(["n1"]);
    expect(changes.filter((c) => c.kind === "add").map((c) => c.nodeName)).toEqual(["n1", "n2", "n3"]);
  });

  it("re-lists after an HTTP 410 answer to the watch", async () => {
    const { fake, informer, reports } = await setup({ nodes: [nodeBody("n1", 1)], expiredWatchAsHttp410: true });
    await informer.start();
    fake.faults.failRequests({ status: 410, method: "GET", path: "^/api/v1/nodes$", watch: true, times: 1 });
    fake.deleteNode("n1");
    fake.createNode(nodeBody("n2", 2));
    fake.faults.dropWatches("close");
    // The watch may deliver both changes before it is dropped: wait for the re-list itself.
    await waitFor(() => reports.some((r) => r.reason === "expired") && informer.synced && cacheMatchesServer(fake, informer), "a re-list, and the cache equal to the server's list");
    expect(informer.get("n1")).toBeUndefined();
  });

  // Issue 20, found by reading: while client-node re-listed after a 410, the cache still counted as
  // synced (so a pass could plan deletions from it), and the list had no deadline.
  it("is not reported synced while it re-lists after a 410", async () => {
    const { fake, informer } = await setup({ nodes: [nodeBody("n1", 1)], expiredWatchAsHttp410: true });
    await informer.start();
    const flips: boolean[] = [];
    informer.onSyncedChange((synced) => flips.push(synced));
    fake.faults.failRequests({ status: 410, method: "GET", path: "^/api/v1/nodes$", watch: true, times: 1 });
    fake.createNode(nodeBody("n2", 2));
    fake.faults.dropWatches("close");
    await waitFor(() => flips.length >= 2 && cacheMatchesServer(fake, informer) && informer.synced, "the re-list to end");
    expect(flips).toEqual([false, true]);
  });

  it("a list the API server does not answer fails at the list deadline and is retried", async () => {
    fake = await startFakeKube({ nodes: [nodeBody("n1", 1)] });
    fake.faults.delayAnswers({ ms: 30_000, method: "GET", path: "^/api/v1/nodes$", times: 1 });
    const logger = recordingLogger();
    informer = new NodeInformer({
      kubeConfig: loadKubeConfig({ kubeconfigPath: fake.kubeconfigPath }),
      restartBackoff: { initialMs: 50, maxMs: 400 },
      listTimeoutMs: 500,
      logger,
    });
    const started = Date.now();
    await informer.start();
    expect(informer.synced).toBe(false);
    expect(await informer.waitForSync(AbortSignal.timeout(10_000))).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(informer.restarts).toBe(1);
  });

  it("restarts after injected 500s, with backoff, and becomes synced again", async () => {
    const { fake, informer, logger } = await setup({ nodes: [nodeBody("n1", 1)] });
    fake.faults.failRequests({ status: 500, method: "GET", path: "^/api/v1/nodes$", watch: false, times: 3 });
    const flips: boolean[] = [];
    informer.onSyncedChange((synced) => flips.push(synced));
    await informer.start();
    expect(informer.synced).toBe(false);
    expect(await informer.waitForSync(AbortSignal.timeout(15_000))).toBe(true);
    expect(informer.restarts).toBe(3);
    expect(informer.list()).toHaveLength(1);
    expect(logger.messages.filter((m) => m === "node informer failed; restarting")).toHaveLength(3);

    // A failing watch later on: not synced until a restart succeeds, and nothing is missed.
    fake.faults.failRequests({ status: 503, method: "GET", path: "^/api/v1/nodes$", watch: true, times: 2 });
    fake.faults.dropWatches("close");
    fake.createNode(nodeBody("n2", 2));
    await waitFor(() => informer.restarts >= 5 && informer.synced && cacheMatchesServer(fake, informer), "recovered from watch errors");
    expect(flips).toEqual([true, false, true]);
  });

  it("stop() causes no restart, no error and leaves no watch open", async () => {
    const { fake, informer, logger } = await setup({ nodes: [nodeBody("n1", 1)] });
    await informer.start();
    await waitFor(() => fake.openWatches().length === 1, "watch open");
    await informer.stop();
    expect(informer.synced).toBe(false);
    await waitFor(() => fake.openWatches().length === 0, "watch closed");
    fake.createNode(nodeBody("n2", 2));
    // Give a wrongly scheduled restart a chance to happen, then check none did.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(informer.restarts).toBe(0);
    expect(logger.messages).not.toContain("node informer failed; restarting");
    expect(informer.get("n2")).toBeUndefined();
    expect(informer.list()).toHaveLength(1);

    // Restarting reconciles the cache with the server, reporting what changed meanwhile.
    fake.deleteNode("n1");
    await informer.start();
    expect(informer.synced).toBe(true);
    expect(informer.list().map((n) => n.metadata?.name)).toEqual(["n2"]);
  });

  // Issue 20, found by reading: after etcd is restored from a backup (and kube-apiserver restarted),
  // the informer holds a resourceVersion "in the future"; the server accepts its watch and sends
  // nothing, so the cache stayed frozen while it reported synced. The fake's restoreEtcd() does what
  // test/real-kube/etcd-restore.test.ts shows the real server doing.
  async function backupChangeRestore(fake: FakeKubeServer, changes: Change[]): Promise<string> {
    const backup = fake.faults.backupEtcd();
    fake.deleteNode("n1");
    fake.createNode(nodeBody("n4", 4));
    fake.patchNode("n2", { metadata: { labels: { changed: "after-backup" } } });
    await waitFor(() => changes.length === 6, "the three changes after the backup");
    const rewoundFrom = fake.resourceVersion();
    await waitFor(() => fake.openWatches().length === 1, "watch open");
    expect(fake.faults.restoreEtcd(backup)).toBe(1);
    return rewoundFrom;
  }

  it("without the periodic re-list, an etcd restore leaves the cache frozen while it reports synced", async () => {
    const nodes = [nodeBody("n1", 1), nodeBody("n2", 2), nodeBody("n3", 3)];
    const { fake, informer, changes } = await setup({ nodes }, 500, { relistPeriodMs: 0 });
    await informer.start();
    const futureRv = await backupChangeRestore(fake, changes);
    await waitFor(() => fake.openWatches().length === 1, "the informer watching again, from its old resourceVersion");
    fake.createNode(nodeBody("n5", 5));
    while (Number(fake.resourceVersion()) <= Number(futureRv)) fake.patchNode("n3", { metadata: { labels: { tick: fake.resourceVersion() } } });
    fake.createNode(nodeBody("n6", 6));
    await waitFor(() => informer.get("n6"), "the first change past the old resourceVersion");
    expect(informer.synced).toBe(true);
    // n1 is back and n5 was made after the restore, n4 is gone: the cache knows none of it.
    expect(informer.get("n1")).toBeUndefined();
    expect(informer.get("n5")).toBeUndefined();
    expect(informer.get("n4")).toBeDefined();
    expect(cacheMatchesServer(fake, informer)).toBe(false);
  });

  it("after an etcd restore, the periodic re-list brings the cache to the restored state: the changes the watch missed, no event for unchanged Nodes, the rewind reported", async () => {
    const nodes = [nodeBody("n1", 1), nodeBody("n2", 2), nodeBody("n3", 3)];
    const { fake, informer, changes, reports, logger } = await setup({ nodes }, 500, { relistPeriodMs: 300 });
    await informer.start();
    const flips: boolean[] = [];
    informer.onSyncedChange((synced) => flips.push(synced));
    const rewoundFrom = await backupChangeRestore(fake, changes);
    fake.createNode(nodeBody("n5", 5));
    await waitFor(() => cacheMatchesServer(fake, informer), "cache equal to the restored server's list");
    expect(changes.slice(6).map((c) => `${c.kind} ${c.nodeName}`)).toEqual(["delete n4", "add n1", "update n2", "add n5"]);
    const rewind = reports.find((r) => r.rewoundFrom !== undefined);
    expect(rewind).toEqual({ reason: "periodic", resourceVersion: fake.resourceVersion(), rewoundFrom, added: 2, updated: 1, deleted: 1 });
    expect(logger.messages).toContain("node list resourceVersion went back (etcd restored from a backup?): the node cache is rebuilt from this list");
    // The cache stayed synced throughout: it was complete, only stale.
    expect(flips).toEqual([]);
    expect(informer.synced).toBe(true);
    // The watch restarted from the re-list's resourceVersion: a change now arrives through it.
    await waitFor(() => fake.requests().some((r) => r.watch && r.query.includes(`resourceVersion=${rewind!.resourceVersion}`)), "a watch from the new list");
    fake.deleteNode("n3");
    await waitFor(() => changes.some((c) => c.kind === "delete" && c.nodeName === "n3"), "the watch's delete");
    // Later periodic re-lists of an unchanged cluster change nothing.
    const quiet = reports.length;
    await waitFor(() => reports.length >= quiet + 2, "two more periodic re-lists");
    expect(reports.slice(quiet).every((r) => r.reason === "periodic" && r.added + r.updated + r.deleted === 0 && r.rewoundFrom === undefined)).toBe(true);
    expect(changes.slice(10).map((c) => `${c.kind} ${c.nodeName}`)).toEqual(["delete n3"]);
  });

  it("after an etcd restore, a server that fails every watch from the old resourceVersion is left by the periodic re-list", async () => {
    const nodes = [nodeBody("n1", 1), nodeBody("n2", 2), nodeBody("n3", 3)];
    const { fake, informer, changes, reports } = await setup({ nodes }, 500, { relistPeriodMs: 400 });
    await informer.start();
    const flips: boolean[] = [];
    informer.onSyncedChange((synced) => flips.push(synced));
    const futureRv = fake.resourceVersion();
    fake.faults.failRequests({ status: 500, watch: true, query: `(^|&)resourceVersion=${Number(futureRv) + 3}(&|$)` });
    await backupChangeRestore(fake, changes);
    // The restarts after each 500 resume from that resourceVersion and fail again; only a list helps.
    await waitFor(() => flips.length >= 2 && informer.synced && cacheMatchesServer(fake, informer), "synced with the restored server");
    expect(flips.slice(0, 2)).toEqual([false, true]);
    expect(informer.restarts).toBeGreaterThanOrEqual(1);
    expect(reports.some((r) => r.reason === "periodic" && r.rewoundFrom === String(Number(futureRv) + 3))).toBe(true);
  });

  it("a watch answered 'Too large resource version' lists again at once, as after 410", async () => {
    const { fake, informer, reports } = await setup({ nodes: [nodeBody("n1", 1)] }, 500, { relistPeriodMs: 0 });
    await informer.start();
    // client-node ignores an ERROR event that is not 410 and watches again from the same resourceVersion.
    fake.faults.failRequests({ status: 504, reason: "Timeout", message: `Too large resource version: 999999, current: ${fake.resourceVersion()}`, watch: true, times: 1, asWatchEvent: true });
    fake.createNode(nodeBody("n2", 2));
    fake.faults.dropWatches("close");
    await waitFor(() => reports.length === 2, "a list after the ERROR event");
    expect(reports.map((r) => r.reason)).toEqual(["start", "expired"]);
    await waitFor(() => informer.synced && cacheMatchesServer(fake, informer), "synced with the server");
  });

  it("periodic re-lists leave nothing on the stop signal: no AbortSignal.any per list (Node keeps each one)", async () => {
    const { informer, reports } = await setup({ nodes: [nodeBody("n1", 1)] }, 500, { relistPeriodMs: 50 });
    const any = vi.spyOn(AbortSignal, "any");
    try {
      await informer.start();
      await waitFor(() => reports.length >= 4, "four lists");
      expect(any).not.toHaveBeenCalled();
    } finally {
      any.mockRestore();
    }
  });

  it("waitForSync resolves false when its signal aborts first", async () => {
    const { fake, informer } = await setup();
    fake.faults.failRequests({ status: 500, method: "GET", path: "^/api/v1/nodes$" });
    await informer.start();
    const controller = new AbortController();
    const waiting = informer.waitForSync(controller.signal);
    controller.abort();
    expect(await waiting).toBe(false);
  });
});
