// The operator's error vocabulary: three kinds of failure, told apart by class, never by message or
// code strings. The exit code of a command and the controller's error policy (src/error-policy.ts)
// read these classes; nothing else decides either.
//
//   ConfigError      a setting or an input file is wrong: retrying cannot help (exit 2)
//   CloudError       a VPC API call failed (src/cloud/errors.ts; classified once, in
//                    cloud/alibaba/classify-error.ts, with a retry verdict)
//   KubernetesError  the Kubernetes API could not be reached or refused (src/kube/*)
//
// Anything else that is thrown is a bug: reported, never retried in a loop.

/** Base class of the operator's own errors. */
export abstract class OperatorError extends Error {}

/**
 * A wrong setting or input: flags, environment, cloud-config, kubeconfig, a dump file, a bind
 * address, a VPC without route table. The message names the flag, variable or file and the
 * problem in one line, and never holds a secret value.
 */
export class ConfigError extends OperatorError {
  override readonly name: string = "ConfigError";
  /** A stable code for logs and Events, e.g. "Config.NoRouteTable". */
  readonly code: string;

  constructor(message: string, options: { readonly code?: string; readonly cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = options.code ?? "Config.Invalid";
  }
}

/** A failed Kubernetes API call. */
export class KubernetesError extends OperatorError {
  override readonly name: string = "KubernetesError";
}

/** The text of anything thrown: an Error's message, else its string form. The one way errors become text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
