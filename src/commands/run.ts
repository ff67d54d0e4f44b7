// `vpc-route-sync run`: the in-cluster controller. Wires the Node informer, leader election, the
// reconcile loop, metrics and health endpoints; returns 0 after a graceful SIGTERM/SIGINT.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { KubeConnection } from "../kube/kube-connection.js";
import { createMetricsAuthorizer, reviewClientFor } from "../kube/metrics-authorizer.js";
import { createSelfSignedCertificate } from "../observability/self-signed-certificate.js";
import type { CommandIo, RunConfig } from "../config/index.js";
import { Controller } from "../controller/controller.js";
import { PassCache } from "../cloud/pass-cache.js";
import { LogContext } from "../observability/logger.js";
import { Metrics } from "../observability/metrics.js";
import { startHttpServer, healthRoutes, metricsRoutes, type HttpServerOptions, type RunningHttpServer } from "../observability/http-server.js";
import { kubeConfigFor, readClusterUidFromApi } from "../inputs/kube-api.js";
import { createCommandLogger, createRouteTable, createVpcNetwork, passSettingsFrom } from "./wiring.js";
import { readPackageVersion } from "../config/version.js";
import { realTimers, sleep } from "../util/timers.js";
import { endWithError } from "../error-policy.js";
import { ConfigError, errorMessage } from "../errors.js";

export async function runRunCommand(config: RunConfig, io: CommandIo): Promise<number> {
  const identity = config.leaderElection.identity ?? `${io.hostname}-${randomBytes(3).toString("hex")}`;
  const logContext = new LogContext();
  // The controller has no other output: its logs go to stdout, where log collectors expect them.
  const logger = createCommandLogger(config, io, { identity }, logContext, "stdout");
  const metrics = new Metrics({ version: readPackageVersion() });

  let kubeConfig;
  try {
    kubeConfig = await kubeConfigFor(config, io);
  } catch (error) {
    return endWithError(error, io.stderr);
  }
  // The cluster identity (kube-system UID) is read before the first pass; until then no pass runs.
  let clusterUid: string | undefined = undefined;
  // What a pass learns (tables, the VPC's network, each table's entries) is kept for the next one:
  // a Node change costs its write and its confirmation; a resync still reads every table.
  const routeTable = createRouteTable(config, logger, metrics.cloudObserver());
  const passCache = new PassCache({ routeTable, vpcNetwork: createVpcNetwork(routeTable), listingMaxAgeMs: config.resyncPeriodMs });
  const pod =
    io.env.POD_NAME && io.env.POD_NAMESPACE ? { name: io.env.POD_NAME, namespace: io.env.POD_NAMESPACE } : undefined;
  const controller = new Controller({
    kubeConfig,
    routeTable: passCache.routeTable,
    vpcNetwork: passCache.vpcNetwork,
    passCache,
    settings: {
      ...passSettingsFrom(config),
      get clusterUid() {
        return clusterUid;
      },
    },
    logger,
    logContext,
    metrics,
    identity,
    resyncPeriodMs: config.resyncPeriodMs,
    routeTableQuota: config.routeTableQuota,
    aggregationWindowMs: config.aggregationWindowMs,
    nodeRelistPeriodMs: config.nodeRelistPeriodMs,
    leaderElection: config.leaderElect ? config.leaderElection : undefined,
    pod,
  });

  const servers: RunningHttpServer[] = [];
  try {
    const health = healthRoutes({ healthz: () => controller.healthz(), readyz: () => controller.readyz() });
    // One shared listener only when both name the same free-port request; secure metrics never share it.
    if (config.metricsBindAddress !== undefined && config.metricsBindAddress === config.healthProbeBindAddress && config.metricsSecure !== true) {
      servers.push(await startHttpServer({ bindAddress: config.healthProbeBindAddress, routes: { ...health, ...metricsRoutes(metrics) } }));
    } else {
      servers.push(await startHttpServer({ bindAddress: config.healthProbeBindAddress, routes: health }));
      if (config.metricsBindAddress !== undefined) {
        servers.push(
          await startHttpServer({
            bindAddress: config.metricsBindAddress,
            routes: metricsRoutes(metrics),
            ...(config.metricsSecure ? await secureMetrics(config, kubeConfig) : {}),
          }),
        );
      }
    }
  } catch (error) {
    await Promise.all(servers.map((s) => s.close()));
    return endWithError(error, io.stderr);
  }
  logger.info(
    {
      regionId: config.regionId,
      vpcId: config.vpcId,
      routeTableIds: config.routeTableIds,
      clusterName: config.clusterName,
      leaderElect: config.leaderElect,
      healthPort: servers[0]?.port,
      metricsPort: servers[1]?.port ?? (config.metricsBindAddress ? servers[0]?.port : undefined),
      metricsSecure: config.metricsSecure === true,
    },
    "controller starting",
  );

  const stopRequested = new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  clusterUid = await readClusterUidUntilStopped(config, io, kubeConfig, logger);
  if (clusterUid !== undefined) {
    logger.info({ clusterName: config.clusterName, clusterUid }, "cluster identity read");
    // A first Node list that hangs must not make SIGTERM wait for it.
    await Promise.race([controller.start(), stopRequested]);
  }
  await stopRequested;
  logger.info({ reason: io.signal.reason === undefined ? "signal" : errorMessage(io.signal.reason) }, "controller stopping");
  if (clusterUid !== undefined) await controller.stop(config.shutdownTimeoutMs);
  await Promise.all(servers.map((s) => s.close()));
  logger.info({}, "controller stopped");
  return 0;
}

/**
 * Reads the kube-system UID, retrying with backoff (1 s doubling to 30 s) while the API server is
 * unreachable or RBAC is missing; undefined when stopped first. Every failure is logged.
 */
async function readClusterUidUntilStopped(
  config: RunConfig,
  io: CommandIo,
  kubeConfig: Awaited<ReturnType<typeof kubeConfigFor>>,
  logger: ReturnType<typeof createCommandLogger>,
): Promise<string | undefined> {
  for (let delayMs = 1000; !io.signal.aborted; delayMs = Math.min(delayMs * 2, 30_000)) {
    try {
      return await readClusterUidFromApi(config, io, kubeConfig);
    } catch (error) {
      logger.error({ retryInMs: delayMs, error: errorMessage(error) }, "cluster identity unavailable");
    }
    if (!(await sleep(realTimers, delayMs, io.signal))) break;
  }
  return undefined;
}

/**
 * TLS and delegated authorization for `--metrics-secure`: the certificate from --metrics-cert-dir
 * (tls.crt, tls.key, as a kubernetes.io/tls Secret mounts them), else a self-signed one made now.
 */
async function secureMetrics(config: RunConfig, kubeConfig: KubeConnection): Promise<Pick<HttpServerOptions, "tls" | "authorize">> {
  let tls: { cert: string; key: string };
  if (config.metricsCertDir !== undefined) {
    const [cert, key] = await Promise.all(
      ["tls.crt", "tls.key"].map((file) =>
        readFile(join(config.metricsCertDir ?? "", file), "utf8").catch((error: unknown) => {
          throw new ConfigError(`--metrics-cert-dir: cannot read ${file}: ${errorMessage(error)}`, { cause: error });
        }),
      ),
    );
    tls = { cert: cert ?? "", key: key ?? "" };
  } else {
    const certificate = createSelfSignedCertificate(["localhost", "127.0.0.1"], { commonName: "vpc-route-sync-metrics" });
    tls = { cert: certificate.certPem, key: certificate.keyPem };
  }
  return { tls, authorize: createMetricsAuthorizer({ reviews: reviewClientFor(kubeConfig) }) };
}
