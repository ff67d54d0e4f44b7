// The configuration of the developer commands `demo` and `fake-vpc` (dev/cli.ts). They are not
// part of the product: the production Config (src/config/types.ts) knows only `reconcile` and
// `run`. The flags follow the product's conventions: a table of FlagSpecs, a VPC_ROUTE_SYNC_<FLAG>
// environment variable per flag (the flag wins), values validated by the product's value schemas,
// and a one-line ConfigError (exit 2) naming the flag and where its value came from.

import { Command as CommanderCommand, CommanderError, Option } from "commander";
import { z } from "zod";
import { ConfigError, defaultTextOf, envNameOf, type Env, type FlagSpec, type LogLevel, type OutputFormat } from "../src/config/index.js";
import { deepFreeze } from "../src/config/deep-freeze.js";
import * as v from "../src/config/value-schemas.js";

export const DEV_PROGRAM_NAME = "vpc-route-sync-dev";

export type DevCommand = "demo" | "fake-vpc";
export const DEV_COMMANDS: readonly DevCommand[] = ["demo", "fake-vpc"];

export interface DemoConfig {
  readonly command: "demo";
  readonly keepRunning: boolean;
  readonly output: OutputFormat;
  readonly logLevel: LogLevel;
}

export interface FakeVpcConfig {
  readonly command: "fake-vpc";
  readonly host: string;
  /** 0: pick a free port (the command prints the one it got). */
  readonly port: number;
  /** JSON file the fake loads its state from and saves it to. */
  readonly stateFile?: string | undefined;
  readonly regionId: string;
  /** How long new route entries stay Pending before becoming Available. */
  readonly pendingMs: number;
  /** Custom route entries allowed per route table. */
  readonly quota: number;
}

export type DevConfig = DemoConfig | FakeVpcConfig;

export type DevParseOutcome =
  | { readonly kind: "config"; readonly config: DevConfig }
  | { readonly kind: "help"; readonly text: string };

export const DEV_COMMAND_FLAGS: Readonly<Record<DevCommand, readonly FlagSpec[]>> = {
  demo: [
    { name: "keep-running", defaultText: "false", description: "keep both fakes running after the two passes (Ctrl-C stops them)" },
    { name: "output", value: "<format>", defaultText: "text", description: "demo report format: text or json" },
    // The demo's own output is the report; its logs stay quiet unless asked for.
    {
      name: "log-level",
      value: "<level>",
      defaultText: "warn",
      description: "log level: trace, debug, info, warn, error, fatal or silent",
    },
  ],
  "fake-vpc": [
    { name: "port", value: "<port>", defaultText: "0 (a free port, printed)", description: "TCP port to listen on" },
    { name: "host", value: "<host>", defaultText: "127.0.0.1", description: "address to listen on" },
    { name: "state", value: "<file>", defaultText: "none (in memory)", description: "JSON file to load the VPC state from and save it to" },
    { name: "region", value: "<region-id>", defaultText: "cn-hangzhou", description: "region the fake VPC API serves" },
    {
      name: "pending-ms",
      value: "<ms>",
      defaultText: "500",
      description: "milliseconds a new route entry stays Pending before it is Available",
    },
    { name: "quota", value: "<n>", defaultText: "200", description: "custom route entries allowed per route table" },
  ],
};

export const DEV_COMMAND_DESCRIPTIONS: Readonly<Record<DevCommand, string>> = {
  demo:
    "run `vpc-route-sync reconcile` twice against an embedded fake Kubernetes API and fake VPC API " +
    "(pass 1 converges, pass 2 finds nothing to do; no cloud account)",
  "fake-vpc": "start the fake Alibaba Cloud VPC API server alone",
};

const listenHost: v.ValueSchema<string> = z
  .string()
  .trim()
  .regex(/^([A-Za-z0-9.-]+|[0-9a-fA-F:.]+)$/, "expected an IP address or host name such as 127.0.0.1");

/**
 * Parses `demo|fake-vpc [flags]` and the environment.
 * @throws ConfigError (exitCode 2) for an invalid value, an unknown flag or command.
 */
export function parseDevConfig(argv: readonly string[], env: Env): DevParseOutcome {
  const output: string[] = [];
  const program = new CommanderCommand(DEV_PROGRAM_NAME)
    .description("Developer tools of vpc-route-sync (not part of the product): the offline demo and the fake VPC API.")
    .helpOption("-h, --help", "print this help and exit")
    .exitOverride()
    .configureOutput({ writeOut: (t) => output.push(t), writeErr: (t) => output.push(t), outputError: () => undefined });
  let selected: { command: DevCommand; parsed: CommanderCommand } | undefined;
  for (const command of DEV_COMMANDS) {
    const sub = program
      .command(command)
      .description(DEV_COMMAND_DESCRIPTIONS[command])
      .helpOption("-h, --help", "print this help and exit")
      .allowExcessArguments(false)
      .configureHelp({ sortOptions: false })
      .action((_options, parsed: CommanderCommand) => {
        selected = { command, parsed };
      });
    for (const spec of DEV_COMMAND_FLAGS[command]) {
      const described = `${spec.description} (default: ${defaultTextOf(spec)}; env: ${envNameOf(spec.name)})`;
      sub.addOption(new Option(spec.value === undefined ? `--${spec.name} [bool]` : `--${spec.name} ${spec.value}`, described));
    }
  }
  try {
    program.parse([...argv], { from: "user" });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === "commander.helpDisplayed" || (error.code === "commander.help" && error.exitCode === 0)) {
      return { kind: "help", text: output.join("") };
    }
    if (error.code === "commander.help") {
      throw new ConfigError(`missing command: expected one of ${DEV_COMMANDS.join(", ")} (see ${DEV_PROGRAM_NAME} --help)`);
    }
    const reason = error.message.replace(/^error: /, "").replace(/\s*\n\s*/g, " ").trim();
    throw new ConfigError(`${reason} (see ${DEV_PROGRAM_NAME} --help)`);
  }
  if (selected === undefined) {
    throw new ConfigError(`missing command: expected one of ${DEV_COMMANDS.join(", ")}`);
  }
  const value = valueReader(selected.parsed, env);
  const config: DevConfig =
    selected.command === "demo"
      ? {
          command: "demo",
          keepRunning: value("keep-running", v.booleanValue, false),
          output: value("output", v.outputFormat, "text"),
          logLevel: value("log-level", v.logLevel, "warn"),
        }
      : {
          command: "fake-vpc",
          host: value("host", listenHost, "127.0.0.1"),
          port: value("port", v.integerBetween(0, 65535, "a port"), 0),
          stateFile: value("state", v.path, undefined),
          regionId: value("region", v.regionId, "cn-hangzhou"),
          pendingMs: value("pending-ms", v.integerBetween(0, 3_600_000, "a number of milliseconds"), 500),
          quota: value("quota", v.integerBetween(1, 100_000), 200),
        };
  return { kind: "config", config: deepFreeze(config) };
}

/** Reads one flag: the command line, else its environment variable, else the fallback. */
function valueReader(parsed: CommanderCommand, env: Env) {
  return <T, F extends T | undefined>(name: string, schema: v.ValueSchema<T>, fallback: F): T | F => {
    const attribute = name.replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase());
    let text: string | undefined;
    let from = "";
    if (parsed.getOptionValueSource(attribute) === "cli") {
      const raw: unknown = parsed.getOptionValue(attribute);
      text = String(raw);
    } else if ((env[envNameOf(name)] ?? "").trim() !== "") {
      text = env[envNameOf(name)];
      from = ` (from ${envNameOf(name)})`;
    }
    if (text === undefined) return fallback;
    const result = schema.safeParse(text);
    if (!result.success) {
      const shown = JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
      throw new ConfigError(`invalid --${name} ${shown}${from}: ${v.firstIssue(result.error)}`);
    }
    return result.data;
  };
}
