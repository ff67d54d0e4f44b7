// The operator's error vocabulary: three kinds of failure, told apart by class, never by message or
// code strings. The exit code of a one-shot command and the controller's error policy
// (src/error-policy.ts) read these classes; nothing else decides either.
//
//   ConfigurationError  a setting or an input file is wrong: retrying cannot help (exit 2)
//   CloudError          a VPC API call failed (src/cloud/errors.ts; classified once, in
//                       cloud/alibaba/classify-error.ts, with a retry verdict)
//   KubernetesError     the Kubernetes API could not be reached or refused (src/kube/*)
//
// Anything else that is thrown is a bug: reported, never retried in a loop.

/** Base class of the operator's own errors. */
export abstract class OperatorError extends Error {}

/** A wrong setting or input (flags, environment, cloud-config, --nodes-file, a VPC without route table). */
export class ConfigurationError extends OperatorError {
  override readonly name: string = "ConfigurationError";
  /** A stable code for logs and Events, e.g. "Config.NoRouteTable". */
  readonly code: string;

  constructor(message: string, options: { readonly code?: string; readonly cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = options.code ?? "Config.Invalid";
  }
}

/** A failed Kubernetes API call or an unusable Kubernetes client configuration. */
export class KubernetesError extends OperatorError {
  override readonly name: string = "KubernetesError";
}
