// `vpc-route-sync reconcile`: one pass from a terminal or a script. Reads the Nodes (API or
// --nodes-file), reads the route tables, prints the plan, applies it unless --dry-run, prints the
// result, and maps the outcome to the documented exit code.
import type { CommandIo, ReconcileConfig } from "../config/index.js";
import type { NodeFacts } from "../domain/types.js";
import type { Logger } from "../observability/logger.js";
import { buildJsonReport, formatTextReport } from "../reconcile/report.js";
import { exitCodeFor } from "../reconcile/pass-outcome.js";
import { PassRunner } from "../reconcile/pass-runner.js";
import { exitCodeForError } from "../error-policy.js";
import type { RouteTable } from "../cloud/route-table.js";
import type { VpcNetworkSource } from "../cloud/vpc-network.js";
import {
  NodesFileError,
  createCommandLogger,
  createRouteTable,
  createVpcNetwork,
  isKubeConfigError,
  listNodesFromApi,
  readClusterUidFromApi,
  readNodesFile,
  passSettingsFrom,
} from "./wiring.js";

export interface ReconcileDeps {
  readonly logger?: Logger | undefined;
  readonly routeTable?: RouteTable | undefined;
  /** With an injected routeTable: where the VPC network is read (absent: System entries only). */
  readonly vpcNetwork?: VpcNetworkSource | undefined;
}

export async function runReconcileCommand(config: ReconcileConfig, io: CommandIo, deps: ReconcileDeps = {}): Promise<number> {
  const logger = deps.logger ?? createCommandLogger(config, io);
  let routeTable: RouteTable;
  let vpcNetwork = deps.vpcNetwork;
  if (deps.routeTable !== undefined) {
    routeTable = deps.routeTable;
  } else {
    const alibaba = createRouteTable(config, logger);
    routeTable = alibaba;
    vpcNetwork ??= createVpcNetwork(alibaba);
  }

  let nodes: NodeFacts[];
  // With the API, the kube-system UID is the cluster's identity; with --nodes-file the explicit
  // --cluster-name is (parse-config requires it there).
  let clusterUid: string | undefined;
  try {
    if (config.nodesFile) {
      nodes = await readNodesFile(config.nodesFile, io);
      clusterUid = config.clusterUid;
    } else {
      [nodes, clusterUid] = await Promise.all([listNodesFromApi(config, io), readClusterUidFromApi(config, io)]);
      if (config.clusterUid !== undefined && config.clusterUid !== clusterUid) {
        io.stderr.write(`vpc-route-sync: --cluster-uid ${config.clusterUid} is not this cluster's kube-system namespace UID (${clusterUid}); drop the flag or check the kubeconfig\n`);
        return 2;
      }
    }
  } catch (error) {
    // A file that cannot be used is a configuration error (2); an API that cannot be reached is not (1).
    const configError = error instanceof NodesFileError || isKubeConfigError(error);
    const message =
      configError || (error instanceof Error && error.name === "ClusterIdentityError")
        ? messageOf(error)
        : `cannot list Nodes from the Kubernetes API: ${messageOf(error)}`;
    io.stderr.write(`vpc-route-sync: ${message}\n`);
    return configError ? 2 : exitCodeForError(error);
  }

  const runner = new PassRunner({ routeTable, vpcNetwork, settings: passSettingsFrom(config, clusterUid), logger });
  const progress = config.progress && config.output === "text" && io.stderrIsTTY ? progressLine(io) : undefined;
  let result;
  try {
    result = await runner.run({
      nodes,
      // A one-shot run sees the complete Node list: deletes are safe (within --max-deletions).
      allowDeletes: true,
      dryRun: config.dryRun,
      signal: io.signal,
      onProgress: progress?.update,
    });
  } catch (error) {
    progress?.done();
    io.stderr.write(`vpc-route-sync: ${messageOf(error)}\n`);
    return exitCodeForError(error);
  }
  progress?.done();

  const report = buildJsonReport(result, nodes, config.dryRun);
  io.stdout.write(config.output === "json" ? `${JSON.stringify(report, null, 2)}\n` : formatTextReport(report));
  return exitCodeFor(result.outcome, config.detailedExitcode);
}

/** "applying: 50/120 routes" on one rewritten terminal line (only when stderr is a TTY). */
function progressLine(io: CommandIo): { update: (done: number, total: number) => void; done: () => void } {
  let shown = false;
  return {
    update: (done, total) => {
      shown = true;
      io.stderr.write(`\rapplying: ${done}/${total} route changes`);
    },
    done: () => {
      if (shown) io.stderr.write("\n");
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
