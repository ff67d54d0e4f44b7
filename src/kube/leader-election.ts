// Leader election on a coordination.k8s.io/v1 Lease, the client-go algorithm (client-node 2.0.1
// ships none). Two replicas run; only the leader writes routes and Node status.
//
// - Every retryPeriod the elector reads the Lease. Missing: create it (409: someone was faster).
// - Held by another identity: expired only when the LOCAL time since we last saw the record
//   change exceeds its leaseDurationSeconds. Remote renewTime is never compared with our clock,
//   so clock skew between nodes cannot cause a takeover.
// - Take over or renew with a full replace carrying the resourceVersion we read: a 409 means
//   someone else wrote first and we are not leader. Takeover sets acquireTime and increments
//   leaseTransitions.
// - A leader that has not renewed for renewDeadline steps down at once, even while a request is
//   still hanging: its AbortSignal fires so the controller stops writing before another replica
//   can take over (renewDeadline < leaseDuration leaves the margin).
// - Leadership is measured from when a successful attempt was SENT, never from when its answer
//   arrived: the server may have applied a renew long before a slow answer reaches us, and another
//   replica's expiry clock starts from the record it saw. Every attempt is an HTTP request aborted
//   at its deadline (renewDeadline, or what is left of it while leading), and an answer that
//   arrives after a step-down (the epoch moved on) or after sentAt + renewDeadline is stale: it
//   never makes this replica leader again. The next attempt, sent fresh, decides.
// - One writer at a time also when the Lease is deleted or edited by hand (issue 20, item 5): a
//   replica that becomes leader WITHOUT having watched the previous holder's lease expire on its
//   own clock — it created a Lease it had seen before and now found missing, or found itself named
//   holder while not leading — may
//   be facing a leader that is still writing. It holds the Lease but waits one lease duration
//   before onStartedLeading (no write before then). The old leader, whatever it does, stops
//   within renewDeadline < leaseDuration of its last renew: its next renew sees the other holder
//   (or gets 409), or its renew deadline passes. A Lease released by its holder (holderIdentity
//   cleared on shutdown, after its writes ended) and one seen expiring are taken over at once.
// - release() (graceful shutdown) clears holderIdentity and sets leaseDurationSeconds to 1 so the
//   other replica takes over on its next retry instead of waiting out the lease.
// After stepping down the elector keeps campaigning; it may lead again with a new signal.

import type { V1Lease, V1LeaseSpec } from "@kubernetes/client-node";
import { V1MicroTime, type CoordinationV1Api } from "./kube-apis.js";
import { describeKubeError, isConflict, isNotFound } from "./api-error.js";
import { ACQUIRE_JITTER, leaderTimingProblem } from "./leader-timing.js";
import { abortable } from "./request-options.js";
import { SILENT_LOGGER, type KubeLogger } from "./kube-logger.js";
import { sleep, realTimers, type Timers, type TimerHandle } from "../util/timers.js";
import { linkedSignal } from "../util/linked-signal.js";
import { KubernetesError } from "../errors.js";
import { DEFAULTS } from "../defaults.js";


export interface LeaderElectorOptions {
  coordination: CoordinationV1Api;
  namespace: string;
  /** Lease name. */
  name: string;
  /** This replica's identity (unique per replica, e.g. the Pod name). */
  identity: string;
  /** How long a Lease holds without renewal. @default DEFAULTS.leaseDurationMs */
  leaseDurationMs?: number;
  /** A leader that could not renew for this long steps down. @default DEFAULTS.renewDeadlineMs */
  renewDeadlineMs?: number;
  /** Time between attempts to acquire or renew. @default DEFAULTS.retryPeriodMs */
  retryPeriodMs?: number;
  /** Called on becoming leader; `signal` aborts the moment leadership is lost or given up. */
  onStartedLeading: (signal: AbortSignal) => void;
  /** Called when leadership ends (lost, deadline passed, stop() or release()). */
  onStoppedLeading?: () => void;
  /** Called when the observed holder changes (including to this replica). */
  onNewLeader?: (identity: string) => void;
  timers?: Timers;
  logger?: KubeLogger;
}

/** "leader-unsure": acquired without seeing the previous holder's lease expire (see the header). */
type Attempt = "leader" | "leader-unsure" | "follower" | "error";

/** @internal exported for tests */
export class LeaderElectionError extends KubernetesError {
  override readonly name: string = "LeaderElectionError";
}

/** What identifies one write of a Lease's spec (a change of it restarts the expiry clock). */
function recordOf(spec: V1LeaseSpec): string {
  return JSON.stringify([
    spec.holderIdentity ?? "",
    // Full precision: String(Date) is whole seconds, and a renew within the same second (sub-second
    // retry periods) would not count as a change, costing up to a second of margin (issue 20, item 6).
    timeText(spec.renewTime),
    timeText(spec.acquireTime),
    spec.leaseDurationSeconds ?? 0,
    spec.leaseTransitions ?? 0,
  ]);
}

/** A Lease time as comparable text, to the precision client-node parses it (milliseconds). */
function timeText(value: Date | string | undefined): string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "" : value.toISOString();
  return value ?? "";
}

export class LeaderElector {
  readonly #api: CoordinationV1Api;
  readonly #namespace: string;
  readonly #name: string;
  readonly #identity: string;
  readonly #leaseDurationMs: number;
  readonly #leaseDurationSeconds: number;
  readonly #renewDeadlineMs: number;
  readonly #retryPeriodMs: number;
  readonly #onStartedLeading: (signal: AbortSignal) => void;
  readonly #onStoppedLeading: (() => void) | undefined;
  readonly #onNewLeader: ((identity: string) => void) | undefined;
  readonly #timers: Timers;
  readonly #log: KubeLogger;

  #running = false;
  #loopAbort = new AbortController();
  #loopDone: Promise<void> = Promise.resolve();
  #leading = false;
  #leaderAbort: AbortController | undefined;
  #deadlineTimer: TimerHandle | undefined;
  /** While leading but still waiting out a lease duration before the first write. */
  #settleTimer: TimerHandle | undefined;
  /** onStartedLeading was called for this leadership (so onStoppedLeading is owed). */
  #started = false;
  /** Moves on at every step-down: an attempt's answer counts only in the epoch it was sent in. */
  #epoch = 0;
  /** Aborts the Lease request in flight (deadline, step-down, stop). */
  #attemptAbort: AbortController | undefined;
  /** While leading: the time by which the next renew must have been sent and answered. */
  #renewBy = 0;
  /** The last record seen and the local time it was first seen (the skew-safe expiry clock). */
  #observedRecord = "";
  #observedAt = 0;
  #observedHolder = "";
  /** The record this replica last wrote (create or replace): a Lease still saying it was touched by no one else. */
  #ownRecord = "";
  /** While leading: the Lease as our last write left it (with its resourceVersion), for renewing without a read. */
  #ownLease: V1Lease | undefined;

  constructor(options: LeaderElectorOptions) {
    this.#api = options.coordination;
    this.#namespace = options.namespace;
    this.#name = options.name;
    this.#identity = options.identity;
    this.#leaseDurationMs = options.leaseDurationMs ?? DEFAULTS.leaseDurationMs;
    this.#renewDeadlineMs = options.renewDeadlineMs ?? DEFAULTS.renewDeadlineMs;
    this.#retryPeriodMs = options.retryPeriodMs ?? DEFAULTS.retryPeriodMs;
    this.#leaseDurationSeconds = Math.max(1, Math.ceil(this.#leaseDurationMs / 1000));
    this.#onStartedLeading = options.onStartedLeading;
    this.#onStoppedLeading = options.onStoppedLeading;
    this.#onNewLeader = options.onNewLeader;
    this.#timers = options.timers ?? realTimers;
    this.#log = options.logger ?? SILENT_LOGGER;

    for (const [field, value] of [
      ["namespace", this.#namespace],
      ["name", this.#name],
      ["identity", this.#identity],
    ] as const) {
      if (value === "") throw new LeaderElectionError(`leader election: ${field} must not be empty`);
    }
    const problem = leaderTimingProblem({
      leaseDurationMs: this.#leaseDurationMs,
      renewDeadlineMs: this.#renewDeadlineMs,
      retryPeriodMs: this.#retryPeriodMs,
    });
    if (problem) throw new LeaderElectionError(`leader election: ${problem.message}`);
  }

  /** True once onStartedLeading has been called and until leadership ends (not while waiting a lease duration first). */
  isLeader(): boolean {
    return this.#leading && this.#settleTimer === undefined;
  }

  /** The holder last seen on the Lease ("" when none or not read yet). */
  get leader(): string {
    return this.#observedHolder;
  }

  /** Starts campaigning in the background. Calling it while running does nothing. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loopAbort = new AbortController();
    this.#loopDone = this.#loop(this.#loopAbort.signal);
  }

  /**
   * Stops campaigning and steps down locally (the signal aborts) WITHOUT touching the Lease: the
   * other replica takes over once the lease expires. For shutdown use release().
   */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#loopAbort.abort();
    this.#stepDown("stopped");
    // An in-flight request may hang; do not let it hold up shutdown past one renew deadline.
    // The guard is cancelled once the race is decided, so its timer never outlives stop().
    const guard = new AbortController();
    try {
      await Promise.race([this.#loopDone, sleep(this.#timers, this.#renewDeadlineMs, guard.signal)]);
    } finally {
      guard.abort();
    }
  }

  /**
   * Graceful shutdown: stops, then, if this replica holds the Lease, clears holderIdentity and sets
   * leaseDurationSeconds to 1 so another replica can lead at once. The caller must have stopped
   * writing (the signal aborted before this returns) — never release while still working.
   */
  async release(): Promise<void> {
    await this.stop();
    // Bounded like every Lease call; a real timer on purpose: it guards a socket, not a schedule.
    const signal = AbortSignal.timeout(this.#renewDeadlineMs);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      let lease: V1Lease;
      try {
        lease = await this.#api.readNamespacedLease({ name: this.#name, namespace: this.#namespace }, abortable(signal));
      } catch (error) {
        if (!isNotFound(error)) this.#log.warn({ err: describeKubeError(error) }, "reading lease for release failed");
        return;
      }
      if (lease.spec?.holderIdentity !== this.#identity) return;
      const now = new V1MicroTime(this.#timers.now());
      // Without holderIdentity, every candidate may take the Lease on its next attempt.
      const { holderIdentity: _released, ...kept } = lease.spec;
      const spec: V1LeaseSpec = { ...kept, leaseDurationSeconds: 1, acquireTime: now, renewTime: now };
      try {
        await this.#api.replaceNamespacedLease({
          name: this.#name,
          namespace: this.#namespace,
          body: { ...lease, spec },
        }, abortable(signal));
        this.#log.info({ lease: `${this.#namespace}/${this.#name}` }, "leader lease released");
        return;
      } catch (error) {
        if (!isConflict(error)) {
          this.#log.warn({ err: describeKubeError(error) }, "releasing lease failed");
          return;
        }
        // A renew of ours landed in between; read again and retry.
      }
    }
  }

  async #loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const epoch = this.#epoch;
      const sentAt = this.#timers.now();
      // Every Lease call is bounded: a follower's by renewDeadline, a leader's by what is left
      // before its renew deadline (the deadline timer steps down, and aborts this attempt, at that
      // same moment). A real timer on purpose: it guards a socket, not a schedule, so it must not
      // follow a test clock.
      const budget = this.#leading ? Math.max(0, this.#renewBy - sentAt) : this.#renewDeadlineMs;
      const attempt = new AbortController();
      this.#attemptAbort = attempt;
      let result: Attempt;
      // Linked and unlinked per attempt: AbortSignal.any would leave one dependant per renew on the
      // loop's signal, which lives as long as the process (src/util/linked-signal.ts).
      const attemptSignal = linkedSignal([attempt.signal, signal, AbortSignal.timeout(Math.max(1, budget))]);
      try {
        result = (await this.#renewWithoutRead(attemptSignal.signal)) ?? (await this.#tryAcquireOrRenew(attemptSignal.signal));
      } finally {
        attemptSignal.dispose();
        if (this.#attemptAbort === attempt) this.#attemptAbort = undefined;
      }
      if (signal.aborted) return;
      if (result === "leader" || result === "leader-unsure") {
        const renewBy = sentAt + this.#renewDeadlineMs;
        const now = this.#timers.now();
        if (epoch !== this.#epoch || now >= renewBy) {
          // A late answer: the replica stepped down meanwhile, or the lease it confirms may already
          // have been judged expired elsewhere. Only a fresh attempt may make us leader again.
          this.#log.warn({ lease: `${this.#namespace}/${this.#name}`, ageMs: now - sentAt }, "stale lease answer ignored");
        } else {
          this.#renewBy = renewBy;
          this.#armDeadline(renewBy - now);
          if (!this.#leading) this.#becomeLeader(result === "leader-unsure");
        }
      } else if (result === "follower" && this.#leading) {
        this.#stepDown(`lease taken by ${this.#observedHolder || "nobody"}`);
      }
      // result "error" while leading: keep trying until the renew deadline timer fires.
      const wait = this.#leading
        ? this.#retryPeriodMs
        : this.#retryPeriodMs * (1 + this.#timers.random() * ACQUIRE_JITTER);
      await sleep(this.#timers, wait, signal);
    }
  }

  /**
   * A leader's renew as client-go does it: the Lease as our last write left it, with a new
   * renewTime, replaced without reading it first (the resourceVersion makes it conditional: if
   * anyone else wrote since, the API server answers 409). Halves the Lease requests of a leader.
   * Undefined when not leading, or when it did not succeed: then the usual read-then-write decides.
   */
  async #renewWithoutRead(signal: AbortSignal): Promise<Attempt | undefined> {
    const lease = this.#leading ? this.#ownLease : undefined;
    if (lease?.spec?.holderIdentity !== this.#identity) return undefined;
    this.#ownLease = undefined;
    const spec: V1LeaseSpec = { ...lease.spec, renewTime: new V1MicroTime(this.#timers.now()) };
    try {
      const updated = await this.#api.replaceNamespacedLease({ name: this.#name, namespace: this.#namespace, body: { ...lease, spec } }, abortable(signal));
      this.#observe(updated);
      this.#ownRecord = recordOf(updated.spec ?? {});
      this.#ownLease = updated;
      return "leader";
    } catch (error) {
      if (signal.aborted) return "error";
      this.#log.debug({ err: describeKubeError(error) }, "renewing the lease without reading it failed; reading it");
      return undefined;
    }
  }

  async #tryAcquireOrRenew(signal: AbortSignal): Promise<Attempt> {
    const leaseName = { name: this.#name, namespace: this.#namespace };
    let lease: V1Lease;
    try {
      lease = await this.#api.readNamespacedLease(leaseName, abortable(signal));
    } catch (error) {
      if (!isNotFound(error)) {
        if (signal.aborted) return "error";
        this.#log.warn({ err: describeKubeError(error) }, "reading leader lease failed");
        return "error";
      }
      return this.#createLease(signal);
    }

    this.#observe(lease);
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? "";
    if (holder !== "" && holder !== this.#identity && !this.#expired(spec)) return "follower";

    const now = new V1MicroTime(this.#timers.now());
    const takingOver = holder !== this.#identity;
    // Named holder while not leading, in a record this replica did not write: someone edited the Lease.
    const editedToUs = !takingOver && !this.#leading && recordOf(spec) !== this.#ownRecord;
    const renewed: V1LeaseSpec = {
      ...spec,
      holderIdentity: this.#identity,
      leaseDurationSeconds: this.#leaseDurationSeconds,
      renewTime: now,
      acquireTime: takingOver ? now : spec.acquireTime ?? now,
      leaseTransitions: takingOver ? (spec.leaseTransitions ?? 0) + 1 : spec.leaseTransitions ?? 0,
    };
    try {
      const updated = await this.#api.replaceNamespacedLease({ ...leaseName, body: { ...lease, spec: renewed } }, abortable(signal));
      this.#observe(updated);
      this.#ownRecord = recordOf(updated.spec ?? {});
      this.#ownLease = updated;
      if (takingOver) {
        this.#log.info({ previousHolder: holder, leaseTransitions: renewed.leaseTransitions }, "leader lease taken over");
      }
      return editedToUs ? "leader-unsure" : "leader";
    } catch (error) {
      if (isConflict(error)) return "follower";
      this.#log.warn({ err: describeKubeError(error) }, takingOver ? "taking leader lease failed" : "renewing leader lease failed");
      return "error";
    }
  }

  /** Creates the Lease, holding it; a conflict means another replica created it first. */
  async #createLease(signal: AbortSignal): Promise<Attempt> {
    const now = new V1MicroTime(this.#timers.now());
    try {
      const created = await this.#api.createNamespacedLease({
        namespace: this.#namespace,
        body: {
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name: this.#name, namespace: this.#namespace },
          spec: {
            holderIdentity: this.#identity,
            leaseDurationSeconds: this.#leaseDurationSeconds,
            acquireTime: now,
            renewTime: now,
            leaseTransitions: 0,
          },
        },
      }, abortable(signal));
      // A Lease this replica saw before and now finds missing may have been deleted under a leader
      // that is still writing. One it never saw (the first start of the first replica) had no holder
      // this replica could have watched expire: it leads at once, or a new installation would wait.
      const sawLease = this.#observedRecord !== "";
      this.#observe(created);
      this.#ownRecord = recordOf(created.spec ?? {});
      this.#ownLease = created;
      return sawLease ? "leader-unsure" : "leader";
    } catch (createError) {
      if (isConflict(createError)) return "follower";
      this.#log.warn({ err: describeKubeError(createError) }, "creating leader lease failed");
      return "error";
    }
  }

  /** Records the lease as seen now if its record changed since the last look. */
  #observe(lease: V1Lease): void {
    const spec = lease.spec ?? {};
    const record = recordOf(spec);
    if (record !== this.#observedRecord) {
      this.#observedRecord = record;
      this.#observedAt = this.#timers.now();
    }
    const holder = spec.holderIdentity ?? "";
    if (holder !== this.#observedHolder) {
      this.#observedHolder = holder;
      if (holder !== "") {
        this.#log.info({ leader: holder }, "new leader observed");
        try {
          this.#onNewLeader?.(holder);
        } catch (error) {
          this.#log.error({ err: describeKubeError(error) }, "onNewLeader threw");
        }
      }
    }
  }

  #expired(spec: V1LeaseSpec): boolean {
    const durationMs = (spec.leaseDurationSeconds ?? this.#leaseDurationSeconds) * 1000;
    return this.#timers.now() - this.#observedAt >= durationMs;
  }

  #armDeadline(ms: number): void {
    if (this.#deadlineTimer !== undefined) this.#timers.clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = this.#timers.setTimeout(() => {
      this.#deadlineTimer = undefined;
      this.#stepDown(`lease not renewed within ${this.#renewDeadlineMs} ms`);
    }, ms);
  }

  #becomeLeader(unsure: boolean): void {
    this.#leading = true;
    const abort = new AbortController();
    this.#leaderAbort = abort;
    if (!unsure) {
      this.#startLeading(abort.signal);
      return;
    }
    this.#log.warn(
      { lease: `${this.#namespace}/${this.#name}`, waitMs: this.#leaseDurationMs },
      "lease acquired without seeing the previous holder's lease expire: waiting one lease duration before leading",
    );
    this.#settleTimer = this.#timers.setTimeout(() => {
      this.#settleTimer = undefined;
      if (this.#leading && this.#leaderAbort === abort) this.#startLeading(abort.signal);
    }, this.#leaseDurationMs);
  }

  #startLeading(signal: AbortSignal): void {
    this.#started = true;
    this.#log.info({ lease: `${this.#namespace}/${this.#name}` }, "became leader");
    try {
      this.#onStartedLeading(signal);
    } catch (error) {
      this.#log.error({ err: describeKubeError(error) }, "onStartedLeading threw");
    }
  }

  #stepDown(reason: string): void {
    this.#ownLease = undefined;
    if (this.#deadlineTimer !== undefined) {
      this.#timers.clearTimeout(this.#deadlineTimer);
      this.#deadlineTimer = undefined;
    }
    if (this.#settleTimer !== undefined) {
      this.#timers.clearTimeout(this.#settleTimer);
      this.#settleTimer = undefined;
    }
    if (!this.#leading) return;
    this.#leading = false;
    this.#epoch += 1;
    // The renew in flight can no longer make us leader; stop waiting for it.
    this.#attemptAbort?.abort(new LeaderElectionError(`leadership lost: ${reason}`));
    this.#log.warn({ lease: `${this.#namespace}/${this.#name}`, reason }, "stopped leading");
    this.#leaderAbort?.abort(new LeaderElectionError(`leadership lost: ${reason}`));
    this.#leaderAbort = undefined;
    const started = this.#started;
    this.#started = false;
    if (!started) return;
    try {
      this.#onStoppedLeading?.();
    } catch (error) {
      this.#log.error({ err: describeKubeError(error) }, "onStoppedLeading threw");
    }
  }
}
