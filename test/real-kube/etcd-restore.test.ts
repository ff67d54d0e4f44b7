// etcd restored from a backup under a running controller, on a real kube-apiserver + etcd of this
// file's own (the shared server must not go back in time under the other files). The backup is cold
// and file-level: etcd stopped, its data directory copied, etcd started again (no etcdctl is built).
// After Nodes change, the backup is put back:
// 1. without restarting kube-apiserver: its watch cache keeps serving the state before the restore
//    to every list and watch, so the controller, which sees what the API server says, changes
//    nothing (and nothing can: the restored state is visible to no client);
// 2. after kube-apiserver restarts (the documented restore procedure), lists show the restored state
//    with a lower resourceVersion, while a watch from the controller's newer resourceVersion is
//    accepted and silent: only the periodic re-list (--node-relist-period, 4 s here) brings the
//    cache and the routes to the restored state. A Node that exists throughout never loses its route.
import { cp, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ControllerWorld, expectedRoutes, instanceId, nodeObject, podCidr, ROUTE_TABLE_ID, WRITE_ACTIONS, type NodeSpec } from "../support/controller-world.js";
import type { ControllerProcess } from "../support/controller-process.js";
import { waitFor } from "../support/wait-for.js";
import { apiRequest, RealKube } from "./real-kube.js";
import { RealCluster, realKubeBinDir, skipReason, tempDir } from "./support.js";

const RELIST_PERIOD = "4s";
const spec = (n: number, cidrIndex = n): NodeSpec => ({ name: `restore-${n}`, instanceId: instanceId(n), podCIDR: podCidr(cidrIndex) });
/** restore-0 and restore-3 exist, unchanged, from start to end. */
const BACKED_UP = [spec(0), spec(1), spec(2), spec(3)];
/** After the backup: restore-1 deleted, restore-2 given another pod CIDR, restore-4 added. */
const CHANGED = [spec(0), spec(2, 12), spec(3), spec(4)];

describe.skipIf(realKubeBinDir === undefined)(`etcd restored from a backup under a running controller${skipReason ? ` (${skipReason})` : ""}`, () => {
  let kube: RealKube;
  let cluster: RealCluster;
  let world: ControllerWorld | undefined;
  let backup: { path: string; remove: () => Promise<void> };

  beforeAll(async () => {
    kube = await RealKube.start({ binDir: realKubeBinDir! });
    cluster = new RealCluster(kube.info);
    backup = await tempDir("vrs-etcd-backup-");
  }, 180_000);

  afterAll(async () => {
    await world?.close();
    await kube?.stop();
    await backup?.remove();
  }, 60_000);

  async function apiserverReady(): Promise<void> {
    await waitFor("kube-apiserver ready", async () => (await apiRequest(kube.info, kube.info.token, "GET", "/readyz").catch(() => undefined))?.status === 200, { timeoutMs: 60_000 });
  }

  async function nodeNames(): Promise<string[]> {
    const list = await cluster.call<{ items: { metadata: { name: string } }[] }>("GET", "/api/v1/nodes");
    return list.items.map((n) => n.metadata.name).sort();
  }

  /** Periodic re-lists the controller logged so far (debug level). */
  function periodicLists(proc: ControllerProcess): { resourceVersion: string }[] {
    return proc.logged("nodes listed").filter((l) => l["reason"] === "periodic") as unknown as { resourceVersion: string }[];
  }

  it("the periodic re-list brings cache and routes to the restored state once kube-apiserver serves it; a Node that exists throughout keeps its route", async () => {
    for (const s of BACKED_UP) await cluster.createNode(nodeObject(s));
    world = await ControllerWorld.start({ kubeconfigPath: kube.info.kubeconfigPath, leaseNamespace: "kube-system" });
    const w = world;
    const proc = await w.startController("a", {}, ["--node-relist-period", RELIST_PERIOD, "--log-level", "debug"]);
    await w.waitForRoutes(expectedRoutes(BACKED_UP), "routes of the Nodes at the backup");
    const stableIds = new Set(
      w.vpc.entries(ROUTE_TABLE_ID).filter((e) => [podCidr(0), podCidr(3)].includes(e.destinationCidr)).map((e) => e.routeEntryId),
    );
    expect(stableIds.size).toBe(2);

    // The backup: etcd stopped, its data directory copied, etcd started again.
    await kube.stopEtcd();
    await cp(kube.etcdDataDir, join(backup.path, "etcd"), { recursive: true });
    await kube.startEtcd();
    await apiserverReady();

    await cluster.deleteNode("restore-1");
    await cluster.deleteNode("restore-2");
    await cluster.createNode(nodeObject(spec(2, 12)));
    await cluster.createNode(nodeObject(spec(4)));
    await w.waitForRoutes(expectedRoutes(CHANGED), "routes of the changed Nodes");
    // Writes that move etcd's revision well past what the controller's own writes (Lease renewals,
    // Events, status patches) add after the restore, so the restored revision is surely lower than
    // the one the controller has seen; a periodic re-list then records it.
    await cluster.call("POST", "/api/v1/namespaces/default/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "revision-pusher" }, data: { n: "0" } });
    for (let n = 1; n <= 150; n += 1) {
      await cluster.call("PATCH", "/api/v1/namespaces/default/configmaps/revision-pusher", { data: { n: String(n) } }, "application/merge-patch+json");
    }
    const pushedTo = (await cluster.call<{ metadata: { resourceVersion: string } }>("GET", "/api/v1/namespaces/default/configmaps/revision-pusher")).metadata.resourceVersion;
    await waitFor("a periodic re-list past the pushed revision", () => periodicLists(proc).some((l) => BigInt(l.resourceVersion) >= BigInt(pushedTo)), { timeoutMs: 30_000, describe: () => proc.output() });

    // The restore, first without restarting kube-apiserver.
    await kube.stopEtcd();
    await rm(kube.etcdDataDir, { recursive: true, force: true });
    await cp(join(backup.path, "etcd"), kube.etcdDataDir, { recursive: true });
    await kube.startEtcd();
    await apiserverReady();
    const relistsBefore = periodicLists(proc).length;
    await waitFor("two periodic re-lists after the restore", () => periodicLists(proc).length >= relistsBefore + 2, { timeoutMs: 30_000, describe: () => proc.output() });
    // kube-apiserver still serves the state before the restore; the controller agrees with it.
    expect(await nodeNames()).toEqual(CHANGED.map((s) => s.name).sort());
    expect(w.routes()).toEqual(expectedRoutes(CHANGED));
    expect(proc.logged("node list resourceVersion went back (etcd restored from a backup?): the node cache is rebuilt from this list")).toEqual([]);

    // The documented procedure restarts kube-apiserver: now lists show the restored state.
    await kube.restartApiserver();
    expect(await nodeNames()).toEqual(BACKED_UP.map((s) => s.name).sort());
    await w.waitForRoutes(expectedRoutes(BACKED_UP), "routes of the restored Nodes", 60_000);
    const rewind = await proc.waitForLog("the rewind", (l) => l.msg === "node list resourceVersion went back (etcd restored from a backup?): the node cache is rebuilt from this list");
    expect(BigInt(rewind["resourceVersion"] as string)).toBeLessThan(BigInt(rewind["previousResourceVersion"] as string));
    expect(await proc.metric("vpc_route_sync_informer_resource_version_rewinds_total")).toBeGreaterThanOrEqual(1);
    expect(await proc.metric('vpc_route_sync_informer_relist_corrections_total{kind="add"}')).toBeGreaterThanOrEqual(1);
    expect(await proc.metric('vpc_route_sync_informer_relist_corrections_total{kind="delete"}')).toBeGreaterThanOrEqual(1);

    // The cache follows the cluster again: a Node made now gets its route.
    await cluster.createNode(nodeObject(spec(5)));
    await w.waitForRoutes(expectedRoutes([...BACKED_UP, spec(5)]), "the route of a Node made after the restore");

    // The Nodes that existed throughout never lost their routes: no write named them.
    const writes = w.vpc.requests().filter((r) => WRITE_ACTIONS.has(r.action));
    expect(writes.filter((r) => Object.values(r.params).some((v) => stableIds.has(v))).map((r) => r.action)).toEqual([]);
    expect(w.vpc.entries(ROUTE_TABLE_ID).filter((e) => stableIds.has(e.routeEntryId))).toHaveLength(2);
    expect(proc.result, proc.output()).toBeUndefined();
  }, 300_000);
});
