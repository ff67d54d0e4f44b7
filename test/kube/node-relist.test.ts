import type { V1Node } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import {
  applyList,
  compareResourceVersions,
  isResourceVersionTooLarge,
  PeriodicRelist,
  ResourceVersionMark,
  sameNode,
} from "../../src/kube/node-relist.js";
import { ManualTimers, flushMicrotasks } from "../support/manual-timers.js";
import { nodeObject } from "../support/nodes.js";

function diffOf(cache: Map<string, V1Node>, listed: V1Node[]): string[] {
  const events: string[] = [];
  applyList(cache, listed, (kind, n, old) => events.push(`${kind} ${n.metadata!.name!}${old ? ` (was ${old.metadata!.resourceVersion})` : ""}`));
  return events;
}

function cacheOf(...nodes: V1Node[]): Map<string, V1Node> {
  return new Map(nodes.map((n) => [n.metadata!.name!, n]));
}

describe("applyList", () => {
  it("turns the cache into the list with the events a watch would give, none for unchanged Nodes", () => {
    const unchanged = nodeObject("same", { uid: "uid-same", resourceVersion: "10", podCidrs: ["10.0.1.0/24"] });
    const cache = cacheOf(unchanged, nodeObject("gone", { uid: "uid-gone", resourceVersion: "11" }), nodeObject("changed", { uid: "uid-changed", resourceVersion: "12", podCidrs: ["10.0.2.0/24"] }));
    const listed = [nodeObject("changed", { uid: "uid-changed", resourceVersion: "20", podCidrs: ["10.0.3.0/24"] }), nodeObject("new", { uid: "uid-new", resourceVersion: "21" }), nodeObject("same", { uid: "uid-same", resourceVersion: "10", podCidrs: ["10.0.1.0/24"] })];
    expect(diffOf(cache, listed)).toEqual(["delete gone (was 11)", "update changed (was 12)", "add new"]);
    expect([...cache.keys()].sort()).toEqual(["changed", "new", "same"]);
    expect(cache.get("changed")!.spec!.podCIDR).toBe("10.0.3.0/24");
    // The unchanged Node keeps its cached object (no churn for its holders).
    expect(cache.get("same")).toBe(unchanged);
    expect(diffOf(cache, listed)).toEqual([]);
  });

  it("an equal resourceVersion with other content is an update: after an etcd restore resourceVersions are handed out again", () => {
    const cache = cacheOf(nodeObject("a", { uid: "uid-old", resourceVersion: "193", podCidrs: ["10.0.4.0/24"] }));
    const recreated = nodeObject("a", { uid: "uid-new", resourceVersion: "193", podCidrs: ["10.0.9.0/24"] });
    expect(diffOf(cache, [recreated])).toEqual(["update a (was 193)"]);
    expect(cache.get("a")).toBe(recreated);
  });

  it("compares content, not its shape: key order, undefined fields and Date or string timestamps do not count", () => {
    const a = nodeObject("a", { uid: "uid-a", resourceVersion: "5", conditions: [{ type: "NetworkUnavailable", status: "False", reason: "RouteCreated", lastTransitionTime: new Date("2026-11-26T12:00:00Z") }] });
    const b = structuredClone(a);
    const reordered = { lastTransitionTime: new Date("2026-11-26T12:00:00Z"), reason: "RouteCreated", status: "False", type: "NetworkUnavailable", message: undefined };
    b.status = { conditions: [reordered] };
    expect(sameNode(a, b)).toBe(true);
    reordered.status = "True";
    expect(sameNode(a, b)).toBe(false);
  });
});

describe("resourceVersions", () => {
  it("orders etcd revisions numerically and draws no conclusion from other formats", () => {
    expect(compareResourceVersions("9", "10")).toBe(-1);
    expect(compareResourceVersions("10", "10")).toBe(0);
    expect(compareResourceVersions("123456789012345678901", "123456789012345678900")).toBe(1);
    expect(compareResourceVersions("abc", "10")).toBeUndefined();
    expect(compareResourceVersions("", "10")).toBeUndefined();
  });

  it("a list below the highest resourceVersion seen is a rewind, and the mark starts again from it", () => {
    const mark = new ResourceVersionMark();
    expect(mark.listed("100")).toBeUndefined();
    mark.observe("150");
    mark.observe("120");
    expect(mark.highest).toBe("150");
    expect(mark.listed("160")).toBeUndefined();
    expect(mark.listed("140")).toBe("160");
    expect(mark.highest).toBe("140");
    expect(mark.listed("141")).toBeUndefined();
    mark.observe("opaque");
    expect(mark.listed("1")).toBeUndefined();
  });

  it("recognises kube-apiserver's 'Too large resource version' answer", () => {
    expect(isResourceVersionTooLarge({ kind: "Status", code: 504, reason: "Timeout", message: "Too large resource version: 2000, current: 1002", details: { causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }] } })).toBe(true);
    expect(isResourceVersionTooLarge({ code: 504, details: { causes: [{ reason: "ResourceVersionTooLarge" }] } })).toBe(true);
    expect(isResourceVersionTooLarge({ code: 504, reason: "Timeout", message: "request timed out" })).toBe(false);
    expect(isResourceVersionTooLarge({ code: 410, reason: "Expired", message: "too old resource version: 1 (5)" })).toBe(false);
    expect(isResourceVersionTooLarge(undefined)).toBe(false);
  });
});

describe("PeriodicRelist", () => {
  it("runs every period after the previous run finished, never two at once, until stopped", async () => {
    const timers = new ManualTimers();
    let running = 0;
    let runs = 0;
    let release: (() => void) | undefined;
    const relist = new PeriodicRelist(1000, timers, async () => {
      running += 1;
      runs += 1;
      expect(running).toBe(1);
      await new Promise<void>((resolve) => (release = resolve));
      running -= 1;
    });
    relist.start();
    await timers.advance(999);
    expect(runs).toBe(0);
    await timers.advance(1);
    expect(runs).toBe(1);
    await timers.advance(5000);
    expect(runs).toBe(1); // still running: the next is scheduled only when it ends
    release!();
    await flushMicrotasks();
    await timers.advance(1000);
    expect(runs).toBe(2);
    release!();
    await flushMicrotasks();
    relist.stop();
    await timers.advance(10_000);
    expect(runs).toBe(2);
    expect(timers.pendingCount).toBe(0);
  });

  it("goes on after a failed run; period 0 disables it; a negative period is refused", async () => {
    const timers = new ManualTimers();
    let runs = 0;
    const relist = new PeriodicRelist(100, timers, () => {
      runs += 1;
      return Promise.reject(new Error("list failed"));
    });
    relist.start();
    for (let i = 0; i < 3; i += 1) {
      await timers.advance(100);
      await flushMicrotasks();
    }
    expect(runs).toBe(3);
    relist.stop();
    const off = new PeriodicRelist(0, timers, () => Promise.resolve());
    off.start();
    expect(timers.pendingCount).toBe(0);
    expect(() => new PeriodicRelist(-1, timers, () => Promise.resolve())).toThrow(/relist period must be >= 0 ms, got -1/);
  });
});
