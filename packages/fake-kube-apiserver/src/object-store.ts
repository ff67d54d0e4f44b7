// The fake's etcd: objects per storage, one global resourceVersion counter, a bounded history of
// changes for watch replay, and list snapshots for `continue` tokens. Objects are immutable once
// committed (writers commit new trees), so history and snapshots can hold references safely.

import { clone, metadataOf, type JsonObject } from "./json.ts";
import type { StorageKey } from "./resource-types.ts";

export type ChangeType = "ADDED" | "MODIFIED" | "DELETED";

export interface Change {
  readonly resourceVersion: number;
  readonly storage: StorageKey;
  readonly type: ChangeType;
  /** The object after the change (for DELETED: the last state, carrying the deletion's resourceVersion). */
  readonly object: JsonObject;
  /** The object before the change; undefined for ADDED. */
  readonly previous: JsonObject | undefined;
}

export interface ListSnapshot {
  readonly storage: StorageKey;
  readonly resourceVersion: number;
  /** Objects sorted by storage key, frozen at the time of the first page. */
  readonly items: readonly JsonObject[];
}

/** A copy of the store's objects and resourceVersion counter, as an etcd backup holds them. */
export interface StoreBackup {
  readonly resourceVersion: number;
  readonly objects: ReadonlyMap<StorageKey, ReadonlyMap<string, JsonObject>>;
}

export interface ObjectStoreOptions {
  readonly initialResourceVersion: number;
  readonly historyLimit: number;
  /** How many list snapshots (for paginated lists) are kept before the oldest is forgotten. */
  readonly snapshotLimit: number;
}

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace === undefined || namespace === "" ? name : `${namespace}/${name}`;
}

export class ObjectStore {
  readonly #objects = new Map<StorageKey, Map<string, JsonObject>>();
  readonly #history: Change[] = [];
  readonly #listeners = new Set<(change: Change) => void>();
  readonly #snapshots = new Map<string, ListSnapshot>();
  readonly #historyLimit: number;
  readonly #snapshotLimit: number;
  #resourceVersion: number;
  /** Every change with a resourceVersion above this one is still in #history. */
  #compactedThrough: number;

  constructor(options: ObjectStoreOptions) {
    this.#resourceVersion = options.initialResourceVersion;
    this.#compactedThrough = options.initialResourceVersion;
    this.#historyLimit = options.historyLimit;
    this.#snapshotLimit = options.snapshotLimit;
  }

  get resourceVersion(): number {
    return this.#resourceVersion;
  }

  /** The oldest resourceVersion a watch may start from. */
  get compactedThrough(): number {
    return this.#compactedThrough;
  }

  get(storage: StorageKey, key: string): JsonObject | undefined {
    return this.#bucket(storage).get(key);
  }

  /** Current objects of a storage (optionally one namespace), sorted by key. */
  list(storage: StorageKey, namespace?: string): JsonObject[] {
    const entries = [...this.#bucket(storage).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return entries
      .map(([, obj]) => obj)
      .filter((obj) => namespace === undefined || metadataOf(obj)["namespace"] === namespace);
  }

  /**
   * Stores `object` under `key` with the next resourceVersion and records the change. For DELETED the
   * object is removed and the recorded object carries the deletion's resourceVersion.
   */
  commit(storage: StorageKey, key: string, type: ChangeType, object: JsonObject): JsonObject {
    const bucket = this.#bucket(storage);
    const previous = bucket.get(key);
    this.#resourceVersion += 1;
    const stored = clone(object);
    metadataOf(stored)["resourceVersion"] = String(this.#resourceVersion);
    if (type === "DELETED") bucket.delete(key);
    else bucket.set(key, stored);
    const change: Change = { resourceVersion: this.#resourceVersion, storage, type, object: stored, previous };
    this.#history.push(change);
    while (this.#history.length > this.#historyLimit) {
      const dropped = this.#history.shift();
      if (dropped !== undefined) this.#compactedThrough = dropped.resourceVersion;
    }
    for (const listener of [...this.#listeners]) listener(change);
    return clone(stored);
  }

  /** Changes after `resourceVersion`, or "expired" when history no longer reaches back that far. */
  changesSince(resourceVersion: number): readonly Change[] | "expired" {
    if (resourceVersion < this.#compactedThrough) return "expired";
    return this.#history.filter((change) => change.resourceVersion > resourceVersion);
  }

  /**
   * Forgets all history: every watch or continue token from a resourceVersion issued before now gets
   * 410. The counter moves on by one (as if an unrelated write happened), so that clients holding the
   * current resourceVersion are also expired, while lists made afterwards can still be watched from.
   */
  compact(): void {
    this.#history.length = 0;
    this.#resourceVersion += 1;
    this.#compactedThrough = this.#resourceVersion;
    for (const [id, snapshot] of this.#snapshots) {
      if (snapshot.resourceVersion < this.#compactedThrough) this.#snapshots.delete(id);
    }
  }

  /** The objects and the resourceVersion counter now (objects are immutable, so maps are copied, not objects). */
  backup(): StoreBackup {
    return { resourceVersion: this.#resourceVersion, objects: new Map([...this.#objects].map(([storage, bucket]) => [storage, new Map(bucket)])) };
  }

  /**
   * Puts the store back to `backup`, as restoring etcd from a snapshot does: the objects and the
   * resourceVersion counter go back (later writes reuse resourceVersions already handed out), and
   * history and continue snapshots are forgotten (watches from an older resourceVersion get 410).
   * Watchers are not told: the server's restart after a restore closes every watch (see faults.ts).
   */
  restore(backup: StoreBackup): void {
    this.#objects.clear();
    for (const [storage, bucket] of backup.objects) this.#objects.set(storage, new Map(bucket));
    this.#resourceVersion = backup.resourceVersion;
    this.#history.length = 0;
    this.#compactedThrough = backup.resourceVersion;
    this.#snapshots.clear();
  }

  subscribe(listener: (change: Change) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  saveSnapshot(id: string, snapshot: ListSnapshot): void {
    this.#snapshots.set(id, snapshot);
    while (this.#snapshots.size > this.#snapshotLimit) {
      const oldest = this.#snapshots.keys().next().value;
      if (oldest === undefined) break;
      this.#snapshots.delete(oldest);
    }
  }

  snapshot(id: string): ListSnapshot | undefined {
    const found = this.#snapshots.get(id);
    return found !== undefined && found.resourceVersion >= this.#compactedThrough ? found : undefined;
  }

  #bucket(storage: StorageKey): Map<string, JsonObject> {
    let bucket = this.#objects.get(storage);
    if (bucket === undefined) {
      bucket = new Map();
      this.#objects.set(storage, bucket);
    }
    return bucket;
  }
}
