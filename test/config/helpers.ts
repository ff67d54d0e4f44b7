// Shared fixtures for the configuration tests: an in-memory file system and shortcuts that
// parse to a Config or to the ConfigError.

import { expect } from "vitest";
import { ConfigError, parseConfig, type Config, type ParseConfigIo } from "../../src/config/index.js";
import { exitCodeFor } from "../../src/error-policy.js";

export type Files = Readonly<Record<string, string>>;

export function memoryIo(files: Files = {}): ParseConfigIo {
  return {
    version: "9.8.7",
    readFile(path: string): string {
      const text = files[path];
      if (text === undefined) {
        throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: "ENOENT" });
      }
      return text;
    },
  };
}

export function parse<C extends Config["command"] = "reconcile">(
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
  files: Files = {},
): Extract<Config, { command: C }> {
  const outcome = parseConfig(argv, env, memoryIo(files));
  if (outcome.kind !== "config") throw new Error(`expected a config, got ${outcome.kind}`);
  return outcome.config as Extract<Config, { command: C }>;
}

export function parseError(argv: readonly string[], env: Record<string, string | undefined> = {}, files: Files = {}): ConfigError {
  try {
    parseConfig(argv, env, memoryIo(files));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(exitCodeFor({ error })).toBe(2);
    // The program name is the error policy's prefix of the stderr line, not part of the message.
    expect(configError.message).not.toMatch(/^vpc-route-sync: /);
    expect(configError.message).not.toContain("\n");
    return configError;
  }
  throw new Error(`expected a ConfigError for ${argv.join(" ")}`);
}

export function base64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

/** Minimal reconcile/run arguments that satisfy the required settings. */
export const REQUIRED = ["--region", "cn-hangzhou", "--vpc-id", "vpc-abc123", "--cluster-cidr", "10.244.0.0/16"] as const;
