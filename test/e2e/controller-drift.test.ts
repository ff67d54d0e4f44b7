// End-to-end: the built `vpc-route-sync run` repairs what happens outside it — routes deleted or
// re-pointed by hand in the VPC (repaired by the periodic resync), Nodes deleted and added while
// it was stopped — and deletes nothing before its Node cache has synced. Assertions are on the
// fakes' final state; every wait is a condition with a deadline. One definition, two API servers
// (see controller-nodes.test.ts): the scenario that fails the Node list needs the fake's fault
// controls and runs only there.
import { afterEach, describe, expect, it } from "vitest";
import {
  ControllerWorld,
  expectedRoutes,
  instanceId,
  nodeObject,
  nodeSpecs,
  ownedEntry,
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

const NODES_LIST = "^/api/v1/nodes$";

describe(`vpc-route-sync run: drift repair (${backendKind()} API server)`, () => {
  it("restores a route deleted by hand and re-points one changed by hand at the next resync", async () => {
    const nodes = nodeSpecs(3);
    world = await ControllerWorld.start({ nodes });
    const w = world;
    const controller = await w.startController("a", { resyncPeriod: "5s" });
    await w.waitForRoutes(expectedRoutes(nodes), "the initial routes");
    // Edit only after the pass has seen its routes settle: drift is what happens between passes.
    await controller.waitForLog("the first pass to finish", (l) => l.msg === "reconcile finished");

    const entryOf = (destinationCidr: string): string => {
      const entry = w.vpc.entries(ROUTE_TABLE_ID).find((e) => e.destinationCidr === destinationCidr);
      if (!entry) throw new Error(`no entry for ${destinationCidr}`);
      return entry.routeEntryId;
    };
    // As a console user would: one route removed, another pointed at some other instance.
    w.vpc.removeEntry(entryOf(nodes[0]!.podCIDR!));
    w.vpc.editEntry(entryOf(nodes[1]!.podCIDR!), { nextHops: [{ nextHopType: "Instance", nextHopId: instanceId(999) }] });
    expect(w.routes()).not.toEqual(expectedRoutes(nodes));

    // No Node changed, so only the periodic resync can find this; allow a few periods on a busy machine.
    await w.waitForRoutes(expectedRoutes(nodes), "the hand-made drift to be repaired", 20_000);
    const repairing = await controller.waitForLog(
      "the resync pass that made the repairs",
      (l) => l.msg === "reconcile finished" && l.cause === "resync" && Number(l.creates) >= 1,
    );
    // The removed route is created again; the re-pointed one is deleted and created right.
    expect([repairing.creates, repairing.deletes]).toEqual([2, 1]);
    expect((await controller.stop()).code).toBe(0);
  });

  it("removes the route of a Node deleted while it was stopped and adds one for a Node added meanwhile", async () => {
    const nodes = nodeSpecs(4);
    world = await ControllerWorld.start({ nodes });
    const w = world;
    const first = await w.startController("a");
    await w.waitForRoutes(expectedRoutes(nodes), "the initial routes");
    expect((await first.stop("SIGTERM")).code).toBe(0);

    await w.cluster.deleteNode(nodes[3]!.name);
    const added: NodeSpec = { name: "late-1", instanceId: instanceId(50), podCIDR: "10.200.50.0/24" };
    await w.cluster.createNode(nodeObject(added));
    expect(w.routes()).toEqual(expectedRoutes(nodes));

    const second = await w.startController("a");
    const expected = expectedRoutes([...nodes.slice(0, 3), added]);
    await w.waitForRoutes(expected, "the stale route removed and the new one added");
    await waitFor("a RouteDeleted Event for the removed Node's route", async () =>
      (await w.allEvents()).some((e) => e.reason === "RouteDeleted"),
    );
    expect((await second.stop("SIGTERM")).code).toBe(0);
  });

  it.skipIf(backendKind() === "real")("deletes nothing while the Node list fails, then removes only the stale route once the cache syncs", async () => {
    const nodes = nodeSpecs(3);
    // Routes made earlier by this operator: three for live Nodes, one for a Node that is gone.
    const stale = ownedEntry("10.200.77.0/24", instanceId(77), "gone-77");
    world = await ControllerWorld.start({
      nodes,
      entries: [...nodes.map((n) => ownedEntry(n.podCIDR!, n.instanceId, n.name)), stale],
    });
    const w = world;
    const before = w.routes();
    expect(before).toHaveLength(4);
    const listFailure = w.kube.faults.failRequests({ status: 500, method: "GET", path: NODES_LIST, watch: false });

    const controller = await w.startController("a");
    // The leader runs a pass with the Node cache empty: it must plan no delete at all.
    await controller.waitForLog("a pass on the unsynced cache", (l) => l.msg === "reconcile finished" && l.cause === "start");
    await waitFor("the Node list to have failed twice (a restart)", () =>
      w.kube.requests().filter((r) => r.path === "/api/v1/nodes" && !r.watch && r.status === 500).length >= 2,
    );
    expect((await controller.readyz()).status).toBe(503);
    expect(w.routes()).toEqual(before);
    expect(w.vpc.requests().filter((r) => r.action === "DeleteRouteEntries" || r.action === "DeleteRouteEntry")).toHaveLength(0);

    w.kube.faults.clearErrors(listFailure);
    await w.waitForRoutes(expectedRoutes(nodes), "the stale route to go once the cache synced");
    await waitFor("/readyz to answer 200 once synced", async () => (await controller.readyz()).status === 200);
    expect((await controller.stop()).code).toBe(0);
  });
});
