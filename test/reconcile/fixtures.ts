// Settings shared by the pass-runner tests: one cluster, one IPv4 pod network, the default guard.
import { parseClusterCidrs } from "../../src/domain/eligibility.js";
import type { PassSettings } from "../../src/domain/settings.js";

export const PASS_SETTINGS: PassSettings = {
  regionId: "cn-hangzhou",
  vpcId: "vpc-test0001",
  routeTableIds: [],
  clusterName: "prod",
  clusterCidrs: parseClusterCidrs(["10.244.0.0/16"]),
  adoptUnmarked: false,
  maxDeletions: { kind: "percent", value: 50 },
};
