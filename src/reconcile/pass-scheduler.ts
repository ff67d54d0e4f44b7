// The controller's single coalescing trigger. Events only say "something changed"; every pass
// reads the whole current state and converges (level-based), so a burst of hundreds of Node
// events collapses into one or a few passes. Also owns the periodic resync and failure backoff.
import { backoffDelay } from "../util/backoff.js";
import type { Timers, TimerHandle } from "../util/timers.js";

/**
 * How a pass ended, which decides when the next one runs. The failure verdicts are the error
 * policy's own words (src/error-policy.ts decides them for a thrown error).
 */
export type PassVerdict =
  /** Converged (or nothing to do): next pass on the next change or resync. */
  | "success"
  /** Transient failure: run again after an exponential backoff with full jitter (util/backoff.ts). */
  | "backoff"
  /** Retrying cannot help (quota, permissions, refused deletes): wait for a change or the resync, no hot loop. */
  | "give-up";

export interface PassSchedulerOptions {
  /** Delay between the first change of a burst and the pass that handles it. */
  readonly aggregationWindowMs: number;
  /** A full pass runs at least this often, also without changes (repairs drift made outside). */
  readonly resyncPeriodMs: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  readonly timers: Timers;
  /** Runs one pass. Must not throw; a thrown error is treated as "backoff". */
  readonly runPass: (trigger: PassTrigger) => Promise<PassVerdict>;
  /** Called when runPass throws (should not happen); for logging. */
  readonly onUnexpectedError?: (error: unknown) => void;
}

export interface PassTrigger {
  /** Why this pass runs: "change", "resync", "retry" or "start". */
  readonly cause: "change" | "resync" | "retry" | "start";
  /** Number of change notifications folded into this pass. */
  readonly changes: number;
}

/** Consecutive transient failures from which a Node change no longer cuts the backoff short. */
export const OUTAGE_FAILURES = 3;

export class PassScheduler {
  readonly #options: PassSchedulerOptions;
  #running = false;
  #stopped = true;
  #inFlight: Promise<void> | undefined;
  #timer: TimerHandle | undefined;
  #timerDue = Number.POSITIVE_INFINITY;
  #pendingCause: PassTrigger["cause"] | undefined;
  #pendingChanges = 0;
  #failures = 0;
  /** start() came while a pass of the previous run was still returning: run once it has. */
  #startAfterPass = false;

  constructor(options: PassSchedulerOptions) {
    if (options.aggregationWindowMs < 0) throw new RangeError("aggregationWindowMs must be >= 0");
    if (options.resyncPeriodMs <= 0) throw new RangeError("resyncPeriodMs must be > 0");
    this.#options = options;
  }

  /** Starts the loop with an immediate first pass. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#pendingCause = "start";
    this.#arm(0);
  }

  /**
   * A relevant change was seen: a pass will run within the aggregation window — unless an outage's
   * backoff is pending (OUTAGE_FAILURES transient failures in a row): then the change is folded into
   * the retry pass, so steady Node churn during a VPC outage does not turn into a full read pass
   * every window (issue 20). A blip (a TaskConflict while a burst's entries are Pending) still lets a
   * change run the next pass soon.
   */
  notifyChange(): void {
    if (this.#stopped) return;
    this.#pendingChanges += 1;
    if (this.#pendingCause === "retry" && this.#failures >= OUTAGE_FAILURES) return;
    if (this.#pendingCause === "retry") this.#pendingCause = "change";
    // A change cuts a long wait for the resync down to the aggregation window.
    this.#pendingCause ??= "change";
    if (this.#pendingCause === "resync") this.#pendingCause = "change";
    if (!this.#running) this.#arm(this.#options.aggregationWindowMs);
  }

  /** Number of consecutive failed passes (0 after a success). */
  get consecutiveFailures(): number {
    return this.#failures;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Stops scheduling passes; resolves when the in-flight pass (if any) has returned. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#startAfterPass = false;
    this.#cancelTimer();
    await this.#inFlight;
  }

  /** Schedules a pass in `ms` unless one is already due sooner. */
  #arm(ms: number): void {
    const due = this.#options.timers.now() + ms;
    if (this.#timer && this.#timerDue <= due) return;
    this.#cancelTimer();
    this.#timerDue = due;
    this.#timer = this.#options.timers.setTimeout(() => {
      this.#timer = undefined;
      this.#timerDue = Number.POSITIVE_INFINITY;
      // Only after stop() then start() (e.g. the Lease lost and won again) can a pass still be
      // running here: keep awaiting that one and run the new start pass when it returns.
      if (this.#running) this.#startAfterPass = true;
      else this.#inFlight = this.#runOnce();
    }, ms);
  }

  #cancelTimer(): void {
    if (this.#timer !== undefined) this.#options.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerDue = Number.POSITIVE_INFINITY;
  }

  async #runOnce(): Promise<void> {
    if (this.#stopped || this.#running) return;
    this.#running = true;
    const trigger: PassTrigger = { cause: this.#pendingCause ?? "resync", changes: this.#pendingChanges };
    this.#pendingCause = undefined;
    this.#pendingChanges = 0;
    let outcome: PassVerdict;
    try {
      outcome = await this.#options.runPass(trigger);
    } catch (error) {
      this.#options.onUnexpectedError?.(error);
      outcome = "backoff";
    }
    this.#running = false;
    if (this.#stopped) return;
    if (this.#startAfterPass) {
      this.#startAfterPass = false;
      this.#arm(0);
      return;
    }

    if (outcome === "success") this.#failures = 0;
    else this.#failures += 1;

    if (outcome === "backoff" && (this.#pendingChanges === 0 || this.#failures >= OUTAGE_FAILURES)) {
      // Changes that arrived during the pass wait for an outage's backoff too (see notifyChange).
      this.#pendingCause = "retry";
      this.#arm(this.#backoffMs());
      return;
    }
    if (this.#pendingChanges > 0) {
      // Changes arrived during the pass: handle them after the aggregation window.
      this.#pendingCause = "change";
      this.#arm(this.#options.aggregationWindowMs);
      return;
    }
    this.#pendingCause ??= "resync";
    this.#arm(this.#options.resyncPeriodMs);
  }

  #backoffMs(): number {
    const { backoffBaseMs, backoffMaxMs, timers } = this.#options;
    return backoffDelay({ initialMs: backoffBaseMs, maxMs: backoffMaxMs }, this.#failures - 1, () => timers.random());
  }
}
