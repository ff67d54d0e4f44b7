// The ownership marker written on every route entry the operator creates, and how it is read
// back. Ownership must survive restarts and must never be confused between two clusters that
// share a VPC, so it lives in the entry itself:
//   Description:    managed-by=vpc-route-sync cluster=<cluster key> [uid=<cluster uid>] node=<node key> [hold=deletion]
//   RouteEntryName: vrs-<cluster key>-<node key>   (for humans in the console; never read back)
// Ownership is read from the Description only: the name is informational and may be hand-edited.
//   - uid: the `kube-system` namespace UID (or --cluster-uid with --nodes-file), which differs
//     between two clusters even when they share a --cluster-name. A marker with a uid is ours
//     exactly when the uid is ours, under any cluster name (a rename is re-marked in place); with
//     our uid unknown no marker with a uid is ours. Markers written before it existed, or with
//     --nodes-file and no --cluster-uid, carry none ("legacy" markers): they are re-marked in place
//     when they still serve a Node and the marker would change (with our uid unknown it would not:
//     no rewrite), and never deleted on the strength of a name alone (docs/reliability.md, "Ownership").
//   - hold=deletion: the deletion guard refused to delete this entry; it is never deleted
//     automatically until a human approves (docs/reliability.md, "Deletion guard").
// A marker whose words are ours in another letter case (`Managed-By=VPC-Route-Sync`) is damaged:
// it is neither ours nor foreign, and is reported.
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
const UID_TOKEN = "uid=";
export const HOLD_TOKEN = "hold=deletion";
/** A Kubernetes UID (RFC 4122 text); anything else is not written into a marker. */
const UID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NAME_PREFIX = "vrs-";

/** Verbatim keys: DNS-ish names up to 63 characters. */
const VERBATIM_KEY = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const HASH_CHARS = 10;
/** Hashed keys are 53 + 1 + 10 = 64 characters when the name was long: never equal to a verbatim key. */
const HASHED_PREFIX_CHARS = 53;
/** @internal exported for tests */
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

/** True for a value fit to be the `uid=` of a marker. */
export function isClusterUid(value: unknown): value is string {
  return typeof value === "string" && UID_PATTERN.test(value);
}

/**
 * Name and description for a route entry created for `nodeName` in cluster `clusterName` (and
 * `clusterUid`, the kube-system namespace UID, when known). At most 8+16+1+8+64+1+4+64+14 < 256
 * characters: within the Description limit with room to spare.
 */
export function routeMarker(clusterName: string, nodeName: string, clusterUid?: string, hold = false): RouteMarker {
  const clusterKey = markerKey(clusterName);
  const nodeKey = markerKey(nodeName);
  let routeEntryName = `${NAME_PREFIX}${clusterKey}-${nodeKey}`;
  if (routeEntryName.length > MAX_ROUTE_ENTRY_NAME) {
    const room = MAX_ROUTE_ENTRY_NAME - NAME_PREFIX.length - 1 - HASH_CHARS;
    routeEntryName = `${NAME_PREFIX}${`${clusterKey}-${nodeKey}`.slice(0, room)}-${shortHash(`${clusterKey}/${nodeKey}`)}`;
  }
  return {
    routeEntryName,
    description: [
      MANAGED_BY_TOKEN,
      `${CLUSTER_TOKEN}${clusterKey}`,
      ...(isClusterUid(clusterUid) ? [`${UID_TOKEN}${clusterUid}`] : []),
      `${NODE_TOKEN}${nodeKey}`,
      ...(hold ? [HOLD_TOKEN] : []),
    ].join(" "),
  };
}

export type MarkerReading =
  /**
   * Marked for this cluster. `nodeName` is the node key as recorded (see {@link markerKey}).
   * `legacy`: the marker names this cluster but carries no uid (written before cluster identity
   * existed, or with --nodes-file and no --cluster-uid): ours by a name another cluster may share,
   * so kept and reported, never deleted automatically. `held`: the deletion guard refused to delete it.
   */
  | {
      readonly owned: true;
      readonly nodeName: string;
      readonly legacy: boolean;
      readonly held: boolean;
      /** Our uid under another cluster name (--cluster-name was renamed): ours, to be re-marked. */
      readonly renamed: boolean;
    }
  /**
   * Not ours. `marked` tells an entry carrying a vpc-route-sync marker (another cluster's, or a
   * damaged one) or another tool's `managed-by=` (`otherTool`) from an unmarked entry; only unmarked
   * entries may ever be adopted or claimed.
   */
  | { readonly owned: false; readonly marked: boolean; readonly otherCluster?: string | undefined; readonly otherTool?: string | undefined };

/**
 * Reads the ownership marker from an entry's description. Tolerates extra words and spacing.
 * `clusterUid` (when known) must match a marker's uid; a marker without one is `legacy`.
 */
export function readMarker(
  entry: { readonly description?: string | undefined },
  clusterName: string,
  clusterUid?: string,
): MarkerReading {
  const description = entry?.description;
  if (typeof description !== "string") return { owned: false, marked: false };
  const tokens = description.trim().split(/\s+/);
  const managedBy = tokens.filter((t) => t.toLowerCase().startsWith("managed-by="));
  if (!tokens.includes(MANAGED_BY_TOKEN)) {
    // Our words in another letter case: a damaged marker, never silently foreign or ours. Another
    // tool's `managed-by=`: that tool's route, never unmarked (never adopted nor claimed).
    if (managedBy.some((t) => t.toLowerCase() === MANAGED_BY_TOKEN)) return { owned: false, marked: true };
    const other = managedBy[0];
    return other === undefined ? { owned: false, marked: false } : { owned: false, marked: true, otherTool: other.slice("managed-by=".length) };
  }
  // Ours beside another `managed-by=`: ambiguous, so damaged.
  if (managedBy.length > 1) return { owned: false, marked: true };
  const values = (prefix: string): string[] => tokens.filter((t) => t.startsWith(prefix)).map((t) => t.slice(prefix.length));
  const clusters = values(CLUSTER_TOKEN);
  const nodes = values(NODE_TOKEN);
  const uids = values(UID_TOKEN);
  const ours = markerKey(clusterName);
  const cluster = clusters.length === 1 && clusters[0] !== "" ? clusters[0] : undefined;
  const otherCluster = cluster !== undefined && cluster !== ours ? cluster : undefined;
  // A damaged or ambiguous marker is nobody's: never delete on a guess. Keys are written in lower
  // case only, so an upper-case letter means a hand edit.
  const upper = [...clusters, ...nodes, ...uids].some((t) => t !== t.toLowerCase());
  if (cluster === undefined || nodes.length !== 1 || nodes[0] === "" || uids.length > 1 || upper) {
    if (upper) return { owned: false, marked: true };
    return { owned: false, marked: true, otherCluster };
  }
  const uid = uids[0];
  if (uid !== undefined && !isClusterUid(uid)) return { owned: false, marked: true };
  const knownUid = isClusterUid(clusterUid) ? clusterUid : undefined;
  // The one rule: a marker that carries a uid is ours exactly when that uid is ours (whatever its
  // cluster name: a renamed --cluster-name is recognised and re-marked); a marker without a uid is
  // ours by name alone: legacy, never deleted automatically. An unknown uid of ours claims no uid.
  if (uid !== undefined && uid === knownUid) {
    return { owned: true, nodeName: nodes[0]!, legacy: false, held: tokens.includes(HOLD_TOKEN), renamed: otherCluster !== undefined };
  }
  if (otherCluster !== undefined) return { owned: false, marked: true, otherCluster };
  if (uid !== undefined) {
    // Same --cluster-name, another cluster (its kube-system namespace differs), or ours is unknown
    // (--nodes-file without --cluster-uid): never ours on the strength of the name.
    const why = knownUid === undefined ? "our uid is unknown: set --cluster-uid" : "another kube-system uid";
    return { owned: false, marked: true, otherCluster: `${cluster} (uid ${uid}; ${why})` };
  }
  // No uid: ours by the name alone, which another cluster may share, so never provably ours
  // (legacy), whether or not our uid is known (with --nodes-file and no --cluster-uid it is not).
  return { owned: true, nodeName: nodes[0]!, legacy: true, held: tokens.includes(HOLD_TOKEN), renamed: false };
}
