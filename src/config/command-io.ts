// What src/cli.ts hands to a command besides its Config: the process's streams and
// environment, injected so that commands are testable without a real process.

export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Read by `reconcile --nodes-file -`. */
  readonly stdin: NodeJS.ReadableStream;
  readonly stdoutIsTTY: boolean;
  /** Logs go to stderr: this decides `--log-format auto` (text on a TTY, json otherwise). */
  readonly stderrIsTTY: boolean;
  /** The process environment, for things like HOSTNAME; configuration is already in Config. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** os.hostname(), the base of the default leader election identity. */
  readonly hostname: string;
  /** Aborted on the first SIGTERM or SIGINT: stop, release the Lease, return an exit code. */
  readonly signal: AbortSignal;
}
