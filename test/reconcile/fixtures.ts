// Settings shared by the pass-runner tests: one cluster, one IPv4 pod network, the default guard.
import { parseClusterCidrs } from "../../src/domain/eligibility.js";
import type { PassSettings } from "../../src/domain/settings.js";

export const PASS_SETTINGS: PassSettings = {
  regionId: "cn-hangzhou",
  vpcId: "vpc-test0001",
  routeTableIds: [],
  clusterName: "prod",
  // A route marked without a uid is legacy (never deleted automatically): the tests run with one.
  clusterUid: "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d",
  clusterCidrs: parseClusterCidrs(["10.244.0.0/16"]),
  adoptUnmarked: false,
  maxDeletions: { kind: "percent", value: 50 },
};
