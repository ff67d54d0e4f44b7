// parseConfig: argv + environment + optional CCM cloud-config → one frozen, typed Config.
// Precedence for every setting: flag > VPC_ROUTE_SYNC_<FLAG> environment variable >
// cloud-config > default. Commander only tokenises argv (its own env and default handling is
// not used, so that the source of every value is known for messages); zod schemas validate
// each value; cross-field rules follow. Every failure is a ConfigError naming the flag and
// where its value came from.

import { readFileSync } from "node:fs";
import { delimiter } from "node:path";
import { type Command as CommanderCommand, CommanderError } from "commander";
import { buildProgram } from "./cli-program.js";
import type { CloudConfig, CloudConfigValue } from "./cloud-config.js";
import { parseBindAddress } from "../observability/bind-address.js";
import { parseCloudConfig } from "./cloud-config.js";
import { ACQUIRE_JITTER } from "../kube/leader-timing.js";
import { ConfigError, errorMessage } from "../errors.js";
import { CREDENTIAL_ENV, resolveCredentials } from "./credentials.js";
import { deepFreeze } from "./deep-freeze.js";
import { durationText } from "../util/duration-text.js";
import { COMMAND_FLAGS, envNameOf, type FlagSpec } from "./flags.js";
import {
  COMMANDS,
  type Command,
  type CommonConfig,
  type Config,
  type DoctorConfig,
  type Env,
  type ParseOutcome,
  type ReconcileConfig,
  type RunConfig,
} from "./types.js";
import * as v from "./value-schemas.js";
import { readPackageVersion } from "./version.js";
import type { Cidr, IpFamily } from "../domain/cidr.js";

import { PROGRAM_NAME } from "./cli-program.js";
export { PROGRAM_NAME };

/** Where Kubernetes mounts the pod's namespace; the default leader election namespace. */
export const SERVICE_ACCOUNT_NAMESPACE_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

export interface ParseConfigIo {
  /** Reads a UTF-8 text file; throws (like fs.readFileSync) when it cannot. */
  readFile(path: string): string;
  /** Printed by --version. */
  readonly version: string;
}

export function defaultParseConfigIo(): ParseConfigIo {
  return { readFile: (path) => readFileSync(path, "utf8"), version: readPackageVersion() };
}

/**
 * Parses the command line (without the node and script arguments) and the environment.
 * Returns the configuration, or help/version text to print before exiting 0.
 * @throws ConfigError (exit 2, src/error-policy.ts) for every invalid or missing value, unknown flag or command.
 */
export function parseConfig(argv: readonly string[], env: Env, io: ParseConfigIo = defaultParseConfigIo()): ParseOutcome {
  const output: string[] = [];
  const program = buildProgram(io.version, (text) => output.push(text));
  let selected: { command: Command; parsed: CommanderCommand } | undefined;
  for (const subcommand of program.commands) {
    subcommand.action((_options, parsed: CommanderCommand) => {
      selected = { command: subcommand.name() as Command, parsed };
    });
  }

  try {
    program.parse([...argv], { from: "user" });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    switch (error.code) {
      case "commander.helpDisplayed":
        return { kind: "help", text: output.join("") };
      case "commander.version":
        return { kind: "version", text: output.join("") };
      case "commander.help":
        // `help <command>` exits 0; no command at all is commander's "help as an error".
        if (error.exitCode === 0) return { kind: "help", text: output.join("") };
        if (argv[0] === "help" && argv[1] !== undefined) {
          throw new ConfigError(`unknown command ${quote(argv[1])} (see ${PROGRAM_NAME} --help)`, { cause: error });
        }
        throw new ConfigError(`missing command: expected one of ${COMMANDS.join(", ")} (see ${PROGRAM_NAME} --help)`, { cause: error });
      default: {
        const commandName = argv.find((arg) => (COMMANDS as readonly string[]).includes(arg));
        // "--unknown=value" may carry something secret that was mistyped: keep only the flag name.
        const reason = error.message
          .replace(/^error: /, "")
          .replace(/'(--?[^'=\s]+)=[^']*'/g, "'$1=...'")
          .replace(/\s*\n\s*/g, " ")
          .trim();
        const helpHint = commandName === undefined ? `${PROGRAM_NAME} --help` : `${PROGRAM_NAME} ${commandName} --help`;
        // No `cause`: commander's own message holds the unredacted argument.
        throw new ConfigError(`${reason} (see ${helpHint})`);
      }
    }
  }
  if (selected === undefined) {
    throw new ConfigError(`missing command: expected one of ${COMMANDS.join(", ")} (see ${PROGRAM_NAME} --help)`);
  }
  const config = buildConfig(selected.command, new Layers(selected.command, selected.parsed, env), env, io);
  return { kind: "config", config: deepFreeze(config) };
}

/** Where a raw value came from, for messages. */
type Source =
  | { readonly kind: "flag" }
  | { readonly kind: "env"; readonly name: string }
  | { readonly kind: "cloud-config"; readonly key: string; readonly file: string };

interface RawValue {
  readonly text: string;
  readonly source: Source;
}

function describeSource(source: Source): string {
  switch (source.kind) {
    case "flag":
      return "";
    case "env":
      return ` (from ${source.name})`;
    case "cloud-config":
      return ` (from ${source.key} in --cloud-config "${source.file}")`;
  }
}

function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

function invalid(flag: string, raw: RawValue, expected: string): ConfigError {
  return new ConfigError(`invalid --${flag} ${quote(raw.text)}${describeSource(raw.source)}: ${expected}`);
}

/** Settings the cloud-config can supply, by flag name. */
const CLOUD_CONFIG_FIELDS: Readonly<Record<string, keyof CloudConfig>> = {
  region: "region",
  "vpc-id": "vpcId",
  "route-table-ids": "routeTableIds",
  "cluster-name": "clusterId",
};

/** The flag > environment > cloud-config layers of one parsed command. */
class Layers {
  readonly #specs: ReadonlyMap<string, FlagSpec>;
  readonly #parsed: CommanderCommand;
  readonly #env: Env;
  #cloudConfig: CloudConfig | undefined;

  constructor(command: Command, parsed: CommanderCommand, env: Env) {
    this.#specs = new Map(COMMAND_FLAGS[command].map((spec) => [spec.name, spec]));
    this.#parsed = parsed;
    this.#env = env;
  }

  set cloudConfig(cloudConfig: CloudConfig | undefined) {
    this.#cloudConfig = cloudConfig;
  }

  /** The raw values of a flag from the first layer that has it (several only for lists). */
  raw(name: string): RawValue[] {
    const spec = this.#specs.get(name);
    if (spec === undefined) throw new Error(`no flag --${name} for this command`);
    const fromFlag = this.#fromFlag(spec);
    if (fromFlag !== undefined) return fromFlag.map((text) => ({ text, source: { kind: "flag" } }));
    const envName = envNameOf(name);
    const fromEnv = this.#env[envName];
    if (fromEnv !== undefined && fromEnv.trim() !== "") return [{ text: fromEnv, source: { kind: "env", name: envName } }];
    const field = CLOUD_CONFIG_FIELDS[name];
    if (field !== undefined && this.#cloudConfig !== undefined) {
      const value = this.#cloudConfig[field] as CloudConfigValue | undefined;
      if (value !== undefined) {
        return [{ text: value.value, source: { kind: "cloud-config", key: value.key, file: this.#cloudConfig.file } }];
      }
    }
    return [];
  }

  #fromFlag(spec: FlagSpec): string[] | undefined {
    const given = [spec.name, ...(spec.aliases ?? [])].filter((name) => this.#parsed.getOptionValueSource(attributeOf(name)) === "cli");
    if (given.length > 1) {
      throw new ConfigError(`--${given[0]} and --${given[1]} are the same setting: give only one`);
    }
    const [name] = given;
    if (name === undefined) return undefined;
    const value: unknown = this.#parsed.getOptionValue(attributeOf(name));
    if (Array.isArray(value)) return value.map(String);
    if (typeof value === "boolean") return [String(spec.name.startsWith("no-") ? !value : value)];
    return [String(value)];
  }

  /** Whether any layer other than the default supplies the flag. */
  isSet(name: string): boolean {
    return this.raw(name).length > 0;
  }

  optional<T>(name: string, schema: v.ValueSchema<T>): T | undefined {
    const [raw] = this.raw(name);
    return raw === undefined ? undefined : parseRaw(name, raw, schema);
  }

  /** The flag's value from the first layer that has it, else its default from the flag table (flags.ts). */
  value<T>(name: string, schema: v.ValueSchema<T>, fallback?: T): T {
    const [raw] = this.raw(name);
    if (raw !== undefined) return parseRaw(name, raw, schema);
    if (fallback !== undefined) return fallback;
    const text = this.#specs.get(name)?.default;
    if (text === undefined) throw new Error(`flag --${name} has no default in flags.ts`);
    return parseRaw(name, { text, source: { kind: "flag" } }, schema);
  }

  /** Comma-separated and/or repeated values, each validated. */
  list<T>(name: string, schema: v.ValueSchema<T>): { value: T; raw: RawValue }[] {
    const result: { value: T; raw: RawValue }[] = [];
    for (const raw of this.raw(name)) {
      for (const part of raw.text.split(",")) {
        const text = part.trim();
        if (text === "") continue;
        const item = { text, source: raw.source };
        result.push({ value: parseRaw(name, item, schema), raw: item });
      }
    }
    return result;
  }

  /** The text and source of a flag, for cross-field messages. */
  first(name: string): RawValue | undefined {
    return this.raw(name)[0];
  }
}

/** Commander's attribute for a flag name: "no-progress" → "progress", "api-qps" → "apiQps". */
function attributeOf(flagName: string): string {
  return flagName.replace(/^no-/, "").replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}

function parseRaw<T>(name: string, raw: RawValue, schema: v.ValueSchema<T>): T {
  const result = schema.safeParse(raw.text);
  if (!result.success) throw invalid(name, raw, v.firstIssue(result.error));
  return result.data;
}

function buildConfig(command: Command, layers: Layers, env: Env, io: ParseConfigIo): Config {
  switch (command) {
    case "reconcile":
      return buildReconcile(layers, env, io);
    case "run":
      return buildRun(layers, env, io);
    case "doctor":
      return buildDoctor(layers, env, io);
  }
}

function loadCloudConfig(layers: Layers, io: ParseConfigIo): CloudConfig | undefined {
  const raw = layers.first("cloud-config");
  const file = layers.optional("cloud-config", v.path);
  if (raw === undefined || file === undefined) return undefined;
  let text: string;
  try {
    text = io.readFile(file);
  } catch (error) {
    throw new ConfigError(`cannot read --cloud-config ${quote(file)}${describeSource(raw.source)}: ${errorMessage(error)}`, { cause: error });
  }
  return parseCloudConfig(file, text);
}

function buildCommon(layers: Layers, env: Env, io: ParseConfigIo): CommonConfig {
  const cloudConfig = loadCloudConfig(layers, io);
  layers.cloudConfig = cloudConfig;

  const regionId = layers.optional("region", v.regionId);
  if (regionId === undefined) {
    throw new ConfigError(
      `missing --region: set --region, ${envNameOf("region")} or Global.region in the --cloud-config file (e.g. cn-hangzhou)`,
    );
  }
  const vpcId = layers.optional("vpc-id", v.vpcId);
  const routeTableIds = [...new Set(layers.list("route-table-ids", v.routeTableId).map((item) => item.value))];
  if (vpcId === undefined && routeTableIds.length === 0) {
    throw new ConfigError(
      `missing --vpc-id or --route-table-ids: set one (flag, ${envNameOf("vpc-id")}/${envNameOf("route-table-ids")}, or Global.vpcid/routeTableIDs in the --cloud-config file); route tables are discovered from the VPC when no ids are given`,
    );
  }

  const cidrs = layers.list("cluster-cidr", v.clusterCidr);
  const seenFamilies = new Map<IpFamily, Cidr>();
  for (const { value, raw } of cidrs) {
    const earlier = seenFamilies.get(value.family);
    if (earlier !== undefined && earlier.text !== value.text) {
      throw invalid("cluster-cidr", raw, `expected at most one IPv${value.family} CIDR (already have ${earlier.text})`);
    }
    seenFamilies.set(value.family, value);
  }
  const clusterCidrs = [...seenFamilies.values()];

  const adoptUnmarked = layers.value("adopt-unmarked", v.booleanValue);
  if (adoptUnmarked && clusterCidrs.length === 0) {
    throw new ConfigError(
      `--adopt-unmarked${describeSource(layers.first("adopt-unmarked")?.source ?? { kind: "flag" })} requires --cluster-cidr: unmarked routes are only adopted inside the cluster CIDR`,
    );
  }

  return {
    regionId,
    vpcId,
    routeTableIds,
    clusterName: layers.value("cluster-name", v.clusterName),
    clusterCidrs,
    adoptUnmarked,
    maxDeletions: layers.value("max-deletions", v.maxDeletions),
    vpcEndpoint: layers.optional("vpc-endpoint", v.vpcEndpoint) ?? defaultVpcEndpoint(layers, env, regionId),
    apiQps: layers.value("api-qps", v.apiQps),
    logLevel: layers.value("log-level", v.logLevel),
    logFormat: layers.value("log-format", v.logFormat),
    kubeconfig: layers.optional("kubeconfig", v.path) ?? kubeconfigFromEnv(env),
    cloudConfigPath: cloudConfig?.file,
    credentials: resolveCredentials(env, cloudConfig, regionId),
  };
}

/**
 * Without --vpc-endpoint: the VPC endpoint `vpc-vpc.<region>.aliyuncs.com` (docs: "Endpoints" of the
 * VPC API) for type vpc, else the SDK's own regional (public) endpoint. The SDK's region map wins
 * over its `network: "vpc"` setting (cn-hangzhou maps to the public vpc.aliyuncs.com), so the host
 * is spelled out here. The default type follows ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED, which also
 * moves STS to its VPC endpoint (credentials.ts).
 */
function defaultVpcEndpoint(layers: Layers, env: Env, regionId: string): CommonConfig["vpcEndpoint"] {
  const type = layers.optional("vpc-endpoint-type", v.vpcEndpointType) ?? (vpcEndpointEnabled(env) ? "vpc" : "public");
  return type === "vpc" ? { host: `vpc-vpc.${regionId}.aliyuncs.com`, protocol: "https" } : undefined;
}

function vpcEndpointEnabled(env: Env): boolean {
  const raw = env[CREDENTIAL_ENV.vpcEndpointEnabled];
  if (raw === undefined || raw.trim() === "") return false;
  const parsed = v.booleanValue.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`invalid ${CREDENTIAL_ENV.vpcEndpointEnabled} ${quote(raw)}: expected true or false`);
  return parsed.data;
}

/** KUBECONFIG may list several files (like kubectl, the first one is used here). */
function kubeconfigFromEnv(env: Env): string | undefined {
  return (env.KUBECONFIG ?? "")
    .split(delimiter)
    .map((part) => part.trim())
    .find((part) => part !== "");
}

/**
 * Writing routes needs the pod network (like kube-controller-manager's --cluster-cidr for cloud
 * routes): a Node object is not trusted input, and only a pod CIDR inside the cluster CIDR gets a
 * route. Without it only a dry run (which writes nothing) may run.
 */
function requireClusterCidr(common: CommonConfig, command: string): void {
  if (common.clusterCidrs.length > 0) return;
  throw new ConfigError(
    `missing --cluster-cidr: ${command} writes routes, and only pod CIDRs inside the pod network get one; set --cluster-cidr ` +
      `(${envNameOf("cluster-cidr")}), one IPv4 and/or one IPv6 CIDR (e.g. 10.244.0.0/16)` +
      (command === "reconcile" ? ", or add --dry-run to only print the plan" : ""),
  );
}

function buildReconcile(layers: Layers, env: Env, io: ParseConfigIo): ReconcileConfig {
  const common = buildCommon(layers, env, io);
  const dryRun = layers.value("dry-run", v.booleanValue);
  if (!dryRun) requireClusterCidr(common, "reconcile");
  const detailedExitcode = layers.value("detailed-exitcode", v.booleanValue);
  if (detailedExitcode && !dryRun) {
    throw new ConfigError(
      `--detailed-exitcode${describeSource(layers.first("detailed-exitcode")?.source ?? { kind: "flag" })} requires --dry-run: the exit code reports whether the plan has changes`,
    );
  }
  const nodesFile = layers.optional("nodes-file", v.path);
  requireClusterNameOffline(layers, nodesFile);
  return {
    command: "reconcile",
    ...common,
    nodesFile,
    clusterUid: layers.optional("cluster-uid", v.clusterUid),
    approveDeletions: [...new Set(layers.list("approve-deletions", v.approvedDeletion).map((item) => item.value))],
    dryRun,
    output: layers.value("output", v.outputFormat),
    detailedExitcode,
    progress: !layers.value("no-progress", v.booleanValue),
  };
}

/** No Kubernetes API, so no cluster UID: the name alone says which routes are ours. */
function requireClusterNameOffline(layers: Layers, nodesFile: string | undefined): void {
  if (nodesFile === undefined || layers.isSet("cluster-name")) return;
  throw new ConfigError(
    `--nodes-file requires --cluster-name (${envNameOf("cluster-name")} or Global.clusterID in the --cloud-config file): ` +
      `without the Kubernetes API the cluster name is the only identity of this cluster's routes, so there is no default`,
  );
}

const DUMP_FILE_FLAGS = ["nodes-file", "pods-file", "daemonsets-file", "deployments-file"] as const;

function buildDoctor(layers: Layers, env: Env, io: ParseConfigIo): DoctorConfig {
  const common = buildCommon(layers, env, io);
  const files = DUMP_FILE_FLAGS.map((flag) => ({ flag, path: layers.optional(flag, v.path) }));
  const fromStdin = files.filter((f) => f.path === "-");
  if (fromStdin.length > 1) {
    throw new ConfigError(
      `${fromStdin.map((f) => `--${f.flag}`).join(" and ")} cannot all read standard input (-): at most one dump can come from stdin, give the others as files`,
    );
  }
  const [nodesFile, podsFile, daemonsetsFile, deploymentsFile] = files.map((f) => f.path);
  requireClusterNameOffline(layers, nodesFile);
  return {
    command: "doctor",
    ...common,
    nodesFile,
    podsFile,
    daemonsetsFile,
    deploymentsFile,
    output: layers.value("output", v.outputFormat),
    strict: layers.value("strict", v.booleanValue),
    routeTableQuota: layers.value("route-table-quota", v.integerBetween(1, 100_000, "a number of route entries")),
  };
}


function buildRun(layers: Layers, env: Env, io: ParseConfigIo): RunConfig {
  const common = buildCommon(layers, env, io);
  requireClusterCidr(common, "run");
  const resyncPeriodMs = layers.value("resync-period", v.durationAtLeast(5000, "5s"));
  const aggregationWindowMs = layers.value("aggregation-window", v.durationMs);
  if (aggregationWindowMs > resyncPeriodMs) {
    throw invalid(
      "aggregation-window",
      layers.first("aggregation-window") ?? { text: durationText(aggregationWindowMs), source: { kind: "flag" } },
      `expected at most --resync-period (${durationText(resyncPeriodMs)})`,
    );
  }
  const positive = v.durationAtLeast(1, "1ms");
  const leaseDurationMs = layers.value("lease-duration", positive);
  const renewDeadlineMs = layers.value("renew-deadline", positive);
  const retryPeriodMs = layers.value("retry-period", positive);
  requireLonger(layers, "lease-duration", leaseDurationMs, "renew-deadline", renewDeadlineMs);
  // The elector waits up to (1 + ACQUIRE_JITTER) × retry period between attempts; it refuses a
  // renew deadline that would not leave room for one jittered retry. Say so now, naming the flag.
  requireLonger(layers, "renew-deadline", renewDeadlineMs, "retry-period", retryPeriodMs, ACQUIRE_JITTER);

  const healthProbeBindAddress = layers.value("health-probe-bind-address", v.bindAddress);
  const metricsBindAddress = layers.value("metrics-bind-address", v.optionalBindAddress);
  if (metricsBindAddress !== undefined && sameListener(healthProbeBindAddress, metricsBindAddress)) {
    throw invalid(
      "metrics-bind-address",
      layers.first("metrics-bind-address") ?? { text: metricsBindAddress, source: { kind: "flag" } },
      `expected another port than --health-probe-bind-address (${healthProbeBindAddress})`,
    );
  }

  const metricsSecure = layers.value("metrics-secure", v.booleanValue, false);
  const metricsCertDir = layers.optional("metrics-cert-dir", v.path);
  if (metricsSecure && metricsBindAddress === undefined) {
    throw new ConfigError(
      `--metrics-secure${describeSource(layers.first("metrics-secure")?.source ?? { kind: "flag" })} needs /metrics on its own --metrics-bind-address (the probes stay plain HTTP on --health-probe-bind-address)`,
    );
  }
  if (metricsCertDir !== undefined && !metricsSecure) {
    throw new ConfigError(`--metrics-cert-dir${describeSource(layers.first("metrics-cert-dir")?.source ?? { kind: "flag" })} requires --metrics-secure`);
  }

  // The CCM's switch for its route controller: off would mean "do nothing", which is no use here.
  if (!layers.value("configure-cloud-routes", v.booleanValue, true)) {
    throw new ConfigError(
      `--configure-cloud-routes=false${describeSource(layers.first("configure-cloud-routes")?.source ?? { kind: "flag" })}: vpc-route-sync only configures cloud routes; to stop it, scale its Deployment to 0 (see docs/migrate-from-ccm.md)`,
    );
  }

  return {
    command: "run",
    ...common,
    resyncPeriodMs,
    aggregationWindowMs,
    nodeRelistPeriodMs: layers.value("node-relist-period", v.durationOffOrAtLeast(1000, "1s")),
    leaderElect: layers.value("leader-elect", v.booleanValue),
    leaderElection: {
      namespace:
        layers.optional("leader-election-namespace", v.kubernetesNamespace) ?? serviceAccountNamespace(io) ?? "kube-system",
      leaseName: layers.value("leader-election-id", v.leaseName),
      leaseDurationMs,
      renewDeadlineMs,
      retryPeriodMs,
      identity: layers.optional("identity", v.identity),
    },
    healthProbeBindAddress,
    metricsBindAddress,
    metricsSecure,
    metricsCertDir,
    shutdownTimeoutMs: layers.value("shutdown-timeout", v.durationMs),
    routeTableQuota: layers.value("route-table-quota", v.integerBetween(1, 100_000, "a number of route entries")),
  };
}

/** Two listeners collide when they share a port and one of them binds all interfaces or both the same host. */
function sameListener(a: string, b: string): boolean {
  const [first, second] = [parseBindAddress(a), parseBindAddress(b)];
  // Port 0 asks the OS for a free port each time: two such listeners never collide.
  return first.port !== 0 && first.port === second.port && (first.host === undefined || second.host === undefined || first.host === second.host);
}

/** Blames whichever of the two the user set (the shorter one when both were set). */
function requireLonger(layers: Layers, longer: string, longerMs: number, shorter: string, shorterMs: number, factor = 1): void {
  if (longerMs > factor * shorterMs) return;
  const times = factor === 1 ? "" : `${factor} × `;
  const shorterRaw = layers.first(shorter);
  if (shorterRaw !== undefined) {
    const bound = factor === 1 ? `--${longer} (${durationText(longerMs)})` : `--${longer} / ${factor} (${durationText(longerMs)} / ${factor})`;
    throw invalid(shorter, shorterRaw, `expected less than ${bound}`);
  }
  const longerRaw = layers.first(longer) ?? { text: durationText(longerMs), source: { kind: "flag" } };
  throw invalid(longer, longerRaw, `expected more than ${times}--${shorter} (${times}${durationText(shorterMs)})`);
}

function serviceAccountNamespace(io: ParseConfigIo): string | undefined {
  try {
    const namespace = io.readFile(SERVICE_ACCOUNT_NAMESPACE_FILE).trim();
    return v.kubernetesNamespace.safeParse(namespace).success ? namespace : undefined;
  } catch {
    // Not running in a pod (or no token mounted): fall back to kube-system.
    return undefined;
  }
}
