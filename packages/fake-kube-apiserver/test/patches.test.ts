// The two patch formats the fake serves (strategic merge, JSON merge) as pure functions, table-driven.

import { describe, expect, it } from "vitest";
import { applyMergePatch } from "../src/merge-patch.ts";
import { STORAGE_TYPES } from "../src/resource-types.ts";
import { KubeStatusError } from "../src/status-error.ts";
import { applyStrategicMergePatch } from "../src/strategic-merge-patch.ts";

const node = {
  metadata: { name: "n1", labels: { a: "1", b: "2" }, finalizers: ["x", "y"] },
  spec: { podCIDRs: ["10.0.0.0/24"], taints: [{ key: "k", effect: "NoSchedule" }] },
  status: {
    conditions: [
      { type: "Ready", status: "True", reason: "KubeletReady" },
      { type: "NetworkUnavailable", status: "True" },
    ],
    addresses: [
      { type: "InternalIP", address: "10.1.0.1" },
      { type: "Hostname", address: "n1" },
    ],
  },
};

const smp = (patch: object): unknown => applyStrategicMergePatch(node, patch, STORAGE_TYPES.nodes.patchSchema);

describe("strategic merge patch", () => {
  it.each<[string, object, (result: typeof node) => unknown, unknown]>([
    ["merges a condition by type", { status: { conditions: [{ type: "NetworkUnavailable", status: "False" }] } }, (r) => r.status.conditions, [
      { type: "Ready", status: "True", reason: "KubeletReady" },
      { type: "NetworkUnavailable", status: "False" },
    ]],
    ["appends a new condition type", { status: { conditions: [{ type: "X", status: "True" }] } }, (r) => r.status.conditions.map((c) => c.type), ["Ready", "NetworkUnavailable", "X"]],
    ["deletes a condition with $patch: delete", { status: { conditions: [{ type: "Ready", $patch: "delete" }] } }, (r) => r.status.conditions.map((c) => c.type), ["NetworkUnavailable"]],
    ["replaces the list with a $patch: replace element", { status: { conditions: [{ $patch: "replace" }, { type: "Only", status: "True" }] } }, (r) => r.status.conditions, [{ type: "Only", status: "True" }]],
    ["merges addresses by type", { status: { addresses: [{ type: "InternalIP", address: "10.1.0.9" }] } }, (r) => r.status.addresses, [
      { type: "InternalIP", address: "10.1.0.9" },
      { type: "Hostname", address: "n1" },
    ]],
    ["replaces a list without a merge strategy (taints)", { spec: { taints: [{ key: "other", effect: "NoExecute" }] } }, (r) => r.spec.taints, [{ key: "other", effect: "NoExecute" }]],
    ["unions primitive sets (finalizers, podCIDRs)", { metadata: { finalizers: ["y", "z"] } }, (r) => r.metadata.finalizers, ["x", "y", "z"]],
    ["removes from primitive lists with $deleteFromPrimitiveList", { metadata: { "$deleteFromPrimitiveList/finalizers": ["x"] } }, (r) => r.metadata.finalizers, ["y"]],
    ["deletes map keys with null", { metadata: { labels: { a: null, c: "3" } } }, (r) => r.metadata.labels, { b: "2", c: "3" }],
    ["replaces a map with $patch: replace", { metadata: { labels: { $patch: "replace", only: "me" } } }, (r) => r.metadata.labels, { only: "me" }],
    ["deletes a map with $patch: delete", { metadata: { labels: { $patch: "delete" } } }, (r) => r.metadata.labels, undefined],
    ["honours $retainKeys", { spec: { $retainKeys: ["podCIDRs"], podCIDRs: ["10.0.0.0/24"] } }, (r) => Object.keys(r.spec), ["podCIDRs"]],
    ["ignores $setElementOrder", { status: { "$setElementOrder/conditions": [{ type: "Ready" }], conditions: [{ type: "Ready", status: "False" }] } }, (r) => r.status.conditions.map((c) => c.status), ["False", "True"]],
  ])("%s", (_name, patch, pick, expected) => {
    expect(pick(smp(patch) as typeof node)).toEqual(expected);
  });

  it.each([
    ["an element without the merge key", { status: { conditions: [{ status: "True" }] } }, "does not contain declared merge key: type"],
    ["an unknown directive", { metadata: { $patch: "explode" } }, "unknown $patch directive"],
    ["a non-object body", [1, 2], "must be a JSON object"],
  ])("rejects %s with 400", (_name, patch, message) => {
    expect(() => smp(patch)).toThrow(KubeStatusError);
    expect(() => smp(patch)).toThrow(message);
  });

  it("does not modify its input", () => {
    const before = JSON.stringify(node);
    smp({ status: { conditions: [{ type: "Ready", $patch: "delete" }] }, metadata: { labels: { a: null } } });
    expect(JSON.stringify(node)).toBe(before);
  });
});

describe("JSON merge patch", () => {
  it.each<[string, object, unknown]>([
    ["replaces lists whole", { status: { conditions: [{ type: "Only" }] } }, [{ type: "Only" }]],
    ["deletes with null", { status: { conditions: null } }, undefined],
  ])("%s", (_name, patch, expected) => {
    expect((applyMergePatch(node, patch) as typeof node).status.conditions).toEqual(expected);
  });
});
