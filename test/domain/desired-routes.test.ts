import { describe, expect, it } from "vitest";
import { desiredRoutes } from "../../src/domain/desired-routes.js";
import type { EligibleNode } from "../../src/domain/types.js";
import { cidrs } from "./fixtures.js";

const a: EligibleNode = { nodeName: "node-a", instanceId: "i-aaaa1111", regionId: "cn-shanghai", podCidrs: cidrs("10.244.1.0/24", "fd00:10:244:1::/64") };
const b: EligibleNode = { nodeName: "node-b", instanceId: "i-bbbb2222", regionId: "cn-shanghai", podCidrs: cidrs("10.244.2.0/24") };

describe("desiredRoutes", () => {
  it("wants every pod CIDR of every eligible Node in every managed table", () => {
    expect(desiredRoutes([b, a], ["vtb-2", "vtb-1", "vtb-2"])).toEqual([
      { routeTableId: "vtb-1", destination: cidrs("10.244.1.0/24")[0], instanceId: "i-aaaa1111", nodeName: "node-a" },
      { routeTableId: "vtb-1", destination: cidrs("fd00:10:244:1::/64")[0], instanceId: "i-aaaa1111", nodeName: "node-a" },
      { routeTableId: "vtb-1", destination: cidrs("10.244.2.0/24")[0], instanceId: "i-bbbb2222", nodeName: "node-b" },
      { routeTableId: "vtb-2", destination: cidrs("10.244.1.0/24")[0], instanceId: "i-aaaa1111", nodeName: "node-a" },
      { routeTableId: "vtb-2", destination: cidrs("fd00:10:244:1::/64")[0], instanceId: "i-aaaa1111", nodeName: "node-a" },
      { routeTableId: "vtb-2", destination: cidrs("10.244.2.0/24")[0], instanceId: "i-bbbb2222", nodeName: "node-b" },
    ]);
  });

  it.each([
    ["no Nodes", [], ["vtb-1"]],
    ["no tables", [a, b], []],
  ])("is empty with %s", (_name, nodes, tableIds) => {
    expect(desiredRoutes(nodes, tableIds)).toEqual([]);
  });
});
