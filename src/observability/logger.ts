// The operator's structured logger (pino): constant messages, data in fields named with domain
// words (nodeName, instanceId, destinationCidr, routeTableId, requestId, code, passId), JSON for
// machines or a compact text format for terminals, and two layers of credential redaction:
// field paths (pino `redact`) and a value scrubber that rewrites every serialized line before it
// reaches the destination, so secrets inside error messages and stacks are caught too.

import { AsyncLocalStorage } from "node:async_hooks";
import { pino, stdSerializers, type DestinationStream, type Logger as PinoLogger } from "pino";
import { createSecretScrubber, REDACTED, type SecretSource } from "./secret-scrubber.js";
import { formatLogLineAsText } from "./text-log-format.js";

export type Logger = PinoLogger;

import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from "./log-options.js";

export { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from "./log-options.js";

/** Where lines go: anything with a `write(string)` (a Writable, a sonic-boom, a test collector). */
export interface LogDestination {
  write(chunk: string): unknown;
  flush?(callback?: (err?: Error | null) => void): void;
  flushSync?(): void;
  readonly isTTY?: boolean;
}

export interface LoggerOptions {
  /** @default "info" */
  readonly level?: LogLevel;
  /**
   * `json`: one JSON object per line. `text`: `HH:MM:SS.mmm LEVEL message key=value`.
   * `auto`: text when the destination is a terminal, else JSON.
   * @default "auto"
   */
  readonly format?: LogFormat;
  /** Whether the destination is a terminal (for `auto`). @default destination.isTTY */
  readonly isTTY?: boolean;
  /** @default standard error, written synchronously so that the last lines before exit are not lost */
  readonly destination?: LogDestination;
  /** Secret values known at runtime (AccessKey secret, STS token, OIDC token); replaced in every line. */
  readonly secrets?: SecretSource;
  /** Per-operation fields (e.g. passId) added to every line logged inside `context.run(...)`. */
  readonly context?: LogContext;
  /** Fields on every line, e.g. `{ clusterName }`. pid and hostname are not added. */
  readonly base?: Readonly<Record<string, unknown>>;
}

/**
 * Field paths whose values are always replaced. fast-redact wildcards cover one level, so the
 * common nestings are listed explicitly; the value scrubber catches the rest.
 */
const LOG_REDACT_PATHS: readonly string[] = (() => {
  const secretKeys = [
    "accessKeySecret",
    "access_key_secret",
    "securityToken",
    "security_token",
    "oidcToken",
    "password",
    "authorization",
    "Authorization",
    '["x-acs-security-token"]',
  ];
  const paths: string[] = [];
  for (const key of secretKeys) {
    const dotted = key.startsWith("[") ? key : `.${key}`;
    paths.push(key.startsWith("[") ? `*${key}` : key, `*${dotted}`, `*.*${dotted}`);
    paths.push(`headers${dotted}`, `*.headers${dotted}`, `*.*.headers${dotted}`);
  }
  paths.push("credentials.*", "*.credentials.*", "credential.*", "*.credential.*");
  paths.push("err.config.headers", "err.config.auth", "err.config.data", "error.config.headers", "error.config.auth");
  paths.push("err.request.headers", "err.options.headers", "err.response.config.headers");
  return [...new Set(paths)];
})();

function checkOption<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new RangeError(`invalid log ${option} ${JSON.stringify(value)}: expected one of ${allowed.join(", ")}`);
  }
  return value as T;
}

/**
 * Resolve `auto` to a concrete format.
 * @internal exported for tests
 */
export function resolveLogFormat(format: LogFormat, isTTY: boolean): "json" | "text" {
  if (format === "auto") return isTTY ? "text" : "json";
  return format;
}

// Wraps the real destination: scrub, reformat if asked, scrub again (the text formatter unescapes
// JSON strings, which could reassemble an escaped secret), then write.
function scrubbingDestination(target: LogDestination, text: boolean, scrub: (line: string) => string): DestinationStream {
  return {
    write(line: string): void {
      const clean = scrub(line);
      target.write(text ? scrub(formatLogLineAsText(clean)) : clean);
    },
    flush(callback?: (err?: Error | null) => void): void {
      if (target.flush) target.flush(callback);
      else callback?.(null);
    },
    flushSync(): void {
      target.flushSync?.();
    },
  } as DestinationStream;
}

/**
 * Fields that follow the work rather than the logger: every line written while `run` executes
 * (in any component, through any child logger) carries them, e.g. the reconcile pass id.
 */
export class LogContext {
  readonly #storage = new AsyncLocalStorage<Readonly<Record<string, unknown>>>();

  run<T>(fields: Readonly<Record<string, unknown>>, fn: () => T): T {
    return this.#storage.run({ ...this.#storage.getStore(), ...fields }, fn);
  }

  fields(): Readonly<Record<string, unknown>> {
    return this.#storage.getStore() ?? {};
  }
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = checkOption("level", options.level ?? "info", LOG_LEVELS);
  const format = checkOption("format", options.format ?? "auto", LOG_FORMATS);
  const target: LogDestination = options.destination ?? pino.destination({ dest: 2, sync: true });
  const isTTY = options.isTTY ?? (options.destination ? options.destination.isTTY === true : process.stderr.isTTY);
  const scrub = createSecretScrubber(options.secrets);
  const context = options.context;

  return pino(
    {
      level,
      ...(context ? { mixin: () => ({ ...context.fields() }) } : {}),
      base: { ...(options.base ?? {}) },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: stdSerializers.err, error: stdSerializers.err },
      redact: { paths: [...LOG_REDACT_PATHS], censor: REDACTED },
    },
    scrubbingDestination(target, resolveLogFormat(format, isTTY === true) === "text", scrub),
  );
}
