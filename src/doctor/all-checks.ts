// Every doctor check, in report order (grouped by area), and the one function that runs them.
import { analyze } from "./analysis.js";
import type { Check, CheckArea, CheckOutcome, DoctorSettings } from "./check.js";
import { cloudAccessCheck } from "./checks/cloud-access.js";
import { clusterIdentityCheck } from "./checks/cluster-identity.js";
import { clusterVersionCheck } from "./checks/cluster-version.js";
import { daemonSetsOnVirtualNodesCheck } from "./checks/daemonsets-on-virtual-nodes.js";
import { foreignConflictsCheck } from "./checks/foreign-conflicts.js";
import { unclaimedRoutesCheck } from "./checks/unclaimed-routes.js";
import { metricsServerCheck } from "./checks/metrics-server.js";
import { nasFsGroupCheck } from "./checks/nas-fsgroup.js";
import { networkUnavailableCheck } from "./checks/network-unavailable.js";
import { orphanRoutesCheck } from "./checks/orphan-routes.js";
import { planCheck } from "./checks/plan.js";
import { podCidrsInClusterCidrCheck } from "./checks/pod-cidrs-in-cluster-cidr.js";
import { podCidrsCheck } from "./checks/pod-cidrs.js";
import { podIpsCheck } from "./checks/pod-ips.js";
import { providerIdCheck } from "./checks/provider-id.js";
import { quotaCheck } from "./checks/quota.js";
import { routeTablesCheck } from "./checks/route-tables.js";
import { vpcNetworkCheck } from "./checks/vpc-network.js";
import { writePermissionCheck } from "./checks/write-permission.js";
import type { CloudFacts, ClusterFacts } from "./facts.js";

/** @internal exported for tests */
export const ALL_CHECKS: readonly Check[] = [
  clusterIdentityCheck,
  providerIdCheck,
  podCidrsCheck,
  podCidrsInClusterCidrCheck,
  networkUnavailableCheck,
  podIpsCheck,
  daemonSetsOnVirtualNodesCheck,
  metricsServerCheck,
  nasFsGroupCheck,
  clusterVersionCheck,
  cloudAccessCheck,
  routeTablesCheck,
  writePermissionCheck,
  quotaCheck,
  foreignConflictsCheck,
  vpcNetworkCheck,
  orphanRoutesCheck,
  unclaimedRoutesCheck,
  planCheck,
];

export interface CheckResult extends CheckOutcome {
  readonly id: string;
  readonly area: CheckArea;
  readonly title: string;
}

/** Runs every check over the gathered facts. Pure. */
export function runChecks(settings: DoctorSettings, cluster: ClusterFacts, cloud: CloudFacts): CheckResult[] {
  const input = { settings, cluster, cloud, analysis: analyze(settings, cluster, cloud) };
  return ALL_CHECKS.map((check) => ({ id: check.id, area: check.area, title: check.title, ...check.run(input) }));
}
