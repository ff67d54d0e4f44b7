// Kubernetes Events for what the operator does and what stops it, visible with `kubectl describe
// node` and `kubectl get events`. A level-based controller sees the same problem on every pass, so
// events are deduplicated: one event per change, not one per pass (a skip is not an error, but it
// is recorded as an Event: docs/kubernetes.md, Events). Recording is best effort: failures are logged, never thrown, because a
// reconcile must not fail for want of an Event.
//
// Dedup: key = (object, reason, message). The first occurrence creates an Event (count 1). Repeats
// within `ttlMs` make no API call; the first repeat after the TTL patches the existing Event's
// `count` (occurrences seen, including suppressed ones) and `lastTimestamp` — what client-go's
// aggregator does — so a problem that persists shows up as one Event bumped at most once per TTL.
// Recording an event of the other type for the same object (RouteCreated after a RouteConflict, or
// a Warning after RouteCreated) forgets that object's keys of the first type, so a flapping problem
// is reported on every flip. Keys live in an LRU of `maxKeys` entries: memory stays bounded.
//
// Writes are bounded: at most `concurrency` Event calls in flight and `maxQueued` waiting. When the
// API server is slow or answers 429, further Events are dropped and counted (onDropped) instead of
// piling up; the dedup state keeps the next pass from re-sending what was recorded. A write may
// carry an AbortSignal (the leader signal): it is checked when the call leaves the queue, so no
// Event is sent by a replica that is no longer leader.

import { PatchStrategy, V1MicroTime, setHeaderOptions } from "@kubernetes/client-node";
import type { CoreV1Api, CoreV1Event, V1Node, V1ObjectReference } from "@kubernetes/client-node";
import PQueue from "p-queue";
import { describeKubeError, isNotFound } from "./api-error.js";
import { abortable } from "./request-options.js";
import { SILENT_LOGGER, type KubeLogger } from "./kube-logger.js";
import { realTimers, type Timers } from "../util/timers.js";

/** @internal exported for tests */
export const EventReasons = {
  RouteCreated: "RouteCreated",
  RouteDeleted: "RouteDeleted",
  /** An unmarked route that already served the Node (e.g. the CCM's) now carries our marker. */
  RouteClaimed: "RouteClaimed",
  /** A create found the route already there, made by another controller meanwhile (e.g. the CCM). */
  RouteAlreadyPresent: "RouteAlreadyPresent",
  RouteConflict: "RouteConflict",
  InvalidProviderID: "InvalidProviderID",
  InvalidPodCIDR: "InvalidPodCIDR",
  OverlappingPodCIDR: "OverlappingPodCIDR",
  QuotaExceeded: "QuotaExceeded",
  CreateRouteFailed: "CreateRouteFailed",
  DeleteRouteFailed: "DeleteRouteFailed",
  DeletionsRefused: "DeletionsRefused",
  SyncRouteFailed: "SyncRouteFailed",
  /** A Node gets no route by design (virtual node, excluded, hybrid, deleting, no pod CIDR yet). */
  NodeSkipped: "NodeSkipped",
} as const;

export type EventReason = (typeof EventReasons)[keyof typeof EventReasons];
export type EventType = "Normal" | "Warning";

const NORMAL_REASONS: ReadonlySet<string> = new Set([
  EventReasons.RouteCreated,
  EventReasons.RouteDeleted,
  EventReasons.RouteClaimed,
  EventReasons.RouteAlreadyPresent,
  EventReasons.NodeSkipped,
]);

/**
 * Normal for RouteCreated/RouteDeleted/RouteClaimed/RouteAlreadyPresent/NodeSkipped, Warning for everything else.
 * @internal exported for tests
 */
export function eventTypeOf(reason: EventReason): EventType {
  return NORMAL_REASONS.has(reason) ? "Normal" : "Warning";
}

/** The `action` field (required with eventTime by the apiserver's event validation). */
const ACTIONS: Readonly<Record<EventReason, string>> = {
  RouteCreated: "CreateRoute",
  RouteDeleted: "DeleteRoute",
  RouteClaimed: "ClaimRoute",
  RouteAlreadyPresent: "CreateRoute",
  RouteConflict: "CreateRoute",
  InvalidProviderID: "Reconcile",
  InvalidPodCIDR: "Reconcile",
  OverlappingPodCIDR: "Reconcile",
  QuotaExceeded: "CreateRoute",
  CreateRouteFailed: "CreateRoute",
  DeleteRouteFailed: "DeleteRoute",
  DeletionsRefused: "DeleteRoute",
  SyncRouteFailed: "Reconcile",
  NodeSkipped: "Reconcile",
};

export const DEFAULT_COMPONENT = "vpc-route-sync";
/** Where Events about cluster-scoped objects (Nodes) go, as the kubelet does. */
export const NODE_EVENT_NAMESPACE = "default";
/** kube-apiserver rejects a core/v1 Event with eventTime whose message is over 1024 characters (seen on the real tier). */
const MAX_MESSAGE_LENGTH = 1024;
/** reportingInstance is limited to 128 characters by apiserver validation. */
const MAX_INSTANCE_LENGTH = 128;

/** The object reference of a Node, with its real uid so `kubectl describe node` finds the events. */
export function nodeReference(node: V1Node): V1ObjectReference {
  return { apiVersion: "v1", kind: "Node", name: node.metadata?.name ?? "", ...(node.metadata?.uid ? { uid: node.metadata.uid } : {}) };
}

/** The operator's leader-election Lease: the fallback target of cluster-wide events. */
export function leaseReference(namespace: string, name: string, uid?: string): V1ObjectReference {
  return { apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace, name, ...(uid ? { uid } : {}) };
}

/** The operator's own Pod (from the downward API: POD_NAME, POD_NAMESPACE, optionally POD_UID). */
export function podReference(namespace: string, name: string, uid?: string): V1ObjectReference {
  return { apiVersion: "v1", kind: "Pod", namespace, name, ...(uid ? { uid } : {}) };
}

export interface EventRecorderOptions {
  core: CoreV1Api;
  /** reportingInstance: which replica reported, e.g. the Pod name. */
  identity: string;
  /** Target of cluster-wide events (route table full, deletions refused, sync failed): the Pod or the Lease. */
  clusterObject: V1ObjectReference;
  /** source.component and reportingComponent. @default "vpc-route-sync" */
  component?: string;
  /** Repeats of the same event within this window make no API call. @default 3600000 (1 h) */
  ttlMs?: number;
  /** Dedup keys remembered (LRU). @default 4096 */
  maxKeys?: number;
  /** Event API calls in flight at once. @default 4 */
  concurrency?: number;
  /** Event writes waiting for a slot; beyond this they are dropped and counted. @default 100 */
  maxQueued?: number;
  /** Called for each Event dropped because the queue was full. */
  onDropped?: (reason: EventReason) => void;
  timers?: Timers;
  logger?: KubeLogger;
}

interface Entry {
  readonly objectKey: string;
  readonly type: EventType;
  /** Set once the Event exists on the server. */
  eventName: string | undefined;
  readonly eventNamespace: string;
  count: number;
  lastSentAt: number;
}

export class EventRecorder {
  readonly #core: CoreV1Api;
  readonly #identity: string;
  readonly #clusterObject: V1ObjectReference;
  readonly #component: string;
  readonly #ttlMs: number;
  readonly #maxKeys: number;
  readonly #timers: Timers;
  readonly #log: KubeLogger;
  /** Insertion order = recency: the first key is the least recently used. */
  readonly #entries = new Map<string, Entry>();
  readonly #keysByObject = new Map<string, Set<string>>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #queue: PQueue;
  readonly #maxQueued: number;
  readonly #onDropped: ((reason: EventReason) => void) | undefined;
  #dropped = 0;

  constructor(options: EventRecorderOptions) {
    this.#core = options.core;
    this.#identity = options.identity.slice(0, MAX_INSTANCE_LENGTH);
    this.#clusterObject = options.clusterObject;
    this.#component = options.component ?? DEFAULT_COMPONENT;
    this.#ttlMs = options.ttlMs ?? 3_600_000;
    this.#maxKeys = options.maxKeys ?? 4096;
    this.#timers = options.timers ?? realTimers;
    this.#log = options.logger ?? SILENT_LOGGER;
    if (options.identity === "") throw new TypeError("EventRecorder: identity must not be empty");
    if (!options.clusterObject.name || !options.clusterObject.kind) {
      throw new TypeError("EventRecorder: clusterObject needs kind and name");
    }
    if (!(this.#ttlMs >= 0)) throw new RangeError(`EventRecorder: ttlMs must be >= 0, got ${this.#ttlMs}`);
    if (!Number.isInteger(this.#maxKeys) || this.#maxKeys < 1) {
      throw new RangeError(`EventRecorder: maxKeys must be a positive integer, got ${this.#maxKeys}`);
    }
    const concurrency = options.concurrency ?? 4;
    this.#maxQueued = options.maxQueued ?? 100;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`EventRecorder: concurrency must be a positive integer, got ${concurrency}`);
    if (!Number.isInteger(this.#maxQueued) || this.#maxQueued < 0) throw new RangeError(`EventRecorder: maxQueued must be an integer >= 0, got ${this.#maxQueued}`);
    this.#queue = new PQueue({ concurrency });
    this.#onDropped = options.onDropped;
  }

  /** Events dropped so far because too many were waiting. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Records an event on a Node (namespace "default", involvedObject with the Node's uid). */
  recordNode(node: V1Node, reason: EventReason, message: string, signal?: AbortSignal): Promise<void> {
    return this.record(nodeReference(node), reason, message, signal);
  }

  /** Records a cluster-wide event on the operator's own object (see clusterObject). */
  recordCluster(reason: EventReason, message: string, signal?: AbortSignal): Promise<void> {
    return this.record(this.#clusterObject, reason, message, signal);
  }

  /**
   * Records an event on any object. Resolves when written (or suppressed, dropped, aborted, or
   * failed); never rejects. Once `signal` aborts, nothing more is sent for this call.
   */
  record(target: V1ObjectReference, reason: EventReason, message: string, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) return Promise.resolve();
    if (this.#queue.size >= this.#maxQueued) {
      this.#dropped += 1;
      this.#onDropped?.(reason);
      this.#log.debug({ reason, object: target.name, dropped: this.#dropped }, "event dropped");
      return Promise.resolve();
    }
    const text = message.slice(0, MAX_MESSAGE_LENGTH);
    const queued = this.#queue.add(
      () => (signal?.aborted === true ? Promise.resolve() : this.#record(target, reason, text, signal)),
      signal ? { signal } : {},
    );
    const work = queued.then(
      () => undefined,
      (error: unknown) => {
        if (signal?.aborted === true) return; // leadership ended: not sent, or abandoned
        this.#log.warn({ err: describeKubeError(error), reason, object: target.name }, "recording event failed");
      },
    );
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
    return work;
  }

  /** Waits for every event write started so far (shutdown, tests). */
  async flush(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  async #record(target: V1ObjectReference, reason: EventReason, message: string, signal: AbortSignal | undefined): Promise<void> {
    const options = signal ? abortable(signal) : undefined;
    const type = eventTypeOf(reason);
    const objectKey = `${target.kind ?? ""}/${target.namespace ?? ""}/${target.name ?? ""}/${target.uid ?? ""}`;
    const key = `${objectKey}\u0000${reason}\u0000${message}`;
    const now = this.#timers.now();
    this.#forgetOtherType(objectKey, type);

    const entry = this.#entries.get(key);
    if (entry) {
      this.#touch(key, entry);
      entry.count += 1;
      if (now - entry.lastSentAt < this.#ttlMs || entry.eventName === undefined) return;
      entry.lastSentAt = now;
      const eventName = entry.eventName;
      try {
        await this.#core.patchNamespacedEvent(
          { name: eventName, namespace: entry.eventNamespace, body: { count: entry.count, lastTimestamp: new Date(now) } },
          setHeaderOptions("Content-Type", PatchStrategy.MergePatch, options),
        );
        return;
      } catch (error) {
        // Events expire on the server (1 h by default); then the repeat becomes a new Event.
        if (!isNotFound(error)) throw error;
        entry.eventName = undefined;
      }
    }

    const fresh: Entry = entry ?? {
      objectKey,
      type,
      eventName: undefined,
      eventNamespace: target.namespace || NODE_EVENT_NAMESPACE,
      count: 1,
      lastSentAt: now,
    };
    if (!entry) this.#remember(key, fresh);
    try {
      const created = await this.#core.createNamespacedEvent({
        namespace: fresh.eventNamespace,
        body: this.#eventBody(target, reason, type, message, fresh, now),
      }, options);
      fresh.eventName = created.metadata?.name;
    } catch (error) {
      // Not recorded: forget the key so the next pass tries again.
      this.#forget(key);
      throw error;
    }
  }

  #eventBody(
    target: V1ObjectReference,
    reason: EventReason,
    type: EventType,
    message: string,
    entry: Entry,
    now: number,
  ): CoreV1Event {
    const timestamp = new Date(now);
    return {
      apiVersion: "v1",
      kind: "Event",
      metadata: { generateName: `${target.name ?? "object"}.`, namespace: entry.eventNamespace },
      involvedObject: target,
      reason,
      message,
      type,
      count: entry.count,
      firstTimestamp: timestamp,
      lastTimestamp: timestamp,
      // MicroTime field: V1MicroTime prints the 6 fractional digits the apiserver requires.
      eventTime: new V1MicroTime(now),
      action: ACTIONS[reason],
      source: { component: this.#component },
      reportingComponent: this.#component,
      reportingInstance: this.#identity,
    };
  }

  #touch(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
  }

  #remember(key: string, entry: Entry): void {
    this.#entries.set(key, entry);
    let keys = this.#keysByObject.get(entry.objectKey);
    if (!keys) {
      keys = new Set();
      this.#keysByObject.set(entry.objectKey, keys);
    }
    keys.add(key);
    while (this.#entries.size > this.#maxKeys) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#forget(oldest);
    }
  }

  #forget(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    const keys = this.#keysByObject.get(entry.objectKey);
    keys?.delete(key);
    if (keys?.size === 0) this.#keysByObject.delete(entry.objectKey);
  }

  #forgetOtherType(objectKey: string, type: EventType): void {
    const keys = this.#keysByObject.get(objectKey);
    if (!keys) return;
    for (const key of [...keys]) {
      if (this.#entries.get(key)?.type !== type) this.#forget(key);
    }
  }

  /** Number of remembered dedup keys (for tests and metrics). */
  get size(): number {
    return this.#entries.size;
  }
}
