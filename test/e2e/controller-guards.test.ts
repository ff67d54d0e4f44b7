// End-to-end: what the built `vpc-route-sync run` does when it must not or cannot change a route:
// the --max-deletions guard keeps routes and says so (Event, metric), and a full route table
// (QuotaExceeded) marks the Node NetworkUnavailable=True/NoRouteCreated with the reason, records a
// QuotaExceeded Event, and recovers once there is room. Assertions are on the fakes' final state.
// One definition, two API servers (see controller-nodes.test.ts).
import { afterEach, describe, expect, it } from "vitest";
import { ControllerWorld, expectedRoutes, nodeObject, nodeSpecs, ownedEntry, ROUTE_TABLE_ID } from "../support/controller-world.js";
import { backendKind } from "../support/kube-backend.js";
import { waitFor } from "../support/wait-for.js";

let world: ControllerWorld | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function reasons(w: ControllerWorld): Promise<string[]> {
  return (await w.allEvents()).map((e) => String(e.reason));
}

describe(`vpc-route-sync run: guards and failures (${backendKind()} API server)`, () => {
  it("--max-deletions 0 keeps a stale route, records DeletionsRefused, and still creates", async () => {
    const nodes = nodeSpecs(3);
    const stale = ownedEntry("10.200.77.0/24", "i-bp1ctl000000000077", "gone-77");
    world = await ControllerWorld.start({ nodes: nodes.slice(0, 2), entries: [stale] });
    const w = world;
    const controller = await w.startController("a", {}, ["--max-deletions", "0"]);
    const staleRoute = "10.200.77.0/24>i-bp1ctl000000000077";
    await w.waitForRoutes([...expectedRoutes(nodes.slice(0, 2)), staleRoute], "the creates to go through despite the refusal");
    await waitFor("a DeletionsRefused Event", async () => (await reasons(w)).includes("DeletionsRefused"));
    await waitFor('vpc_route_sync_reconcile_total{result="refused"} >= 1', async () => ((await controller.metric('vpc_route_sync_reconcile_total{result="refused"}')) ?? 0) >= 1);

    // A further Node is still routed while the guard holds the delete back.
    await w.cluster.createNode(nodeObject(nodes[2]!));
    await w.waitForRoutes([...expectedRoutes(nodes), staleRoute], "a new Node routed while deletes are refused");
    expect(w.vpc.requests().filter((r) => r.action === "DeleteRouteEntries" || r.action === "DeleteRouteEntry")).toHaveLength(0);
    expect((await controller.stop()).code).toBe(0);
  });

  it("a full route table sets NetworkUnavailable=True/NoRouteCreated with the reason, and recovers at the resync once there is room", async () => {
    const nodes = nodeSpecs(3);
    // The office VPN route counts against the quota too: 1 + 3 Node routes do not fit in 3. The
    // quota is checked for a whole batch, so none of the three is created.
    world = await ControllerWorld.start({ nodes, vpc: { quotaPerTable: 3 } });
    const w = world;
    const controller = await w.startController("a", { resyncPeriod: "5s" });
    const marked = async (status: string, reason: string): Promise<boolean> => {
      const conditions = await Promise.all(nodes.map((n) => w.nodeCondition(n.name)));
      return conditions.every((c) => c?.status === status && c.reason === reason);
    };
    await waitFor("every Node to be marked NoRouteCreated", () => marked("True", "NoRouteCreated"));
    expect((await w.nodeCondition(nodes[0]!.name))?.message).toContain("QuotaExceeded");
    expect(w.routes()).toEqual([]);
    await waitFor("a QuotaExceeded Event on the Node", async () => (await w.eventsAbout(nodes[0]!.name)).some((e) => e.reason === "QuotaExceeded"));

    // Room is made by hand (the VPN route goes); no Node changes, so the periodic resync retries.
    const vpn = w.vpc.entries(ROUTE_TABLE_ID).find((e) => e.destinationCidr === "172.16.0.0/16");
    w.vpc.removeEntry(vpn!.routeEntryId);
    await w.waitForRoutes(expectedRoutes(nodes), "the routes once the table has room");
    await waitFor("NetworkUnavailable=False/RouteCreated on every Node", () => marked("False", "RouteCreated"));
    expect((await controller.stop()).code).toBe(0);
  });
});
