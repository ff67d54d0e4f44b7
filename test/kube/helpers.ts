// Shared test helpers for test/kube: condition waits with deadlines and Node bodies for the fake
// server (built by test/support/nodes.ts; the manual clock is test/support/manual-timers.ts).

import { nodeObject, type NodeObjectOptions } from "../support/nodes.js";

/** Polls `condition` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  what: string,
  { timeoutMs = 15_000, intervalMs = 20 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`, { cause: last });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

const READY_SINCE = { type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: "2026-11-26T12:00:00Z", lastTransitionTime: "2026-11-26T12:00:00Z" };

/** A Node body for the fake server (test/support/nodes.ts), Ready with timestamps, pod CIDR 10.244.<index>.0/24. */
export function nodeBody(name: string, index: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const body = nodeObject(name, {
    region: "cn-shanghai",
    instance: `i-node${String(index).padStart(4, "0")}`,
    podCidrs: [`10.244.${index}.0/24`],
    conditions: [READY_SINCE] as unknown as NodeObjectOptions["conditions"],
  });
  return { ...body, ...extra };
}
