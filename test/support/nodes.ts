// The one Node builder of the tests: NodeFacts as the planner sees them (`nodeFacts`) and Node
// objects as the API server serves them (`nodeObject`), from the same options, so every test says
// a Node the same way: a name, then only what matters to it.
import type { V1Node } from "@kubernetes/client-node";
import type { NodeFacts } from "../../src/domain/types.js";

export interface NodeOptions {
  /** The ECS instance: providerID `<region>.<instance>`. Without it (and without providerId): no providerID. */
  readonly instance?: string;
  /** @default "cn-hangzhou" */
  readonly region?: string;
  /** A providerID spelled out (malformed ones included); wins over instance. "" means none. */
  readonly providerId?: string;
  /** @default ["10.244.<the name's trailing number, else 1>.0/24"]; [] for a Node without pod CIDR. */
  readonly podCidrs?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly deleting?: boolean;
}

export interface NodeObjectOptions extends NodeOptions {
  readonly uid?: string;
  readonly resourceVersion?: string;
  /** Conditions besides Ready=True; NetworkUnavailable as the route controller sets it. */
  readonly networkUnavailable?: "True" | "False";
  /** @default [Ready=True]; replaces the conditions entirely. */
  readonly conditions?: NonNullable<V1Node["status"]>["conditions"];
  readonly taints?: readonly object[];
  readonly deletionTimestamp?: Date;
}

function providerIdOf(options: NodeOptions): string | undefined {
  if (options.providerId !== undefined) return options.providerId === "" ? undefined : options.providerId;
  return options.instance === undefined ? undefined : `${options.region ?? "cn-hangzhou"}.${options.instance}`;
}

function podCidrsOf(name: string, options: NodeOptions): readonly string[] {
  return options.podCidrs ?? [`10.244.${Number(/(\d+)$/.exec(name)?.[1] ?? 1)}.0/24`];
}

export function nodeFacts(nodeName: string, options: NodeOptions = {}): NodeFacts {
  const providerId = providerIdOf(options);
  return {
    nodeName,
    ...(providerId !== undefined ? { providerId } : {}),
    podCidrs: podCidrsOf(nodeName, options),
    labels: options.labels ?? {},
    deleting: options.deleting ?? false,
  };
}

const READY = { type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status" };

export function nodeObject(name: string, options: NodeObjectOptions = {}): V1Node {
  const providerID = providerIdOf(options);
  const podCIDRs = podCidrsOf(name, options);
  const networkUnavailable =
    options.networkUnavailable === undefined
      ? []
      : [{ type: "NetworkUnavailable", status: options.networkUnavailable, reason: options.networkUnavailable === "False" ? "RouteCreated" : "NoRouteCreated", message: "" }];
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      // Set by the API server on create: only when a test hands the object out as read.
      ...(options.uid !== undefined ? { uid: options.uid } : {}),
      ...(options.resourceVersion !== undefined ? { resourceVersion: options.resourceVersion } : {}),
      labels: { "kubernetes.io/hostname": name, ...options.labels },
      ...(options.deletionTimestamp ? { deletionTimestamp: options.deletionTimestamp } : {}),
    },
    spec: {
      ...(podCIDRs.length > 0 ? { podCIDR: podCIDRs[0], podCIDRs: [...podCIDRs] } : {}),
      ...(providerID !== undefined ? { providerID } : {}),
      ...(options.taints ? { taints: [...options.taints] as NonNullable<V1Node["spec"]>["taints"] } : {}),
    },
    status: { conditions: options.conditions ?? [READY, ...networkUnavailable] },
  };
}
