// Fault injection: injected HTTP errors for matching requests, added latency (before the request
// is handled) and late answers (after it was applied: the client sees its own write late), dropped watch
// connections (once or on an interval), history compaction (forces 410 Gone), bookmarks on demand, and
// an etcd backup and restore (resourceVersions go back in time).
// Driven from tests in-process or over HTTP through the control endpoints.

import type { StoreBackup } from "./object-store.ts";
import { KubeStatusError } from "./status-error.ts";

/** How a dropped watch ends: a clean end of stream, or a reset connection (a network error). */
export type DropMode = "close" | "reset";

export interface ErrorRule {
  /** HTTP status to answer with, e.g. 500, 503, 429, 410. */
  readonly status: number;
  /** Only this method (case-insensitive). */
  readonly method?: string;
  /** Only paths matching this regular expression (a string is compiled as one). Query excluded. */
  readonly path?: string | RegExp;
  /** true: only watch requests; false: only non-watch requests; unset: both. */
  readonly watch?: boolean;
  /** Only requests whose raw query string (without `?`) matches this regular expression. */
  readonly query?: string | RegExp;
  /** Answer this many matching requests, then stop matching. Unset: until cleared. */
  readonly times?: number;
  readonly reason?: string;
  readonly message?: string;
  /**
   * For a watch: answer 200 and one `ERROR` event carrying the Status, then end the stream (how
   * kube-apiserver reports a failure once a watch is open), instead of an HTTP error.
   */
  readonly asWatchEvent?: boolean;
}

export interface LatencyRule {
  readonly ms: number;
  readonly method?: string;
  readonly path?: string | RegExp;
}

/** Delays the answer of matching requests AFTER the server applied them. */
export interface AnswerDelayRule extends LatencyRule {
  /** Delay this many matching answers, then stop. Unset: until cleared. */
  readonly times?: number;
}

export interface MatchedRequest {
  readonly method: string;
  readonly path: string;
  readonly watch: boolean;
  /** The raw query string without `?` (error rules with `query` only match when it is given). */
  readonly query?: string;
}

/** What the fault controller needs from the server. */
export interface FaultTargets {
  dropWatches(mode: DropMode): number;
  compactHistory(): void;
  sendBookmarks(): number;
  backupStore(): StoreBackup;
  restoreStore(backup: StoreBackup): void;
}

export interface FaultControls {
  /** Adds an error rule; returns its id for `clearErrors(id)`. */
  failRequests(rule: ErrorRule): string;
  clearErrors(id?: string): void;
  setLatency(rule: LatencyRule | number): void;
  clearLatency(): void;
  /** Applies matching requests at once but holds their answers back for `ms` (a late answer). */
  delayAnswers(rule: AnswerDelayRule | number): void;
  clearAnswerDelay(): void;
  /** Ends every open watch now; returns how many were open. */
  dropWatches(mode?: DropMode): number;
  dropWatchesEvery(intervalMs: number, mode?: DropMode): void;
  stopDroppingWatches(): void;
  /** Forgets watch history: the next watch or continue token from an older resourceVersion gets 410. */
  compactHistory(): void;
  /** Sends a BOOKMARK on every watch that asked for them; returns how many were sent. */
  sendBookmarks(): number;
  /** Saves the objects and the resourceVersion counter, as an etcd snapshot does; returns its id. */
  backupEtcd(): string;
  /**
   * Restores a backup the way etcd is restored and kube-apiserver restarted: objects and the
   * resourceVersion counter go back, history is forgotten and every watch is closed; a client then
   * holds a resourceVersion "in the future", and a watch from it is accepted and stays silent until
   * the counter passes it. Returns how many watches were closed.
   */
  restoreEtcd(id: string): number;
  /** Clears every rule and timer. */
  clear(): void;
}

const REASONS: Readonly<Record<number, string>> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  409: "Conflict",
  410: "Expired",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

interface StoredRule {
  readonly id: string;
  readonly rule: ErrorRule;
  readonly path: RegExp | undefined;
  readonly query: RegExp | undefined;
  remaining: number | undefined;
}

function compile(path: string | RegExp | undefined, what: string): RegExp | undefined {
  if (path === undefined || path instanceof RegExp) return path;
  try {
    return new RegExp(path);
  } catch (error) {
    throw new TypeError(`${what}: path ${JSON.stringify(path)} is not a valid regular expression`, { cause: error });
  }
}

function methodMatches(wanted: string | undefined, method: string): boolean {
  return wanted === undefined || wanted.toUpperCase() === method.toUpperCase();
}

export class FaultController implements FaultControls {
  readonly #targets: FaultTargets;
  readonly #rules: StoredRule[] = [];
  #latency: { ms: number; method: string | undefined; path: RegExp | undefined } | undefined;
  #answerDelay: { ms: number; method: string | undefined; path: RegExp | undefined; remaining: number | undefined } | undefined;
  #dropTimer: NodeJS.Timeout | undefined;
  #nextId = 1;
  readonly #backups = new Map<string, StoreBackup>();

  constructor(targets: FaultTargets) {
    this.#targets = targets;
  }

  failRequests(rule: ErrorRule): string {
    if (!Number.isInteger(rule.status) || rule.status < 100 || rule.status > 599) {
      throw new TypeError(`failRequests: status must be an HTTP status code (100-599), got ${String(rule.status)}`);
    }
    if (rule.times !== undefined && (!Number.isInteger(rule.times) || rule.times < 1)) {
      throw new TypeError(`failRequests: times must be a positive integer, got ${String(rule.times)}`);
    }
    const id = `fault-${this.#nextId++}`;
    this.#rules.push({ id, rule, path: compile(rule.path, "failRequests"), query: compile(rule.query, "failRequests"), remaining: rule.times });
    return id;
  }

  clearErrors(id?: string): void {
    if (id === undefined) {
      this.#rules.length = 0;
      return;
    }
    const index = this.#rules.findIndex((r) => r.id === id);
    if (index >= 0) this.#rules.splice(index, 1);
  }

  setLatency(rule: LatencyRule | number): void {
    const spec = typeof rule === "number" ? { ms: rule } : rule;
    if (!Number.isFinite(spec.ms) || spec.ms < 0) throw new TypeError(`setLatency: ms must be a non-negative number, got ${String(spec.ms)}`);
    this.#latency = { ms: spec.ms, method: spec.method, path: compile(spec.path, "setLatency") };
  }

  clearLatency(): void {
    this.#latency = undefined;
  }

  delayAnswers(rule: AnswerDelayRule | number): void {
    const spec: AnswerDelayRule = typeof rule === "number" ? { ms: rule } : rule;
    if (!Number.isFinite(spec.ms) || spec.ms < 0) throw new TypeError(`delayAnswers: ms must be a non-negative number, got ${String(spec.ms)}`);
    if (spec.times !== undefined && (!Number.isInteger(spec.times) || spec.times < 1)) {
      throw new TypeError(`delayAnswers: times must be a positive integer, got ${String(spec.times)}`);
    }
    this.#answerDelay = { ms: spec.ms, method: spec.method, path: compile(spec.path, "delayAnswers"), remaining: spec.times };
  }

  clearAnswerDelay(): void {
    this.#answerDelay = undefined;
  }

  /** Milliseconds to hold this request's answer back after handling it (consuming one of `times`). */
  answerDelayFor(request: MatchedRequest): number {
    const delay = this.#answerDelay;
    if (delay === undefined || request.watch || !methodMatches(delay.method, request.method)) return 0;
    if (delay.path !== undefined && !delay.path.test(request.path)) return 0;
    if (delay.remaining !== undefined) {
      delay.remaining -= 1;
      if (delay.remaining <= 0) this.#answerDelay = undefined;
    }
    return delay.ms;
  }

  dropWatches(mode: DropMode = "close"): number {
    return this.#targets.dropWatches(mode);
  }

  dropWatchesEvery(intervalMs: number, mode: DropMode = "close"): void {
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
      throw new TypeError(`dropWatchesEvery: intervalMs must be a positive number, got ${String(intervalMs)}`);
    }
    this.stopDroppingWatches();
    this.#dropTimer = setInterval(() => this.#targets.dropWatches(mode), intervalMs);
    this.#dropTimer.unref();
  }

  stopDroppingWatches(): void {
    if (this.#dropTimer !== undefined) clearInterval(this.#dropTimer);
    this.#dropTimer = undefined;
  }

  compactHistory(): void {
    this.#targets.compactHistory();
  }

  sendBookmarks(): number {
    return this.#targets.sendBookmarks();
  }

  backupEtcd(): string {
    const id = `backup-${this.#nextId++}`;
    this.#backups.set(id, this.#targets.backupStore());
    return id;
  }

  restoreEtcd(id: string): number {
    const backup = this.#backups.get(id);
    if (backup === undefined) throw new TypeError(`restoreEtcd: no backup ${JSON.stringify(id)} (take one with backupEtcd)`);
    this.#targets.restoreStore(backup);
    return this.#targets.dropWatches("close");
  }

  clear(): void {
    this.clearErrors();
    this.clearLatency();
    this.clearAnswerDelay();
    this.stopDroppingWatches();
  }

  /** Milliseconds to delay this request by. */
  latencyFor(request: MatchedRequest): number {
    const latency = this.#latency;
    if (latency === undefined || !methodMatches(latency.method, request.method)) return 0;
    if (latency.path !== undefined && !latency.path.test(request.path)) return 0;
    return latency.ms;
  }

  /** The injected error for this request, if a rule matches (consuming one of its `times`). */
  errorFor(request: MatchedRequest): { readonly error: KubeStatusError; readonly asWatchEvent: boolean } | undefined {
    for (const stored of this.#rules) {
      const { rule } = stored;
      if (!methodMatches(rule.method, request.method)) continue;
      if (stored.path !== undefined && !stored.path.test(request.path)) continue;
      if (rule.watch !== undefined && rule.watch !== request.watch) continue;
      if (stored.query !== undefined && !stored.query.test(request.query ?? "")) continue;
      if (stored.remaining !== undefined) {
        stored.remaining -= 1;
        if (stored.remaining <= 0) this.clearErrors(stored.id);
      }
      const reason = rule.reason ?? REASONS[rule.status] ?? "InternalError";
      const message = rule.message ?? (rule.status === 410 ? "too old resource version: injected fault" : `injected fault: HTTP ${rule.status}`);
      return { error: new KubeStatusError(rule.status, reason, message), asWatchEvent: request.watch && rule.asWatchEvent === true };
    }
    return undefined;
  }
}
