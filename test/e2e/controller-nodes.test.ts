// End-to-end: the built `vpc-route-sync run` against a Kubernetes API server and the fake VPC API,
// following Nodes through their life (added, deleted, pod CIDR changed, instance replaced, turned
// into a virtual node) and a burst of 300 Nodes. Assertions are on the fakes' final state; every
// wait is a condition with a deadline. The resync period is long (10 min), so only the Node watch
// can make these passes happen. One definition, two API servers: the fake (project "fake") and the
// real kube-apiserver + etcd (project "real", docs/testing.md), where the controller runs with the
// ServiceAccount of deploy/kustomize/base/rbac.yaml.
import { afterEach, describe, expect, it } from "vitest";
import {
  ControllerWorld,
  expectedRoutes,
  instanceId,
  nodeObject,
  nodeSpecs,
  ROUTE_TABLE_ID,
  type NodeSpec,
} from "../support/controller-world.js";
import { backendKind } from "../support/kube-backend.js";
import { waitFor } from "../support/wait-for.js";

let world: ControllerWorld | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe(`vpc-route-sync run: Node lifecycle (${backendKind()} API server)`, () => {
  it("adds, deletes, re-points and skips routes as Nodes change, and reports on the Nodes", async () => {
    // Three Nodes stay throughout, so deleting one route stays inside the default --max-deletions (50%).
    const base = nodeSpecs(3, "base");
    world = await ControllerWorld.start({ nodes: base });
    const w = world;
    const controller = await w.startController("a");
    await w.waitForRoutes(expectedRoutes(base), "the initial routes");
    await waitFor("/readyz to answer 200", async () => (await controller.readyz()).status === 200);

    // Added: its route becomes Available and the Node is told so.
    const worker: NodeSpec = { name: "worker-1", instanceId: instanceId(101), podCIDR: "10.200.1.0/24" };
    await w.cluster.createNode(nodeObject(worker));
    await w.waitForRoutes(expectedRoutes([...base, worker]), "the added Node's route");
    await waitFor("NetworkUnavailable=False/RouteCreated on worker-1", async () => {
      const c = await w.nodeCondition("worker-1");
      return c?.status === "False" && c.reason === "RouteCreated";
    });
    await waitFor("a RouteCreated Event on worker-1", async () => (await w.eventsAbout("worker-1")).some((e) => e.reason === "RouteCreated"));

    // Pod CIDR changed (on a real API server: the Node made again with it): the old route goes, the new one comes.
    await w.cluster.reassignNode("worker-1", { podCIDR: "10.200.2.0/24" });
    const moved = { ...worker, podCIDR: "10.200.2.0/24" };
    await w.waitForRoutes(expectedRoutes([...base, moved]), "the route to follow the new pod CIDR");

    // Instance replaced under the same Node name: the next hop follows the new providerID.
    const replaced = { ...moved, instanceId: instanceId(102) };
    await w.cluster.reassignNode("worker-1", { providerID: `cn-hangzhou.${replaced.instanceId}` });
    await w.waitForRoutes(expectedRoutes([...base, replaced]), "the next hop to follow the new instance");
    await waitFor("NetworkUnavailable to be False/RouteCreated after the re-point", async () => {
      const c = await w.nodeCondition("worker-1");
      return c?.status === "False" && c.reason === "RouteCreated";
    });

    // Turned into a virtual node: its route is removed, and the metric says why it has none.
    await w.cluster.updateNode("worker-1", (node) => {
      (node as { metadata: { labels: Record<string, string> } }).metadata.labels["type"] = "virtual-kubelet";
    });
    await w.waitForRoutes(expectedRoutes(base), "the virtual node's route to be removed");
    await waitFor("vpc_route_sync_nodes{eligibility=\"virtual-kubelet\"} to be 1", async () => {
      return (await controller.metric('vpc_route_sync_nodes{eligibility="virtual-kubelet"}')) === 1;
    });
    await waitFor("a RouteDeleted Event on worker-1", async () => (await w.eventsAbout("worker-1")).some((e) => e.reason === "RouteDeleted"));

    // Back to a normal Node, then deleted: the route comes back, then goes with the Node.
    await w.cluster.updateNode("worker-1", (node) => {
      delete (node as { metadata: { labels: Record<string, string> } }).metadata.labels["type"];
    });
    await w.waitForRoutes(expectedRoutes([...base, replaced]), "the route to return without the label");
    await w.cluster.deleteNode("worker-1");
    await w.waitForRoutes(expectedRoutes(base), "the deleted Node's route to be removed");

    // A Node whose providerID cannot name an ECS instance gets no route and an Event saying why.
    await w.cluster.createNode(nodeObject({ name: "odd-1", instanceId: "i-x", podCIDR: "10.200.9.0/24" }));
    await waitFor("an InvalidProviderID Event on odd-1", async () => (await w.eventsAbout("odd-1")).some((e) => e.reason === "InvalidProviderID"));
    expect(w.routes()).toEqual(expectedRoutes(base));
    expect(w.vpc.entries(ROUTE_TABLE_ID).map((e) => e.destinationCidr)).toContain("172.16.0.0/16");

    const stopped = await controller.stop("SIGTERM");
    expect(stopped.code).toBe(0);
  });

  it("300 Nodes added in one burst converge with at most ceil(300/50)+1 CreateRouteEntries calls", async () => {
    const base = nodeSpecs(2, "base");
    world = await ControllerWorld.start({ nodes: base, vpc: { quotaPerTable: 400 } });
    const w = world;
    const controller = await w.startController("a", { aggregationWindow: "1s" });
    await w.waitForRoutes(expectedRoutes(base), "the initial routes");
    w.vpc.resetRequests();

    const burst = nodeSpecs(300, "burst", 1000);
    for (const spec of burst) await w.cluster.createNode(nodeObject(spec));
    await w.waitForRoutes(expectedRoutes([...base, ...burst]), "302 routes", 60_000);

    const creates = w.vpc.requests().filter((r) => r.action === "CreateRouteEntries");
    expect(creates.length).toBeLessThanOrEqual(Math.ceil(300 / 50) + 1);
    expect(w.vpc.requests().filter((r) => r.action === "CreateRouteEntry")).toHaveLength(0);
    // One coalescing trigger: the 300 watch events make one pass, or a few if the burst straddles one.
    // A pass that failed part way (a create answered late on a loaded machine) counts too: the next
    // pass finds those routes present and plans only the rest, so planned creates then add up to more.
    const passes = await waitFor("the passes that created the 300 routes to finish", () => {
      const ended = [...controller.logged("reconcile finished"), ...controller.logged("reconcile failed")].filter((l) => l.cause !== "start" && Number(l.creates) > 0);
      return ended.reduce((sum, l) => sum + Number(l.creates), 0) >= 300 && ended;
    }, { timeoutMs: 60_000 });
    expect(passes.length).toBeLessThanOrEqual(3);
    await waitFor("NetworkUnavailable=False on every burst Node", async () => {
      for (const s of burst) if ((await w.nodeCondition(s.name))?.status !== "False") return false;
      return true;
    }, { timeoutMs: 30_000 });
    expect((await controller.stop("SIGTERM")).code).toBe(0);
  });
});
