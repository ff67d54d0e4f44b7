import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  COMMAND_FLAGS,
  COMMANDS,
  defaultTextOf,
  envNameOf,
  parseConfig,
  SERVICE_ACCOUNT_NAMESPACE_FILE,
  type Command,
  type Config,
  type ReconcileConfig,
} from "../../src/config/index.js";
import { memoryIo, parse, parseError, REQUIRED } from "./helpers.js";
import { parseClusterCidrs } from "../../src/domain/eligibility.js";

const REQUIRED_ENV = { VPC_ROUTE_SYNC_REGION: "cn-hangzhou", VPC_ROUTE_SYNC_VPC_ID: "vpc-abc123", VPC_ROUTE_SYNC_CLUSTER_CIDR: "10.244.0.0/16" };
const CLOUD_CONFIG_FILE = "/etc/kubernetes/cloud-config";

describe("defaults", () => {
  it("reconcile", () => {
    expect(parse(["reconcile", ...REQUIRED])).toEqual({
      command: "reconcile",
      regionId: "cn-hangzhou",
      vpcId: "vpc-abc123",
      routeTableIds: [],
      clusterName: "kubernetes",
      clusterCidrs: parseClusterCidrs(["10.244.0.0/16"]),
      adoptUnmarked: false,
      maxDeletions: { kind: "percent", value: 50 },
      vpcEndpoint: undefined,
      apiQps: 5,
      logLevel: "info",
      logFormat: "auto",
      kubeconfig: undefined,
      cloudConfigPath: undefined,
      credentials: { kind: "default-chain" },
      nodesFile: undefined,
      approveDeletions: [],
      dryRun: false,
      output: "text",
      detailedExitcode: false,
      progress: true,
    });
  });

  it("run", () => {
    const config = parse<"run">(["run", ...REQUIRED]);
    expect(config).toMatchObject({
      command: "run",
      resyncPeriodMs: 60_000,
      aggregationWindowMs: 1000,
      nodeRelistPeriodMs: 600_000,
      leaderElect: true,
      leaderElection: {
        namespace: "kube-system",
        leaseName: "vpc-route-sync",
        leaseDurationMs: 15_000,
        renewDeadlineMs: 10_000,
        retryPeriodMs: 2_000,
        identity: undefined,
      },
      healthProbeBindAddress: ":8081",
      metricsBindAddress: ":9090",
      shutdownTimeoutMs: 30_000,
    });
  });

  it("takes the leader election namespace from the service account when it is mounted", () => {
    const config = parse<"run">(["run", ...REQUIRED], {}, { [SERVICE_ACCOUNT_NAMESPACE_FILE]: "network-system\n" });
    expect(config.leaderElection.namespace).toBe("network-system");
  });

  it.each([
    ["/home/me/.kube/config", "/home/me/.kube/config"],
    ["/a/config:/b/config", "/a/config"],
    [":/b/config", "/b/config"],
    ["", undefined],
  ])("takes --kubeconfig from KUBECONFIG=%j", (value, expected) => {
    expect(parse(["reconcile", ...REQUIRED], { KUBECONFIG: value }).kubeconfig).toBe(expected);
  });

  it("prefers VPC_ROUTE_SYNC_KUBECONFIG over KUBECONFIG, and the flag over both", () => {
    const env = { KUBECONFIG: "/from/kubeconfig", VPC_ROUTE_SYNC_KUBECONFIG: "/from/own-env" };
    expect(parse(["reconcile", ...REQUIRED], env).kubeconfig).toBe("/from/own-env");
    expect(parse(["reconcile", ...REQUIRED, "--kubeconfig", "/from/flag"], env).kubeconfig).toBe("/from/flag");
  });
});

describe("flag forms", () => {
  it.each([
    [["--leader-elect"], true],
    [["--leader-elect=false"], false],
    [["--leader-elect", "false"], false],
    [["--no-leader-elect"], false],
    [["--leader-elect=TRUE"], true],
  ])("run %j → leaderElect %s", (flags, expected) => {
    expect(parse<"run">(["run", ...REQUIRED, ...flags]).leaderElect).toBe(expected);
  });

  it("--no-leader-elect beats VPC_ROUTE_SYNC_LEADER_ELECT=true", () => {
    expect(parse<"run">(["run", ...REQUIRED, "--no-leader-elect"], { VPC_ROUTE_SYNC_LEADER_ELECT: "true" }).leaderElect).toBe(false);
  });

  it("parses --cluster-cidr once into typed CIDRs, which JSON shows as their text", () => {
    const config = parse(["reconcile", ...REQUIRED, "--cluster-cidr", "10.244.0.0/16", "--cluster-cidr", "fd00:10:244::/56"]);
    expect(config.clusterCidrs.map((c) => [c.family, c.prefix])).toEqual([[4, 16], [6, 56]]);
    expect(JSON.parse(JSON.stringify(config)).clusterCidrs).toEqual(["10.244.0.0/16", "fd00:10:244::/56"]);
  });

  it("accepts --cluster-cidr repeated and comma-separated", () => {
    expect(parse(["reconcile", ...REQUIRED, "--cluster-cidr", "10.244.0.0/16", "--cluster-cidr", "fd00:10:244::/56"]).clusterCidrs.map((c) => c.text)).toEqual([
      "10.244.0.0/16",
      "fd00:10:244::/56",
    ]);
    expect(parse(["reconcile", ...REQUIRED, "--cluster-cidr=10.244.0.0/16, fd00:10:244::/56"]).clusterCidrs.map((c) => c.text)).toEqual([
      "10.244.0.0/16",
      "fd00:10:244::/56",
    ]);
  });

  it("deduplicates route table ids and accepts --route-table-ids without --vpc-id", () => {
    const config = parse(["reconcile", "--region", "cn-hangzhou", "--cluster-cidr", "10.244.0.0/16", "--route-table-ids", "vtb-a1,vtb-b2,vtb-a1"]);
    expect(config.routeTableIds).toEqual(["vtb-a1", "vtb-b2"]);
    expect(config.vpcId).toBeUndefined();
  });

  it.each([
    ["10", { kind: "count", value: 10 }],
    ["0", { kind: "count", value: 0 }],
    ["25%", { kind: "percent", value: 25 }],
    ["12.5%", { kind: "percent", value: 12.5 }],
    ["100%", { kind: "percent", value: 100 }],
  ])("--max-deletions %s", (value, expected) => {
    expect(parse(["reconcile", ...REQUIRED, "--max-deletions", value]).maxDeletions).toEqual(expected);
  });

  it.each([
    ["http://127.0.0.1:8080", { host: "127.0.0.1:8080", protocol: "http" }],
    ["https://vpc.cn-shanghai.aliyuncs.com/", { host: "vpc.cn-shanghai.aliyuncs.com", protocol: "https" }],
    ["vpc-vpc.cn-shanghai.aliyuncs.com", { host: "vpc-vpc.cn-shanghai.aliyuncs.com", protocol: "https" }],
    ["127.0.0.1:18080", { host: "127.0.0.1:18080", protocol: "https" }],
    ["http://[::1]:8080", { host: "[::1]:8080", protocol: "http" }],
  ])("--vpc-endpoint %s", (value, expected) => {
    expect(parse(["reconcile", ...REQUIRED, "--vpc-endpoint", value]).vpcEndpoint).toEqual(expected);
  });

  it.each([
    ["500ms", 500],
    ["10s", 10_000],
    ["5m", 300_000],
    ["1h", 3_600_000],
    ["1m30s", 90_000],
    ["1.5s", 1500],
  ])("durations: --shutdown-timeout %s", (value, expected) => {
    expect(parse<"run">(["run", ...REQUIRED, "--shutdown-timeout", value]).shutdownTimeoutMs).toBe(expected);
  });
});

/** One row per (command, flag): the environment variable sets it. */
type EnvRow = readonly [Command, string, string, (config: Config) => unknown, unknown, Record<string, string>?];

const pick = <C extends Command>(select: (config: Extract<Config, { command: C }>) => unknown) =>
  select as (config: Config) => unknown;

function commonRows(command: "reconcile" | "run" | "doctor"): EnvRow[] {
  type C = Extract<Config, { command: "reconcile" | "run" | "doctor" }>;
  const p = pick<"reconcile" | "run" | "doctor">;
  return [
    [command, "kubeconfig", "/etc/kubeconfig", p((c: C) => c.kubeconfig), "/etc/kubeconfig"],
    [command, "region", "cn-beijing", p((c: C) => c.regionId), "cn-beijing"],
    [command, "vpc-id", "vpc-zzz999", p((c: C) => c.vpcId), "vpc-zzz999"],
    [command, "route-table-ids", "vtb-a1, vtb-b2", p((c: C) => c.routeTableIds), ["vtb-a1", "vtb-b2"]],
    [command, "cluster-name", "prod-1", p((c: C) => c.clusterName), "prod-1"],
    [command, "cluster-cidr", "10.244.0.0/16,fd00:10:244::/56", p((c: C) => c.clusterCidrs.map((cidr) => cidr.text)), ["10.244.0.0/16", "fd00:10:244::/56"]],
    [command, "adopt-unmarked", "true", p((c: C) => c.adoptUnmarked), true, { VPC_ROUTE_SYNC_CLUSTER_CIDR: "10.244.0.0/16" }],
    [command, "max-deletions", "10", p((c: C) => c.maxDeletions), { kind: "count", value: 10 }],
    [command, "vpc-endpoint", "http://127.0.0.1:8080", p((c: C) => c.vpcEndpoint), { host: "127.0.0.1:8080", protocol: "http" }],
    [command, "vpc-endpoint-type", "vpc", p((c: C) => c.vpcEndpoint), { host: "vpc-vpc.cn-hangzhou.aliyuncs.com", protocol: "https" }],
    [command, "api-qps", "2.5", p((c: C) => c.apiQps), 2.5],
    [command, "log-level", "debug", p((c: C) => c.logLevel), "debug"],
    [command, "log-format", "json", p((c: C) => c.logFormat), "json"],
    [command, "cloud-config", CLOUD_CONFIG_FILE, p((c: C) => c.cloudConfigPath), CLOUD_CONFIG_FILE],
  ];
}

const ENV_ROWS: readonly EnvRow[] = [
  ...commonRows("reconcile"),
  ["reconcile", "nodes-file", "-", pick<"reconcile">((c) => c.nodesFile), "-", { VPC_ROUTE_SYNC_CLUSTER_NAME: "prod-1" }],
  ["reconcile", "approve-deletions", "rte-abc1,10.244.3.0/24", pick<"reconcile">((c) => c.approveDeletions), ["rte-abc1", "10.244.3.0/24"]],
  ["reconcile", "cluster-uid", "0B9A1C2D-3E4F-4A5B-8C6D-7E8F9A0B1C2D", pick<"reconcile">((c) => c.clusterUid), "0b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"],
  ["reconcile", "dry-run", "true", pick<"reconcile">((c) => c.dryRun), true],
  ["reconcile", "output", "json", pick<"reconcile">((c) => c.output), "json"],
  ["reconcile", "detailed-exitcode", "true", pick<"reconcile">((c) => c.detailedExitcode), true, { VPC_ROUTE_SYNC_DRY_RUN: "1" }],
  ["reconcile", "no-progress", "true", pick<"reconcile">((c) => c.progress), false],
  ...commonRows("run"),
  ["run", "resync-period", "5m", pick<"run">((c) => c.resyncPeriodMs), 300_000],
  ["run", "aggregation-window", "250ms", pick<"run">((c) => c.aggregationWindowMs), 250],
  ["run", "node-relist-period", "0", pick<"run">((c) => c.nodeRelistPeriodMs), 0],
  ["run", "leader-elect", "false", pick<"run">((c) => c.leaderElect), false],
  ["run", "leader-election-namespace", "infra", pick<"run">((c) => c.leaderElection.namespace), "infra"],
  ["run", "leader-election-id", "my-lease", pick<"run">((c) => c.leaderElection.leaseName), "my-lease"],
  ["run", "lease-duration", "30s", pick<"run">((c) => c.leaderElection.leaseDurationMs), 30_000],
  ["run", "renew-deadline", "5s", pick<"run">((c) => c.leaderElection.renewDeadlineMs), 5_000],
  ["run", "retry-period", "1s", pick<"run">((c) => c.leaderElection.retryPeriodMs), 1_000],
  ["run", "health-probe-bind-address", "127.0.0.1:18081", pick<"run">((c) => c.healthProbeBindAddress), "127.0.0.1:18081"],
  ["run", "metrics-bind-address", "0", pick<"run">((c) => c.metricsBindAddress), undefined],
  ["run", "health-probe-bind-address", "127.0.0.1:0", pick<"run">((c) => c.healthProbeBindAddress), "127.0.0.1:0"],
  ["run", "shutdown-timeout", "1m", pick<"run">((c) => c.shutdownTimeoutMs), 60_000],
  ["run", "route-table-quota", "1000", pick<"run">((c) => c.routeTableQuota), 1000],
  ["run", "identity", "pod-a_1", pick<"run">((c) => c.leaderElection.identity), "pod-a_1"],
  ["run", "configure-cloud-routes", "true", pick<"run">((c) => c.command), "run"],
  ["run", "metrics-secure", "true", pick<"run">((c) => c.metricsSecure), true],
  ["run", "metrics-cert-dir", "/etc/metrics-tls", pick<"run">((c) => c.metricsCertDir), "/etc/metrics-tls", { VPC_ROUTE_SYNC_METRICS_SECURE: "true" }],
  ...commonRows("doctor"),
  ["doctor", "nodes-file", "/tmp/nodes.json", pick<"doctor">((c) => c.nodesFile), "/tmp/nodes.json", { VPC_ROUTE_SYNC_CLUSTER_NAME: "prod-1" }],
  ["doctor", "pods-file", "-", pick<"doctor">((c) => c.podsFile), "-"],
  ["doctor", "daemonsets-file", "/tmp/ds.json", pick<"doctor">((c) => c.daemonsetsFile), "/tmp/ds.json"],
  ["doctor", "deployments-file", "/tmp/deploy.json", pick<"doctor">((c) => c.deploymentsFile), "/tmp/deploy.json"],
  ["doctor", "output", "json", pick<"doctor">((c) => c.output), "json"],
  ["doctor", "strict", "true", pick<"doctor">((c) => c.strict), true],
  ["doctor", "route-table-quota", "500", pick<"doctor">((c) => c.routeTableQuota), 500],
];

describe("environment variables", () => {
  const files = { [CLOUD_CONFIG_FILE]: "{}" };
  const rows = ENV_ROWS.map(([command, flag, value, select, expected, extra]) => ({ command, flag, value, select, expected, extra }));
  const requiredEnvOf = (command: Command) => (command === "reconcile" || command === "run" || command === "doctor" ? REQUIRED_ENV : {});

  it.each(rows)("$command --$flag from its environment variable ($value)", ({ command, flag, value, select, expected, extra }) => {
    const env = { ...requiredEnvOf(command), ...extra, [envNameOf(flag)]: value };
    expect(select(parse([command], env, files))).toEqual(expected);
  });

  it("covers every flag of every command", () => {
    const covered = new Set(rows.map(({ command, flag }) => `${command} --${flag}`));
    const all = COMMANDS.flatMap((command) => COMMAND_FLAGS[command].map((spec) => `${command} --${spec.name}`));
    expect(all.filter((name) => !covered.has(name))).toEqual([]);
  });

  it.each(rows.filter(({ flag }) => flag !== "no-progress"))(
    "$command --$flag: the flag beats the environment variable",
    ({ command, flag, value, select, expected, extra }) => {
      const env = { ...requiredEnvOf(command), ...extra, [envNameOf(flag)]: "!!! not valid !!!" };
      expect(select(parse([command, `--${flag}=${value}`], env, files))).toEqual(expected);
    },
  );

  it("ignores empty environment variables", () => {
    expect(parse(["reconcile", ...REQUIRED], { VPC_ROUTE_SYNC_API_QPS: "", VPC_ROUTE_SYNC_CLUSTER_NAME: "  " })).toMatchObject({
      apiQps: 5,
      clusterName: "kubernetes",
    });
  });
});

describe("precedence: flag > environment > cloud-config > default", () => {
  const cloudConfig = JSON.stringify({
    Global: { region: "cn-shanghai", vpcid: "vpc-fromfile", routeTableIDs: "vtb-file1,vtb-file2", clusterID: "cfile" },
  });
  const files = { [CLOUD_CONFIG_FILE]: cloudConfig };
  const cc = ["--cloud-config", CLOUD_CONFIG_FILE, "--cluster-cidr", "10.244.0.0/16"];

  it.each([
    ["region", "cn-beijing", "cn-hangzhou", "cn-shanghai", (c: Config) => (c as ReconcileConfig).regionId],
    ["vpc-id", "vpc-flag", "vpc-env", "vpc-fromfile", (c: Config) => (c as ReconcileConfig).vpcId],
    ["route-table-ids", "vtb-flag", "vtb-env", ["vtb-file1", "vtb-file2"], (c: Config) => (c as ReconcileConfig).routeTableIds],
    ["cluster-name", "cflag", "cenv", "cfile", (c: Config) => (c as ReconcileConfig).clusterName],
  ] as const)("--%s", (flag, fromFlag, fromEnv, fromFile, select) => {
    const env = { [envNameOf(flag)]: fromEnv };
    const asList = (value: string) => (flag === "route-table-ids" ? [value] : value);
    expect(select(parse(["reconcile", ...cc, `--${flag}`, fromFlag], env, files))).toEqual(asList(fromFlag));
    expect(select(parse(["reconcile", ...cc], env, files))).toEqual(asList(fromEnv));
    expect(select(parse(["reconcile", ...cc], {}, files))).toEqual(fromFile);
  });

  it("falls back to the defaults when the cloud-config does not set a key", () => {
    const config = parse(["reconcile", "--dry-run", "--cloud-config", "/cc.yaml"], {}, { "/cc.yaml": "Global:\n  region: cn-shanghai\n  vpcid: vpc-x1\n" });
    expect(config).toMatchObject({ regionId: "cn-shanghai", vpcId: "vpc-x1", clusterName: "kubernetes", routeTableIds: [] });
  });

  it("takes the cloud-config path from VPC_ROUTE_SYNC_CLOUD_CONFIG", () => {
    expect(parse(["run"], { VPC_ROUTE_SYNC_CLOUD_CONFIG: CLOUD_CONFIG_FILE, VPC_ROUTE_SYNC_CLUSTER_CIDR: "10.244.0.0/16" }, files)).toMatchObject({
      regionId: "cn-shanghai",
      cloudConfigPath: CLOUD_CONFIG_FILE,
    });
  });
});

/** [command, flag, bad value, what the message must say]. */
const INVALID: readonly (readonly [Command, string, string, string])[] = [
  ["reconcile", "region", "Hangzhou", "expected a region id"],
  ["reconcile", "region", "cn_hangzhou", "expected a region id"],
  ["reconcile", "vpc-id", "vtb-123", "expected a VPC id"],
  ["reconcile", "route-table-ids", "rt-2", "expected route table ids"],
  ["reconcile", "cluster-name", "Prod_1", "expected 1-63 lower-case letters"],
  ["reconcile", "cluster-name", "a".repeat(64), "expected 1-63 lower-case letters"],
  ["reconcile", "cluster-cidr", "10.0.0.1/8", "the network address is 10.0.0.0/8"],
  ["reconcile", "cluster-cidr", "fd00::0/64", "expected the canonical spelling fd00::/64"],
  ["reconcile", "cluster-cidr", "FD00::/64", "expected the canonical spelling fd00::/64"],
  ["reconcile", "cluster-cidr", "fd00:10:244:0:0::/56", "expected the canonical spelling fd00:10:244::/56"],
  ["reconcile", "cluster-cidr", "10.0.0.0/33", "expected a network CIDR"],
  ["reconcile", "cluster-cidr", "10.0.0.0", "expected a network CIDR"],
  ["reconcile", "cluster-cidr", "010.0.0.0/8", "expected a network CIDR"],
  ["reconcile", "cluster-cidr", "not-a-cidr", "expected a network CIDR"],
  ["reconcile", "adopt-unmarked", "maybe", "expected true or false"],
  ["reconcile", "max-deletions", "-1", "expected a number of routes"],
  ["reconcile", "max-deletions", "ten", "expected a number of routes"],
  ["reconcile", "max-deletions", "150%", "expected a percentage between 0% and 100%"],
  ["reconcile", "vpc-endpoint", "ftp://vpc.example.com", "only http and https"],
  ["reconcile", "vpc-endpoint", "http://127.0.0.1:8080/api", "no path, query or user info"],
  ["reconcile", "vpc-endpoint", "http://", "expected a host name or URL"],
  ["reconcile", "api-qps", "abc", "expected a number greater than 0 and at most 100"],
  ["reconcile", "api-qps", "0", "expected a number greater than 0 and at most 100"],
  ["reconcile", "api-qps", "101", "expected a number greater than 0 and at most 100"],
  ["reconcile", "api-qps", "-1", "expected a number greater than 0 and at most 100"],
  ["reconcile", "log-level", "verbose", "expected one of trace, debug, info, warn, error, fatal, silent"],
  ["reconcile", "log-format", "xml", "expected json or text"],
  ["reconcile", "output", "yaml", "expected text or json"],
  ["reconcile", "dry-run", "nope", "expected true or false"],
  ["reconcile", "detailed-exitcode", "2", "expected true or false"],
  ["reconcile", "kubeconfig", "", "expected a file path"],
  ["run", "resync-period", "60", "expected a duration such as 500ms, 10s, 5m or 1h"],
  ["run", "resync-period", "1s", "expected a duration of at least 5s"],
  ["run", "node-relist-period", "500ms", "expected 0 (off) or a duration of at least 1s"],
  ["run", "resync-period", "5d", "expected a duration such as 500ms, 10s, 5m or 1h"],
  ["run", "resync-period", "1000h", "at most 168h"],
  ["run", "aggregation-window", "fast", "expected a duration"],
  ["run", "leader-elect", "yesplease", "expected true or false"],
  ["run", "leader-election-namespace", "Kube_System", "expected 1-63 lower-case letters"],
  ["run", "leader-election-id", "UPPER", "expected a DNS subdomain"],
  ["run", "lease-duration", "15", "expected a duration"],
  ["run", "renew-deadline", "x", "expected a duration"],
  ["run", "retry-period", "0s", "expected a duration of at least 1ms"],
  ["run", "health-probe-bind-address", "8081", "expected [host]:port"],
  ["run", "health-probe-bind-address", ":70000", "port 70000 is above 65535"],
  ["run", "metrics-bind-address", "localhost", "or 0 to disable"],
  ["run", "shutdown-timeout", "30", "expected a duration"],
  ["run", "route-table-quota", "0", "a number of route entries"],
  ["run", "identity", "has space", "expected printable characters without spaces"],
];

describe("invalid values", () => {
  const required = (command: Command): string[] => (command === "reconcile" || command === "run" ? [...REQUIRED] : []);

  it.each(INVALID)("%s --%s=%j from the flag", (command, flag, value, expected) => {
    const message = parseError([command, ...required(command), `--${flag}=${value}`]).message;
    expect(message).toContain(`invalid --${flag} ${JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value)}`);
    expect(message).toContain(expected);
    expect(message).not.toContain("(from ");
  });

  it.each(INVALID.filter(([, , value]) => value !== ""))("%s --%s=%j from the environment", (command, flag, value, expected) => {
    const requiredEnv = command === "reconcile" || command === "run" ? REQUIRED_ENV : {};
    const message = parseError([command], { ...requiredEnv, [envNameOf(flag)]: value }).message;
    expect(message).toContain(`invalid --${flag} `);
    expect(message).toContain(`(from ${envNameOf(flag)})`);
    expect(message).toContain(expected);
  });

  it("names the cloud-config key that supplied a bad value", () => {
    const message = parseError(["reconcile", "--cloud-config", "/cc"], {}, { "/cc": '{"Global":{"region":"cn-hangzhou","vpcID":"bad"}}' }).message;
    expect(message).toBe('invalid --vpc-id "bad" (from Global.vpcID in --cloud-config "/cc"): expected a VPC id such as vpc-bp1qpo0kug3a20qqe0z2b');
  });

  it("matches the documented example", () => {
    expect(parseError(["run", ...REQUIRED], { VPC_ROUTE_SYNC_API_QPS: "abc" }).message).toBe(
      'invalid --api-qps "abc" (from VPC_ROUTE_SYNC_API_QPS): expected a number greater than 0 and at most 100',
    );
  });

  it("names the offending element of a list", () => {
    expect(parseError(["reconcile", ...REQUIRED, "--route-table-ids", "vtb-ok1,nope"]).message).toContain(
      'invalid --route-table-ids "nope"',
    );
  });
});

describe("rules across flags", () => {
  const NO_CIDR = ["--region", "cn-hangzhou", "--vpc-id", "vpc-abc123"] as const;
  it("a dry run needs no --cluster-cidr", () => {
    expect(parse(["reconcile", ...NO_CIDR, "--dry-run"]).clusterCidrs).toEqual([]);
  });
  it("--nodes-file with an explicit --cluster-name", () => {
    expect(parse(["reconcile", ...REQUIRED, "--nodes-file", "-", "--cluster-name", "prod-1"])).toMatchObject({ nodesFile: "-", clusterName: "prod-1" });
  });
  it.each([
    [["reconcile", "--vpc-id", "vpc-1"], {}, "missing --region: set --region, VPC_ROUTE_SYNC_REGION or Global.region"],
    [["run", "--region", "cn-hangzhou"], {}, "missing --vpc-id or --route-table-ids"],
    [["reconcile", ...NO_CIDR, "--dry-run", "--adopt-unmarked"], {}, "--adopt-unmarked requires --cluster-cidr"],
    [["reconcile", ...NO_CIDR, "--dry-run"], { VPC_ROUTE_SYNC_ADOPT_UNMARKED: "true" }, "--adopt-unmarked (from VPC_ROUTE_SYNC_ADOPT_UNMARKED) requires --cluster-cidr"],
    [["reconcile", ...NO_CIDR], {}, "missing --cluster-cidr: reconcile writes routes"],
    [["reconcile", ...NO_CIDR], {}, "or add --dry-run"],
    [["run", ...NO_CIDR], {}, "missing --cluster-cidr: run writes routes"],
    [["reconcile", ...REQUIRED, "--nodes-file", "-"], {}, "--nodes-file requires --cluster-name"],
    [["reconcile", ...REQUIRED, "--approve-deletions", "everything"], {}, 'invalid --approve-deletions "everything": expected all, a route entry id'],
    [["reconcile", ...REQUIRED, "--detailed-exitcode"], {}, "--detailed-exitcode requires --dry-run"],
    [["reconcile", ...NO_CIDR, "--cluster-cidr", "10.0.0.0/8,10.1.0.0/16"], {}, 'invalid --cluster-cidr "10.1.0.0/16": expected at most one IPv4 CIDR (already have 10.0.0.0/8)'],
    [["reconcile", ...REQUIRED, "--cluster-cidr", "fd00::/64", "--cluster-cidr", "fd01::/64"], {}, "expected at most one IPv6 CIDR"],
    [["run", ...REQUIRED, "--renew-deadline", "20s"], {}, 'invalid --renew-deadline "20s": expected less than --lease-duration (15s)'],
    [["run", ...REQUIRED, "--lease-duration", "5s"], {}, 'invalid --lease-duration "5s": expected more than --renew-deadline (10s)'],
    [["run", ...REQUIRED, "--lease-duration", "5s", "--renew-deadline", "5s"], {}, 'invalid --renew-deadline "5s": expected less than --lease-duration (5s)'],
    [["run", ...REQUIRED, "--retry-period", "10s"], {}, 'invalid --retry-period "10s": expected less than --renew-deadline / 1.2 (10s / 1.2)'],
    // Accepted by a plain "shorter than" rule, refused by the elector at runtime (exit 1) before: now exit 2 at start.
    [["run", ...REQUIRED, "--renew-deadline", "2s", "--retry-period", "1800ms"], {}, 'invalid --retry-period "1800ms": expected less than --renew-deadline / 1.2 (2s / 1.2)'],
    [["run", ...REQUIRED, "--renew-deadline", "2400ms"], { VPC_ROUTE_SYNC_LEASE_DURATION: "3s" }, 'invalid --renew-deadline "2400ms": expected more than 1.2 × --retry-period (1.2 × 2s)'],
    [["run", ...REQUIRED, "--metrics-bind-address", "127.0.0.1:8081"], {}, 'invalid --metrics-bind-address "127.0.0.1:8081": expected another port than --health-probe-bind-address (:8081)'],
    [["run", ...REQUIRED, "--aggregation-window", "2m"], {}, 'invalid --aggregation-window "2m": expected at most --resync-period (1m)'],
  ] as const)("%j %j", (argv, env, expected) => {
    expect(parseError(argv, env).message).toContain(expected);
  });

  it("accepts the same CIDR twice", () => {
    expect(parse(["reconcile", ...NO_CIDR, "--cluster-cidr", "10.0.0.0/8,10.0.0.0/8"]).clusterCidrs.map((c) => c.text)).toEqual(["10.0.0.0/8"]);
  });
});

describe("usage errors", () => {
  it.each([
    [[], "missing command: expected one of reconcile, run, doctor"],
    [["demo"], "unknown command 'demo'"],
    [["fake-vpc"], "unknown command 'fake-vpc'"],
    [["bogus"], "unknown command 'bogus'"],
    [["help", "bogus"], 'unknown command "bogus"'],
    [["reconcile", "--bogus"], "unknown option '--bogus' (see vpc-route-sync reconcile --help)"],
    [["reconcile", "--dry-rn"], "(Did you mean --dry-run?)"],
    [["run", "--region"], "option '--region <region-id>' argument missing"],
    [["reconcile", "extra"], "too many arguments for 'reconcile'"],
    [["--region", "cn-hangzhou", "reconcile"], "unknown option '--region'"],
  ] as const)("%j", (argv, expected) => {
    expect(parseError(argv).message).toContain(expected);
  });
});

describe("doctor", () => {
  it("runs without --cluster-cidr, with text output, no --strict and the default quota", () => {
    expect(parse(["doctor", "--region", "cn-hangzhou", "--vpc-id", "vpc-abc123"], {})).toMatchObject({
      command: "doctor",
      clusterCidrs: [],
      output: "text",
      strict: false,
      routeTableQuota: 200,
    });
  });

  it("takes at most one dump from standard input", () => {
    expect(parseError(["doctor", ...REQUIRED, "--nodes-file", "-", "--daemonsets-file=-"]).message).toBe(
      "--nodes-file and --daemonsets-file cannot all read standard input (-): at most one dump can come from stdin, give the others as files",
    );
    expect(parse(["doctor", ...REQUIRED, "--cluster-name", "k", "--nodes-file", "nodes.json", "--pods-file", "-"], {})).toMatchObject({ nodesFile: "nodes.json", podsFile: "-" });
  });

  it("needs --cluster-name offline, as reconcile does (no cluster UID without the API)", () => {
    expect(parseError(["doctor", ...REQUIRED, "--nodes-file", "nodes.json"]).message).toContain("--nodes-file requires --cluster-name");
  });
});

describe("help and version", () => {
  const normalise = (text: string) => text.replace(/\s+/g, " ");

  it.each(COMMANDS)("%s --help lists every flag with its default and environment variable", (command) => {
    const outcome = parseConfig([command, "--help"], {}, memoryIo());
    expect(outcome.kind).toBe("help");
    const help = normalise(outcome.kind === "help" ? outcome.text : "");
    for (const spec of COMMAND_FLAGS[command]) {
      const flag = spec.value === undefined ? `--${spec.name}` : `--${spec.name} ${spec.value}`;
      expect(help).toContain(flag);
      expect(help).toContain(`(default: ${defaultTextOf(spec)}; env: ${envNameOf(spec.name)})`);
    }
    expect(help).toContain("--help");
    expect(help).toContain("--version");
  });

  it.each([[["--help"]], [["-h"]], [["help"]], [["help", "run"]], [["run", "-h"]]])("%j prints help", (argv) => {
    const outcome = parseConfig(argv, {}, memoryIo());
    expect(outcome.kind).toBe("help");
    expect(outcome.kind === "help" && outcome.text).toContain("Usage: vpc-route-sync");
  });

  it("the program help lists the commands", () => {
    const outcome = parseConfig(["--help"], {}, memoryIo());
    const help = outcome.kind === "help" ? outcome.text : "";
    for (const command of COMMANDS) expect(help).toContain(command);
  });

  it.each([[["--version"]], [["-V"]], [["reconcile", "--version"]], [["run", "-V"]]])("%j prints the version", (argv) => {
    expect(parseConfig(argv, {}, memoryIo())).toEqual({ kind: "version", text: "9.8.7\n" });
  });

  it("help wins over missing required settings", () => {
    expect(parseConfig(["reconcile", "--help"], {}, memoryIo()).kind).toBe("help");
  });
});

describe("the result", () => {
  it("is deeply frozen", () => {
    const config = parse<"run">(["run", ...REQUIRED, "--route-table-ids", "vtb-a1", "--cluster-cidr", "fd00::/48"], {
      ALIBABA_CLOUD_ACCESS_KEY_ID: "LTAIexample",
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: "s3cr3t",
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.routeTableIds)).toBe(true);
    expect(Object.isFrozen(config.clusterCidrs)).toBe(true);
    expect(Object.isFrozen(config.maxDeletions)).toBe(true);
    expect(Object.isFrozen(config.leaderElection)).toBe(true);
    expect(Object.isFrozen(config.credentials)).toBe(true);
    expect(() => {
      (config as { apiQps: number }).apiQps = 99;
    }).toThrow(TypeError);
    expect(() => {
      (config.routeTableIds as string[]).push("vtb-x");
    }).toThrow(TypeError);
  });

  it("does not read the environment of the process", () => {
    const name = "VPC_ROUTE_SYNC_API_QPS";
    const saved = process.env[name];
    process.env[name] = "77";
    try {
      expect(parse(["reconcile", ...REQUIRED], {}).apiQps).toBe(5);
    } finally {
      if (saved === undefined) delete process.env[name];
      else process.env[name] = saved;
    }
  });
});

describe("docs/configuration.md", () => {
  it("names every flag and environment variable", () => {
    const docs = readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");
    for (const command of COMMANDS) {
      for (const spec of COMMAND_FLAGS[command]) {
        expect(docs).toContain(`--${spec.name}`);
        expect(docs).toContain(envNameOf(spec.name));
      }
    }
  });

  it("shows the default of every flag that has one, as the flag table states it", () => {
    const docs = readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");
    const rows = docs.split("\n").filter((line) => line.startsWith("| `--"));
    const missing = COMMANDS.flatMap((command) => COMMAND_FLAGS[command])
      .filter((spec) => spec.default !== undefined)
      .filter((spec) => {
        const row = rows.find((line) => line.startsWith(`| \`--${spec.name}\``) || line.startsWith(`| \`--${spec.name} `));
        return row === undefined || !row.includes(spec.default!);
      })
      .map((spec) => `--${spec.name} (${spec.default})`);
    expect([...new Set(missing)]).toEqual([]);
  });
});

describe("VPC endpoint type", () => {
  const VPC = { host: "vpc-vpc.cn-hangzhou.aliyuncs.com", protocol: "https" };
  it.each([
    ["no flag, no variable: the SDK's public endpoint", [], {}, undefined],
    ["--vpc-endpoint-type vpc", ["--vpc-endpoint-type", "vpc"], {}, VPC],
    ["--vpc-endpoint-type=PUBLIC", ["--vpc-endpoint-type=PUBLIC"], {}, undefined],
    ["ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true", [], { ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED: "true" }, VPC],
    ["ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=false", [], { ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED: "false" }, undefined],
    ["the flag beats the variable", ["--vpc-endpoint-type", "public"], { ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED: "true" }, undefined],
    [
      "--vpc-endpoint beats the type",
      ["--vpc-endpoint-type", "vpc", "--vpc-endpoint", "http://127.0.0.1:8080"],
      {},
      { host: "127.0.0.1:8080", protocol: "http" },
    ],
  ] as const)("%s", (_name, flags, env, expected) => {
    expect(parse(["reconcile", ...REQUIRED, ...flags], env).vpcEndpoint).toEqual(expected);
  });

  it("names the region in the VPC host", () => {
    expect(parse(["run", "--region", "ap-southeast-1", "--vpc-id", "vpc-a1", "--cluster-cidr", "10.0.0.0/8", "--vpc-endpoint-type", "vpc"]).vpcEndpoint).toEqual({
      host: "vpc-vpc.ap-southeast-1.aliyuncs.com",
      protocol: "https",
    });
  });

  it.each([
    [["--vpc-endpoint-type", "internal"], {}, 'invalid --vpc-endpoint-type "internal": expected vpc or public'],
    [[], { ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED: "sure" }, 'invalid ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED "sure": expected true or false'],
  ] as const)("rejects %j %j", (flags, env, message) => {
    expect(parseError(["reconcile", ...REQUIRED, ...flags], env).message).toContain(message);
  });
});

describe("cloud-controller-manager flag aliases", () => {
  type Run = Extract<Config, { command: "run" }>;
  it.each([
    ["--route-reconciliation-period=30s", (c: Run): unknown => c.resyncPeriodMs, 30_000],
    ["--leader-elect-lease-duration=20s", (c: Run): unknown => c.leaderElection.leaseDurationMs, 20_000],
    ["--leader-elect-renew-deadline=12s", (c: Run): unknown => c.leaderElection.renewDeadlineMs, 12_000],
    ["--leader-elect-retry-period=3s", (c: Run): unknown => c.leaderElection.retryPeriodMs, 3_000],
    ["--leader-elect-resource-name=cloud-routes", (c: Run): unknown => c.leaderElection.leaseName, "cloud-routes"],
    ["--leader-elect-resource-namespace=infra", (c: Run): unknown => c.leaderElection.namespace, "infra"],
    ["--configure-cloud-routes", (c: Run): unknown => c.command, "run"],
    ["--configure-cloud-routes=true", (c: Run): unknown => c.command, "run"],
  ] as const)("%s", (flag, select, expected) => {
    expect(select(parse<"run">(["run", ...REQUIRED, flag]))).toEqual(expected);
  });

  it("an alias is validated like its flag, and messages name the flag", () => {
    expect(parseError(["run", ...REQUIRED, "--route-reconciliation-period=1s"]).message).toContain("invalid --resync-period \"1s\"");
  });

  it("refuses a flag given under both names", () => {
    expect(parseError(["run", ...REQUIRED, "--resync-period=1m", "--route-reconciliation-period=30s"]).message).toBe(
      "--resync-period and --route-reconciliation-period are the same setting: give only one",
    );
  });

  it("refuses --configure-cloud-routes=false with what to do instead", () => {
    expect(parseError(["run", ...REQUIRED, "--configure-cloud-routes=false"]).message).toContain(
      "vpc-route-sync only configures cloud routes; to stop it, scale its Deployment to 0",
    );
  });

  it("--help lists every alias beside its flag", () => {
    const outcome = parseConfig(["run", "--help"], {}, memoryIo());
    const help = outcome.kind === "help" ? outcome.text.replace(/\s+/g, " ") : "";
    for (const spec of COMMAND_FLAGS.run) {
      for (const alias of spec.aliases ?? []) expect(help).toContain(`--${alias} ${spec.value ?? "[bool]"} alias of --${spec.name}`);
    }
  });
});

describe("--metrics-secure", () => {
  it("is off by default", () => {
    expect(parse<"run">(["run", ...REQUIRED])).toMatchObject({ metricsSecure: false, metricsCertDir: undefined });
  });

  it.each([
    [["--metrics-secure", "--metrics-bind-address", "0"], "--metrics-secure needs /metrics on its own --metrics-bind-address"],
    [["--metrics-cert-dir", "/etc/tls"], "--metrics-cert-dir requires --metrics-secure"],
  ])("refuses %j", (flags, message) => {
    expect(parseError(["run", ...REQUIRED, ...flags]).message).toContain(message);
  });
});
