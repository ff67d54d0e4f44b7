// What a full list of Nodes does to the informer's cache, independent of the transport that lists
// and watches: the diff that turns the cache into the list (the change events a watch would have
// given, none for an unchanged Node), the check that a list did not go back in time (etcd restored
// from a backup), the recognition of a "resourceVersion too large" answer, and the timer of the
// periodic full re-list.
//
// Why a periodic re-list: after etcd is restored from a backup (and kube-apiserver restarted, as the
// restore procedure requires), the server's resourceVersions are lower than the ones clients hold.
// kube-apiserver accepts a watch from such a "future" resourceVersion and sends nothing until its
// revision passes it, and every change in between is lost to the watcher: the cache would stay
// frozen while it reports synced. Only a new list sees the restored state; test/real-kube/etcd-restore.test.ts
// shows both on a real kube-apiserver and etcd.

import type { V1Node } from "@kubernetes/client-node";
import type { Timers, TimerHandle } from "../util/timers.js";

/** Default period of the full re-list: bounds how long the cache can miss what a watch did not deliver. */
export const DEFAULT_RELIST_PERIOD_MS = 10 * 60_000;

export type CacheChangeKind = "add" | "update" | "delete";

/** Counts of the changes one list made to the cache. */
export interface ListDiff {
  readonly added: number;
  readonly updated: number;
  readonly deleted: number;
}

/** Why a full list ran. */
export type ListReason = "start" | "expired" | "periodic";

/** What the informer reports after each full list (metrics, logs). */
export interface ListReport extends ListDiff {
  readonly reason: ListReason;
  readonly resourceVersion: string;
  /** The highest resourceVersion seen before this list when the list's is lower (time travel), else undefined. */
  readonly rewoundFrom: string | undefined;
}

/**
 * Makes `cache` (Nodes by name) equal to `listed` and reports each difference through `emit`, in
 * the order a watch would: deletions of cached Nodes the list lacks, then additions and updates in
 * list order. A Node counts as changed when its resourceVersion differs, or when its content does
 * under an equal resourceVersion: after an etcd restore the server hands out resourceVersions again,
 * so an equal one no longer proves an equal object. An unchanged Node keeps its cached object and
 * gives no event.
 */
export function applyList(
  cache: Map<string, V1Node>,
  listed: readonly V1Node[],
  emit: (kind: CacheChangeKind, node: V1Node, oldNode?: V1Node) => void,
): ListDiff {
  const names = new Set<string>();
  for (const node of listed) {
    const name = node.metadata?.name;
    if (name) names.add(name);
  }
  let deleted = 0;
  for (const [name, cached] of [...cache]) {
    if (names.has(name)) continue;
    cache.delete(name);
    deleted += 1;
    emit("delete", cached, cached);
  }
  let added = 0;
  let updated = 0;
  for (const node of listed) {
    const name = node.metadata?.name;
    if (!name) continue;
    const cached = cache.get(name);
    if (cached !== undefined && sameNode(cached, node)) continue;
    cache.set(name, node);
    if (cached === undefined) {
      added += 1;
      emit("add", node);
    } else {
      updated += 1;
      emit("update", node, cached);
    }
  }
  return { added, updated, deleted };
}

/** Equal resourceVersion and equal content (key order, undefined fields and Date vs string ignored). @internal exported for tests */
export function sameNode(a: V1Node, b: V1Node): boolean {
  return a.metadata?.resourceVersion === b.metadata?.resourceVersion && canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item === null || typeof item !== "object" || Array.isArray(item)) return item;
    const entries = Object.entries(item as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return Object.fromEntries(entries);
  });
}

/**
 * Orders two resourceVersions. They are opaque to clients, but kube-apiserver's are etcd revisions
 * (decimal integers); undefined when either is not one, so no conclusion is drawn from an unknown
 * format.
 * @internal exported for tests
 */
export function compareResourceVersions(a: string, b: string): -1 | 0 | 1 | undefined {
  if (!/^\d+$/.test(a) || !/^\d+$/.test(b)) return undefined;
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The highest resourceVersion the cache has seen (lists and watch events). A list below it means the
 * server's storage went back in time: etcd restored from a backup.
 */
export class ResourceVersionMark {
  #highest = "";

  get highest(): string {
    return this.#highest;
  }

  /** Records a resourceVersion from a watch event or a list. */
  observe(resourceVersion: string | undefined): void {
    if (!resourceVersion) return;
    if (this.#highest === "" || compareResourceVersions(resourceVersion, this.#highest) !== -1) this.#highest = resourceVersion;
  }

  /**
   * Records a complete list's resourceVersion. Returns the previous highest when the list's is lower
   * (the mark then starts again from the list), else undefined.
   */
  listed(resourceVersion: string): string | undefined {
    const previous = this.#highest;
    if (previous !== "" && compareResourceVersions(resourceVersion, previous) === -1) {
      this.#highest = resourceVersion;
      return previous;
    }
    this.observe(resourceVersion);
    return undefined;
  }
}

/**
 * A Status (a watch ERROR event's object, or a parsed error body) saying the requested
 * resourceVersion is ahead of the server's: kube-apiserver answers `Too large resource version`
 * (reason Timeout, cause ResourceVersionTooLarge). Like client-go, the informer treats it as 410
 * Gone: only a new list helps.
 */
export function isResourceVersionTooLarge(status: unknown): boolean {
  if (typeof status !== "object" || status === null) return false;
  const { message, details } = status as { message?: unknown; details?: { causes?: { reason?: unknown }[] } };
  if (Array.isArray(details?.causes) && details.causes.some((cause) => cause?.reason === "ResourceVersionTooLarge")) return true;
  return typeof message === "string" && /too large resource version/i.test(message);
}

/**
 * Runs `run` every `periodMs` after the previous run finished (never two at once) until stop().
 * `periodMs` 0 disables it.
 */
export class PeriodicRelist {
  readonly #periodMs: number;
  readonly #timers: Timers;
  readonly #run: () => Promise<void>;
  #timer: TimerHandle | undefined;
  #running = false;

  constructor(periodMs: number, timers: Timers, run: () => Promise<void>) {
    if (!Number.isFinite(periodMs) || periodMs < 0) throw new RangeError(`relist period must be >= 0 ms, got ${periodMs}`);
    this.#periodMs = periodMs;
    this.#timers = timers;
    this.#run = run;
  }

  start(): void {
    if (this.#running || this.#periodMs === 0) return;
    this.#running = true;
    this.#schedule();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = undefined;
      if (!this.#running) return;
      // run() reports its own failures; the schedule goes on whatever happened.
      void this.#run()
        .catch(() => undefined)
        .finally(() => {
          if (this.#running) this.#schedule();
        });
    }, this.#periodMs);
  }
}
