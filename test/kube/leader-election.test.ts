import { CoordinationV1Api } from "../../src/kube/kube-apis.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startFakeKube, type FakeKubeServer } from "@vpc-route-sync/fake-kube-apiserver";
import { loadKubeConfig } from "../../src/kube/kube-config.js";
import { LeaderElectionError, LeaderElector, type LeaderElectorOptions } from "../../src/kube/leader-election.js";
import { waitFor } from "./helpers.js";

type Json = Record<string, unknown>;
const NAMESPACE = "kube-system";
const LEASE = "vpc-route-sync";
const FAST = { leaseDurationMs: 1000, renewDeadlineMs: 600, retryPeriodMs: 100 };

interface Candidate {
  identity: string;
  elector: LeaderElector;
  signals: AbortSignal[];
  stopped: number;
  leaders: string[];
}

describe("LeaderElector against the fake API server", () => {
  let fake: FakeKubeServer | undefined;
  const electors: LeaderElector[] = [];
  afterEach(async () => {
    await Promise.all(electors.splice(0).map((e) => e.stop()));
    await fake?.close();
    fake = undefined;
  });

  /** Leaders at the same time, across all candidates; must never exceed 1. */
  let concurrent = 0;
  let maxConcurrent = 0;

  function candidate(identity: string, timings: Partial<LeaderElectorOptions> = FAST): Candidate {
    const coordination = loadKubeConfig({ kubeconfigPath: fake!.kubeconfigPath }).makeApiClient(CoordinationV1Api);
    const result: Candidate = { identity, elector: undefined as unknown as LeaderElector, signals: [], stopped: 0, leaders: [] };
    result.elector = new LeaderElector({
      coordination,
      namespace: NAMESPACE,
      name: LEASE,
      identity,
      ...timings,
      onStartedLeading: (signal) => {
        result.signals.push(signal);
        concurrent += 1;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
      },
      onStoppedLeading: () => {
        result.stopped += 1;
        concurrent -= 1;
      },
      onNewLeader: (leader) => result.leaders.push(leader),
    });
    electors.push(result.elector);
    return result;
  }

  function lease(): Json {
    return fake!.getLease(NAMESPACE, LEASE)!;
  }
  const spec = (): Json => lease()["spec"] as Json;

  async function twoCandidates() {
    fake = await startFakeKube();
    concurrent = 0;
    maxConcurrent = 0;
    const a = candidate("replica-a");
    const b = candidate("replica-b");
    a.elector.start();
    b.elector.start();
    await waitFor(() => a.elector.isLeader() || b.elector.isLeader(), "a leader");
    const [leader, follower] = a.elector.isLeader() ? [a, b] : [b, a];
    return { leader, follower };
  }

  it("elects exactly one leader and keeps renewing", async () => {
    const { leader, follower } = await twoCandidates();
    const leaderId = leader.identity;
    await waitFor(() => follower.elector.leader === leaderId, "the follower observes the leader");
    const firstRenew = spec()["renewTime"];
    await waitFor(() => spec()["renewTime"] !== firstRenew, "a renewal");
    expect(leader.elector.isLeader()).toBe(true);
    expect(follower.elector.isLeader()).toBe(false);
    expect(follower.leaders).toContain(leaderId);
    expect(maxConcurrent).toBe(1);
    expect(spec()).toMatchObject({ holderIdentity: leaderId, leaseDurationSeconds: 1, leaseTransitions: 0 });
    expect(String(spec()["renewTime"])).toMatch(/\.\d{6}Z$/);
    expect(String(spec()["acquireTime"])).toMatch(/\.\d{6}Z$/);
  });

  // Issue 19 (idle CPU): like client-go, a leader renews by replacing the Lease it last wrote,
  // without reading it first; an edit by anyone else makes that replace fail (409) and the read
  // decides (the step-down tests below).
  it("a leader renews with one conditional replace per retry period, no read", async () => {
    fake = await startFakeKube();
    const a = candidate("replica-a");
    a.elector.start();
    await waitFor(() => a.elector.isLeader(), "the leader");
    const leaseRequests = () => fake!.requests().filter((r) => r.path.includes("/leases"));
    const before = leaseRequests().length;
    const renewTimes = new Set<unknown>();
    await waitFor(() => (renewTimes.add(spec()["renewTime"]), renewTimes.size >= 6), "five renewals");
    const during = leaseRequests().slice(before);
    expect(during.length).toBeGreaterThanOrEqual(5);
    expect(during.every((r) => r.method === "PUT" && r.status === 200)).toBe(true);
    expect(a.elector.isLeader()).toBe(true);
  });

  it("renewals leave nothing on the loop's long-lived signal: no AbortSignal.any per attempt (Node keeps each one)", async () => {
    fake = await startFakeKube();
    const a = candidate("replica-a");
    const any = vi.spyOn(AbortSignal, "any");
    try {
      a.elector.start();
      await waitFor(() => a.elector.isLeader(), "the leader");
      const renewTimes = new Set<unknown>();
      await waitFor(() => (renewTimes.add(spec()["renewTime"]), renewTimes.size >= 4), "three renewals");
      expect(any).not.toHaveBeenCalled();
    } finally {
      any.mockRestore();
    }
  });

  it("a killed leader (no release) is replaced once the lease expires", async () => {
    const { leader, follower } = await twoCandidates();
    await leader.elector.stop();
    expect(leader.signals[0]!.aborted).toBe(true);
    const followerId = follower.identity;
    await waitFor(() => follower.elector.isLeader(), "the follower takes over", { timeoutMs: 10_000 });
    expect(spec()).toMatchObject({ holderIdentity: followerId, leaseTransitions: 1 });
    expect(maxConcurrent).toBe(1);
  });

  it("release() hands over at once instead of after the lease duration", async () => {
    fake = await startFakeKube();
    concurrent = 0;
    maxConcurrent = 0;
    // A 60 s lease: only a release lets the follower lead within the 5 s deadline below.
    const slow = { leaseDurationMs: 60_000, renewDeadlineMs: 40_000, retryPeriodMs: 100 };
    // A Lease released earlier: taken at once (creating a missing one would mean waiting 60 s first).
    fake.createLease(NAMESPACE, { metadata: { name: LEASE, namespace: NAMESPACE }, spec: { leaseDurationSeconds: 1, leaseTransitions: 0 } });
    const a = candidate("replica-a", slow);
    a.elector.start();
    await waitFor(() => a.elector.isLeader(), "a leads");
    const b = candidate("replica-b", slow);
    b.elector.start();
    await waitFor(() => b.elector.leader === "replica-a", "b observes a");
    await a.elector.release();
    expect(a.signals[0]!.aborted).toBe(true);
    expect(a.stopped).toBe(1);
    await waitFor(() => b.elector.isLeader(), "b takes over after the release", { timeoutMs: 5_000 });
    expect(spec()).toMatchObject({ holderIdentity: "replica-b", leaseTransitions: 2, leaseDurationSeconds: 60 });
    expect(maxConcurrent).toBe(1);
  });

  // Issue 20, item 5: an edited or deleted Lease let the other replica lead while the first still ran.
  it("a replica named holder by an edit of the Lease waits one lease duration before leading; never two leaders", async () => {
    const { leader, follower } = await twoCandidates();
    const startedAt: number[] = [];
    const started = follower.signals.length;
    const editedAt = Date.now();
    fake!.updateLease(NAMESPACE, LEASE, (l) => {
      (l["spec"] as Json)["holderIdentity"] = follower.identity;
      return l;
    });
    await waitFor(() => leader.stopped > 0, "the old leader to step down", { timeoutMs: 5_000 });
    await waitFor(() => follower.signals.length > started, "the new leader to start", { timeoutMs: 5_000 });
    startedAt.push(Date.now());
    expect(startedAt[0]! - editedAt).toBeGreaterThanOrEqual(1_000);
    expect(maxConcurrent).toBe(1);
  });

  it("a replica that never saw the Lease creates it and leads at once (a new installation does not wait)", async () => {
    fake = await startFakeKube();
    concurrent = 0;
    maxConcurrent = 0;
    // A lease of a minute: waiting it out would time the wait below out.
    const a = candidate("replica-a", { ...FAST, leaseDurationMs: 60_000 });
    a.elector.start();
    await waitFor(() => a.signals.length === 1, "a leads", { timeoutMs: 20_000 });
    expect(fake.getLease(NAMESPACE, LEASE)).toBeDefined();
  });

  it("a replica that saw the Lease and finds it deleted waits one lease duration before leading", async () => {
    const { leader, follower } = await twoCandidates();
    await waitFor(() => follower.elector.leader === leader.identity, "the follower observes the leader");
    await leader.elector.stop();
    fake!.deleteLease(NAMESPACE, LEASE);
    const begun = Date.now();
    await waitFor(() => fake!.getLease(NAMESPACE, LEASE) !== undefined, "the Lease to be created again");
    expect(follower.signals).toHaveLength(0);
    await waitFor(() => follower.signals.length === 1, "the follower leads", { timeoutMs: 5_000 });
    expect(Date.now() - begun).toBeGreaterThanOrEqual(900);
    expect(maxConcurrent).toBe(1);
  });

  it("release() leaves a lease held by someone else alone", async () => {
    const { leader, follower } = await twoCandidates();
    await follower.elector.release();
    expect(spec()["holderIdentity"]).toBe(leader.identity);
    expect(leader.elector.isLeader()).toBe(true);
  });

  it("a leader whose renewals fail steps down within the renew deadline and aborts its signal", async () => {
    const { leader } = await twoCandidates();
    const stoppedBefore = leader.stopped;
    fake!.faults.failRequests({ status: 500, method: "PUT", path: `/leases/${LEASE}$` });
    await waitFor(() => leader.signals[0]!.aborted, "signal aborted", { timeoutMs: 5_000 });
    expect(leader.elector.isLeader()).toBe(false);
    expect(leader.stopped).toBe(stoppedBefore + 1);
    expect(leader.signals[0]!.reason).toBeInstanceOf(LeaderElectionError);
    expect(maxConcurrent).toBe(1);
    // Once the API works again, someone leads again.
    fake!.faults.clearErrors();
    await waitFor(() => electors.some((e) => e.isLeader()), "a leader again", { timeoutMs: 10_000 });
    expect(maxConcurrent).toBe(1);
  });

  it("a renew answered after the leader stepped down never makes it leader again while another replica leads", async () => {
    const { leader, follower } = await twoCandidates();
    await waitFor(() => follower.elector.leader === leader.identity, "the follower observes the leader");
    // The server applies the leader's next renew at once but answers 2.5 s later: longer than the
    // lease (1 s), so the follower sees the lease expire and takes it over before the answer lands.
    fake!.faults.delayAnswers({ ms: 2_500, method: "PUT", path: `/leases/${LEASE}$`, times: 1 });
    await waitFor(() => leader.signals[0]!.aborted, "the leader steps down at its renew deadline", { timeoutMs: 5_000 });
    // Past the late answer, and a few retry periods on top.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(maxConcurrent).toBe(1);
    expect([leader, follower].filter((c) => c.elector.isLeader())).toHaveLength(1);
    expect(spec()["holderIdentity"]).toBe([leader, follower].find((c) => c.elector.isLeader())!.identity);
  });

  it("a leader that sees another holder steps down at once", async () => {
    const { leader } = await twoCandidates();
    fake!.updateLease(NAMESPACE, LEASE, (current) => {
      (current["spec"] as Json)["holderIdentity"] = "someone-else";
    });
    await waitFor(() => !leader.elector.isLeader(), "leader steps down");
    expect(leader.signals[0]!.aborted).toBe(true);
  });

  it.each<[string, Partial<LeaderElectorOptions>, RegExp]>([
    ["renew deadline not below lease duration", { leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }, /leaseDuration \(10000 ms\) must be greater than renewDeadline \(10000 ms\)/],
    ["retry period too close to renew deadline", { renewDeadlineMs: 2_000, retryPeriodMs: 2_000 }, /renewDeadline \(2000 ms\) must be greater than 1.2 × retryPeriod \(2000 ms\)/],
    ["empty identity", { identity: "" }, /identity must not be empty/],
  ])("rejects bad options: %s", (_name, options, message) => {
    expect(
      () =>
        new LeaderElector({
          coordination: {} as CoordinationV1Api,
          namespace: NAMESPACE,
          name: LEASE,
          identity: "x",
          onStartedLeading: () => undefined,
          ...options,
        }),
    ).toThrow(message);
  });
});
