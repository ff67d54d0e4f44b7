// The ownership marker written on every route entry the operator creates, and how it is read
// back. Ownership must survive restarts and must never be confused between two clusters that
// share a VPC, so it lives in the entry itself:
//   Description:    managed-by=vpc-route-sync cluster=<cluster key> node=<node key>
//   RouteEntryName: vrs-<cluster key>-<node key>   (for humans in the console; never read back)
// Ownership is read from the Description only: the name is informational and may be hand-edited.
// API limits (ModifyRouteEntry/CreateRouteEntries docs): name 1-128 and description 1-256
// characters, neither may start with http:// or https://. Both stay far shorter (a 50-entry
// CreateRouteEntries call carries them all in its URL): keys are at most 64 characters and the
// name at most 60.
import { createHash } from "node:crypto";
import { textOf } from "./guards.js";

const MANAGED_BY = "vpc-route-sync";
const MANAGED_BY_TOKEN = `managed-by=${MANAGED_BY}`;
const CLUSTER_TOKEN = "cluster=";
const NODE_TOKEN = "node=";
const NAME_PREFIX = "vrs-";

/** Verbatim keys: DNS-ish names up to 63 characters. */
const VERBATIM_KEY = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const HASH_CHARS = 10;
/** Hashed keys are 53 + 1 + 10 = 64 characters when the name was long: never equal to a verbatim key. */
const HASHED_PREFIX_CHARS = 53;
export const MAX_ROUTE_ENTRY_NAME = 60;

function shortHash(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex").slice(0, HASH_CHARS);
}

/**
 * The form of a cluster or node name stored in the marker: the name itself when it is a DNS-ish
 * name of at most 63 characters; otherwise a sanitised prefix and a hash of the full name, so long
 * or odd names stay short, contain no spaces or `=`, and map to one key deterministically.
 */
export function markerKey(name: string): string {
  const value = textOf(name);
  if (VERBATIM_KEY.test(value)) return value;
  const sanitized = value
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, "-")
    .slice(0, HASHED_PREFIX_CHARS);
  return `${sanitized === "" ? "x" : sanitized}-${shortHash(value)}`;
}

export interface RouteMarker {
  readonly routeEntryName: string;
  readonly description: string;
}

/** Name and description for a route entry created for `nodeName` in cluster `clusterName`. */
export function routeMarker(clusterName: string, nodeName: string): RouteMarker {
  const clusterKey = markerKey(clusterName);
  const nodeKey = markerKey(nodeName);
  let routeEntryName = `${NAME_PREFIX}${clusterKey}-${nodeKey}`;
  if (routeEntryName.length > MAX_ROUTE_ENTRY_NAME) {
    const room = MAX_ROUTE_ENTRY_NAME - NAME_PREFIX.length - 1 - HASH_CHARS;
    routeEntryName = `${NAME_PREFIX}${`${clusterKey}-${nodeKey}`.slice(0, room)}-${shortHash(`${clusterKey}/${nodeKey}`)}`;
  }
  return {
    routeEntryName,
    description: `${MANAGED_BY_TOKEN} ${CLUSTER_TOKEN}${clusterKey} ${NODE_TOKEN}${nodeKey}`,
  };
}

export type MarkerReading =
  /** Marked for this cluster. `nodeName` is the node key as recorded (see {@link markerKey}). */
  | { readonly owned: true; readonly nodeName: string }
  /**
   * Not ours. `marked` tells an entry carrying a vpc-route-sync marker (another cluster's, or a
   * damaged one) from an unmarked entry; only unmarked entries may ever be adopted.
   */
  | { readonly owned: false; readonly marked: boolean; readonly otherCluster?: string | undefined };

/** Reads the ownership marker from an entry's description. Tolerates extra words and spacing. */
export function readMarker(entry: { readonly description?: string | undefined }, clusterName: string): MarkerReading {
  const description = entry?.description;
  if (typeof description !== "string") return { owned: false, marked: false };
  const tokens = description.trim().split(/\s+/);
  if (!tokens.includes(MANAGED_BY_TOKEN)) return { owned: false, marked: false };
  const clusters = tokens.filter((t) => t.startsWith(CLUSTER_TOKEN)).map((t) => t.slice(CLUSTER_TOKEN.length));
  const nodes = tokens.filter((t) => t.startsWith(NODE_TOKEN)).map((t) => t.slice(NODE_TOKEN.length));
  const ours = markerKey(clusterName);
  const cluster = clusters.length === 1 && clusters[0] !== "" ? clusters[0] : undefined;
  const otherCluster = cluster !== undefined && cluster !== ours ? cluster : undefined;
  // A damaged or ambiguous marker is nobody's: never delete on a guess.
  if (cluster === undefined || nodes.length !== 1 || nodes[0] === "") return { owned: false, marked: true, otherCluster };
  if (otherCluster !== undefined) return { owned: false, marked: true, otherCluster };
  return { owned: true, nodeName: nodes[0]! };
}
