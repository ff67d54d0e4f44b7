// The developer commands' configuration (dev/dev-config.ts): the `demo` and `fake-vpc` rows that
// test/config/parse-config.test.ts held while those commands were part of the product.
import { describe, expect, it } from "vitest";
import { ConfigError, defaultTextOf, envNameOf } from "../../src/config/index.js";
import { DEV_COMMAND_FLAGS, DEV_COMMANDS, parseDevConfig, type DevCommand, type DevConfig } from "../../dev/dev-config.js";
import { exitCodeFor } from "../../src/error-policy.js";

function parse<C extends DevCommand>(argv: readonly string[], env: Record<string, string | undefined> = {}): Extract<DevConfig, { command: C }> {
  const outcome = parseDevConfig(argv, env);
  if (outcome.kind !== "config") throw new Error(`expected a config, got ${outcome.kind}`);
  return outcome.config as Extract<DevConfig, { command: C }>;
}

function parseError(argv: readonly string[], env: Record<string, string | undefined> = {}): ConfigError {
  try {
    parseDevConfig(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect(exitCodeFor({ error })).toBe(2);
    expect((error as ConfigError).message).not.toContain("\n");
    return error as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${argv.join(" ")}`);
}

describe("defaults", () => {
  it("demo", () => {
    expect(parse(["demo"])).toEqual({ command: "demo", keepRunning: false, output: "text", logLevel: "warn" });
  });

  it("fake-vpc", () => {
    expect(parse(["fake-vpc"])).toEqual({
      command: "fake-vpc",
      host: "127.0.0.1",
      port: 0,
      stateFile: undefined,
      regionId: "cn-hangzhou",
      pendingMs: 500,
      quota: 200,
    });
  });
});

const pick =
  <C extends DevCommand>(select: (config: Extract<DevConfig, { command: C }>) => unknown) =>
  (config: DevConfig) =>
    select(config as Extract<DevConfig, { command: C }>);

const ROWS: ReadonlyArray<readonly [DevCommand, string, string, (config: DevConfig) => unknown, unknown]> = [
  ["demo", "keep-running", "yes", pick<"demo">((c) => c.keepRunning), true],
  ["demo", "output", "json", pick<"demo">((c) => c.output), "json"],
  ["demo", "log-level", "warn", pick<"demo">((c) => c.logLevel), "warn"],
  ["fake-vpc", "port", "18080", pick<"fake-vpc">((c) => c.port), 18080],
  ["fake-vpc", "host", "0.0.0.0", pick<"fake-vpc">((c) => c.host), "0.0.0.0"],
  ["fake-vpc", "state", "/tmp/vpc.json", pick<"fake-vpc">((c) => c.stateFile), "/tmp/vpc.json"],
  ["fake-vpc", "region", "cn-beijing", pick<"fake-vpc">((c) => c.regionId), "cn-beijing"],
  ["fake-vpc", "pending-ms", "0", pick<"fake-vpc">((c) => c.pendingMs), 0],
  ["fake-vpc", "quota", "5", pick<"fake-vpc">((c) => c.quota), 5],
];

describe("flags and environment variables", () => {
  const rows = ROWS.map(([command, flag, value, select, expected]) => ({ command, flag, value, select, expected }));

  it.each(rows)("$command --$flag from its environment variable ($value)", ({ command, flag, value, select, expected }) => {
    expect(select(parse([command], { [envNameOf(flag)]: value }))).toEqual(expected);
  });

  it.each(rows)("$command --$flag: the flag beats the environment variable", ({ command, flag, value, select, expected }) => {
    expect(select(parse([command, `--${flag}=${value}`], { [envNameOf(flag)]: "!!! not valid !!!" }))).toEqual(expected);
  });

  it("covers every flag of every command", () => {
    const covered = new Set(rows.map(({ command, flag }) => `${command} --${flag}`));
    const all = DEV_COMMANDS.flatMap((command) => DEV_COMMAND_FLAGS[command].map((spec) => `${command} --${spec.name}`));
    expect(all.filter((name) => !covered.has(name))).toEqual([]);
  });
});

const INVALID: ReadonlyArray<readonly [DevCommand, string, string, string]> = [
  ["demo", "output", "xml", "expected text or json"],
  ["demo", "log-level", "loud", "expected one of trace"],
  ["demo", "keep-running", "perhaps", "expected true or false"],
  ["fake-vpc", "port", "70000", "expected a port between 0 and 65535"],
  ["fake-vpc", "port", "abc", "expected a port between 0 and 65535"],
  ["fake-vpc", "host", "bad host", "expected an IP address or host name"],
  ["fake-vpc", "region", "x", "expected a region id"],
  ["fake-vpc", "pending-ms", "-5", "expected a number of milliseconds between 0 and 3600000"],
  ["fake-vpc", "quota", "0", "expected an integer between 1 and 100000"],
];

describe("invalid values", () => {
  it.each(INVALID)("%s --%s=%j from the flag", (command, flag, value, expected) => {
    const message = parseError([command, `--${flag}=${value}`]).message;
    expect(message).toContain(`invalid --${flag} ${JSON.stringify(value)}`);
    expect(message).toContain(expected);
    expect(message).not.toContain("(from ");
  });

  it.each(INVALID)("%s --%s=%j from the environment", (command, flag, value, expected) => {
    const message = parseError([command], { [envNameOf(flag)]: value }).message;
    expect(message).toContain(`invalid --${flag} `);
    expect(message).toContain(`(from ${envNameOf(flag)})`);
    expect(message).toContain(expected);
  });
});

describe("usage", () => {
  it.each([
    [[], "missing command: expected one of demo, fake-vpc"],
    [["reconcile"], "unknown command 'reconcile'"],
    [["fake-vpc", "extra"], "too many arguments for 'fake-vpc'"],
    [["demo", "--region", "cn-hangzhou"], "unknown option '--region'"],
    [["demo", "--cloud-config", "/cc"], "unknown option '--cloud-config'"],
  ] as const)("%j", (argv, expected) => {
    expect(parseError(argv).message).toContain(expected);
  });

  it("reads no credentials", () => {
    expect(parse(["demo"], { ALIBABA_CLOUD_ACCESS_KEY_ID: "only-id" })).not.toHaveProperty("credentials");
  });

  it.each(DEV_COMMANDS)("%s --help lists every flag with its default and environment variable", (command) => {
    const outcome = parseDevConfig([command, "--help"], {});
    expect(outcome.kind).toBe("help");
    const help = (outcome.kind === "help" ? outcome.text : "").replace(/\s+/g, " ");
    for (const spec of DEV_COMMAND_FLAGS[command]) {
      expect(help).toContain(`--${spec.name}`);
      expect(help).toContain(`(default: ${defaultTextOf(spec)}; env: ${envNameOf(spec.name)})`);
    }
  });

  it("the help says what demo does: two reconcile passes", () => {
    const outcome = parseDevConfig(["--help"], {});
    expect(outcome.kind === "help" && outcome.text.replace(/\s+/g, " ")).toContain("run `vpc-route-sync reconcile` twice");
  });
});
