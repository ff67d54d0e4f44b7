// Shared test helpers for test/kube: condition waits with deadlines and Node fixtures (the manual
// clock is test/support/manual-timers.ts).

import type { V1Node } from "@kubernetes/client-node";

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

export interface NodeFixture {
  name: string;
  uid?: string;
  podCIDR?: string;
  podCIDRs?: string[];
  providerID?: string;
  labels?: Record<string, string>;
  deletionTimestamp?: Date;
  resourceVersion?: string;
  conditions?: V1Node["status"] extends infer S ? (S extends { conditions?: infer C } ? C : never) : never;
}

/** A V1Node as the informer would hand it out. */
export function node(fixture: NodeFixture): V1Node {
  const podCIDRs = fixture.podCIDRs ?? (fixture.podCIDR ? [fixture.podCIDR] : undefined);
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: fixture.name,
      uid: fixture.uid ?? `uid-${fixture.name}`,
      resourceVersion: fixture.resourceVersion ?? "1",
      labels: fixture.labels ?? { "kubernetes.io/hostname": fixture.name },
      ...(fixture.deletionTimestamp ? { deletionTimestamp: fixture.deletionTimestamp } : {}),
    },
    spec: {
      ...(fixture.podCIDR ?? podCIDRs?.[0] ? { podCIDR: fixture.podCIDR ?? podCIDRs?.[0] } : {}),
      ...(podCIDRs ? { podCIDRs } : {}),
      ...(fixture.providerID !== undefined ? { providerID: fixture.providerID } : {}),
    },
    status: { conditions: fixture.conditions ?? [] },
  };
}

/** A plain Node body for the fake server. */
export function nodeBody(name: string, index: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    metadata: { name, labels: { "kubernetes.io/hostname": name } },
    spec: {
      podCIDR: `10.244.${index}.0/24`,
      podCIDRs: [`10.244.${index}.0/24`],
      providerID: `cn-shanghai.i-node${String(index).padStart(4, "0")}`,
    },
    status: {
      conditions: [
        { type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: "2026-11-26T12:00:00Z", lastTransitionTime: "2026-11-26T12:00:00Z" },
      ],
    },
    ...extra,
  };
}
