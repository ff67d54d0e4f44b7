// The commander program behind parseConfig: every command with its flags, the CCM/KCM aliases and
// the help text. Commander only tokenises argv; parse-config.ts gives the values their meaning.

import { Command as CommanderCommand, Option } from "commander";
import { COMMAND_DESCRIPTIONS, COMMAND_FLAGS, defaultTextOf, envNameOf, type FlagSpec } from "./flags.js";
import { COMMANDS } from "./types.js";

export const PROGRAM_NAME = "vpc-route-sync";

export function buildProgram(version: string, write: (text: string) => void): CommanderCommand {
  const program = new CommanderCommand(PROGRAM_NAME)
    .description("Keeps Alibaba Cloud VPC route tables in step with the pod CIDRs of Kubernetes Nodes.")
    .version(version, "-V, --version", "print the version and exit")
    .helpOption("-h, --help", "print this help and exit")
    .exitOverride()
    .configureOutput({
      writeOut: write,
      writeErr: write,
      outputError: () => undefined,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
      getOutHelpWidth: () => 100,
      getErrHelpWidth: () => 100,
    })
    .addHelpText(
      "after",
      `\nEvery flag can also be set by an environment variable VPC_ROUTE_SYNC_<FLAG> (e.g. VPC_ROUTE_SYNC_API_QPS).\nPrecedence: flag > environment variable > --cloud-config > default. See docs/configuration.md.`,
    );
  for (const command of COMMANDS) {
    const sub = program
      .command(command)
      .description(COMMAND_DESCRIPTIONS[command])
      .version(version, "-V, --version", "print the version and exit")
      .helpOption("-h, --help", "print this help and exit")
      .allowExcessArguments(false)
      .configureHelp({ sortOptions: false });
    for (const spec of COMMAND_FLAGS[command]) {
      for (const option of optionsOf(spec)) sub.addOption(option);
    }
    if (command === "reconcile" || command === "run" || command === "doctor") {
      sub.addHelpText(
        "after",
        "\nPrecedence: flag > environment variable > --cloud-config > default.\n" +
          "Credentials: ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET(/SECURITY_TOKEN), RRSA (ALIBABA_CLOUD_ROLE_ARN,\n" +
          "ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE), ALIBABA_CLOUD_ECS_METADATA, the\n" +
          "cloud-config keys, else the SDK default chain. See docs/configuration.md.",
      );
    }
  }
  return program;
}

function describe(spec: FlagSpec, env = envNameOf(spec.name)): string {
  return `${spec.description} (default: ${defaultTextOf(spec)}; env: ${env})`;
}

function optionsOf(spec: FlagSpec): Option[] {
  return [...ownOptionsOf(spec), ...(spec.aliases ?? []).flatMap((alias) => aliasOptionsOf(spec, alias))];
}

/** An alias takes the same value as its flag; its help line points at the flag. */
function aliasOptionsOf(spec: FlagSpec, alias: string): Option[] {
  const help = `alias of --${spec.name} (the cloud-controller-manager's name)`;
  if (spec.value !== undefined) {
    const option = new Option(`--${alias} ${spec.value}`, help);
    if (spec.repeatable) option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
    return [option];
  }
  return [new Option(`--${alias} [bool]`, help)];
}

function ownOptionsOf(spec: FlagSpec): Option[] {
  if (spec.value !== undefined) {
    const option = new Option(`--${spec.name} ${spec.value}`, describe(spec));
    if (spec.repeatable) option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
    return [option];
  }
  // "--no-x" alone: commander's negation, attribute "x" set to false when given.
  if (spec.name.startsWith("no-")) return [new Option(`--${spec.name}`, describe(spec))];
  const options = [new Option(`--${spec.name} [bool]`, describe(spec))];
  if (spec.negatable) {
    options.push(new Option(`--no-${spec.name}`, `same as --${spec.name}=false (env: ${envNameOf(spec.name)}=false)`));
  }
  return options;
}

