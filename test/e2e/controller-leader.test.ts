// End-to-end: two replicas of the built `vpc-route-sync run` share one Lease. Each replica signs
// its VPC calls with its own AccessKey, so the fake VPC's request log says which process made a
// call: only the leader calls the VPC API at all. A SIGKILLed leader is replaced once its Lease
// expires; a SIGTERMed one releases the Lease, so the other replica takes over at once (the test
// uses a lease far longer than its deadline to tell the two apart), and exits 0.
import { afterEach, describe, expect, it } from "vitest";
import { ControllerWorld, expectedRoutes, nodeObject, nodeSpecs, type ControllerTimings } from "../support/controller-world.js";
import { backendKind } from "../support/kube-backend.js";
import { waitFor } from "../support/wait-for.js";

let world: ControllerWorld | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

// One definition, two API servers: the fake (project "fake") and the real kube-apiserver + etcd
// (project "real"), where both replicas run with the ServiceAccount of deploy/kustomize/base/rbac.yaml.
describe(`vpc-route-sync run: two replicas (${backendKind()} API server)`, () => {
  it("only the leader calls the VPC API; after SIGKILL the other takes over when the Lease expires and converges", async () => {
    const timings: ControllerTimings = { leaseDuration: "3s", renewDeadline: "2s", retryPeriod: "500ms" };
    const nodes = nodeSpecs(6);
    world = await ControllerWorld.start({ nodes: nodes.slice(0, 4) });
    const w = world;
    const a = await w.startController("a", timings);
    await waitFor("replica-a to hold the Lease", async () => (await w.holder()) === "replica-a");
    const b = await w.startController("b", timings);
    await w.waitForRoutes(expectedRoutes(nodes.slice(0, 4)), "the initial routes");
    await waitFor("replica-b's cache to sync (/readyz 200)", async () => (await b.readyz()).status === 200);

    // A change both replicas see; only the leader acts on it.
    await w.cluster.createNode(nodeObject(nodes[4]!));
    await w.waitForRoutes(expectedRoutes(nodes.slice(0, 5)), "the fifth Node's route");
    expect(await a.metric("vpc_route_sync_leader")).toBe(1);
    expect(await b.metric("vpc_route_sync_leader")).toBe(0);
    expect(w.writesBy("a")).toBeGreaterThan(0);
    expect(w.callsBy("b")).toBe(0);
    expect(await w.holder()).toBe("replica-a");

    // The leader dies without a word; a change arrives while nobody leads.
    a.child.kill("SIGKILL");
    const killed = await a.exited;
    expect(killed.signal).toBe("SIGKILL");
    await w.cluster.createNode(nodeObject(nodes[5]!));
    await w.cluster.deleteNode(nodes[0]!.name);

    // The Lease lasts 3 s; allow the follower's retry period and a busy machine on top.
    await waitFor("replica-b to take the Lease over", async () => (await w.holder()) === "replica-b", { timeoutMs: 3_000 + 7_000 });
    await w.waitForRoutes(expectedRoutes(nodes.slice(1, 6)), "replica-b to converge");
    expect(w.writesBy("b")).toBeGreaterThan(0);
    await waitFor("replica-b to report itself leader", async () => (await b.metric("vpc_route_sync_leader")) === 1);
    expect((await w.lease())?.spec?.leaseTransitions).toBe(1);
    expect((await b.stop("SIGTERM")).code).toBe(0);
  });

  it("SIGTERM releases the Lease: the other replica takes over at once, and the stopped one exits 0", async () => {
    // A 30 s Lease: if it were not released, the takeover could not happen before the deadline below.
    const timings: ControllerTimings = { leaseDuration: "30s", renewDeadline: "20s", retryPeriod: "500ms" };
    const nodes = nodeSpecs(5);
    world = await ControllerWorld.start({ nodes: nodes.slice(0, 4) });
    const w = world;
    const a = await w.startController("a", timings);
    await waitFor("replica-a to hold the Lease", async () => (await w.holder()) === "replica-a");
    const b = await w.startController("b", timings);
    await w.waitForRoutes(expectedRoutes(nodes.slice(0, 4)), "the initial routes");
    await waitFor("replica-b's cache to sync (/readyz 200)", async () => (await b.readyz()).status === 200);
    expect(w.callsBy("b")).toBe(0);

    const stopped = await a.stop("SIGTERM");
    expect(stopped.code).toBe(0);
    expect(a.logged("leader lease released")).toHaveLength(1);
    expect(a.logged("controller stopped")).toHaveLength(1);

    await waitFor("replica-b to take the released Lease over", async () => (await w.holder()) === "replica-b", { timeoutMs: 10_000 });
    await w.cluster.createNode(nodeObject(nodes[4]!));
    await w.waitForRoutes(expectedRoutes(nodes), "replica-b to act on a new Node");
    expect(w.writesBy("b")).toBeGreaterThan(0);
    expect((await b.stop("SIGTERM")).code).toBe(0);
    // The last replica also released it: a new deployment would not wait for it.
    expect(await w.holder()).toBe("");
  });
});
