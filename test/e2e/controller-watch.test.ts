// End-to-end: the built `vpc-route-sync run` keeps a correct Node cache through a flaky API server:
// watch connections dropped every couple of seconds (cleanly, and by resetting the connection),
// and a forced 410 Gone after the watch history was compacted (as an ERROR event and as an HTTP
// 410). Nodes change exactly while no watch is open, so only resourceVersion replay or a re-list
// can bring them in. The resync period is 10 minutes: a lost change would stay lost, so the final
// routes equal the expected set only if no Node change was lost.
import { afterEach, describe, expect, it } from "vitest";
import type { DropMode } from "@vpc-route-sync/fake-kube-apiserver";
import {
  ControllerWorld,
  expectedRoutes,
  instanceId,
  nodeObject,
  nodeSpecs,
  type NodeSpec,
} from "../support/controller-world.js";
import { waitFor } from "../support/wait-for.js";

let world: ControllerWorld | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** A cluster whose Nodes the test changes, remembering what the routes should become. */
class Cluster {
  readonly #world: ControllerWorld;
  readonly #nodes = new Map<string, NodeSpec>();
  #next = 500;

  constructor(world: ControllerWorld, nodes: readonly NodeSpec[]) {
    this.#world = world;
    for (const n of nodes) this.#nodes.set(n.name, n);
  }

  expected(): string[] {
    return expectedRoutes([...this.#nodes.values()]);
  }

  add(): void {
    const n = this.#next++;
    const spec: NodeSpec = { name: `added-${n}`, instanceId: instanceId(n), podCIDR: `10.201.${n % 256}.0/24` };
    this.#nodes.set(spec.name, spec);
    this.#world.kube.createNode(nodeObject(spec));
  }

  remove(name: string): void {
    this.#nodes.delete(name);
    this.#world.kube.deleteNode(name);
  }

  movePodCidr(name: string, podCIDR: string): void {
    this.#nodes.set(name, { ...this.#get(name), podCIDR });
    this.#world.kube.updateNode(name, (node) => {
      const spec = (node as { spec: { podCIDR?: string; podCIDRs?: string[] } }).spec;
      spec.podCIDR = podCIDR;
      spec.podCIDRs = [podCIDR];
    });
  }

  replaceInstance(name: string): void {
    const replacement = instanceId(this.#next++);
    this.#nodes.set(name, { ...this.#get(name), instanceId: replacement });
    this.#world.kube.updateNode(name, (node) => {
      (node as { spec: { providerID?: string } }).spec.providerID = `cn-hangzhou.${replacement}`;
    });
  }

  #get(name: string): NodeSpec {
    const spec = this.#nodes.get(name);
    if (!spec) throw new Error(`no Node ${name}`);
    return spec;
  }
}

function nodeWatches(w: ControllerWorld): number {
  return w.kube.openWatches().filter((d) => d.startsWith("/api/v1/nodes")).length;
}

function nodeLists(w: ControllerWorld): number {
  return w.kube.requests().filter((r) => r.method === "GET" && r.path === "/api/v1/nodes" && !r.watch).length;
}

describe("vpc-route-sync run: flaky Node watch", () => {
  it.each<[DropMode, number]>([
    // A clean close: client-node re-watches from its resourceVersion and the fake replays the changes.
    ["close", 5],
    // A reset connection: the informer restarts (with growing backoff) and re-lists.
    ["reset", 3],
  ])("watch connections dropped every 1.5 s (%s) lose no Node change", async (mode, rounds) => {
    const nodes = nodeSpecs(6);
    world = await ControllerWorld.start({ nodes });
    const w = world;
    const cluster = new Cluster(w, nodes);
    const controller = await w.startController("a");
    await w.waitForRoutes(cluster.expected(), "the initial routes");

    w.kube.faults.dropWatchesEvery(1_500, mode);
    const changes: (() => void)[] = [
      () => cluster.add(),
      () => cluster.movePodCidr("node-1", "10.202.1.0/24"),
      () => cluster.remove("node-2"),
      () => cluster.replaceInstance("node-3"),
      () => cluster.add(),
    ];
    for (const change of changes.slice(0, rounds)) {
      // Change the Node while its watch is down; then let the informer reconnect before the next drop.
      await waitFor("the Node watch to be dropped", () => nodeWatches(w) === 0, { intervalMs: 5, timeoutMs: 15_000 });
      change();
      await waitFor("the Node watch to reconnect", () => nodeWatches(w) > 0, { intervalMs: 5, timeoutMs: 40_000 });
    }
    // The rest at once, with the watch dropping on.
    for (const change of changes.slice(rounds)) change();
    await w.waitForRoutes(cluster.expected(), "routes to reflect every Node change", 45_000);
    w.kube.faults.stopDroppingWatches();
    if (mode === "reset") expect(await controller.metric("vpc_route_sync_informer_restarts_total")).toBeGreaterThanOrEqual(1);
    expect((await controller.stop()).code).toBe(0);
  });

  it.each([
    ["a 410 ERROR event", false],
    ["an HTTP 410 answer", true],
  ])("a forced re-list after %s loses no Node change", async (_what, asHttp) => {
    const nodes = nodeSpecs(6);
    world = await ControllerWorld.start({ nodes, kube: { expiredWatchAsHttp410: asHttp } });
    const w = world;
    const cluster = new Cluster(w, nodes);
    const controller = await w.startController("a");
    await w.waitForRoutes(cluster.expected(), "the initial routes");
    await waitFor("the Node watch to be open", () => nodeWatches(w) > 0);
    const listsBefore = nodeLists(w);

    // In one synchronous block: the watch ends, Nodes change, and the history that would let the
    // informer replay those changes is forgotten, so its next watch gets 410 Gone.
    w.kube.faults.dropWatches();
    cluster.add();
    cluster.remove("node-0");
    cluster.movePodCidr("node-1", "10.202.1.0/24");
    cluster.replaceInstance("node-2");
    w.kube.faults.compactHistory();

    await w.waitForRoutes(cluster.expected(), "routes to reflect every Node change", 30_000);
    expect(nodeLists(w)).toBeGreaterThan(listsBefore);
    expect((await controller.stop()).code).toBe(0);
  });
});
