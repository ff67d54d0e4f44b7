import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { linkedSignal } from "../../src/util/linked-signal.js";

describe("linkedSignal", () => {
  it("aborts with the reason of the first source that aborts, once", () => {
    const a = new AbortController();
    const b = new AbortController();
    const linked = linkedSignal([a.signal, b.signal]);
    const seen: unknown[] = [];
    linked.signal.addEventListener("abort", () => seen.push(linked.signal.reason));
    expect(linked.signal.aborted).toBe(false);
    b.abort(new Error("b first"));
    a.abort(new Error("a later"));
    expect(seen).toEqual([new Error("b first")]);
  });

  it("is aborted at once when a source already is", () => {
    const a = new AbortController();
    const b = new AbortController();
    b.abort("gone");
    const linked = linkedSignal([a.signal, b.signal]);
    expect(linked.signal.aborted).toBe(true);
    expect(linked.signal.reason).toBe("gone");
    expect(getEventListeners(a.signal, "abort")).toHaveLength(0);
  });

  it("leaves no listener on a long-lived source once disposed, however often it is used", () => {
    const longLived = new AbortController();
    for (let i = 0; i < 1000; i++) {
      const request = new AbortController();
      const linked = linkedSignal([longLived.signal, request.signal]);
      linked.dispose();
      linked.dispose();
    }
    expect(getEventListeners(longLived.signal, "abort")).toHaveLength(0);
  });

  it("no longer follows its sources once disposed; a source that aborts removes the other links", () => {
    const a = new AbortController();
    const b = new AbortController();
    const disposed = linkedSignal([a.signal]);
    disposed.dispose();
    a.abort();
    expect(disposed.signal.aborted).toBe(false);

    const followed = linkedSignal([b.signal, new AbortController().signal]);
    const other = new AbortController();
    const second = linkedSignal([other.signal, b.signal]);
    other.abort();
    expect(second.signal.aborted).toBe(true);
    expect(getEventListeners(b.signal, "abort")).toHaveLength(1);
    b.abort();
    expect(followed.signal.aborted).toBe(true);
    expect(getEventListeners(b.signal, "abort")).toHaveLength(0);
  });

  it("follows an AbortSignal.timeout source", async () => {
    const linked = linkedSignal([new AbortController().signal, AbortSignal.timeout(1)]);
    await new Promise<void>((resolve) => linked.signal.addEventListener("abort", () => resolve(), { once: true }));
    expect((linked.signal.reason as Error).name).toBe("TimeoutError");
  });
});
