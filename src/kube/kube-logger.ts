// The logging surface the Kubernetes building blocks need. A pino Logger satisfies it, so the
// controller passes its own child logger; the modules here never create loggers themselves.

export interface KubeLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

const ignore = (): void => undefined;

export const SILENT_LOGGER: KubeLogger = Object.freeze({ debug: ignore, info: ignore, warn: ignore, error: ignore });
