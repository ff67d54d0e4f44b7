// The one hand-driven clock for tests of time-dependent code: nothing fires until the test moves
// time with advance() (async: lets promise chains settle between timers) or advanceSync() (fires
// the due callbacks back to back, for tests that then wait on real I/O themselves).
import type { Timers, TimerHandle } from "../../src/util/timers.js";

interface Pending {
  readonly due: number;
  readonly callback: () => void;
}

export class ManualTimers implements Timers {
  #now: number;
  #nextId = 1;
  /** Keyed by id; ids grow, so insertion order breaks ties between equal due times. */
  readonly #pending = new Map<number, Pending>();
  /** What random() returns; 0.5 puts jitter in the middle of its range. */
  randomValue = 0.5;

  constructor(start = Date.UTC(2026, 10, 26, 12, 0, 0)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  random(): number {
    return this.randomValue;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = this.#nextId++;
    this.#pending.set(id, { due: this.#now + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#pending.delete(handle as number);
  }

  /** Number of timers still waiting. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Due time of the next timer, or undefined. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const p of this.#pending.values()) if (next === undefined || p.due < next) next = p.due;
    return next;
  }

  /** Moves time forward by `ms`, firing due timers in order and letting promises settle between them. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      await flushMicrotasks();
      if (!this.#fireNext(target)) break;
    }
    this.#now = target;
    await flushMicrotasks();
  }

  /** Moves time forward by `ms`, firing due timers in order without yielding between them. */
  advanceSync(ms: number): void {
    const target = this.#now + ms;
    while (this.#fireNext(target));
    this.#now = target;
  }

  /** Fires the earliest timer due by `target`; false when there is none. */
  #fireNext(target: number): boolean {
    let nextId: number | undefined;
    let next: Pending | undefined;
    for (const [id, p] of this.#pending) {
      if (p.due <= target && (next === undefined || p.due < next.due)) {
        nextId = id;
        next = p;
      }
    }
    if (nextId === undefined || next === undefined) return false;
    this.#pending.delete(nextId);
    this.#now = Math.max(this.#now, next.due);
    next.callback();
    return true;
  }
}

export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
}
