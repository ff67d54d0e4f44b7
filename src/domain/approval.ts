// `--approve-deletions`: what a human approved for deletion. One reading, used by the planner
// and the write gate alike. An approval covers exactly what the user names (a route entry id or a
// destination), or, with `all`, exactly what a refusal listed: the entries that carry the deletion
// guard's hold mark (hold=deletion). `all` never covers a legacy-marker route, a route outside the
// cluster CIDR or any other route a refusal did not list: name those one by one.
import { readMarker } from "./ownership.js";
import type { RouteEntry } from "./types.js";

export interface Approvals {
  /** True when a human approved deleting `entry` (whose canonical destination is `destination`). */
  readonly covers: (entry: RouteEntry, destination: string, identity: { readonly clusterName: string; readonly clusterUid?: string | undefined }) => boolean;
  /** True when anything at all was approved. */
  readonly any: boolean;
}

export function approvalsOf(names: readonly string[]): Approvals {
  const named = new Set(names.filter((n) => n !== "all"));
  const all = names.includes("all");
  return {
    any: named.size > 0 || all,
    covers: (entry, destination, identity) => {
      if (named.has(entry.routeEntryId) || named.has(destination)) return true;
      if (!all) return false;
      const marker = readMarker(entry, identity.clusterName, identity.clusterUid);
      return marker.owned && marker.held;
    },
  };
}
