// The log level and format vocabulary, in a module without dependencies so that the configuration
// can parse `--log-level`/`--log-format` into the logger's own types without loading pino.

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `auto`: text when the log destination is a terminal, else JSON. */
export const LOG_FORMATS = ["json", "text", "auto"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
