// Builds the runtime pieces a command needs from the frozen Config: the logger (with the
// credentials' secret values scrubbed), the VPC adapter and the sync settings (the Node sources
// are src/inputs/). Shared by `reconcile`, `run`, `doctor` and `demo`, so the demo exercises
// exactly the production wiring.
import { createAlibabaRouteTable, type AlibabaRouteTable, type AlibabaRouteTableOptions } from "../cloud/alibaba/alibaba-route-table.js";
import { secretsOf } from "../cloud/alibaba/credentials.js";
import { AlibabaVpcNetwork } from "../cloud/alibaba/vpc-network.js";
import type { RouteTable } from "../cloud/route-table.js";
import type { VpcNetworkSource } from "../cloud/vpc-network.js";
import type { CloudCallObserver } from "../cloud/observer.js";
import type { CommandIo, CommonConfig, LogFormat, LogLevel } from "../config/index.js";
import { createLogger, type LogContext, type Logger } from "../observability/logger.js";
import type { PassSettings } from "../domain/settings.js";

export function createCommandLogger(
  config: { readonly logLevel: LogLevel; readonly logFormat?: LogFormat; readonly credentials?: CommonConfig["credentials"] },
  io: CommandIo,
  base?: Record<string, unknown>,
  context?: LogContext,
  /** stderr by default: commands with results (reconcile, demo) keep stdout for them. */
  stream: "stdout" | "stderr" = "stderr",
): Logger {
  const credentials = config.credentials;
  return createLogger({
    ...(context ? { context } : {}),
    level: config.logLevel,
    format: config.logFormat ?? "auto",
    isTTY: stream === "stdout" ? io.stdoutIsTTY : io.stderrIsTTY,
    destination: stream === "stdout" ? io.stdout : io.stderr,
    secrets: () => (credentials ? secretsOf(credentials) : []),
    ...(base ? { base } : {}),
  });
}

/** The VPC endpoint URL the configuration names, or undefined for the SDK's regional default. */
export function vpcEndpointUrl(config: CommonConfig): string | undefined {
  return config.vpcEndpoint ? `${config.vpcEndpoint.protocol}://${config.vpcEndpoint.host}` : undefined;
}

/**
 * Adapter timings a test may shorten (test/model/ runs hundreds of passes); production passes none.
 * @internal exported for tests
 */
export type AdapterTuning = Pick<
  AlibabaRouteTableOptions,
  "qps" | "callDeadlineMs" | "connectTimeoutMs" | "readTimeoutMs" | "writeDeadlineMs" | "pollIntervalMs" | "firstPollMs" | "retry"
>;

export function createRouteTable(config: CommonConfig, logger: Logger, observer?: CloudCallObserver, tuning: AdapterTuning = {}): AlibabaRouteTable {
  return createAlibabaRouteTable({
    regionId: config.regionId,
    endpoint: vpcEndpointUrl(config),
    credential: config.credentials,
    qps: config.apiQps,
    // IPv6 entries are read explicitly when IPv6 routes may be desired (an omitted IpVersion may mean IPv4 only).
    listIpv6: config.clusterCidrs.length === 0 || config.clusterCidrs.some((cidr) => cidr.family === 6),
    logger: logger.child({ component: "vpc" }),
    observer,
    ...tuning,
  });
}

/** What a test may inject into a one-shot command (`reconcile`, `doctor`) instead of the production pieces. */
export interface CommandDeps {
  readonly logger?: Logger | undefined;
  readonly routeTable?: RouteTable | undefined;
  /** With an injected routeTable: where the VPC network is read (absent: System entries only). */
  readonly vpcNetwork?: VpcNetworkSource | undefined;
}

/**
 * The route table and VPC network a one-shot command uses: the injected ones, else the Alibaba
 * adapter and, as the controller's passes read it, the VPC's network through it.
 */
export function cloudFor(config: CommonConfig, logger: Logger, deps: CommandDeps): { routeTable: RouteTable; vpcNetwork: VpcNetworkSource | undefined } {
  if (deps.routeTable !== undefined) return { routeTable: deps.routeTable, vpcNetwork: deps.vpcNetwork };
  const alibaba = createRouteTable(config, logger);
  return { routeTable: alibaba, vpcNetwork: deps.vpcNetwork ?? createVpcNetwork(alibaba) };
}

/** Reads the VPC's and its vSwitches' CIDR blocks each pass, through the route table adapter's plumbing. */
export function createVpcNetwork(routeTable: AlibabaRouteTable): VpcNetworkSource {
  return new AlibabaVpcNetwork(routeTable);
}

/** The settings of a pass: the configuration's scope (no credentials or paths), with the cluster uid the command found. */
export function passSettingsFrom(config: CommonConfig & Pick<PassSettings, "approveDeletions">, clusterUid?: string): PassSettings {
  const { regionId, vpcId, routeTableIds, clusterName, clusterCidrs, adoptUnmarked, maxDeletions, approveDeletions } = config;
  return { regionId, vpcId, routeTableIds, clusterName, clusterCidrs, adoptUnmarked, maxDeletions, approveDeletions, clusterUid };
}
