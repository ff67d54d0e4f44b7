// Node objects reach us in two shapes: the informer's list gives client-node models (timestamps
// are Date), its watch gives raw JSON (timestamps are strings). Everything downstream gets one
// shape — Date — so comparisons and arithmetic never depend on where an object came from.

import type { V1Node } from "@kubernetes/client-node";

function toDate(value: unknown): Date | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (value instanceof Date) return value;
  if (typeof value === "string" || typeof value === "number") {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  return undefined;
}

function withDates<T extends object>(item: T, keys: readonly string[]): T {
  const copy = { ...item } as Record<string, unknown>;
  for (const key of keys) {
    if (key in copy) {
      const date = toDate(copy[key]);
      if (date) copy[key] = date;
      else delete copy[key];
    }
  }
  return copy as T;
}

/** A copy of `node` with every timestamp as a Date. The input is not modified. */
export function normalizeNode(node: V1Node): V1Node {
  const metadata = node.metadata
    ? {
        ...withDates(node.metadata, ["creationTimestamp", "deletionTimestamp"]),
        ...(node.metadata.managedFields
          ? { managedFields: node.metadata.managedFields.map((field) => withDates(field, ["time"])) }
          : {}),
      }
    : undefined;
  const spec = node.spec?.taints
    ? { ...node.spec, taints: node.spec.taints.map((taint) => withDates(taint, ["timeAdded"])) }
    : node.spec;
  const status = node.status?.conditions
    ? {
        ...node.status,
        conditions: node.status.conditions.map((condition) =>
          withDates(condition, ["lastHeartbeatTime", "lastTransitionTime"]),
        ),
      }
    : node.status;
  const result: V1Node = { ...node };
  if (metadata) result.metadata = metadata;
  if (spec) result.spec = spec;
  if (status) result.status = status;
  return result;
}

/** The one condition the operator reads and writes (kept by slimNode; node-status.ts owns its meaning). */
const KEPT_CONDITION = "NetworkUnavailable";

/**
 * The part of a Node the operator uses - name, uid, resourceVersion, labels, deletion and creation
 * time, pod CIDRs, provider id and the NetworkUnavailable condition - with timestamps as Date. The
 * informer caches only this: a kubelet-reported Node carries images, addresses, managed fields and
 * a dozen conditions (~1 KiB of JSON, several KiB on the heap) that no decision reads.
 */
export function slimNode(node: V1Node): V1Node {
  const m = node.metadata;
  const metadata = m
    ? withDates(
        {
          ...(m.name !== undefined ? { name: m.name } : {}),
          ...(m.uid !== undefined ? { uid: m.uid } : {}),
          ...(m.resourceVersion !== undefined ? { resourceVersion: m.resourceVersion } : {}),
          ...(m.labels !== undefined ? { labels: m.labels } : {}),
          ...(m.creationTimestamp !== undefined ? { creationTimestamp: m.creationTimestamp } : {}),
          ...(m.deletionTimestamp !== undefined ? { deletionTimestamp: m.deletionTimestamp } : {}),
        },
        ["creationTimestamp", "deletionTimestamp"],
      )
    : undefined;
  const sp = node.spec;
  const spec = sp
    ? {
        ...(sp.podCIDR !== undefined ? { podCIDR: sp.podCIDR } : {}),
        ...(sp.podCIDRs !== undefined ? { podCIDRs: sp.podCIDRs } : {}),
        ...(sp.providerID !== undefined ? { providerID: sp.providerID } : {}),
      }
    : undefined;
  const kept = node.status?.conditions?.filter((c) => c.type === KEPT_CONDITION);
  const result: V1Node = {};
  if (metadata) result.metadata = metadata;
  if (spec) result.spec = spec;
  if (kept !== undefined) result.status = { conditions: kept.map((c) => withDates(c, ["lastHeartbeatTime", "lastTransitionTime"])) };
  return result;
}
