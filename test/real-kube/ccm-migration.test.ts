// docs/migrate-from-ccm.md run for real (issue 21): the real Alibaba cloud-controller-manager (route
// controller only) routes Nodes on the real kube-apiserver into the fake VPC; it is restarted with
// --configure-cloud-routes=false as the migration does; `vpc-route-sync run` takes over; Nodes are
// deleted and new ones get the freed pod CIDRs; then the rollback: ours stops, the CCM comes back with
// routes on. A sampler reads the fake VPC's table every few ms throughout: a live Node never loses its
// route. Skipped with the tier, and with one message when the CCM binary is absent (CI has none).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RequestLogEntry } from "@vpc-route-sync/fake-alibaba-vpc";
import {
  ACCESS_KEYS,
  CLUSTER_CIDR,
  CLUSTER_NAME,
  ControllerWorld,
  expectedRoutes,
  instanceId,
  nodeObject,
  nodeSpecs,
  podCidr,
  REGION_ID,
  ROUTE_TABLE_ID,
  VPC_ID,
  WRITE_ACTIONS,
  type NodeSpec,
} from "../support/controller-world.js";
import { RealCcm, realCcmMissing, startMetadataStandIn, type MetadataStandIn } from "../support/real-ccm.js";
import { waitFor } from "../support/wait-for.js";
import { realKube, skipReason } from "./support.js";

const CCM_KEY = { id: "LTAI5tREALCCM000000001", secret: "real-ccm-secret-00000000000001" };
const MARKER = "managed-by=vpc-route-sync";
const missing = skipReason !== "" ? `real kube-apiserver tier skipped: ${skipReason}` : realCcmMissing();
if (missing !== "") console.warn(`ccm-migration SKIPPED: ${missing}`);

let world: ControllerWorld | undefined;
let metadata: MetadataStandIn | undefined;
let dir: string | undefined;
const ccms: RealCcm[] = [];

afterAll(async () => {
  for (const ccm of ccms) await ccm.stop();
  await world?.close();
  await metadata?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** Requests that remove or re-point a next hop (any delete, a Modify naming a new next hop). */
function nextHopWrites(requests: readonly RequestLogEntry[]): RequestLogEntry[] {
  return requests.filter(
    (r) => r.action.startsWith("DeleteRouteEntr") || (r.action === "ModifyRouteEntry" && (r.params.NewNextHopId !== undefined || r.params.NewNextHopType !== undefined)),
  );
}

/** Reads the table every 10 ms; a Node in `guarded` without its route `pod CIDR -> instance` is a gap. */
class GapSampler {
  readonly gaps: string[] = [];
  guarded: NodeSpec[] = [];
  samples = 0;
  readonly #timer: NodeJS.Timeout;

  constructor(w: ControllerWorld) {
    this.#timer = setInterval(() => {
      this.samples += 1;
      const entries = w.vpc.entries(ROUTE_TABLE_ID);
      for (const n of this.guarded) {
        const routed = entries.some((e) => e.destinationCidr === n.podCIDR && e.nextHops.length === 1 && e.nextHops[0]!.nextHopId === n.instanceId);
        if (!routed) this.gaps.push(`${n.name} (${n.podCIDR ?? "?"}) unrouted at sample ${this.samples}`);
      }
    }, 10);
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

describe.skipIf(missing !== "")("migrating from the real Alibaba CCM on the real API server (docs/migrate-from-ccm.md)", () => {
  it("CCM routes 6 Nodes; restarted with routes off; vpc-route-sync run claims without a next-hop write; churn on freed CIDRs; roll back to the CCM: no gap, every Node routed", async () => {
    let live = nodeSpecs(6);
    world = await ControllerWorld.start({
      nodes: live,
      vpc: { credentials: { [ACCESS_KEYS.a.id]: { secret: ACCESS_KEYS.a.secret }, [CCM_KEY.id]: { secret: CCM_KEY.secret } } },
    });
    const w = world;
    metadata = await startMetadataStandIn({ "region-id": REGION_ID, "vpc-id": VPC_ID, "vswitch-id": "vsw-bp1ccm0000000000001", "instance-id": "i-bp1ccmhost000000001" });
    dir = await mkdtemp(join(tmpdir(), "vrs-ccm-"));
    const setup = {
      vpcUrl: w.vpc.url,
      metadataUrl: metadata.url,
      kubeconfigPath: realKube!.kubeconfigPath,
      dir,
      accessKey: CCM_KEY,
      regionId: REGION_ID,
      vpcId: VPC_ID,
      routeTableId: ROUTE_TABLE_ID,
      clusterCidr: CLUSTER_CIDR,
      clusterName: CLUSTER_NAME,
    };
    const startCcm = async (routes: boolean, period?: string): Promise<RealCcm> => {
      const ccm = await RealCcm.start(setup, routes, period);
      ccms.push(ccm);
      return ccm;
    };
    const ccmCalls = (): RequestLogEntry[] => w.vpc.requests().filter((r) => r.accessKeyId === CCM_KEY.id);
    const ours = (): RequestLogEntry[] => w.vpc.requests().filter((r) => r.accessKeyId === ACCESS_KEYS.a.id);
    const figures: Record<string, string | number> = {};
    const t0 = performance.now();
    const since = (t: number): string => `${((performance.now() - t) / 1000).toFixed(2)} s`;

    // 1. The real CCM routes every Node (unmarked routes) and marks them NetworkUnavailable=False.
    const first = await startCcm(true);
    await w.waitForRoutes(expectedRoutes(live), "the CCM to route every Node", 90_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\nCCM log:\n${first.output()}`);
    });
    figures["ccm cold fill"] = since(t0);
    for (const n of live) {
      await waitFor(`${n.name} NetworkUnavailable=False from the CCM`, async () => (await w.nodeCondition(n.name))?.reason === "RouteCreated", { timeoutMs: 30_000 });
    }
    const ccmRoutes = w.vpc.entries(ROUTE_TABLE_ID).filter((e) => e.nextHops.some((h) => h.nextHopType === "Instance"));
    expect(ccmRoutes.every((e) => !e.description.includes(MARKER))).toBe(true);
    figures["ccm calls (cold fill)"] = ccmCalls().map((r) => r.action).join(",");
    // It signs with the RPC v1 HMAC-SHA1 signature and lists 500 at a time (the documented range is 1..100;
    // the fake caps it at 100 per page, as the real API tolerates it); every call succeeded.
    expect(new Set(ccmCalls().map((r) => `${r.signature} ${r.status}`))).toEqual(new Set(["HMAC-SHA1 200"]));
    expect(ccmCalls().filter((r) => r.action === "DescribeRouteEntryList").map((r) => r.params.MaxResult)).toContain("500");
    const sampler = new GapSampler(w);
    sampler.guarded = [...live];
    try {
      // 2. The migration's step 2: the CCM restarted with --configure-cloud-routes=false (the rest of it keeps running).
      await first.stop();
      const callsBefore = ccmCalls().length;
      const idle = await startCcm(false);

      // 3. vpc-route-sync run takes over: every CCM route claimed in place (marker only), no next hop written.
      const tTakeover = performance.now();
      const controller = await w.startController("a");
      await waitFor("every CCM route claimed", () => ccmRoutes.every((r) => w.vpc.entries(ROUTE_TABLE_ID).find((e) => e.routeEntryId === r.routeEntryId)?.description.includes(MARKER)), {
        timeoutMs: 30_000,
        describe: () => controller.output(20),
      });
      figures["takeover (claims done)"] = since(tTakeover);
      const takeoverWrites = ours().filter((r) => WRITE_ACTIONS.has(r.action));
      expect(nextHopWrites(takeoverWrites)).toEqual([]);
      expect(takeoverWrites.map((r) => r.action)).toEqual(live.map(() => "ModifyRouteEntry"));
      for (const before of ccmRoutes) {
        const after = w.vpc.entries(ROUTE_TABLE_ID).find((e) => e.routeEntryId === before.routeEntryId)!;
        expect(after.nextHops).toEqual(before.nextHops);
        expect(after.destinationCidr).toBe(before.destinationCidr);
      }
      for (const n of live) {
        await waitFor(`a RouteClaimed Event about ${n.name}`, async () => (await w.eventsAbout(n.name)).some((e) => e.reason === "RouteClaimed"), { timeoutMs: 10_000 });
      }

      // 4. Two Nodes go; new Nodes receive their pod CIDRs (nodeipam hands out the lowest free block).
      const tChurn = performance.now();
      const churnFrom = ours().length;
      const gone = [live[1]!, live[2]!];
      const fresh: NodeSpec[] = [
        { name: "node-10", instanceId: instanceId(10), podCIDR: podCidr(1) },
        { name: "node-11", instanceId: instanceId(11), podCIDR: podCidr(2) },
      ];
      live = live.filter((n) => !gone.includes(n));
      sampler.guarded = [...live];
      for (const n of gone) await w.cluster.deleteNode(n.name);
      for (const n of fresh) await w.cluster.createNode(nodeObject(n));
      live = [...live, ...fresh];
      await w.waitForRoutes(expectedRoutes(live), "the new Nodes on the freed pod CIDRs routed", 30_000);
      sampler.guarded = [...live];
      // One more Node on a fresh block, while we hold the table.
      const extra: NodeSpec = { name: "node-12", instanceId: instanceId(12), podCIDR: podCidr(12) };
      await w.cluster.createNode(nodeObject(extra));
      live = [...live, extra];
      await w.waitForRoutes(expectedRoutes(live), "node-12 routed", 30_000);
      sampler.guarded = [...live];
      figures["churn (2 deleted, 3 added) routed"] = since(tChurn);
      figures["our writes (churn)"] = ours().slice(churnFrom).filter((r) => WRITE_ACTIONS.has(r.action)).map((r) => r.action).join(",");
      expect(ccmCalls()).toHaveLength(callsBefore);
      expect(idle.running).toBe(true);

      // 5. Roll back: ours stops (deleting nothing), the CCM comes back with routes on.
      const tRollback = performance.now();
      const routesBefore = w.routes();
      await controller.stop("SIGTERM");
      expect(w.routes()).toEqual(routesBefore);
      await idle.stop();
      const rollbackFrom = ccmCalls().length;
      // Its shortest periodic pass (it raises anything shorter to 1m), so that its conflict deletion
      // (below) comes within the test's time.
      const back = await startCcm(true, "1m");
      const reconciled = (n: NodeSpec): number => back.output(100_000).split("\n").filter((l) => l.includes("Successfully reconcile routes") && l.includes(`"${n.name}"`)).length;
      await waitFor("the restarted CCM to reconcile every Node", () => live.every((n) => reconciled(n) > 0), {
        timeoutMs: 60_000,
        describe: () => back.output(),
      });
      figures["rollback (CCM synced every Node)"] = since(tRollback);
      const rollbackCalls = ccmCalls().slice(rollbackFrom);
      figures["ccm calls (rollback)"] = rollbackCalls.map((r) => r.action).join(",");
      expect(rollbackCalls.filter((r) => WRITE_ACTIONS.has(r.action))).toEqual([]);
      // Until its first periodic pass after a restart the CCM deletes no route of a deleted Node: it
      // deletes only routes in its in-memory cache, which its Node-event path fills with routes it
      // creates but not with routes it finds (only the periodic pass caches those). The CCM's own
      // behaviour, marker or not; its periodic pass re-points the leftover once a new Node has its CIDR.
      const last = live[0]!;
      live = live.filter((n) => n !== last);
      sampler.guarded = [...live];
      await w.cluster.deleteNode(last.name);
      await waitFor(`the CCM to handle ${last.name}'s deletion`, () => reconciled(last) >= 2, { timeoutMs: 30_000, describe: () => back.output() });
      expect(w.routes()).toContain(`${last.podCIDR!}>${last.instanceId}`);
      const reuse: NodeSpec = { name: "node-13", instanceId: instanceId(13), podCIDR: last.podCIDR! };
      const tReuse = performance.now();
      await w.cluster.createNode(nodeObject(reuse));
      live = [...live, reuse];
      // Its Node event comes first: the create meets the leftover as a duplicate, and the CCM still
      // reports node-13 routed (NetworkUnavailable=False) while the route points at node-0's instance.
      await waitFor("the CCM to handle node-13", () => reconciled(reuse) >= 1, { timeoutMs: 30_000, describe: () => back.output() });
      expect(w.routes()).toContain(`${reuse.podCIDR}>${last.instanceId}`);
      expect(await w.nodeCondition(reuse.name)).toMatchObject({ status: "False", reason: "RouteCreated" });
      await w.waitForRoutes(expectedRoutes(live), "the CCM's periodic pass to re-point the leftover at node-13", 150_000).catch((error: unknown) => {
        throw new Error(`${String(error)}\nCCM log:\n${back.output(60)}`);
      });
      figures["ccm: new Node on a leftover's CIDR routed"] = since(tReuse);
      figures["ccm calls (rollback, one Node deleted, one added)"] = ccmCalls().slice(rollbackFrom).map((r) => `${r.action}${r.code === "" ? "" : `:${r.code}`}`).join(",");
      await back.stop();
    } finally {
      sampler.stop();
    }

    expect(sampler.gaps).toEqual([]);
    expect(w.routes()).toEqual(expectedRoutes(live));
    for (const n of live) expect((await w.nodeCondition(n.name))?.status).toBe("False");
    expect(metadata.asked).toEqual([]);
    figures["samples"] = sampler.samples;
    figures["total"] = since(t0);
    console.log(`ccm-migration figures: ${JSON.stringify(figures)}`);
  }, 300_000);
});
