// The table of every flag of every command: its value placeholder, help text and the default
// shown in --help. One table feeds the commander definitions, the environment variable names
// and docs/configuration.md, so they cannot drift apart.

import { DEFAULTS } from "../defaults.js";
import { durationText } from "../util/duration-text.js";
import type { Command } from "./types.js";

export interface FlagSpec {
  /** Long name without dashes, e.g. "api-qps"; "no-progress" for a flag that only switches off. */
  readonly name: string;
  /** Placeholder of a value-taking flag, e.g. "<qps>". Absent: a boolean flag. */
  readonly value?: string;
  /** Boolean flags accept `--flag`, `--flag=true|false`; negatable ones also `--no-flag`. */
  readonly negatable?: boolean;
  /** May be given several times (values also comma-separated). */
  readonly repeatable?: boolean;
  /**
   * The default, spelled as the flag's value would be (e.g. "5", "60s", "50%"): the parser parses
   * it with the flag's own schema, --help and docs/configuration.md show it. Absent when the default
   * is not one value (then `defaultText` says what happens).
   */
  readonly default?: string;
  /** What --help shows as the default when it is more than `default` (e.g. where else it comes from). */
  readonly defaultText?: string;
  /**
   * Other names accepted on the command line with the same meaning, e.g. the cloud-controller-manager's
   * and kube-controller-manager's names for a drop-in migration. Only the flag's own name has an
   * environment variable.
   */
  readonly aliases?: readonly string[];
  readonly description: string;
}

export const ENV_PREFIX = "VPC_ROUTE_SYNC_";

/** The default as --help and the docs show it. */
export function defaultTextOf(spec: FlagSpec): string {
  return spec.defaultText ?? spec.default ?? "none";
}

/** `api-qps` → `VPC_ROUTE_SYNC_API_QPS`. */
export function envNameOf(flagName: string): string {
  return ENV_PREFIX + flagName.toUpperCase().replace(/-/g, "_");
}

const logLevelFlag: FlagSpec = {
  name: "log-level",
  value: "<level>",
  default: "info",
  description: "log level: trace, debug, info, warn, error, fatal or silent",
};


/** A `kubectl get <kind> -A -o json` dump that replaces reading `kind` from the API. */
function dumpFileFlag(kind: string, objects: string): FlagSpec {
  return {
    name: `${kind}-file`,
    value: "<path>",
    defaultText: `read ${objects} from the Kubernetes API`,
    description: `read them from \`kubectl get ${kind} -A -o json\` output instead (- for stdin)`,
  };
}

const COMMON_FLAGS: readonly FlagSpec[] = [
  {
    name: "kubeconfig",
    value: "<path>",
    defaultText: "$KUBECONFIG, else the in-cluster service account",
    description: "kubeconfig file to reach the Kubernetes API",
  },
  {
    name: "region",
    value: "<region-id>",
    defaultText: "Global.region of --cloud-config; required",
    description: "Alibaba Cloud region of the VPC and of the Nodes' ECS instances, e.g. cn-hangzhou",
  },
  {
    name: "vpc-id",
    value: "<vpc-id>",
    defaultText: "Global.vpcid of --cloud-config",
    description: "VPC whose route tables are managed (discovered when --route-table-ids is not given)",
  },
  {
    name: "route-table-ids",
    value: "<ids>",
    repeatable: true,
    defaultText: "Global.routeTableIDs of --cloud-config, else discovered from --vpc-id",
    description: "comma-separated route table ids (vtb-...) that get one route per Node pod CIDR",
  },
  {
    name: "cluster-name",
    value: "<name>",
    default: "kubernetes",
    defaultText: "Global.clusterID of --cloud-config, else kubernetes",
    description: "cluster name written into the marker of every route this operator owns (DNS label, <= 63 chars)",
  },
  {
    name: "cluster-cidr",
    value: "<cidr>",
    repeatable: true,
    defaultText: "none",
    description:
      "pod network CIDR, at most one IPv4 and one IPv6 (repeat or comma-separate); Node pod CIDRs must lie inside",
    // kube-controller-manager's and the CCM's flag has the same name and meaning.
  },
  {
    name: "adopt-unmarked",
    default: "false",
    description: "also manage (and delete) unmarked single-hop instance routes inside --cluster-cidr whose instance a Node names or that sit on a Node's pod CIDR",
  },
  {
    name: "max-deletions",
    value: "<n|n%>",
    default: "50%",
    description: "refuse a cycle that would delete more routes than this count or percentage of owned routes",
  },
  {
    name: "vpc-endpoint",
    value: "<url>",
    defaultText: "the SDK's regional endpoint",
    description: "VPC API endpoint, e.g. vpc-vpc.cn-shanghai.aliyuncs.com or http://127.0.0.1:8080",
  },
  {
    name: "vpc-endpoint-type",
    value: "<type>",
    defaultText: "vpc when ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true, else public",
    description:
      "VPC API endpoint when --vpc-endpoint is not given: vpc (vpc-vpc.<region>.aliyuncs.com, reachable only inside the VPC) or public (the SDK's regional endpoint)",
  },
  {
    name: "api-qps",
    value: "<qps>",
    default: String(DEFAULTS.apiQps),
    description: "maximum VPC API calls per second (> 0, <= 100)",
  },
  logLevelFlag,
  {
    name: "log-format",
    value: "<format>",
    default: "auto",
    defaultText: "text on a TTY, json otherwise",
    description: "log format: json or text",
  },
  {
    name: "cloud-config",
    value: "<path>",
    defaultText: "none",
    description: "Alibaba CCM cloud-config file (JSON or YAML) to take region, VPC, route tables and keys from",
  },
];

const RECONCILE_FLAGS: readonly FlagSpec[] = [
  {
    name: "nodes-file",
    value: "<path>",
    defaultText: "read Nodes from the Kubernetes API",
    description: "read Nodes from `kubectl get nodes -o json` output instead (- for stdin)",
  },
  {
    name: "cluster-uid",
    value: "<uid>",
    defaultText: "the kube-system namespace UID; unknown with --nodes-file",
    description: "this cluster's identity in route markers (the kube-system namespace UID) when --nodes-file hides it",
  },
  {
    name: "dry-run",
    default: "false",
    description: "print the plan without changing any route",
  },
  {
    name: "output",
    value: "<format>",
    default: "text",
    description: "plan and result format: text or json",
  },
  {
    name: "detailed-exitcode",
    default: "false",
    description: "with --dry-run: exit 0 when nothing would change, 3 when changes are planned",
  },
  {
    name: "no-progress",
    default: "false",
    description: "do not print progress lines on stderr",
  },
  {
    name: "approve-deletions",
    value: "<ids>",
    repeatable: true,
    defaultText: "none",
    description:
      "delete routes the deletion guard holds (or would refuse): all, or route entry ids / destination CIDRs (repeat or comma-separate)",
  },
];

const DOCTOR_FLAGS: readonly FlagSpec[] = [
  dumpFileFlag("nodes", "Nodes"),
  dumpFileFlag("pods", "Pods"),
  dumpFileFlag("daemonsets", "DaemonSets"),
  dumpFileFlag("deployments", "Deployments"),
  { name: "output", value: "<format>", default: "text", description: "report format: text or json (schema in docs/doctor.md)" },
  {
    name: "strict",
    default: "false",
    description: "exit 1 on warnings too, not only on failed checks",
  },
  {
    name: "route-table-quota",
    value: "<n>",
    default: String(DEFAULTS.routeTableQuota),
    description: "custom route entries each managed route table may hold (your Alibaba Cloud quota), for the quota check",
  },
];

const RUN_FLAGS: readonly FlagSpec[] = [
  {
    name: "configure-cloud-routes",
    defaultText: "true",
    description:
      "accepted for drop-in migration from the cloud-controller-manager (routes are what this controller does); false is refused",
  },
  {
    name: "resync-period",
    aliases: ["route-reconciliation-period"],
    value: "<duration>",
    default: "60s",
    description: "full reconcile at least this often (>= 5s)",
  },
  {
    name: "aggregation-window",
    value: "<duration>",
    default: "1s",
    description: "wait this long after a Node change to batch further changes into one reconcile",
  },
  {
    name: "node-relist-period",
    value: "<duration>",
    default: "10m",
    description: "list every Node again this often, for changes the watch missed (an etcd restored from a backup); 0 disables",
  },
  {
    name: "leader-elect",
    negatable: true,
    default: "true",
    description: "elect one active replica through a coordination.k8s.io Lease",
  },
  {
    name: "leader-election-namespace",
    aliases: ["leader-elect-resource-namespace"],
    value: "<namespace>",
    defaultText: "the service account's namespace, else kube-system",
    description: "namespace of the leader election Lease",
  },
  {
    name: "leader-election-id",
    aliases: ["leader-elect-resource-name"],
    value: "<name>",
    default: DEFAULTS.leaseName,
    description: "name of the leader election Lease",
  },
  {
    name: "lease-duration",
    aliases: ["leader-elect-lease-duration"],
    value: "<duration>",
    default: durationText(DEFAULTS.leaseDurationMs),
    description: "how long a Lease is valid without renewal (> --renew-deadline)",
  },
  {
    name: "renew-deadline",
    aliases: ["leader-elect-renew-deadline"],
    value: "<duration>",
    default: durationText(DEFAULTS.renewDeadlineMs),
    description: "the leader gives up leadership if it cannot renew within this (> --retry-period)",
  },
  {
    name: "retry-period",
    aliases: ["leader-elect-retry-period"],
    value: "<duration>",
    default: durationText(DEFAULTS.retryPeriodMs),
    description: "interval between leader election attempts",
  },
  {
    name: "health-probe-bind-address",
    value: "<addr>",
    default: ":8081",
    description: "[host]:port serving /healthz and /readyz",
  },
  {
    name: "metrics-bind-address",
    value: "<addr>",
    default: ":9090",
    description: "[host]:port serving /metrics; 0 disables it",
  },
  {
    name: "metrics-secure",
    defaultText: "false",
    description:
      "serve /metrics over HTTPS, only to bearer tokens the API server authenticates (TokenReview) and allows to get /metrics (SubjectAccessReview)",
  },
  {
    name: "metrics-cert-dir",
    value: "<dir>",
    defaultText: "a self-signed certificate made at start",
    description: "directory holding tls.crt and tls.key for --metrics-secure",
  },
  {
    name: "route-table-quota",
    value: "<n>",
    default: String(DEFAULTS.routeTableQuota),
    description: "custom route entries each managed route table may hold (your Alibaba Cloud quota), for the quota metrics and alert",
  },
  {
    name: "shutdown-timeout",
    value: "<duration>",
    default: "30s",
    description: "on SIGTERM, time allowed to finish the in-flight batch and release the Lease",
  },
  {
    name: "identity",
    value: "<id>",
    defaultText: "hostname plus a random suffix",
    description: "holder identity written into the Lease",
  },
];

export const COMMAND_FLAGS: Readonly<Record<Command, readonly FlagSpec[]>> = {
  reconcile: [...COMMON_FLAGS, ...RECONCILE_FLAGS],
  run: [...COMMON_FLAGS, ...RUN_FLAGS],
  doctor: [...COMMON_FLAGS, ...DOCTOR_FLAGS],
};

export const COMMAND_DESCRIPTIONS: Readonly<Record<Command, string>> = {
  reconcile: "reconcile the route tables with the Nodes once, print the plan and the result, and exit",
  run: "run the controller: watch Nodes and keep the route tables in step (leader-elected)",
  doctor: "check the cluster and the VPC for what breaks pod routes (read-only) and report pass/warn/fail",
};
