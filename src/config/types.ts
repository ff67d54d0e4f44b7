// The typed, frozen configuration every command receives. Produced once by parseConfig from
// argv, the environment and the optional CCM cloud-config; nothing downstream reads
// process.env or re-parses flags.

import type { CredentialSource } from "../cloud/credential-source.js";
import type { SyncScope } from "../domain/settings.js";
import type { LogFormat, LogLevel } from "../observability/log-options.js";

export type Command = "reconcile" | "run" | "doctor";

export const COMMANDS: readonly Command[] = ["reconcile", "run", "doctor"];

/**
 * `--log-level` and `--log-format` (`auto`: text on a TTY, json otherwise): the logger's own types,
 * parsed once here and handed to it as they are.
 */
export { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from "../observability/log-options.js";

export type OutputFormat = "text" | "json";

/** `--max-deletions`: the planner's own type (an absolute count, or a percentage of the owned routes). */
export type { MaxDeletions } from "../domain/plan.js";

/** Where the VPC API lives when `--vpc-endpoint` overrides the SDK's regional default. */
export interface VpcEndpoint {
  /** `host[:port]`, exactly what the SDK's `Config.endpoint` takes (it is also the signed host). */
  readonly host: string;
  /** `http` only when the URL said so (the fake VPC API); bare host names mean `https`. */
  readonly protocol: "http" | "https";
}

/**
 * Settings shared by every command: the scope of the sync (region, VPC, tables, cluster identity
 * and limits: domain/settings.ts, the shape a pass and its plan read) and how to reach the APIs.
 */
export interface CommonConfig extends SyncScope {
  readonly vpcEndpoint?: VpcEndpoint | undefined;
  /** Upper bound on VPC API calls per second, > 0 and <= 100. */
  readonly apiQps: number;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  /** Path of a kubeconfig file; undefined means the in-cluster service account. */
  readonly kubeconfig?: string | undefined;
  /** Path of the CCM cloud-config that was read, if any (for messages only). */
  readonly cloudConfigPath?: string | undefined;
  readonly credentials: CredentialSource;
}

export interface ReconcileConfig extends CommonConfig {
  readonly command: "reconcile";
  /** Read Nodes from this `kubectl get nodes -o json` file instead of the API; "-" is stdin. */
  readonly nodesFile?: string | undefined;
  /** `--cluster-uid`: our identity in markers when --nodes-file hides the kube-system UID; checked against it otherwise. */
  readonly clusterUid?: string | undefined;
  /**
   * `--approve-deletions`: route entry ids or canonical destination CIDRs (or `all`) whose deletion
   * a human approved: held routes among them are deleted, bypassing --max-deletions.
   */
  readonly approveDeletions: readonly string[];
  readonly dryRun: boolean;
  readonly output: OutputFormat;
  /** With dryRun: exit 0 when nothing would change, 3 when changes are planned. */
  readonly detailedExitcode: boolean;
  /** Progress lines on stderr (off with --no-progress). */
  readonly progress: boolean;
}

export interface LeaderElectionConfig {
  readonly namespace: string;
  readonly leaseName: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  /** Undefined: the caller uses the hostname plus a random suffix. */
  readonly identity?: string | undefined;
}

export interface RunConfig extends CommonConfig {
  readonly command: "run";
  readonly resyncPeriodMs: number;
  readonly aggregationWindowMs: number;
  /** Period of the Node informer's full re-list; 0: never. */
  readonly nodeRelistPeriodMs: number;
  readonly leaderElect: boolean;
  readonly leaderElection: LeaderElectionConfig;
  /** `[host]:port` for /healthz and /readyz. */
  readonly healthProbeBindAddress: string;
  /** `[host]:port` for /metrics; undefined when disabled with "0". */
  readonly metricsBindAddress?: string | undefined;
  /** /metrics over HTTPS with delegated authentication and authorization (TokenReview + SubjectAccessReview). */
  readonly metricsSecure?: boolean | undefined;
  /** Directory with tls.crt and tls.key for metricsSecure; undefined: a self-signed certificate. */
  readonly metricsCertDir?: string | undefined;
  readonly shutdownTimeoutMs: number;
  /** Custom entries a route table may hold (the account's quota), for the quota gauge. */
  readonly routeTableQuota: number;
}

/** `doctor`: read-only preflight checks of the cluster and the VPC. */
export interface DoctorConfig extends CommonConfig {
  readonly command: "doctor";
  /** `kubectl get <kind> -A -o json` dumps read instead of the API ("-" is stdin, for one of them at most). */
  readonly nodesFile?: string | undefined;
  readonly podsFile?: string | undefined;
  readonly daemonsetsFile?: string | undefined;
  readonly deploymentsFile?: string | undefined;
  readonly output: OutputFormat;
  /** Warnings fail too (exit 1). */
  readonly strict: boolean;
  /** Custom entries a route table may hold (the account's quota), for the quota check. */
  readonly routeTableQuota: number;
}

/** The product's commands only; the developer commands `demo` and `fake-vpc` live in dev/. */
export type Config = ReconcileConfig | RunConfig | DoctorConfig;

/** What parseConfig decided: run a command, or print help/version text and exit 0. */
export type ParseOutcome =
  | { readonly kind: "config"; readonly config: Config }
  | { readonly kind: "help"; readonly text: string }
  | { readonly kind: "version"; readonly text: string };

export type Env = Readonly<Record<string, string | undefined>>;
