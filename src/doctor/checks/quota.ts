// Route entry quota headroom per table: the custom entries there now, plus the plan's creates,
// minus its deletes, against --route-table-quota (the account's quota; DEFAULTS.routeTableQuota by default).
import { count, graded, NO_ROUTE_TABLES, type Check, type CheckObject } from "../check.js";

export const QUOTA_WARN_RATIO = 0.9;

export const quotaCheck: Check = {
  id: "quota",
  area: "routes",
  title: "route entry quota headroom",
  run({ analysis, settings }) {
    const routes = analysis.routes;
    if (routes === undefined) return NO_ROUTE_TABLES;
    const quota = settings.routeTableQuota;
    const failures: CheckObject[] = [];
    const warnings: CheckObject[] = [];
    let fullest = 0;
    for (const id of routes.readableTableIds) {
      const now = (routes.actual.get(id) ?? []).filter((e) => e.type === "Custom").length;
      const after = now + routes.plan.creates.filter((c) => c.routeTableId === id).length - routes.plan.deletes.filter((d) => d.routeTableId === id).length;
      fullest = Math.max(fullest, after);
      const detail = `${after} of ${quota} custom entries after reconcile (${now} now)`;
      if (after > quota) failures.push({ kind: "RouteTable", name: id, detail });
      else if (after >= QUOTA_WARN_RATIO * quota) warnings.push({ kind: "RouteTable", name: id, detail });
    }
    return graded(
      { failures, warnings },
      {
        fail: `${count(failures.length, "route table")} cannot hold the desired routes`,
        warn: `${count(warnings.length, "route table")} at ${Math.round(QUOTA_WARN_RATIO * 100)} % of the quota or more`,
        pass: `fullest table: ${fullest} of ${quota} custom entries after reconcile`,
      },
      "raise the quota vpc_quota_route_entrys_num in Quota Center and pass the new value as --route-table-quota",
    );
  },
};
