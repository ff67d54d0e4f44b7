// Write permission, checked without writing: the write actions sent with DryRun=true answer
// DryRunOperation when the caller may make them (reference §9), and a permission error otherwise.
import { fail, pass, warn, type Check, type CheckObject } from "../check.js";

export const writePermissionCheck: Check = {
  id: "write-permission",
  area: "cloud",
  title: "permission to create and delete routes (DryRun)",
  run({ cloud }) {
    if (cloud.writeProbes.length === 0) return warn("skipped: no readable route table to probe", [], "fix route-tables first");
    const objects: CheckObject[] = cloud.writeProbes
      .filter((p) => p.outcome !== "allowed")
      .map((p) => ({ kind: "RouteTable", name: p.routeTableId, detail: `${p.action} (DryRun): ${p.code}: ${p.message}` }));
    const denied = cloud.writeProbes.filter((p) => p.outcome === "denied");
    const actions = [...new Set(cloud.writeProbes.map((p) => p.action))].join(", ");
    if (denied.length > 0) {
      return fail(
        `not allowed: ${[...new Set(denied.map((p) => p.action))].join(", ")}`,
        objects,
        "grant the RAM identity vpc:CreateRouteEntries and vpc:DeleteRouteEntries on the route tables (docs/doctor.md lists the policy)",
      );
    }
    if (objects.length > 0) {
      return warn("the DryRun calls did not confirm permission", objects, "read the error codes; run reconcile --dry-run and a first reconcile under supervision");
    }
    return pass(`DryRun accepted: ${actions}`);
  },
};
