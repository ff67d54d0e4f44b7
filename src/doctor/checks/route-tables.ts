// The configured (or discovered) route tables exist in the VPC and can be read.
import { count, fail, pass, type Check, type CheckObject } from "../check.js";

export const routeTablesCheck: Check = {
  id: "route-tables",
  area: "cloud",
  title: "route tables exist and can be read",
  run({ cloud, settings }) {
    if (!cloud.access.ok) return fail("the VPC API could not be reached with these credentials", [], "fix cloud-credentials first");
    if (cloud.routeTableIds.length === 0) {
      return fail(`VPC ${settings.vpcId ?? ""} has no route table`, [], "check --vpc-id, or name the tables with --route-table-ids");
    }
    const objects: CheckObject[] = [];
    for (const id of cloud.routeTableIds) {
      const table = cloud.tables.find((t) => t.routeTableId === id);
      if (cloud.vpcTableIds !== undefined && !cloud.vpcTableIds.includes(id)) {
        objects.push({ kind: "RouteTable", name: id, detail: `not a route table of VPC ${settings.vpcId ?? ""}` });
      } else if (table?.error !== undefined) {
        objects.push({ kind: "RouteTable", name: id, detail: `${table.error.code}: ${table.error.message}` });
      }
    }
    if (objects.length === 0) return pass(`${count(cloud.routeTableIds.length, "route table")} readable: ${cloud.routeTableIds.join(", ")}`);
    return fail(
      `${count(objects.length, "route table")} missing or unreadable`,
      objects,
      "check --route-table-ids and --vpc-id (aliyun vpc DescribeRouteTableList --VpcId ...) and the RAM permission vpc:DescribeRouteEntryList",
    );
  },
};
