// Watch and list semantics that the fake can only imitate, checked on the real kube-apiserver + etcd
// and, where the fake claims the same behaviour, against the fake in the same test (differential):
// list pagination with `continue` over many Nodes, a continue token and a watch that outlived an
// etcd compaction (410), label-selector watches (objects leaving and entering the selection), and
// bookmarks (the end-of-initial-events bookmark of a streaming list, and the BOOKMARK object's shape).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeKube, type FakeKubeServer } from "@vpc-route-sync/fake-kube-apiserver";
import { nodeObject } from "../support/controller-world.js";
import { waitFor } from "../support/wait-for.js";
import { apiRequest, RealKube, type RealKubeInfo } from "./real-kube.js";
import { RealCluster, realKube, realKubeBinDir, skipReason, WatchStream } from "./support.js";

/** One API server under test, as the raw requests here need it. */
interface Server {
  readonly name: "fake" | "real";
  readonly url: string;
  readonly caPem?: string;
  readonly token: string;
  createNode(node: object): Promise<void>;
  labelNode(name: string, labels: Record<string, string | null>): Promise<void>;
}

interface ListAnswer {
  readonly status: number;
  readonly body: {
    metadata?: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
    items?: { metadata: { name: string } }[];
    code?: number;
    reason?: string;
    message?: string;
  };
}

async function get(server: Server, path: string): Promise<ListAnswer> {
  const answer = await apiRequest(server, server.token, "GET", path);
  return { status: answer.status, body: JSON.parse(answer.body) as ListAnswer["body"] };
}

function realServer(info: RealKubeInfo): Server {
  const cluster = new RealCluster(info);
  return {
    name: "real",
    url: info.url,
    caPem: info.caPem,
    token: info.token,
    createNode: async (node) => void (await cluster.createNode(node)),
    labelNode: async (name, labels) => void (await cluster.call("PATCH", `/api/v1/nodes/${name}`, { metadata: { labels } }, "application/merge-patch+json")),
  };
}

function fakeServer(fake: FakeKubeServer): Server {
  return {
    name: "fake",
    url: fake.url,
    token: fake.token,
    createNode: (node) => Promise.resolve(void fake.createNode(node)),
    labelNode: (name, labels) => Promise.resolve(void fake.patchNode(name, { metadata: { labels } })),
  };
}

/** etcd's current revision and a physical compaction up to it, through etcd's JSON gateway. */
async function compactEtcd(etcdUrl: string): Promise<number> {
  const range = await fetch(`${etcdUrl}/v3/kv/range`, { method: "POST", body: JSON.stringify({ key: Buffer.from("/").toString("base64") }) });
  const revision = Number(((await range.json()) as { header: { revision: string } }).header.revision);
  const compaction = await fetch(`${etcdUrl}/v3/kv/compaction`, { method: "POST", body: JSON.stringify({ revision: String(revision), physical: true }) });
  if (compaction.status !== 200) throw new Error(`etcd compaction answered ${compaction.status}: ${await compaction.text()}`);
  return revision;
}

const PAGED = 150;
const PAGE = 40;

describe.skipIf(realKube === undefined)(`list and watch semantics on a real API server${skipReason ? ` (${skipReason})` : ""}`, () => {
  let cluster: RealCluster;
  let real: Server;
  let fakeKube: FakeKubeServer;
  let fake: Server;

  beforeAll(async () => {
    cluster = new RealCluster(realKube!);
    await cluster.deleteAllNodes();
    real = realServer(realKube!);
    fakeKube = await startFakeKube({});
    fake = fakeServer(fakeKube);
    for (const server of [real, fake]) {
      for (let n = 0; n < PAGED; n++) {
        await server.createNode(nodeObject({ name: `page-${String(n).padStart(3, "0")}`, instanceId: `i-page${n}`, podCIDR: `10.99.${n}.0/24`, labels: { paged: n % 3 === 0 ? "third" : "rest" } }));
      }
    }
  });

  afterAll(async () => {
    await fakeKube?.close();
    await cluster?.deleteAllNodes();
  });

  it(`pages through ${PAGED} Nodes with limit/continue and a label selector, the fake as the real server`, async () => {
    const walk = async (server: Server): Promise<{ pages: number[]; remaining: (number | undefined)[]; names: string[]; versions: Set<string> }> => {
      const pages: number[] = [];
      const remaining: (number | undefined)[] = [];
      const names: string[] = [];
      const versions = new Set<string>();
      let token = "";
      do {
        const page = await get(server, `/api/v1/nodes?limit=${PAGE}&labelSelector=paged%3Drest${token ? `&continue=${encodeURIComponent(token)}` : ""}`);
        expect(page.status).toBe(200);
        pages.push(page.body.items?.length ?? 0);
        remaining.push(page.body.metadata?.remainingItemCount);
        names.push(...(page.body.items ?? []).map((i) => i.metadata.name));
        versions.add(page.body.metadata?.resourceVersion ?? "");
        token = page.body.metadata?.continue ?? "";
      } while (token !== "");
      return { pages, remaining, names, versions };
    };
    const [onReal, onFake] = [await walk(real), await walk(fake)];
    expect(onReal.names).toHaveLength(100);
    expect(onReal.names).toEqual([...onReal.names].sort());
    expect(onReal.versions.size).toBe(1);
    expect(onFake.names).toEqual(onReal.names);
    expect(onFake.pages).toEqual(onReal.pages);
    // A label selector makes the remaining count unknown on kube-apiserver (it is only an estimate without one).
    expect(onFake.remaining).toEqual(onReal.remaining);
    expect(onFake.versions.size).toBe(1);
  });

  it("with the watch cache (the default), an etcd compaction expires neither a continue token nor a watch's resourceVersion", async () => {
    // kube-apiserver 1.34 serves later pages from a snapshot of its watch cache, and watches from the
    // cache's own history: etcd's compaction does not reach them. (The fake models the uncached path.)
    const first = await get(real, `/api/v1/nodes?limit=${PAGE}`);
    const rv = first.body.metadata?.resourceVersion ?? "";
    await real.labelNode("page-000", { touched: "1" });
    await compactEtcd(realKube!.etcdUrl);
    const next = await get(real, `/api/v1/nodes?limit=${PAGE}&continue=${encodeURIComponent(first.body.metadata?.continue ?? "")}`);
    expect(next.status).toBe(200);
    expect(next.body.metadata?.resourceVersion).toBe(rv);
    const watch = new WatchStream(real, real.token, `/api/v1/nodes?watch=1&resourceVersion=${rv}`);
    await waitFor("the change made before the compaction, replayed", () => watch.events.find((e) => e.object.metadata?.name === "page-000"), { describe: () => watch.summary().join(", ") });
    await watch.stop();
    expect(watch.events[0]?.type).toBe("MODIFIED");
  });

  describe("without the watch cache (lists and watches from etcd)", () => {
    let uncached: RealKube | undefined;
    let direct: Server;

    beforeAll(async () => {
      uncached = await RealKube.start({ binDir: realKubeBinDir!, apiserverFlags: ["--watch-cache=false"] });
      direct = realServer(uncached.info);
      for (let n = 0; n < 5; n++) await direct.createNode(nodeObject({ name: `etcd-${n}`, instanceId: `i-etcd${n}`, podCIDR: `10.98.${n}.0/24` }));
    });

    afterAll(async () => {
      await uncached?.stop();
    });

    it("answers 410 Expired to a continue token from before an etcd compaction, as the fake does after compactHistory()", async () => {
      const first = await get(direct, "/api/v1/nodes?limit=2");
      await direct.labelNode("etcd-0", { touched: "1" });
      await compactEtcd(uncached!.info.etcdUrl);
      const gone = await get(direct, `/api/v1/nodes?limit=2&continue=${encodeURIComponent(first.body.metadata?.continue ?? "")}`);
      expect({ status: gone.status, reason: gone.body.reason }).toEqual({ status: 410, reason: "Expired" });

      const fakeFirst = await get(fake, "/api/v1/nodes?limit=2");
      fakeKube.faults.compactHistory();
      const fakeGone = await get(fake, `/api/v1/nodes?limit=2&continue=${encodeURIComponent(fakeFirst.body.metadata?.continue ?? "")}`);
      expect({ status: fakeGone.status, reason: fakeGone.body.reason, message: fakeGone.body.message }).toEqual({ status: 410, reason: "Expired", message: gone.body.message });
    });

    it("ends a watch resumed from a compacted resourceVersion with a 410 Expired ERROR event, as the fake does", async () => {
      const watchFrom = async (server: Server, rv: string): Promise<{ type: string; code?: number; reason?: string }[]> => {
        const watch = new WatchStream(server, server.token, `/api/v1/nodes?watch=1&resourceVersion=${rv}`);
        await waitFor(`${server.name}: an ERROR event`, () => watch.events.some((e) => e.type === "ERROR") || watch.ended, { describe: () => watch.summary().join(", ") });
        await watch.stop();
        return watch.events.map((e) => ({ type: e.type, code: e.object.code, reason: e.object.reason }));
      };
      const before = (await get(direct, "/api/v1/nodes")).body.metadata?.resourceVersion ?? "";
      await direct.labelNode("etcd-1", { touched: "1" });
      await direct.labelNode("etcd-1", { touched: "2" });
      await compactEtcd(uncached!.info.etcdUrl);
      const onReal = await watchFrom(direct, before);
      expect(onReal).toEqual([{ type: "ERROR", code: 410, reason: "Expired" }]);

      const fakeBefore = String(fakeKube.resourceVersion());
      await fake.labelNode("page-001", { touched: "1" });
      fakeKube.faults.compactHistory();
      expect(await watchFrom(fake, fakeBefore)).toEqual(onReal);
    });
  });

  it("sends DELETED when a Node leaves a label-selector watch and ADDED when it comes back, as the fake does", async () => {
    const follow = async (server: Server): Promise<string[]> => {
      const list = await get(server, "/api/v1/nodes?labelSelector=paged%3Dthird&limit=1");
      const watch = new WatchStream(server, server.token, `/api/v1/nodes?watch=1&labelSelector=paged%3Dthird&resourceVersion=${list.body.metadata?.resourceVersion ?? ""}`);
      await server.labelNode("page-003", { paged: "rest" });
      await server.labelNode("page-004", { paged: "third" });
      await server.labelNode("page-003", { paged: "third" });
      await server.labelNode("page-004", { paged: "rest" });
      await waitFor(`${server.name}: four events`, () => watch.events.length >= 4, { describe: () => watch.summary().join(", ") });
      await watch.stop();
      return watch.summary();
    };
    const onReal = await follow(real);
    expect(onReal).toEqual(["DELETED page-003", "ADDED page-004", "ADDED page-003", "DELETED page-004"]);
    expect(await follow(fake)).toEqual(onReal);
  });

  it("ends a streaming list (sendInitialEvents) with a bookmark annotated k8s.io/initial-events-end", async () => {
    const watch = new WatchStream(real, real.token, "/api/v1/nodes?watch=1&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&labelSelector=paged%3Dthird");
    await waitFor("the initial-events-end bookmark", () => watch.events.find((e) => e.type === "BOOKMARK"), { describe: () => watch.summary().slice(-5).join(", ") });
    await watch.stop();
    const bookmark = watch.events.find((e) => e.type === "BOOKMARK")!;
    expect(watch.events.filter((e) => e.type === "ADDED")).toHaveLength(50);
    expect(bookmark.object.metadata?.annotations?.["k8s.io/initial-events-end"]).toBe("true");
    expect(bookmark.object).toMatchObject({ kind: "Node", apiVersion: "v1" });
    expect(Number(bookmark.object.metadata?.resourceVersion)).toBeGreaterThan(0);
    expect(bookmark.object.metadata?.name).toBeUndefined();
  });
});
