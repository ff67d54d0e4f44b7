// Builds the KubeConfig for every Kubernetes client of the operator. The order follows
// controller-runtime: an explicit --kubeconfig, then $KUBECONFIG, then the in-cluster service
// account, then ~/.kube/config. Environment values are passed in by the config module; nothing here
// reads process.env. The files are read by kube-connection.ts (not by @kubernetes/client-node, which
// is loaded only for credentials we do not implement: see KubeConnection).

import { existsSync, readFileSync } from "node:fs";
import { describeWithoutContent } from "../observability/safe-parse-error.js";
import { delimiter, dirname, join } from "node:path";
import { isIPv6 } from "node:net";
import { KubeConnection, mergeKubeConfig, parseKubeConfig, type KubeConfigData } from "./kube-connection.js";
import { ConfigError } from "../errors.js";
import { REDACTED } from "../observability/secret-scrubber.js";

/** Where the service account files live in a Pod. */
export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

export interface LoadKubeConfigOptions {
  /** `--kubeconfig`: wins over everything else; a missing or broken file is an error, not a fallback. */
  kubeconfigPath?: string | undefined;
  /** The value of `KUBECONFIG` (a path list separated by `:`; the first file's context is used). */
  kubeconfigEnv?: string | undefined;
  /** `--context`: a context name from the kubeconfig instead of its current-context. */
  context?: string | undefined;
  /** `KUBERNETES_SERVICE_HOST` / `KUBERNETES_SERVICE_PORT`, set by the kubelet in every Pod. */
  inCluster?:
    | {
        serviceHost?: string | undefined;
        servicePort?: string | undefined;
        /** @default SERVICE_ACCOUNT_DIR */
        serviceAccountDir?: string | undefined;
      }
    | undefined;
  /** The user's home directory; when given, `<home>/.kube/config` is the last resort. */
  homeDir?: string | undefined;
}

/** A kubeconfig (or in-cluster configuration) that cannot be used: a configuration error, exit 2. */
export class KubeConfigError extends ConfigError {
  override readonly name: string = "KubeConfigError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, { code: "Config.Kubeconfig", cause: options?.cause });
  }
}

/**
 * Loads the Kubernetes client configuration. Throws KubeConfigError naming every source tried
 * when none is usable, or naming the file and problem when a chosen source is broken.
 */
export function loadKubeConfig(options: LoadKubeConfigOptions = {}): KubeConnection {
  const tried: string[] = [];

  if (options.kubeconfigPath !== undefined && options.kubeconfigPath !== "") {
    return finish(fromFiles([options.kubeconfigPath], "--kubeconfig"), options, `--kubeconfig ${options.kubeconfigPath}`);
  }
  tried.push("--kubeconfig (not set)");

  const envFiles = (options.kubeconfigEnv ?? "").split(delimiter).filter((file) => file !== "");
  if (envFiles.length > 0) {
    return finish(fromFiles(envFiles, "KUBECONFIG"), options, `KUBECONFIG=${options.kubeconfigEnv ?? ""}`);
  }
  tried.push("KUBECONFIG (not set)");

  const inCluster = options.inCluster;
  const serviceAccountDir = inCluster?.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const tokenFile = join(serviceAccountDir, "token");
  if (inCluster?.serviceHost && inCluster.servicePort) {
    if (!existsSync(tokenFile)) {
      throw new KubeConfigError(
        `in-cluster configuration: KUBERNETES_SERVICE_HOST is set but the service account token ${tokenFile} does not exist ` +
          `(is automountServiceAccountToken disabled?)`,
      );
    }
    return finish(fromServiceAccount(inCluster.serviceHost, inCluster.servicePort, serviceAccountDir), options, "in-cluster");
  }
  tried.push("in-cluster (KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT not set)");

  if (options.homeDir) {
    const homeConfig = join(options.homeDir, ".kube", "config");
    if (existsSync(homeConfig)) {
      return finish(fromFiles([homeConfig], "~/.kube/config"), options, homeConfig);
    }
    tried.push(`${homeConfig} (does not exist)`);
  }

  throw new KubeConfigError(`no Kubernetes configuration found; tried: ${tried.join(", ")}`);
}

function fromFiles(files: readonly string[], source: string): KubeConnection {
  let data: KubeConfigData | undefined;
  for (const file of files) {
    if (!existsSync(file)) {
      throw new KubeConfigError(`${source}: kubeconfig file ${file} does not exist`);
    }
    let loaded: KubeConfigData;
    try {
      loaded = parseKubeConfig(readFileSync(file, "utf8"), dirname(file));
    } catch (error) {
      // The parser's message quotes the offending lines, bearer tokens and keys included: keep
      // only the reason and position, and no `cause` that a logger could print in full.
      throw new KubeConfigError(`${source}: cannot load kubeconfig file ${file}: ${describeWithoutContent(error, readText(file))}`);
    }
    // Like kubectl: the first file decides the current context; later files only add entries.
    data = data === undefined ? loaded : mergeKubeConfig(data, loaded);
  }
  return new KubeConnection(data ?? { clusters: [], users: [], contexts: [], currentContext: "" });
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

function fromServiceAccount(host: string, port: string, serviceAccountDir: string): KubeConnection {
  const server = `https://${isIPv6(host) ? `[${host}]` : host}:${port}`;
  const namespaceFile = join(serviceAccountDir, "namespace");
  const namespace = existsSync(namespaceFile) ? readFileSync(namespaceFile, "utf8").trim() : undefined;
  return new KubeConnection({
    clusters: [{ name: "in-cluster", server, caFile: join(serviceAccountDir, "ca.crt"), skipTLSVerify: false }],
    // The tokenFile provider re-reads the projected token (rotated by the kubelet) at least every minute.
    users: [{ name: "in-cluster", authProvider: { name: "tokenFile", config: { tokenFile: join(serviceAccountDir, "token") } } }],
    contexts: [{ name: "in-cluster", cluster: "in-cluster", user: "in-cluster", ...(namespace ? { namespace } : {}) }],
    currentContext: "in-cluster",
  });
}

function finish(kubeConfig: KubeConnection, options: LoadKubeConfigOptions, source: string): KubeConnection {
  if (options.context !== undefined && options.context !== "") {
    if (!kubeConfig.getContextObject(options.context)) {
      const known = kubeConfig.getContexts().map((context) => context.name);
      throw new KubeConfigError(
        `${source}: context "${options.context}" not found (known contexts: ${known.join(", ") || "none"})`,
      );
    }
    kubeConfig.setCurrentContext(options.context);
  }
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster && !kubeConfig.getCurrentContext()) {
    throw new KubeConfigError(`${source}: the file names no current-context (is it a kubeconfig?)`);
  }
  if (!cluster) {
    throw new KubeConfigError(`${source}: current context "${kubeConfig.getCurrentContext()}" names no known cluster`);
  }
  // A URL with user info is never sent (client-node refused it, its message quoting the URL,
  // password included). Refuse it here, without showing it: no `cause`, nothing of the URL
  // before its last "@" (a password may hold "/" or "@" and then the URL does not even parse).
  if (carriesUserInfo(cluster.server)) {
    throw new KubeConfigError(
      `${source}: cluster "${cluster.name}" has user info in its server URL (${withoutUserInfo(cluster.server)}), which is never sent or shown; ` +
        `put the credentials in the kubeconfig's user entry (token, client certificate, or username and password) and keep the server URL bare`,
    );
  }
  let url: URL;
  try {
    url = new URL(cluster.server);
  } catch {
    throw new KubeConfigError(`${source}: cluster "${cluster.name}" has an invalid server URL "${cluster.server}"`);
  }
  // Plain http:// only with TLS verification explicitly skipped (client-node's rule, kept for every
  // client): say so now instead of on the first request.
  if (url.protocol === "http:" && !cluster.skipTLSVerify) {
    throw new KubeConfigError(
      `${source}: cluster "${cluster.name}" uses plain HTTP (${cluster.server}); that is only allowed ` +
        `with insecure-skip-tls-verify: true in the cluster entry`,
    );
  }
  return kubeConfig;
}

/**
 * Any "@" is taken for user info: a server URL has no other use for one, and a password holding
 * "/" or "@", or a URL without scheme, defeats every finer test.
 */
function carriesUserInfo(server: string): boolean {
  return server.includes("@");
}

/** What may be shown of such a URL: the scheme, and what follows its last "@". */
function withoutUserInfo(server: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(server)?.[0] ?? "";
  return `${scheme}${REDACTED}@${server.slice(server.lastIndexOf("@") + 1)}`;
}
