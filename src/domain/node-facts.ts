// Extracts the few Node fields the operator looks at into NodeFacts, once, at the edge.
// Takes a structural V1Node-like object so the domain does not depend on @kubernetes/client-node;
// a V1Node from the informer and a JSON Node from `kubectl get -o json` both fit. Tolerates
// missing or mistyped fields (never throws): a malformed Node becomes a skip with a reason later.
import { textOf } from "./guards.js";
import type { NodeFacts } from "./types.js";

/** The shape of a Kubernetes Node as far as this module reads it. */
export interface NodeLike {
  readonly metadata?:
    | {
        readonly name?: string | undefined;
        readonly uid?: string | undefined;
        readonly labels?: Readonly<Record<string, string>> | undefined;
        readonly deletionTimestamp?: Date | string | null | undefined;
      }
    | undefined;
  readonly spec?:
    | {
        readonly providerID?: string | undefined;
        readonly podCIDR?: string | undefined;
        readonly podCIDRs?: readonly string[] | undefined;
      }
    | undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * NodeFacts of a Node. `podCidrs` is `spec.podCIDRs` when it is a non-empty list (dual-stack
 * aware), else `[spec.podCIDR]` when that is a non-empty string, else empty. Values are kept as
 * found (not validated here) so that eligibility can name the malformed one.
 */
export function nodeFactsFrom(node: NodeLike): NodeFacts {
  const n: unknown = node;
  const metadata = isRecord(n) && isRecord(n.metadata) ? n.metadata : {};
  const spec = isRecord(n) && isRecord(n.spec) ? n.spec : {};

  const labels: Record<string, string> = {};
  if (isRecord(metadata.labels)) {
    for (const [key, value] of Object.entries(metadata.labels)) {
      if (typeof value === "string") labels[key] = value;
    }
  }

  let podCidrs: string[] = [];
  if (Array.isArray(spec.podCIDRs) && spec.podCIDRs.length > 0) {
    podCidrs = spec.podCIDRs.map((c: unknown) => textOf(c));
  } else if (typeof spec.podCIDR === "string" && spec.podCIDR !== "") {
    podCidrs = [spec.podCIDR];
  }

  return {
    nodeName: typeof metadata.name === "string" ? metadata.name : "",
    uid: typeof metadata.uid === "string" ? metadata.uid : undefined,
    providerId: typeof spec.providerID === "string" ? spec.providerID : undefined,
    podCidrs,
    labels,
    deleting: metadata.deletionTimestamp !== undefined && metadata.deletionTimestamp !== null && metadata.deletionTimestamp !== "",
  };
}
