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
// Writes are bounded and ordered (issue 20, item 1). Deduplication happens BEFORE queueing: a repeat
// of an Event that is waiting, or that was sent within the TTL, takes no slot. At most
// `concurrency` Event calls are in flight; waiting Warnings always leave before waiting Normal
// Events. `maxQueued` bounds the Normal Events waiting: beyond it a new Normal Event is dropped and
// counted (onDropped). A new Warning is never dropped for want of room: it takes the slot of the
// newest waiting Normal Event (which is dropped and counted instead), and Warnings waiting are bounded
// only by `maxKeys` distinct keys, each a distinct (object, reason, message) that dedup cannot
// fold. A dropped Event is forgotten, so the next pass that sees the same fact records it again. A
// write may carry an AbortSignal (the leader signal): it is checked when the call leaves the
// queue, so no Event is sent by a replica that is no longer leader.

import type { CoreV1Event, V1Node, V1ObjectReference } from "@kubernetes/client-node";
import { PatchStrategy, V1MicroTime, type CoreV1Api } from "./kube-apis.js";
import { describeKubeError, isNotFound } from "./api-error.js";
import { abortable, setHeaderOptions } from "./request-options.js";
import { stableMessage } from "./stable-message.js";
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
  /** Normal Events waiting for a slot; beyond this a new one is dropped and counted (Warnings never are). @default 1000 */
  maxQueued?: number;
  /** Called for each Event dropped because the queue was full. */
  onDropped?: (reason: EventReason) => void;
  timers?: Timers;
  logger?: KubeLogger;
}

/** An Event write waiting for a slot. */
interface Waiting {
  readonly key: string;
  readonly objectKey: string;
  readonly target: V1ObjectReference;
  readonly reason: EventReason;
  readonly type: EventType;
  readonly message: string;
  readonly signal: AbortSignal | undefined;
  /** Repeats folded into this write while it waited. */
  repeats: number;
  readonly done: Promise<void>;
  readonly settle: () => void;
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

/**
 * `text` as one flat string. A key built from template literals is a tree of concatenations that
 * keeps every piece alive (the message's own pieces too): about 480 bytes for a 145-character key
 * instead of about 250 (docs/performance.md, "What grows in the soak"). Slicing a concatenation
 * flattens it; the pieces are then free. Same characters, so lookups by the unflattened text match.
 */
function compact(text: string): string {
  return ` ${text}`.slice(1);
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
  /** An object's keys: the one key itself (the common case, and all of churn's), or a Set of two or more. */
  readonly #keysByObject = new Map<string, string | Set<string>>();
  readonly #inFlight = new Set<Promise<void>>();
  /** Writes waiting for a slot, by type: Warnings leave first. */
  readonly #waiting: Record<EventType, Waiting[]> = { Warning: [], Normal: [] };
  /** Waiting writes by dedup key: a repeat folds into the one waiting. */
  readonly #waitingByKey = new Map<string, Waiting>();
  readonly #concurrency: number;
  #active = 0;
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
    this.#maxQueued = options.maxQueued ?? 1000;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`EventRecorder: concurrency must be a positive integer, got ${concurrency}`);
    if (!Number.isInteger(this.#maxQueued) || this.#maxQueued < 0) throw new RangeError(`EventRecorder: maxQueued must be an integer >= 0, got ${this.#maxQueued}`);
    this.#concurrency = concurrency;
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
    const text = stableMessage(message).slice(0, MAX_MESSAGE_LENGTH);
    const type = eventTypeOf(reason);
    const objectKey = `${target.kind ?? ""}/${target.namespace ?? ""}/${target.name ?? ""}/${target.uid ?? ""}`;
    const key = `${objectKey}\u0000${reason}\u0000${text}`;
    // A flip to the other type forgets the first type's keys, so a flapping problem is news again.
    this.#forgetOtherType(objectKey, type);
    const waiting = this.#waitingByKey.get(key);
    if (waiting) {
      waiting.repeats += 1;
      return waiting.done;
    }
    const entry = this.#entries.get(key);
    if (entry && (this.#timers.now() - entry.lastSentAt < this.#ttlMs || entry.eventName === undefined)) {
      // Suppressed repeat: counted, no API call, no queue slot.
      this.#touch(key, entry);
      entry.count += 1;
      return Promise.resolve();
    }
    if (!this.#makeRoom(type)) {
      this.#drop(reason, target.name);
      return Promise.resolve();
    }
    let settle: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const item: Waiting = { key, objectKey, target, reason, type, message: text, signal, repeats: 0, done, settle };
    this.#waiting[type].push(item);
    this.#waitingByKey.set(key, item);
    this.#inFlight.add(done);
    void done.finally(() => this.#inFlight.delete(done));
    this.#pump();
    return done;
  }

  /** Events waiting for a slot (Warnings, Normal). */
  get waiting(): { warning: number; normal: number } {
    return { warning: this.#waiting.Warning.length, normal: this.#waiting.Normal.length };
  }

  /** Waits for every event write started so far (shutdown, tests). */
  async flush(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  /**
   * Whether an Event of `type` may wait. A Normal one needs a free slot under maxQueued; a Warning
   * takes the slot of the newest waiting Normal Event when there is none, and is refused only when
   * maxKeys distinct Warnings already wait.
   */
  #makeRoom(type: EventType): boolean {
    const total = this.#waiting.Warning.length + this.#waiting.Normal.length;
    if (total < this.#maxQueued) return true;
    if (type === "Normal") return false;
    const evicted = this.#waiting.Normal.pop();
    if (evicted) {
      this.#waitingByKey.delete(evicted.key);
      this.#drop(evicted.reason, evicted.target.name);
      evicted.settle();
      return true;
    }
    return this.#waiting.Warning.length < this.#maxKeys;
  }

  #drop(reason: EventReason, objectName: string | undefined): void {
    this.#dropped += 1;
    this.#onDropped?.(reason);
    this.#log.debug({ reason, object: objectName, dropped: this.#dropped }, "event dropped");
  }

  /** Starts waiting writes while slots are free, Warnings first. */
  #pump(): void {
    while (this.#active < this.#concurrency) {
      const item = this.#waiting.Warning.shift() ?? this.#waiting.Normal.shift();
      if (!item) return;
      this.#waitingByKey.delete(item.key);
      this.#active += 1;
      const signal = item.signal;
      const work = signal?.aborted === true ? Promise.resolve() : this.#record(item, signal);
      void work
        .catch((error: unknown) => {
          if (signal?.aborted === true) return; // leadership ended: not sent, or abandoned
          this.#log.warn({ err: describeKubeError(error), reason: item.reason, object: item.target.name }, "recording event failed");
        })
        .finally(() => {
          this.#active -= 1;
          item.settle();
          this.#pump();
        });
    }
  }

  async #record(item: Waiting, signal: AbortSignal | undefined): Promise<void> {
    const { key, objectKey, target, reason, type, message } = item;
    const options = signal ? abortable(signal) : undefined;
    const now = this.#timers.now();

    const entry = this.#entries.get(key);
    if (entry) {
      this.#touch(key, entry);
      entry.count += 1 + item.repeats;
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
      objectKey: compact(objectKey),
      type,
      eventName: undefined,
      eventNamespace: target.namespace || NODE_EVENT_NAMESPACE,
      count: 1 + item.repeats,
      lastSentAt: now,
    };
    if (!entry) this.#remember(compact(key), fresh);
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
    const keys = this.#keysByObject.get(entry.objectKey);
    if (keys === undefined) this.#keysByObject.set(entry.objectKey, key);
    else if (typeof keys !== "string") keys.add(key);
    else if (keys !== key) this.#keysByObject.set(entry.objectKey, new Set([keys, key]));
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
    if (typeof keys === "string") {
      if (keys === key) this.#keysByObject.delete(entry.objectKey);
    } else if (keys?.delete(key) === true && keys.size === 1) {
      this.#keysByObject.set(entry.objectKey, keys.values().next().value as string);
    }
  }

  #forgetOtherType(objectKey: string, type: EventType): void {
    const keys = this.#keysByObject.get(objectKey);
    if (keys === undefined) return;
    for (const key of typeof keys === "string" ? [keys] : [...keys]) {
      if (this.#entries.get(key)?.type !== type) this.#forget(key);
    }
  }

  /** Number of remembered dedup keys (for tests and metrics). */
  get size(): number {
    return this.#entries.size;
  }
}
