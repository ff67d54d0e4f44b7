// End-to-end: what the controller tells Kubernetes (Events, the NetworkUnavailable condition) stays
// true under churn and faults (issue 20). The built `vpc-route-sync run` against the fake VPC and,
// defined once, both API servers: the fake (project "fake") and the real kube-apiserver + etcd
// (project "real").
import { afterEach, describe, expect, it } from "vitest";
import {
  ControllerWorld,
  expectedRoutes,
  instanceId,
  nodeObject,
  nodeSpecs,
  podCidr,
  type NodeSpec,
} from "../support/controller-world.js";
import { backendKind } from "../support/kube-backend.js";
import { waitFor } from "../support/wait-for.js";

let world: ControllerWorld | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

const real = backendKind() === "real";

describe(`vpc-route-sync run: Events and conditions tell the truth (${backendKind()} API server)`, () => {
  // Item 1: 120 skip Events came first in the list and took every slot of the bounded queue, so the
  // Warning listed after them was dropped on every pass.
  it("a Warning is recorded however many Normal Events the same pass produces", async () => {
    const virtual: NodeSpec[] = Array.from({ length: 120 }, (_, k) => ({
      name: `virtual-${k}`,
      instanceId: instanceId(1000 + k),
      labels: { type: "virtual-kubelet" },
    }));
    const clash: NodeSpec = { name: "clash", instanceId: instanceId(1), podCIDR: "10.200.0.0/24" };
    world = await ControllerWorld.start({
      nodes: [...virtual, clash],
      // A foreign route holds the clash Node's pod CIDR: a RouteConflict Warning on every pass.
      entries: [{ destinationCidr: "10.200.0.0/24", nextHopType: "VpnGateway", nextHopId: "vpn-bp1ctl00000002", routeEntryName: "office-2" }],
    });
    const w = world;
    const a = await w.startController("a");
    await waitFor("the first pass", () => a.logged("reconcile finished").length + a.logged("reconcile failed").length >= 1, { timeoutMs: 30_000 });
    await waitFor("the RouteConflict Warning", async () => (await w.eventsAbout("clash")).some((e) => e.reason === "RouteConflict"), { timeoutMs: 20_000 });
    expect(await a.metric("vpc_route_sync_events_dropped_total")).toBe(0);
    const condition = await w.nodeCondition("clash");
    expect(condition).toMatchObject({ status: "True", reason: "NoRouteCreated" });
  });

  // Item 3: the pass computed False/RouteCreated for the Node object it saw; a Node deleted and
  // created again under the same name meanwhile got it, although its own route did not exist.
  it("a Node deleted and created again during a pass does not inherit the old Node's condition", async () => {
    const [node] = nodeSpecs(1);
    world = await ControllerWorld.start({ nodes: [node!] });
    const w = world;
    // Hold the pass's create open long enough to replace the Node under it.
    w.vpc.addFault({ action: "CreateRouteEntries", count: 1, fault: { type: "latency", ms: 2_500 } });
    const a = await w.startController("a");
    await waitFor("the create to be held by the fake VPC", () => w.vpc.inFlight() > 0, { timeoutMs: 20_000 });
    await w.cluster.deleteNode(node!.name);
    // The new Node has no pod CIDR yet: it is skipped, so nothing of ours should mark it.
    await w.cluster.createNode(nodeObject({ name: node!.name, instanceId: instanceId(7) }));
    await waitFor("the held pass and the next one", () => a.logged("reconcile finished").length >= 2, { timeoutMs: 20_000 });
    expect(await w.nodeCondition(node!.name)).toBeUndefined();
  });

  // Item 4: a route held back (here: the VPC's network could not be read, so no create is planned)
  // left no condition at all, and pods were scheduled onto a Node without a route.
  it("a Node whose route is held back gets NetworkUnavailable=True, then False once it is routed", async () => {
    const nodes = nodeSpecs(2);
    world = await ControllerWorld.start({ nodes });
    const w = world;
    w.vpc.addFault({ action: "DescribeVpcAttribute", fault: { type: "error", status: 403, code: "Forbidden.RAM", message: "not allowed" } });
    const a = await w.startController("a", { resyncPeriod: "5s" });
    await waitFor("a pass that could not read the VPC's network", () => a.logged("reconcile failed").length >= 1, { timeoutMs: 20_000 });
    for (const n of nodes) {
      await waitFor(`${n.name}: NetworkUnavailable=True`, async () => (await w.nodeCondition(n.name))?.status === "True", { timeoutMs: 10_000 });
      expect(await w.nodeCondition(n.name)).toMatchObject({ reason: "NoRouteCreated", message: `route ${n.podCIDR} in vtb-bp1ctl0000000000001 is held back this pass` });
    }
    expect(w.routes()).toEqual([]);
    w.vpc.clearFaults();
    await w.waitForRoutes(expectedRoutes(nodes));
    for (const n of nodes) {
      await waitFor(`${n.name}: NetworkUnavailable=False`, async () => (await w.nodeCondition(n.name))?.status === "False", { timeoutMs: 10_000 });
    }
  });

  // Item 2: the cloud error's request id flowed into the condition and the Event, so each failing
  // pass patched the Node and recorded a new Event.
  it("a create that fails on every pass patches the condition once and records one Event", async () => {
    const node: NodeSpec = { name: "node-0", instanceId: instanceId(0), podCIDR: podCidr(0) };
    world = await ControllerWorld.start({ nodes: [node] });
    const w = world;
    // Every answer carries a new request id; the resync runs the pass again.
    w.vpc.addFault({ action: "CreateRouteEntries", fault: { type: "error", status: 400, code: "InvalidParameter", message: "the request is invalid" } });
    const a = await w.startController("a", { resyncPeriod: "5s" });
    await waitFor("two failing passes", () => a.logged("reconcile failed").length >= 2, { timeoutMs: 30_000 });
    const condition = await w.nodeCondition(node.name);
    expect(condition).toMatchObject({ status: "True", reason: "NoRouteCreated" });
    expect(condition?.message).not.toMatch(/request ?id/i);
    const failures = (await w.eventsAbout(node.name)).filter((e) => e.reason === "CreateRouteFailed");
    expect(failures).toHaveLength(1);
    expect(failures[0]?.message).not.toMatch(/request ?id/i);
    if (!real) {
      const patches = w.kube.requests().filter((r) => r.method === "PATCH" && r.path === `/api/v1/nodes/${node.name}/status`);
      expect(patches).toHaveLength(1);
    }
  });
});
