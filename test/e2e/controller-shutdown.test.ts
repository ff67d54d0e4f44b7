// End-to-end: SIGTERM while the leader's batch is in flight. Within --shutdown-timeout the batch
// finishes (its routes end up Available) before the Lease is released and the process exits 0;
// a batch that cannot finish in time is abandoned — without marking the Nodes NetworkUnavailable
// for it — and the process exits 0 instead of hanging until the kubelet kills it, keeping the Lease
// (not released: a write of the aborted batch may still land) so the next leader waits it out. One definition, two API servers (see controller-nodes.test.ts).
import { afterEach, describe, expect, it } from "vitest";
import { ControllerWorld, expectedRoutes, nodeSpecs } from "../support/controller-world.js";
import { backendKind } from "../support/kube-backend.js";
import { waitFor } from "../support/wait-for.js";

let world: ControllerWorld | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe(`vpc-route-sync run: SIGTERM during a batch (${backendKind()} API server)`, () => {
  it("lets the in-flight batch finish within --shutdown-timeout, then releases the Lease and exits 0", async () => {
    const nodes = nodeSpecs(3);
    world = await ControllerWorld.start({
      nodes,
      vpc: { faults: [{ action: "CreateRouteEntries", count: 1, fault: { type: "latency", ms: 1_500 } }] },
    });
    const w = world;
    const controller = await w.startController("a", { shutdownTimeout: "20s" });
    await waitFor("the create batch to be in flight", () => w.vpc.inFlight() > 0);

    const stopped = await controller.stop("SIGTERM");
    expect(stopped.code).toBe(0);
    expect(w.routesAre(expectedRoutes(nodes))).toBe(true);
    expect(controller.logged("reconcile finished")).toHaveLength(1);
    expect(controller.logged("leader lease released")).toHaveLength(1);
    expect(await w.holder()).toBe("");
  });

  // Issue 16, defect 8: the Lease was released right after the abort, so the next leader could
  // write while the aborted write was still on its way to the VPC.
  it("abandons a batch that outlasts --shutdown-timeout, keeps the Lease until it expires, and exits 0", async () => {
    const nodes = nodeSpecs(3);
    world = await ControllerWorld.start({
      nodes,
      // The call would hang for ten minutes: far beyond the 1 s shutdown timeout and the test's deadline.
      vpc: { faults: [{ action: "CreateRouteEntries", count: 1, fault: { type: "latency", ms: 600_000 } }] },
    });
    const w = world;
    const controller = await w.startController("a", { shutdownTimeout: "1s" });
    await waitFor("the create batch to be in flight", () => w.vpc.inFlight() > 0);

    const stopped = await controller.stop("SIGTERM");
    expect(stopped.code).toBe(0);
    expect(controller.logged("controller stopped")).toHaveLength(1);
    expect(controller.logged("reconcile abandoned")).toHaveLength(1);
    expect(controller.logged("leader lease released")).toHaveLength(0);
    expect(controller.logged("leader lease kept until it expires: a write of the aborted pass may still be in flight")).toHaveLength(1);
    expect(await w.holder()).toBe("replica-a");
    // An abandoned batch says nothing about the Nodes: no NoRouteCreated, no failure Events.
    expect(await Promise.all(nodes.map((n) => w.nodeCondition(n.name)))).toEqual([undefined, undefined, undefined]);
    expect(await w.allEvents()).toEqual([]);
  });
});
