// `vpc-route-sync reconcile`: one pass from a terminal or a script. Reads the Nodes (API or
// --nodes-file), reads the route tables, prints the plan, applies it unless --dry-run, prints the
// result, and maps the outcome to the documented exit code.
import type { CommandIo, ReconcileConfig } from "../config/index.js";
import type { NodeFacts } from "../domain/types.js";
import { buildJsonReport, formatTextReport } from "../reconcile/report.js";
import { passEnding } from "../reconcile/pass-outcome.js";
import { PassRunner } from "../reconcile/pass-runner.js";
import { endWithError, exitCodeFor } from "../error-policy.js";
import { readNodesFile } from "../inputs/dump-files.js";
import { listNodesFromApi, readClusterUidFromApi } from "../inputs/kube-api.js";
import { cloudFor, createCommandLogger, passSettingsFrom, type CommandDeps } from "./wiring.js";

export type ReconcileDeps = CommandDeps;

export async function runReconcileCommand(config: ReconcileConfig, io: CommandIo, deps: ReconcileDeps = {}): Promise<number> {
  const logger = deps.logger ?? createCommandLogger(config, io);
  const { routeTable, vpcNetwork } = cloudFor(config, logger, deps);

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
    return endWithError(error, io.stderr);
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
    return endWithError(error, io.stderr);
  }
  progress?.done();

  const report = buildJsonReport(result, nodes, config.dryRun);
  io.stdout.write(config.output === "json" ? `${JSON.stringify(report, null, 2)}\n` : formatTextReport(report));
  return exitCodeFor(passEnding(result, config.detailedExitcode));
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
