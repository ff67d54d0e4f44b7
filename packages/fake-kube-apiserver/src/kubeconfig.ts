// The kubeconfig that points both @kubernetes/client-node and kubectl at the fake: plain http needs
// `insecure-skip-tls-verify: true` or client-node refuses to send requests; https carries the fake's
// self-signed certificate as the cluster CA, so both clients verify it.

export interface KubeconfigParameters {
  readonly server: string;
  readonly token: string;
  /** Cluster, user and context name. */
  readonly name: string;
  readonly namespace?: string;
  /** PEM of the server certificate (https only). */
  readonly certificateAuthorityPem?: string;
}

export function renderKubeconfig(params: KubeconfigParameters): string {
  // JSON string literals are valid YAML scalars and escape anything a token could contain.
  const q = (value: string): string => JSON.stringify(value);
  const lines = [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: ${q(params.name)}`,
    "  cluster:",
    `    server: ${q(params.server)}`,
    params.certificateAuthorityPem === undefined
      ? "    insecure-skip-tls-verify: true"
      : `    certificate-authority-data: ${Buffer.from(params.certificateAuthorityPem).toString("base64")}`,
    "contexts:",
    `- name: ${q(params.name)}`,
    "  context:",
    `    cluster: ${q(params.name)}`,
    `    user: ${q(params.name)}`,
    ...(params.namespace === undefined ? [] : [`    namespace: ${q(params.namespace)}`]),
    `current-context: ${q(params.name)}`,
    "preferences: {}",
    "users:",
    `- name: ${q(params.name)}`,
    "  user:",
    `    token: ${q(params.token)}`,
    "",
  ];
  return lines.join("\n");
}
