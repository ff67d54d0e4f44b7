// Public API of the configuration module: parse once in src/cli.ts, hand the frozen Config to
// a command. Nothing outside this module reads process.env or argv.

export { parseConfig, defaultParseConfigIo, PROGRAM_NAME, SERVICE_ACCOUNT_NAMESPACE_FILE } from "./parse-config.js";
export type { ParseConfigIo } from "./parse-config.js";
export { ConfigError } from "../errors.js";
export { AccessKeyCredential } from "./access-key-credential.js";
export { REDACTED } from "../observability/secret-scrubber.js";
export type { CommandIo } from "./command-io.js";
export { COMMAND_FLAGS, defaultTextOf, envNameOf } from "./flags.js";
export type { FlagSpec } from "./flags.js";
export { CREDENTIAL_ENV } from "./credentials.js";
export { readPackageVersion } from "./version.js";
export { unknownEnvWarnings } from "./unknown-env.js";
export { COMMANDS, LOG_LEVELS } from "./types.js";
export type {
  Command,
  CommonConfig,
  Config,
  Env,
  LeaderElectionConfig,
  LogFormat,
  LogLevel,
  MaxDeletions,
  OutputFormat,
  ParseOutcome,
  ReconcileConfig,
  DoctorConfig,
  RunConfig,
  VpcEndpoint,
} from "./types.js";
