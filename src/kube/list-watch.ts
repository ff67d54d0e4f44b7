// List, then watch from the list's resourceVersion, keeping a map of the objects: what the Node
// informer builds on. The same contract as @kubernetes/client-node's ListWatch and Watch (which
// the informer used until issue 19; importing them loads all of client-node), reduced to what the
// informer uses, over our KubeClient:
// - start() lists when it has no resourceVersion, reports removed objects as deletes and the rest
//   as adds or updates (an update only when the resourceVersion changed), then watches;
// - a watch that ends cleanly is re-opened from the last resourceVersion seen, after a delay that
//   doubles from 1 s to 30 s while no event arrives (`delayFn` may shorten or cut it);
// - a watch that times out client-side (TimeoutError) is re-opened at once;
// - 410 Gone (an HTTP answer, or an ERROR event with code 410) clears the resourceVersion, so the
//   next round lists again;
// - any other failure of the list or the watch goes to the `error` handlers, and nothing restarts
//   until start() is called again.
import type { KubeClient } from "./kube-client.js";

interface KubeObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string } | undefined;
}

export interface ListResult<T> {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { resourceVersion?: string } | undefined;
  readonly items: T[];
}

type Query = Record<string, string | number | boolean | undefined>;

/** Opens a watch: the KubeClient.watch contract. */
export class Watch {
  /** `connection`: anything holding the client, e.g. a KubeConnection. */
  constructor(private readonly connection: { readonly client: KubeClient }) {}

  watch(
    path: string,
    queryParams: Query,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    return this.connection.client.watch(path, queryParams, callback, done);
  }
}

const BASE_RECONNECT_DELAY_MS = 1_000;
const MAX_RECONNECT_DELAY_MS = 30_000;

type Verb = "add" | "update" | "delete" | "error" | "connect";

export class ListWatch<T extends KubeObject> {
  #objects = new Map<string, T>();
  readonly #handlers: Record<Verb, ((value: never) => void)[]> = { add: [], update: [], delete: [], error: [], connect: [] };
  #resourceVersion = "";
  #stopped = false;
  #reconnectDelayMs = 0;
  #hasConnected = false;
  #request: AbortController | undefined;
  readonly #delayFn: (ms: number) => Promise<unknown>;

  /** `autoStart`, `labelSelector` and `fieldSelector` are client-node's parameters; only `false`/unset are supported. */
  constructor(
    private readonly path: string,
    private readonly watcher: Watch,
    private readonly listFn: () => Promise<ListResult<T>>,
    autoStart = true,
    labelSelector?: undefined,
    fieldSelector?: undefined,
    options?: { delayFn?: (ms: number) => Promise<unknown> },
  ) {
    if (autoStart || labelSelector !== undefined || fieldSelector !== undefined) {
      throw new Error("ListWatch: autoStart and selectors are not supported");
    }
    this.#delayFn = options?.delayFn ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  on(verb: "add" | "update" | "delete", handler: (object: T) => void): void;
  on(verb: "error" | "connect", handler: (error: unknown) => void): void;
  on(verb: Verb, handler: (value: never) => void): void {
    this.#handlers[verb].push(handler);
  }

  latestResourceVersion(): string {
    return this.#resourceVersion;
  }

  list(): T[] {
    return [...this.#objects.values()];
  }

  async start(): Promise<void> {
    this.#stopped = false;
    this.#reconnectDelayMs = 0;
    this.#hasConnected = false;
    await this.#round(null);
  }

  stop(): Promise<void> {
    this.#stopped = true;
    this.#abortRequest();
    return Promise.resolve();
  }

  #emit(verb: Verb, value: unknown): void {
    for (const handler of [...this.#handlers[verb]]) (handler as (v: unknown) => void)(value);
  }

  #abortRequest(): void {
    this.#request?.abort();
    this.#request = undefined;
  }

  /** One round: after the previous watch ended with `err` (null at start), maybe list, then watch. */
  async #round(err: unknown): Promise<void> {
    this.#abortRequest();
    const failure = err as { statusCode?: unknown; code?: unknown; name?: unknown } | null;
    if (failure && (failure.statusCode === 410 || failure.code === 410)) {
      this.#resourceVersion = "";
    } else if (failure && failure.name === "TimeoutError") {
      // The idle timeout already spaced the attempts out: re-watch at once from where we were.
      this.#reconnectDelayMs = 0;
    } else if (failure) {
      this.#emit("error", failure);
      return;
    }
    if (this.#stopped) return;
    this.#emit("connect", undefined);
    if (!this.#resourceVersion) {
      let listed: ListResult<T>;
      try {
        listed = await this.listFn();
      } catch (error) {
        this.#emit("error", error);
        return;
      }
      this.#replaceAll(listed.items);
      this.#resourceVersion = listed.metadata?.resourceVersion ?? "";
    }
    if (this.#reconnectDelayMs > 0 && this.#hasConnected) await this.#delayFn(this.#reconnectDelayMs);
    if (this.#hasConnected) {
      this.#reconnectDelayMs = Math.min(this.#reconnectDelayMs > 0 ? this.#reconnectDelayMs * 2 : BASE_RECONNECT_DELAY_MS, MAX_RECONNECT_DELAY_MS);
    }
    this.#hasConnected = true;
    this.#request = await this.watcher.watch(
      this.path,
      { resourceVersion: this.#resourceVersion },
      (phase, object) => this.#onEvent(phase, object as T),
      (error) => void this.#round(error),
    );
  }

  #onEvent(phase: string, object: T): void {
    if (phase === "ERROR") {
      // The watch ends after this; a 410 makes the next round list again.
      if ((object as { code?: unknown }).code === 410) this.#resourceVersion = "";
      return;
    }
    if (phase === "ADDED" || phase === "MODIFIED") this.#upsert(object);
    else if (phase === "DELETED") this.#delete(object);
    this.#reconnectDelayMs = 0;
    this.#resourceVersion = object.metadata?.resourceVersion ?? "";
  }

  #replaceAll(items: readonly T[]): void {
    const listed = new Set(items.map(keyOf));
    for (const [key, held] of [...this.#objects]) {
      if (listed.has(key)) continue;
      this.#objects.delete(key);
      this.#emit("delete", held);
    }
    for (const item of items) this.#upsert(item);
  }

  #upsert(object: T): void {
    const key = keyOf(object);
    const held = this.#objects.get(key);
    if (held === undefined) {
      this.#objects.set(key, object);
      this.#emit("add", object);
      return;
    }
    const version = held.metadata?.resourceVersion;
    if (version !== undefined && version !== null && version === object.metadata?.resourceVersion) return;
    this.#objects.set(key, object);
    this.#emit("update", object);
  }

  #delete(object: T): void {
    const key = keyOf(object);
    if (!this.#objects.delete(key)) return;
    this.#emit("delete", object);
  }
}

function keyOf(object: KubeObject): string {
  return `${object.metadata?.namespace ?? ""}/${object.metadata?.name ?? ""}`;
}
