import { CoreV1Api } from "../../src/kube/kube-apis.js";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeKube, type FakeKubeServer } from "@vpc-route-sync/fake-kube-apiserver";
import { loadKubeConfig } from "../../src/kube/kube-config.js";
import { NodeListError, listAllNodes } from "../../src/kube/node-lister.js";
import { nodeBody } from "./helpers.js";

describe("listAllNodes", () => {
  let fake: FakeKubeServer | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  async function start(count: number): Promise<{ fake: FakeKubeServer; core: CoreV1Api }> {
    fake = await startFakeKube({ nodes: Array.from({ length: count }, (_, i) => nodeBody(`node-${String(i).padStart(3, "0")}`, i)) });
    return { fake, core: loadKubeConfig({ kubeconfigPath: fake.kubeconfigPath }).makeApiClient(CoreV1Api) };
  }

  it("follows continue tokens and returns every Node with the list resourceVersion", async () => {
    const { fake, core } = await start(23);
    const result = await listAllNodes(core, { pageSize: 5 });
    expect(result.items.map((n) => n.metadata?.name)).toEqual(fake.listNodes().map((n) => (n["metadata"] as { name: string }).name));
    expect(result.items).toHaveLength(23);
    expect(result.resourceVersion).toBe(fake.resourceVersion());
    const lists = fake.requests().filter((r) => r.method === "GET" && r.path === "/api/v1/nodes" && !r.watch);
    expect(lists).toHaveLength(5);
    expect(lists.every((r) => r.query.includes("limit=5"))).toBe(true);
  });

  it("restarts the whole list once when a continue token expired (410)", async () => {
    const { fake, core } = await start(12);
    // Between the first and second page the cluster changes and the server compacts its history,
    // as etcd does: the continue token then points at a snapshot that no longer exists.
    let served = 0;
    const realList = core.listNode.bind(core);
    core.listNode = async (param) => {
      served += 1;
      if (served === 2) {
        fake.createNode(nodeBody("late-node", 200));
        fake.faults.compactHistory();
      }
      return realList(param);
    };
    const result = await listAllNodes(core, { pageSize: 5 });
    expect(result.items).toHaveLength(13);
    expect(new Set(result.items.map((n) => n.metadata?.name)).size).toBe(13);
    const statuses = fake.requests().filter((r) => r.path === "/api/v1/nodes" && !r.watch).map((r) => r.status);
    expect(statuses).toEqual([200, 410, 200, 200, 200]);
    expect(result.resourceVersion).toBe(fake.resourceVersion());
  });

  it("gives up after a second 410 and names the failure", async () => {
    const { fake, core } = await start(3);
    fake.faults.failRequests({ status: 410, method: "GET", path: "^/api/v1/nodes$", watch: false, times: 2 });
    await expect(listAllNodes(core)).rejects.toThrow(NodeListError);
    await expect(listAllNodes(core)).resolves.toMatchObject({ items: expect.any(Array) });
  });

  it("wraps other errors with the server's message", async () => {
    const { fake, core } = await start(1);
    fake.faults.failRequests({ status: 403, method: "GET", path: "^/api/v1/nodes$", message: "nodes is forbidden: User cannot list", times: 1 });
    await expect(listAllNodes(core)).rejects.toThrow(/cannot list Nodes from the Kubernetes API: HTTP 403: nodes is forbidden/);
  });

  it("rejects a bad page size", async () => {
    const { core } = await start(0);
    await expect(listAllNodes(core, { pageSize: 0 })).rejects.toThrow(/pageSize must be a positive integer, got 0/);
  });
});
