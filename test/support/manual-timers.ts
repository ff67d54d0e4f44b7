// A hand-driven clock for tests of time-dependent logic: nothing fires until advance() is called.
import type { Timers, TimerHandle } from "../../src/util/timers.js";

interface Pending {
  due: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class ManualTimers implements Timers {
  #now: number;
  #seq = 0;
  #pending: Pending[] = [];

  constructor(start = 1_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  schedule(ms: number, fn: () => void): TimerHandle {
    const p: Pending = { due: this.#now + Math.max(0, ms), seq: this.#seq++, fn, cancelled: false };
    this.#pending.push(p);
    return { cancel: () => void (p.cancelled = true) };
  }

  /** Number of timers still waiting. */
  get pendingCount(): number {
    return this.#pending.filter((p) => !p.cancelled).length;
  }

  /** Due time of the next timer, or undefined. */
  nextDue(): number | undefined {
    const live = this.#pending.filter((p) => !p.cancelled);
    return live.length ? Math.min(...live.map((p) => p.due)) : undefined;
  }

  /** Moves time forward by `ms`, firing due timers in order and letting promises settle between them. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      await flushMicrotasks();
      const live = this.#pending.filter((p) => !p.cancelled && p.due <= target);
      if (live.length === 0) break;
      live.sort((a, b) => a.due - b.due || a.seq - b.seq);
      const next = live[0]!;
      this.#pending = this.#pending.filter((p) => p !== next);
      this.#now = Math.max(this.#now, next.due);
      next.fn();
    }
    this.#now = target;
    await flushMicrotasks();
  }
}

export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
}
