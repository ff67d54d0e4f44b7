// Controller mode: keeps the Node cache warm on every replica, and on the leader runs the
// coalescing reconcile loop, then reports each pass through Node conditions, Events and metrics.
// Losing the Lease aborts the in-flight pass at once (no write after that); shutdown finishes or
// abandons the in-flight batch within a deadline and releases the Lease.
import type { V1Node } from "@kubernetes/client-node";
import { CoordinationV1Api, CoreV1Api } from "../kube/kube-apis.js";
import type { KubeConnection } from "../kube/kube-connection.js";
import PQueue from "p-queue";
import type { PassCache } from "../cloud/pass-cache.js";
import type { EntryOutcome, RouteTable } from "../cloud/route-table.js";
import type { VpcNetworkSource } from "../cloud/vpc-network.js";
import { nodeFactsFrom, type NodeLike } from "../domain/node-facts.js";
import { EventRecorder, leaseReference, podReference, type EventReason } from "../kube/event-recorder.js";
import { LeaderElector } from "../kube/leader-election.js";
import { NodeInformer, relevant } from "../kube/node-informer.js";
import { NodeStatusWriter, type RouteState } from "../kube/node-status.js";
import type { LogContext, Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import { PassScheduler, type PassVerdict, type PassTrigger } from "../reconcile/pass-scheduler.js";
import type { PassSettings } from "../domain/settings.js";
import { PassRunner, type PassResult } from "../reconcile/pass-runner.js";
import { errorPolicy } from "../error-policy.js";
import { DEFAULTS } from "../defaults.js";
import { realTimers, type Timers } from "../util/timers.js";
import {
  customEntryCounts,
  eligibilityCounts,
  heldRouteCounts,
  passEvents,
  routeCounts,
} from "./pass-summary.js";
import { passVerdict, reconcileMetricResult } from "../reconcile/pass-outcome.js";
import { errorMessage } from "../errors.js";

function operationResult(outcome: EntryOutcome): "success" | "error" | "unknown" {
  if (outcome.ok) return "success";
  return outcome.unknown === true ? "unknown" : "error";
}

export interface ControllerOptions {
  readonly kubeConfig: KubeConnection;
  readonly routeTable: RouteTable;
  /** Where the VPC's own network is read each pass (see PassRunnerDeps.vpcNetwork). */
  readonly vpcNetwork?: VpcNetworkSource | undefined;
  /**
   * When `routeTable`/`vpcNetwork` are this cache's wrappers: its table listings are expired before
   * every pass not caused by a Node change (start, resync, retry) and when leadership is gained, so
   * those passes read every table in full (src/cloud/pass-cache.ts).
   */
  readonly passCache?: Pick<PassCache, "expireListings" | "invalidate"> | undefined;
  readonly settings: PassSettings;
  readonly logger: Logger;
  /** When given, every line logged during a pass (by any component) carries its passId. */
  readonly logContext?: LogContext | undefined;
  readonly metrics: Metrics;
  readonly identity: string;
  readonly resyncPeriodMs: number;
  /** Custom entries a table may hold (for the quota gauge). @default DEFAULTS.routeTableQuota, Alibaba's default quota */
  readonly routeTableQuota?: number | undefined;
  readonly aggregationWindowMs: number;
  /** Period of the Node informer's full re-list (0: never). @default the informer's, 10 min */
  readonly nodeRelistPeriodMs?: number | undefined;
  readonly leaderElection?:
    | {
        readonly namespace: string;
        readonly leaseName: string;
        readonly leaseDurationMs: number;
        readonly renewDeadlineMs: number;
        readonly retryPeriodMs: number;
      }
    | undefined;
  /** The operator's own Pod, for cluster-wide Events (else they go to the Lease). */
  readonly pod?: { readonly namespace: string; readonly name: string } | undefined;
  /** Failure backoff of the loop. @default 1 s doubling to 5 min */
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  readonly timers?: Timers;
}

export class Controller {
  readonly #o: ControllerOptions;
  readonly #log: Logger;
  readonly #timers: Timers;
  readonly #informer: NodeInformer;
  readonly #runner: PassRunner;
  readonly #statusWriter: NodeStatusWriter;
  readonly #events: EventRecorder;
  readonly #elector: LeaderElector | undefined;
  readonly #loop: PassScheduler;
  /** When a relevant change for a Node was first seen and its route not yet Available (for latency). */
  readonly #changeSeenAt = new Map<string, number>();
  /** The skip reason last logged per Node: a skip is logged once per change, not once per pass. */
  readonly #loggedSkips = new Map<string, string>();
  #leading = false;
  #stopping = false;
  /** The leader signal or the hard stop, whichever aborts first: one per term, shared by its passes. */
  #passSignal: AbortSignal | undefined;
  #hardStop = new AbortController();
  #reportedRestarts = 0;
  /** When the pass in flight began or last made progress (undefined between passes): what /healthz watches. */
  #passProgressAt: number | undefined;
  readonly #passStuckAfterMs: number;
  #passSeq = 0;

  constructor(options: ControllerOptions) {
    this.#o = options;
    this.#log = options.logger;
    this.#timers = options.timers ?? realTimers;
    this.#passStuckAfterMs = 2 * options.resyncPeriodMs + options.aggregationWindowMs;
    const core = options.kubeConfig.makeApiClient(CoreV1Api);
    const kubeLog = this.#log.child({ component: "kube" });
    this.#informer = new NodeInformer({
      kubeConfig: options.kubeConfig,
      logger: kubeLog,
      timers: this.#timers,
      ...(options.nodeRelistPeriodMs === undefined ? {} : { relistPeriodMs: options.nodeRelistPeriodMs }),
      onList: (report) => options.metrics.nodeListed(report),
    });
    this.#runner = new PassRunner({ routeTable: options.routeTable, vpcNetwork: options.vpcNetwork, settings: options.settings, logger: this.#log });
    this.#statusWriter = new NodeStatusWriter({ core, logger: kubeLog, timers: this.#timers });
    const le = options.leaderElection;
    const clusterObject = options.pod
      ? podReference(options.pod.namespace, options.pod.name)
      : leaseReference(le?.namespace ?? "default", le?.leaseName ?? DEFAULTS.leaseName);
    this.#events = new EventRecorder({
      core,
      identity: options.identity,
      clusterObject,
      logger: kubeLog,
      timers: this.#timers,
      onDropped: () => options.metrics.eventDropped(),
    });
    this.#loop = new PassScheduler({
      aggregationWindowMs: options.aggregationWindowMs,
      resyncPeriodMs: options.resyncPeriodMs,
      backoffBaseMs: options.backoffBaseMs ?? 1_000,
      backoffMaxMs: options.backoffMaxMs ?? 300_000,
      timers: this.#timers,
      runPass: (trigger) => this.#runPass(trigger),
      onUnexpectedError: (error) => this.#log.error({ err: error }, "reconcile failed"),
    });
    if (le) {
      this.#elector = new LeaderElector({
        coordination: options.kubeConfig.makeApiClient(CoordinationV1Api),
        namespace: le.namespace,
        name: le.leaseName,
        identity: options.identity,
        leaseDurationMs: le.leaseDurationMs,
        renewDeadlineMs: le.renewDeadlineMs,
        retryPeriodMs: le.retryPeriodMs,
        onStartedLeading: (signal) => this.#startLeading(signal),
        onStoppedLeading: () => this.#stopLeading(),
        logger: kubeLog,
        timers: this.#timers,
      });
    }
    this.#informer.onChange((kind, node, oldNode) => {
      if (kind === "update" && !relevant(oldNode, node)) return;
      const nodeName = node.metadata?.name;
      // Only the leader measures: a follower's times would be as old as its uptime at a failover.
      if (nodeName && this.#informer.synced && this.#leading) {
        if (kind === "delete") this.#changeSeenAt.delete(nodeName);
        else if (!this.#changeSeenAt.has(nodeName)) this.#changeSeenAt.set(nodeName, this.#timers.now());
      }
      this.#loop.notifyChange();
    });
    this.#informer.onSyncedChange((synced) => {
      this.#reportRestarts();
      options.metrics.setInformerSynced(synced);
      if (synced) this.#loop.notifyChange();
    });
  }

  /**
   * Liveness: the process makes progress. Fails when the pass in flight has made no progress (no
   * write batch or Node status patch finished since it began or since the last one) for longer than
   * `passStuckAfterMs` (2 × resync period + aggregation window): something it waits on never
   * answers (a status patch or Event to an API server that holds the request, a VPC call past its
   * deadline), and only a restart gets the leader going again. The informer restarts itself; a
   * stuck event loop fails the probe by not answering.
   */
  healthz(): { ok: boolean; detail: string } {
    const restarts = `informer restarts: ${this.#informer.restarts}`;
    if (this.#passProgressAt !== undefined) {
      const stuckMs = this.#timers.now() - this.#passProgressAt;
      if (stuckMs > this.#passStuckAfterMs) {
        return { ok: false, detail: `the reconcile pass in flight has made no progress for ${Math.round(stuckMs / 1000)} s (limit ${Math.round(this.#passStuckAfterMs / 1000)} s); ${restarts}` };
      }
    }
    return { ok: true, detail: restarts };
  }

  /** Readiness: the Node cache has synced. */
  readyz(): { ok: boolean; detail: string } {
    const synced = this.#informer.synced;
    return { ok: synced, detail: synced ? `synced${this.#leading ? ", leader" : ""}` : "node cache not synced" };
  }

  get leading(): boolean {
    return this.#leading;
  }

  async start(): Promise<void> {
    this.#o.metrics.setLeader(false);
    this.#o.metrics.setInformerSynced(false);
    await this.#informer.start();
    if (this.#stopping) return; // stop() came while the first list was still running
    if (this.#elector) this.#elector.start();
    else this.#startLeading(new AbortController().signal);
  }

  /**
   * Graceful stop: no new pass; the in-flight one may finish until `deadlineMs`, then it is
   * aborted; the Lease is released so another replica takes over at once.
   */
  async stop(deadlineMs: number): Promise<void> {
    this.#stopping = true;
    let abortedAtDeadline = false;
    const timer = this.#timers.setTimeout(() => {
      abortedAtDeadline = true;
      this.#hardStop.abort(new Error("shutdown deadline passed"));
    }, deadlineMs);
    try {
      await this.#loop.stop();
    } finally {
      this.#timers.clearTimeout(timer);
    }
    if (this.#elector) {
      try {
        if (abortedAtDeadline) {
          // A VPC write of the aborted pass may still be applied by the cloud: releasing now would
          // let the next leader write at once, without the margin of docs/reliability.md (lease
          // duration minus renew deadline). Keep the Lease: the other replica takes over when it
          // expires, as after a crash.
          await this.#elector.stop();
          this.#log.warn({}, "leader lease kept until it expires: a write of the aborted pass may still be in flight");
        } else {
          await this.#elector.release();
        }
      } catch (error) {
        this.#log.warn({ err: error }, "leader election");
      }
    }
    this.#leading = false;
    this.#o.metrics.setLeader(false);
    await this.#informer.stop();
  }

  #startLeading(signal: AbortSignal): void {
    // Another leader may have written meanwhile: nothing learned before counts.
    this.#o.passCache?.invalidate();
    this.#leading = true;
    // Made once per term, not per pass: each AbortSignal.any stays in the hard stop's dependants for
    // the life of the process (src/util/linked-signal.ts).
    this.#passSignal = AbortSignal.any([signal, this.#hardStop.signal]);
    this.#o.metrics.setLeader(true);
    this.#loop.start();
  }

  #stopLeading(): void {
    if (!this.#leading) return;
    this.#leading = false;
    this.#o.metrics.setLeader(false);
    this.#o.metrics.clearPassState();
    this.#changeSeenAt.clear();
    // The leader signal is already aborted: the in-flight pass stops writing now.
    void this.#loop.stop();
  }

  async #runPass(trigger: PassTrigger): Promise<PassVerdict> {
    if (!this.#leading) return "success";
    const passId = `${this.#o.identity}-${++this.#passSeq}`;
    const context = this.#o.logContext;
    this.#passProgressAt = this.#timers.now();
    try {
      return await (context ? context.run({ passId }, () => this.#pass(trigger, this.#log)) : this.#pass(trigger, this.#log.child({ passId })));
    } finally {
      this.#passProgressAt = undefined;
    }
  }

  async #pass(trigger: PassTrigger, log: Logger): Promise<PassVerdict> {
    const started = this.#timers.now();
    this.#reportRestarts();
    const nodes = this.#informer.list();
    if (trigger.cause !== "change") this.#o.passCache?.expireListings();
    const signal = this.#passSignal ?? this.#hardStop.signal;
    log.debug({ cause: trigger.cause, changes: trigger.changes, nodes: nodes.length }, "reconcile started");
    let result: PassResult;
    try {
      result = await this.#runner.run({
        nodes: nodes.map((n) => nodeFactsFrom(n as NodeLike)),
        // Nothing is deleted before the Node cache has synced: a partial cache would look like deleted Nodes.
        allowDeletes: this.#informer.synced,
        dryRun: false,
        signal,
        onProgress: () => this.#progress(),
      });
    } catch (error) {
      if (signal.aborted) return this.#abandoned(trigger, started, signal, log);
      const code = errorCodeOf(error);
      const seconds = (this.#timers.now() - started) / 1000;
      this.#o.metrics.observeReconcile("error", seconds);
      log.error({ code, err: error }, "reconcile failed");
      void this.#events.recordCluster("SyncRouteFailed", `reconcile failed: ${code}: ${errorMessage(error)}`, signal);
      return errorPolicy(error);
    }
    // Entries left unconfirmed by an abort are not failures of the Nodes: reporting them would set
    // NetworkUnavailable=True on healthy Nodes at every rollout. The next leader's pass reports.
    if (signal.aborted) return this.#abandoned(trigger, started, signal, log);
    const seconds = (this.#timers.now() - started) / 1000;
    const outcome = passVerdict(result);
    this.#o.metrics.observeReconcile(reconcileMetricResult(result), seconds);
    if (!this.#leading) return outcome; // lost the Lease meanwhile: report nothing as leader
    // Every status patch and Event below checks `signal` again when it is sent, not only here.
    this.#report(result, nodes, signal);
    await this.#updateNodeStatus(result, nodes, log, signal);

    const fields = {
      cause: trigger.cause,
      changes: trigger.changes,
      durationMs: Math.round(seconds * 1000),
      creates: result.plan.creates.length,
      deletes: result.plan.deletes.length,
      conflicts: result.plan.conflicts.length,
      result: result.outcome,
    };
    if (result.outcome === "failed") log.warn(fields, "reconcile failed");
    else if (result.outcome === "refused") log.warn({ ...fields, reason: result.plan.refusal?.message }, "reconcile refused");
    else log.info(fields, "reconcile finished");
    return outcome;
  }

  /** A pass cut short by the shutdown deadline or by losing the Lease: logged, nothing reported. */
  #abandoned(trigger: PassTrigger, started: number, signal: AbortSignal, log: Logger): PassVerdict {
    const reason = errorMessage(signal.reason);
    log.warn({ cause: trigger.cause, durationMs: Math.round(this.#timers.now() - started), reason }, "reconcile abandoned");
    return "backoff";
  }

  #report(result: PassResult, nodes: readonly V1Node[], signal: AbortSignal): void {
    const m = this.#o.metrics;
    for (const r of result.creates) m.routeOperation("create", operationResult(r.outcome));
    for (const r of result.deletes) m.routeOperation("delete", operationResult(r.outcome));
    for (const r of result.refusedWrites) m.writeRefused(r.kind, r.rule);
    m.setNodeEligibility(eligibilityCounts(result));
    m.setRoutesHeld(heldRouteCounts(result));
    m.retainRouteTables(result.routeTableIds);
    for (const routeTableId of result.routeTableIds) m.setRouteTableReadable(routeTableId, result.actual.has(routeTableId));
    for (const [routeTableId, counts] of routeCounts(result)) m.setRoutes(routeTableId, counts);
    for (const [routeTableId, used] of customEntryCounts(result)) m.setQuota(routeTableId, used, this.#o.routeTableQuota ?? DEFAULTS.routeTableQuota);

    const skipped = new Set<string>();
    for (const s of result.plan.skipped) {
      skipped.add(s.nodeName);
      if (this.#loggedSkips.get(s.nodeName) === s.reason) continue;
      this.#loggedSkips.set(s.nodeName, s.reason);
      this.#log.info({ nodeName: s.nodeName, reason: s.reason, detail: s.message }, "node skipped");
    }
    for (const nodeName of this.#loggedSkips.keys()) if (!skipped.has(nodeName)) this.#loggedSkips.delete(nodeName);

    const byName = new Map(nodes.map((n) => [n.metadata?.name ?? "", n]));
    for (const event of passEvents(result)) {
      const node = event.nodeName ? byName.get(event.nodeName) : undefined;
      void this.#record(node, event.reason, event.message, signal);
    }

    // Event-to-route latency, for Nodes whose route just became Available everywhere. A Node the
    // pass skipped is not timed; one it did not see at all (added while it ran) waits for the next.
    const now = this.#timers.now();
    for (const [nodeName, seenAt] of this.#changeSeenAt) {
      const state = result.nodeRoutes.get(nodeName);
      if (state?.state === "available") {
        m.observeNodeRouteLatency((now - seenAt) / 1000);
        this.#changeSeenAt.delete(nodeName);
      } else if (skipped.has(nodeName)) {
        this.#changeSeenAt.delete(nodeName);
      }
    }
  }

  #record(node: V1Node | undefined, reason: EventReason, message: string, signal: AbortSignal): Promise<void> {
    return node ? this.#events.recordNode(node, reason, message, signal) : this.#events.recordCluster(reason, message, signal);
  }

  /**
   * NetworkUnavailable for every eligible Node of the pass: False once its route is Available
   * everywhere, True while it is not (failed, held back, not created yet), True for a Node with no
   * condition yet when a table could not be read. Route state belongs to the Node object the pass
   * saw (by uid): a Node deleted and created again under the same name meanwhile is left for the
   * next pass, and the patch itself is conditional on uid and resourceVersion (NodeStatusWriter).
   */
  async #updateNodeStatus(result: PassResult, passNodes: readonly V1Node[], log: Logger, signal: AbortSignal): Promise<void> {
    const queue = new PQueue({ concurrency: 8 });
    const uidAtPass = new Map(passNodes.map((n) => [n.metadata?.name ?? "", n.metadata?.uid]));
    for (const [nodeName, state] of result.nodeRoutes) {
      // The freshest cached copy: the writer compares with the current condition. A Node gone
      // from the cache since the pass began has no status left to set.
      const node = this.#informer.get(nodeName);
      if (!node) continue;
      if (node.metadata?.uid !== uidAtPass.get(nodeName)) {
        log.debug({ nodeName }, "node replaced during the pass: its status waits for the next pass");
        continue;
      }
      const routeState: RouteState =
        state.state === "available"
          ? { routed: true }
          : { routed: false, message: state.message, ...(state.state === "unknown" ? { onlyWhenUnset: true } : {}) };
      // The signal goes to p-queue (a queued patch is dropped when leadership ends) and to the
      // writer (checked again right before each request leaves).
      queue
        .add(async () => {
          const outcome = await this.#statusWriter.setRouteState(node, routeState, signal);
          this.#progress();
          if (outcome.result === "failed") log.warn({ nodeName, err: outcome.error }, "node status update failed");
        }, { signal })
        .catch(() => undefined); // only an abort rejects: the patch was not sent
    }
    await queue.onIdle();
  }

  /** The pass in flight finished a write batch or a status patch (see healthz). */
  #progress(): void {
    if (this.#passProgressAt !== undefined) this.#passProgressAt = this.#timers.now();
  }

  #reportRestarts(): void {
    const restarts = this.#informer.restarts;
    for (; this.#reportedRestarts < restarts; this.#reportedRestarts++) this.#o.metrics.informerRestarted();
  }
}

/** The stable code of an operator error (CloudError, ConfigError), "Unknown" for anything else. */
function errorCodeOf(error: unknown): string {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : "Unknown";
}
