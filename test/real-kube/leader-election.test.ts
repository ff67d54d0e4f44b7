// Leader election on real Leases (coordination.k8s.io/v1 on kube-apiserver + etcd), in process with
// a manual clock: a follower whose clock is skewed an hour either way from the holder's takes over
// only after leaseDuration of its own time (expiry is judged by local time since the record last
// changed, never by comparing renewTime with our clock); and two electors racing for a new Lease end
// with one leader, the loser's write refused by the server's optimistic concurrency.
import { CoordinationV1Api } from "../../src/kube/kube-apis.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadKubeConfig } from "../../src/kube/kube-config.js";
import { LeaderElector } from "../../src/kube/leader-election.js";
import { ManualTimers } from "../support/manual-timers.js";
import { waitFor } from "../support/wait-for.js";
import { auditEvents, RealCluster, realKube, skipReason } from "./support.js";

const NS = "vrs-leader";
const ADMIN = "real-kube-admin";

describe.skipIf(realKube === undefined)(`LeaderElector on a real API server${skipReason ? ` (${skipReason})` : ""}`, () => {
  let cluster: RealCluster;
  const electors: LeaderElector[] = [];

  beforeAll(async () => {
    cluster = new RealCluster(realKube!);
    await cluster.ensureNamespace(NS);
  });

  afterEach(async () => {
    await Promise.all(electors.splice(0).map((e) => e.stop()));
  });

  afterAll(async () => {
    await Promise.all(electors.map((e) => e.stop()));
  });

  function coordination(): CoordinationV1Api {
    return loadKubeConfig({ kubeconfigPath: realKube!.kubeconfigPath }).makeApiClient(CoordinationV1Api);
  }

  it.each([
    ["an hour behind ours", -3_600_000, "skew-behind"],
    ["an hour ahead of ours", 3_600_000, "skew-ahead"],
  ])("a Lease renewed by a holder whose clock is %s expires after leaseDuration of our time", async (_name, skewMs, leaseName) => {
    const timers = new ManualTimers();
    const renewTime = new Date(timers.now() + skewMs).toISOString().replace("Z", "000Z");
    await cluster.create(
      {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: leaseName },
        spec: { holderIdentity: "ghost", leaseDurationSeconds: 15, renewTime, acquireTime: renewTime, leaseTransitions: 3 },
      },
      NS,
    );
    const elector = new LeaderElector({ coordination: coordination(), namespace: NS, name: leaseName, identity: "replica-a", timers, onStartedLeading: () => undefined });
    electors.push(elector);
    const reads = async (): Promise<number> => (await auditEvents(realKube!, ADMIN)).filter((e) => e.verb === "get" && e.requestURI.endsWith(`/leases/${leaseName}`)).length;

    elector.start();
    await waitFor("first read", () => elector.leader === "ghost");
    const start = timers.now();
    while (timers.now() - start < 13_000) {
      const before = await reads();
      timers.advanceSync(4_400);
      await waitFor("next attempt done", async () => (await reads()) > before && timers.pendingCount > 0);
      expect(elector.isLeader()).toBe(false);
    }
    timers.advanceSync(4_400);
    await waitFor("takeover once 15 s of our time passed", () => elector.isLeader());
    expect(timers.now() - start).toBeGreaterThanOrEqual(15_000);
    const lease = await cluster.call<{ spec: Record<string, unknown> }>("GET", `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/${leaseName}`);
    expect(lease.spec).toMatchObject({ holderIdentity: "replica-a", leaseTransitions: 4 });
  });

  it("two electors racing for a new Lease: one leads and the other follows it; a losing create is refused with 409", async () => {
    const leaseName = "race";
    const clocks = [new ManualTimers(), new ManualTimers()] as const;
    const [a, b] = (["replica-a", "replica-b"] as const).map(
      (identity, i) => new LeaderElector({ coordination: coordination(), namespace: NS, name: leaseName, identity, timers: clocks[i]!, onStartedLeading: () => undefined }),
    ) as [LeaderElector, LeaderElector];
    electors.push(a, b);
    a.start();
    b.start();
    const identities = ["replica-a", "replica-b"] as const;
    const leader = await waitFor("one leader", () => {
      const leaders = [a, b].filter((e) => e.isLeader());
      if (leaders.length === 1) return leaders[0];
      // The one that created the Lease waits a lease duration (15 s on its clock) before it leads
      // (it cannot know the Lease was not just deleted under another leader): move its clock on a
      // second at a time, so its renewals keep running in between.
      [a, b].forEach((e, i) => {
        if (e.leader === identities[i] && clocks[i]!.pendingCount > 0) clocks[i]!.advanceSync(1_000);
      });
      return false;
    });
    const follower = leader === a ? b : a;
    const followerClock = leader === a ? clocks[1] : clocks[0];
    const leaderId = leader === a ? "replica-a" : "replica-b";
    // The follower's next attempt (after its retry period on its own clock) reads the Lease.
    await waitFor("the follower to see the leader", () => {
      if (follower.leader === leaderId) return true;
      if (followerClock.pendingCount > 0) followerClock.advanceSync(4_400);
      return false;
    });
    expect(follower.isLeader()).toBe(false);
    const lease = await cluster.call<{ metadata: { resourceVersion: string }; spec: { holderIdentity: string } }>("GET", `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/${leaseName}`);
    expect(["replica-a", "replica-b"]).toContain(lease.spec.holderIdentity);
    // Both asked to create the one Lease, or the later one read it first: either way at most one
    // create succeeded, and any refused one was refused by the server (409), not lost.
    const creates = (await auditEvents(realKube!, ADMIN)).filter(
      (e) => e.verb === "create" && e.objectRef?.resource === "leases" && e.objectRef.namespace === NS && e.objectRef.name === leaseName,
    );
    expect(creates.filter((e) => e.responseStatus?.code === 201)).toHaveLength(1);
    expect(creates.every((e) => e.responseStatus?.code === 201 || e.responseStatus?.code === 409)).toBe(true);
  });
});
