// `vpc-route-sync doctor`: read-only preflight checks of the cluster and the VPC. Wires the
// gatherers (Kubernetes API or dumps; VPC API), runs the checks (src/doctor/), prints the report
// and ends with the report's exit code (0 all passed, warnings allowed unless --strict; 1 a check
// failed) or, when the cluster cannot be read, with the error policy's (src/error-policy.ts).
import { AlibabaDryRunProbe } from "../cloud/alibaba/dry-run-probe.js";
import type { CommandIo, DoctorConfig } from "../config/index.js";
import { runChecks } from "../doctor/all-checks.js";
import type { ClusterFacts } from "../doctor/facts.js";
import { gatherCloud, type WriteProbe } from "../doctor/gather-cloud.js";
import { gatherClusterFromApi, gatherClusterFromFiles, isOffline } from "../doctor/gather-cluster.js";
import { buildDoctorReport, formatDoctorText } from "../doctor/report.js";
import { endWithError } from "../error-policy.js";
import { cloudFor, createCommandLogger, vpcEndpointUrl, type CommandDeps } from "./wiring.js";

export interface DoctorDeps extends CommandDeps {
  readonly writeProbe?: WriteProbe | undefined;
}

export async function runDoctorCommand(config: DoctorConfig, io: CommandIo, deps: DoctorDeps = {}): Promise<number> {
  const logger = deps.logger ?? createCommandLogger(config, io);
  let cluster: ClusterFacts;
  try {
    cluster = isOffline(config) ? await gatherClusterFromFiles(config, io) : await gatherClusterFromApi(config, io);
  } catch (error) {
    return endWithError(error, io.stderr);
  }

  const { routeTable, vpcNetwork } = cloudFor(config, logger, deps);
  const writeProbe =
    deps.writeProbe ??
    new AlibabaDryRunProbe({
      regionId: config.regionId,
      endpoint: vpcEndpointUrl(config),
      credential: config.credentials,
    });
  const cloud = await gatherCloud(config, routeTable, writeProbe, cluster.nodes, cluster.clusterUid, vpcNetwork);
  const results = runChecks(config, cluster, cloud);
  const report = buildDoctorReport(results, { ...config, cluster: cluster.source, routeTableIds: cloud.routeTableIds }, config.strict);
  io.stdout.write(config.output === "json" ? `${JSON.stringify(report, null, 2)}\n` : formatDoctorText(report));
  return report.exitCode;
}
