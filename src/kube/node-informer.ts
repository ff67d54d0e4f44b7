// The controller's view of Nodes: client-node's ListWatch on /api/v1/nodes, made safe to run for
// weeks. ListWatch re-lists by itself after 410 Gone and re-watches after a clean close, but it
// STOPS on any other error (5xx, failed list, reset connection) and reports it only through an
// `error` callback; its start() resolves even when the list failed; its stop() fires an AbortError;
// and list objects carry Date timestamps while watch objects carry strings. This
// class restarts on every error with capped, jittered backoff, tracks whether the cache is synced,
// hands out slim, normalised objects (node-object.ts slimNode: only the fields the operator reads) and gives update callbacks the previous object.
// Every list replaces the cache through node-relist.ts (the diff, the time-travel check); a full
// re-list also runs every relistPeriodMs, because a watch from a resourceVersion "in the future"
// (etcd restored from a backup) is accepted and silent.
// ListWatch keeps its own map of every object; the list and the watch slim each Node before
// ListWatch sees it, so both maps share one slim object per Node (no full Node is retained).

import type { V1Node } from "@kubernetes/client-node";
import { CoreV1Api } from "./kube-apis.js";
import type { KubeConnection as KubeConfig } from "./kube-connection.js";
import { ListWatch, Watch, type ListResult as KubernetesListObject } from "./list-watch.js";
import { describeKubeError } from "./api-error.js";
import { backoffDelay, type BackoffPolicy } from "../util/backoff.js";
import { SILENT_LOGGER, type KubeLogger } from "./kube-logger.js";
import { listAllNodes } from "./node-lister.js";
import { slimNode } from "./node-object.js";
import {
  applyList,
  DEFAULT_RELIST_PERIOD_MS,
  isResourceVersionTooLarge,
  PeriodicRelist,
  ResourceVersionMark,
  type ListReport,
} from "./node-relist.js";
import { sleep, realTimers, type Timers, type TimerHandle } from "../util/timers.js";
import { linkedSignal } from "../util/linked-signal.js";

export { relevant, relevantChange, ELIGIBILITY_LABELS, type RelevantChange } from "./node-relevance.js";

export type NodeChangeKind = "add" | "update" | "delete";

/**
 * Called for every change of the cache. `node` is the new object (for "delete", the last known
 * one); `oldNode` is the cached object before the change ("update" and "delete" only).
 */
export type NodeChangeHandler = (kind: NodeChangeKind, node: V1Node, oldNode?: V1Node) => void;

export interface NodeInformerOptions {
  kubeConfig: KubeConfig;
  /** Page size of the (re-)list. @default 500 */
  pageSize?: number;
  /** Delay between restarts after errors. @default { initialMs: 1000, maxMs: 30000 } */
  restartBackoff?: BackoffPolicy;
  /** After this long synced without an error, the restart backoff starts again from initialMs. @default 60000 */
  healthyResetMs?: number;
  /**
   * Cap on client-node's own delay before re-watching after a clean close (it doubles from 1 s up
   * to 30 s while no event arrives; changes are not lost meanwhile, only seen late). @default 5000
   */
  watchReconnectMaxMs?: number;
  /**
   * Deadline of one complete (paginated) list, the first and every re-list after a 410: without it a
   * list the API server never answers would hold the cache forever (the HTTP client has none).
   * @default 60000
   */
  listTimeoutMs?: number;
  /**
   * Period of the full re-list (node-relist.ts): the cache takes the list's differences and the
   * watch restarts from the list's resourceVersion; 0 disables it. @default 600000
   */
  relistPeriodMs?: number;
  /** Called after every complete list with what it changed (metrics). */
  onList?: (report: ListReport) => void;
  timers?: Timers;
  logger?: KubeLogger;
}

const NODES_PATH = "/api/v1/nodes";
/** Watch phases that carry a Node (ERROR carries a Status, BOOKMARK only a resourceVersion). */
const NODE_PHASES: ReadonlySet<string> = new Set(["ADDED", "MODIFIED", "DELETED"]);

/** What ListWatch gets for a watch event: a slim Node; a "resourceVersion too large" ERROR as 410 Gone, so it lists again. */
function handedOn(phase: string, apiObj: unknown): unknown {
  if (NODE_PHASES.has(phase)) return slimNode(apiObj as V1Node);
  if (phase === "ERROR" && isResourceVersionTooLarge(apiObj)) return { ...(apiObj as object), code: 410 };
  return apiObj;
}

/** A Watch whose requests can be cut off for good, even those opened after stop() (see stop()). */
class StoppableWatch extends Watch {
  stopped = false;

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    // Returning without calling `done` ends ListWatch's reconnect chain quietly.
    if (this.stopped) return new AbortController();
    // ListWatch keeps every object it is handed in a map of its own: hand it the slim Node, so the
    // Nodes are held once, slim, by both maps (the informer's map shares the objects).
    const slimming = (phase: string, apiObj: unknown, watchObj?: unknown): void => callback(phase, handedOn(phase, apiObj), watchObj);
    const controller = await super.watch(path, queryParams, slimming, done);
    if (this.stopped) controller.abort();
    return controller;
  }
}

export class NodeInformer {
  readonly #kubeConfig: KubeConfig;
  readonly #core: CoreV1Api;
  readonly #pageSize: number;
  readonly #backoff: BackoffPolicy;
  readonly #healthyResetMs: number;
  readonly #watchReconnectMaxMs: number;
  readonly #listTimeoutMs: number;
  readonly #relist: PeriodicRelist;
  readonly #onList: ((report: ListReport) => void) | undefined;
  readonly #mark = new ResourceVersionMark();
  readonly #timers: Timers;
  readonly #log: KubeLogger;

  readonly #nodes = new Map<string, V1Node>();
  readonly #handlers = new Set<NodeChangeHandler>();
  readonly #syncHandlers = new Set<(synced: boolean) => void>();

  #listWatch: ListWatch<V1Node> | undefined;
  /** The ListWatch whose list the cache holds (listing again means its watch expired). */
  #listedBy: ListWatch<V1Node> | undefined;
  /** The ListWatch a periodic re-list started. */
  #periodicBy: ListWatch<V1Node> | undefined;
  #watch: StoppableWatch | undefined;
  #stopSignal = new AbortController();
  #running = false;
  #synced = false;
  #hasListed = false;
  #errorInAttempt = false;
  #restartTimer: TimerHandle | undefined;
  #consecutiveFailures = 0;
  #healthySince: number | undefined;
  #restarts = 0;

  constructor(options: NodeInformerOptions) {
    this.#kubeConfig = options.kubeConfig;
    this.#core = options.kubeConfig.makeApiClient(CoreV1Api);
    this.#pageSize = options.pageSize ?? 500;
    this.#backoff = options.restartBackoff ?? { initialMs: 1000, maxMs: 30_000 };
    this.#healthyResetMs = options.healthyResetMs ?? 60_000;
    this.#watchReconnectMaxMs = options.watchReconnectMaxMs ?? 5_000;
    this.#listTimeoutMs = options.listTimeoutMs ?? 60_000;
    this.#timers = options.timers ?? realTimers;
    this.#relist = new PeriodicRelist(options.relistPeriodMs ?? DEFAULT_RELIST_PERIOD_MS, this.#timers, () => this.#relistNow());
    this.#onList = options.onList;
    this.#log = options.logger ?? SILENT_LOGGER;
    if (!Number.isInteger(this.#pageSize) || this.#pageSize < 1) {
      throw new RangeError(`NodeInformer: pageSize must be a positive integer, got ${this.#pageSize}`);
    }
    if (!(this.#backoff.initialMs > 0) || !(this.#backoff.maxMs >= this.#backoff.initialMs)) {
      throw new RangeError(
        `NodeInformer: restartBackoff needs 0 < initialMs <= maxMs, got ${this.#backoff.initialMs}/${this.#backoff.maxMs}`,
      );
    }
  }

  /** Subscribe to cache changes; returns the unsubscribe function. */
  onChange(handler: NodeChangeHandler): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  /** Subscribe to `synced` flips (false on an error, true again once a restart succeeded). */
  onSyncedChange(handler: (synced: boolean) => void): () => void {
    this.#syncHandlers.add(handler);
    return () => this.#syncHandlers.delete(handler);
  }

  /**
   * True while the cache holds a complete list and the watch is running: set once a list has
   * succeeded and start() (or a restart) completed with no error; false from any error until
   * the next successful restart, and after stop(). Deletions must wait for this.
   */
  get synced(): boolean {
    return this.#synced;
  }

  /** Number of restarts after errors since construction. */
  get restarts(): number {
    return this.#restarts;
  }

  /** The resourceVersion the cache is at ("" before the first list). */
  get resourceVersion(): string {
    return this.#listWatch?.latestResourceVersion() ?? "";
  }

  /** All cached Nodes (slim: see slimNode; timestamps are Date). */
  list(): V1Node[] {
    return [...this.#nodes.values()];
  }

  get(nodeName: string): V1Node | undefined {
    return this.#nodes.get(nodeName);
  }

  /**
   * Starts listing and watching. Resolves after the first attempt, synced or not: a failed
   * attempt is retried in the background (see `synced`, waitForSync()). Calling it while running
   * does nothing.
   */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#stopSignal = new AbortController();
    const listWatch = this.#newListWatch();
    this.#relist.start();
    await this.#attempt(listWatch);
  }

  /** A new ListWatch (it lists first), made the current one. */
  #newListWatch(): ListWatch<V1Node> {
    const stopSignal = this.#stopSignal.signal;
    const watch = new StoppableWatch(this.#kubeConfig);
    // Capped, and cut short by stop(): client-node would otherwise open a new watch after its
    // delay even when stopped meanwhile.
    const delayFn = async (ms: number): Promise<void> => {
      await sleep(this.#timers, Math.min(ms, this.#watchReconnectMaxMs), stopSignal);
    };
    const listFn = (): Promise<KubernetesListObject<V1Node>> => this.#list(listWatch);
    const listWatch = new ListWatch<V1Node>(NODES_PATH, watch, listFn, false, undefined, undefined, { delayFn });
    listWatch.on("add", (node) => this.#upsert(listWatch, node));
    listWatch.on("update", (node) => this.#upsert(listWatch, node));
    listWatch.on("delete", (node) => this.#remove(listWatch, node));
    listWatch.on("error", (error: unknown) => this.#onError(listWatch, error));
    listWatch.on("connect", () => {
      if (listWatch !== this.#listWatch) return;
      this.#log.debug({ resourceVersion: listWatch.latestResourceVersion() }, "node watch connecting");
    });
    this.#listWatch = listWatch;
    this.#watch = watch;
    return listWatch;
  }

  /**
   * The periodic full re-list: a new ListWatch lists (the cache takes the differences, see #list)
   * and watches from the list's resourceVersion; the old one stops. The cache stays synced meanwhile
   * (it is complete, only perhaps stale), and a restart waiting after an error is replaced by it.
   */
  async #relistNow(): Promise<void> {
    if (!this.#running || !this.#hasListed) return;
    if (this.#restartTimer !== undefined) this.#timers.clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    const previous = this.#listWatch;
    if (this.#watch) this.#watch.stopped = true;
    const listWatch = this.#newListWatch();
    this.#periodicBy = listWatch;
    await previous?.stop();
    await this.#attempt(listWatch);
  }

  /** Stops watching. The cache keeps its last content; start() may be called again. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#relist.stop();
    if (this.#restartTimer !== undefined) {
      this.#timers.clearTimeout(this.#restartTimer);
      this.#restartTimer = undefined;
    }
    const listWatch = this.#listWatch;
    if (this.#watch) this.#watch.stopped = true;
    this.#stopSignal.abort();
    this.#listWatch = undefined;
    this.#watch = undefined;
    this.#setSynced(false);
    // Fires an AbortError callback, which #onError ignores because this ListWatch is no longer current.
    await listWatch?.stop();
  }

  /**
   * Resolves true once synced, false if `signal` aborts first. Use before the first reconcile
   * that may delete routes.
   */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.#synced) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        unsubscribe();
        resolve(false);
      };
      const unsubscribe = this.onSyncedChange((synced) => {
        if (!synced) return;
        unsubscribe();
        signal?.removeEventListener("abort", onAbort);
        resolve(true);
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  async #list(listWatch: ListWatch<V1Node>): Promise<KubernetesListObject<V1Node>> {
    // A re-list inside a running ListWatch (its watch got 410 Gone): the cache is stale until the
    // list is in, so it is not reported synced meanwhile (no deletes are planned from it).
    const relist = this.#synced && this.#listedBy === listWatch;
    if (relist) {
      this.#log.info({}, "re-listing nodes (watch resourceVersion expired)");
      this.#setSynced(false);
    }
    const reason = this.#listedBy === listWatch ? "expired" : this.#periodicBy === listWatch ? "periodic" : "start";
    // A real timer: it guards a socket, not a schedule (see leader-election.ts).
    // Unlinked once listed: AbortSignal.any would stay among the stop signal's dependants (src/util/linked-signal.ts).
    const linked = linkedSignal([this.#stopSignal.signal, AbortSignal.timeout(this.#listTimeoutMs)]);
    const { items, resourceVersion } = await listAllNodes(this.#core, { pageSize: this.#pageSize, signal: linked.signal }).finally(linked.dispose);
    if (listWatch !== this.#listWatch) {
      // Stopped (or replaced) while listing: never settle, so this ListWatch opens no watch.
      return new Promise<never>(() => undefined);
    }
    // The list is the whole truth: the cache takes its differences (node-relist.ts), so ListWatch's
    // own add/update callbacks for these same objects find nothing left to change.
    const slim = items.map(slimNode);
    const rewoundFrom = this.#mark.listed(resourceVersion);
    if (rewoundFrom !== undefined) {
      this.#log.warn(
        { resourceVersion, previousResourceVersion: rewoundFrom },
        "node list resourceVersion went back (etcd restored from a backup?): the node cache is rebuilt from this list",
      );
    }
    const diff = applyList(this.#nodes, slim, (kind, node, oldNode) => this.#emit(kind, node, oldNode));
    this.#listedBy = listWatch;
    this.#hasListed = true;
    const level = reason === "periodic" && diff.added + diff.updated + diff.deleted > 0 ? "info" : "debug";
    this.#log[level]({ nodes: items.length, resourceVersion, reason, ...diff }, "nodes listed");
    this.#onList?.({ reason, resourceVersion, rewoundFrom, ...diff });
    if (relist && !this.#errorInAttempt) {
      this.#healthySince = this.#timers.now();
      this.#setSynced(true);
    }
    return { apiVersion: "v1", kind: "NodeList", metadata: { resourceVersion }, items: slim };
  }

  async #attempt(listWatch: ListWatch<V1Node>): Promise<void> {
    if (listWatch !== this.#listWatch || !this.#running) return;
    this.#errorInAttempt = false;
    try {
      await listWatch.start();
    } catch (error) {
      this.#onError(listWatch, error);
    }
    if (listWatch !== this.#listWatch) return;
    if (!this.#errorInAttempt && this.#hasListed) {
      this.#healthySince ??= this.#timers.now(); // a periodic re-list does not restart the healthy period
      this.#setSynced(true);
    }
  }

  #onError(listWatch: ListWatch<V1Node>, error: unknown): void {
    // Errors of a stopped or replaced ListWatch (including the AbortError stop() causes) are not ours.
    if (listWatch !== this.#listWatch || !this.#running) return;
    this.#errorInAttempt = true;
    this.#setSynced(false);
    if (this.#restartTimer !== undefined) return;
    const now = this.#timers.now();
    if (this.#healthySince !== undefined && now - this.#healthySince >= this.#healthyResetMs) {
      this.#consecutiveFailures = 0;
    }
    this.#healthySince = undefined;
    const delayMs = backoffDelay(this.#backoff, this.#consecutiveFailures, () => this.#timers.random());
    this.#consecutiveFailures += 1;
    this.#log.warn(
      { err: describeKubeError(error), delayMs, consecutiveFailures: this.#consecutiveFailures },
      "node informer failed; restarting",
    );
    this.#restartTimer = this.#timers.setTimeout(() => {
      this.#restartTimer = undefined;
      if (listWatch !== this.#listWatch || !this.#running) return;
      this.#restarts += 1;
      void this.#attempt(listWatch);
    }, delayMs);
  }

  /** `node` is already slim (the list and the watch slim every Node before ListWatch stores it). */
  #upsert(listWatch: ListWatch<V1Node>, node: V1Node): void {
    if (listWatch !== this.#listWatch) return;
    const nodeName = node.metadata?.name;
    if (!nodeName) return;
    this.#mark.observe(node.metadata?.resourceVersion);
    const old = this.#nodes.get(nodeName);
    if (old && old.metadata?.resourceVersion === node.metadata?.resourceVersion) return;
    this.#nodes.set(nodeName, node);
    if (old) this.#emit("update", node, old);
    else this.#emit("add", node);
  }

  #remove(listWatch: ListWatch<V1Node>, node: V1Node): void {
    if (listWatch !== this.#listWatch) return;
    const nodeName = node.metadata?.name;
    if (!nodeName) return;
    this.#mark.observe(node.metadata?.resourceVersion);
    const old = this.#nodes.get(nodeName);
    if (!old) return;
    this.#nodes.delete(nodeName);
    this.#emit("delete", node, old);
  }

  #emit(kind: NodeChangeKind, node: V1Node, oldNode?: V1Node): void {
    for (const handler of [...this.#handlers]) {
      try {
        handler(kind, node, oldNode);
      } catch (error) {
        this.#log.error({ err: describeKubeError(error), kind, nodeName: node.metadata?.name }, "node change handler threw");
      }
    }
  }

  #setSynced(synced: boolean): void {
    if (this.#synced === synced) return;
    this.#synced = synced;
    this.#log.info({ synced }, synced ? "node cache synced" : "node cache not synced");
    for (const handler of [...this.#syncHandlers]) {
      try {
        handler(synced);
      } catch (error) {
        this.#log.error({ err: describeKubeError(error) }, "node sync handler threw");
      }
    }
  }
}
