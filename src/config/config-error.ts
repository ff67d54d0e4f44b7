// The one error type of configuration: a single line for stderr, exit code 2. Messages name
// the flag, environment variable or cloud-config key that supplied the bad value and never
// include secret values. A ConfigurationError (src/errors.ts): exit code 2, never retried.
import { ConfigurationError } from "../errors.js";

export class ConfigError extends ConfigurationError {
  override readonly name = "ConfigError";
  /** Exit code for invalid usage (like most CLIs; 1 is kept for runtime failures). */
  readonly exitCode = 2;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message.startsWith("vpc-route-sync: ") ? message : `vpc-route-sync: ${message}`, options);
  }
}
