// A loaded kubeconfig (or in-cluster configuration) and the client it makes. The data has the
// shape of @kubernetes/client-node's loadFromOptions (clusters, users, contexts by name), so the
// same context can be handed to client-node when needed: for credentials this client does not
// implement (exec plugins, auth providers other than a token file, a proxy-url), and for `doctor`,
// which reads more of the API. `run` with a token, token file, client certificate or basic auth -
// in-cluster among them - never loads client-node.
import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { load } from "js-yaml";
import type { KubeConfig as ClientNodeKubeConfig } from "@kubernetes/client-node";
import { KubeClient, nativeAuth, type ApplyAuth } from "./kube-client.js";

export interface KubeCluster {
  readonly name: string;
  readonly server: string;
  readonly caFile?: string | undefined;
  readonly caData?: string | undefined;
  readonly skipTLSVerify: boolean;
  readonly tlsServerName?: string | undefined;
  readonly proxyUrl?: string | undefined;
}

export interface KubeUser {
  readonly name: string;
  readonly token?: string | undefined;
  /** kubeconfig `tokenFile`: read by this client when first used and every minute after. */
  readonly tokenFile?: string | undefined;
  readonly certFile?: string | undefined;
  readonly certData?: string | undefined;
  readonly keyFile?: string | undefined;
  readonly keyData?: string | undefined;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly impersonateUser?: string | undefined;
  readonly authProvider?: { name?: string; config?: Record<string, string> } | undefined;
  readonly exec?: unknown;
}

export interface KubeContext {
  readonly name: string;
  readonly cluster: string;
  readonly user: string;
  readonly namespace?: string | undefined;
}

export interface KubeConfigData {
  readonly clusters: readonly KubeCluster[];
  readonly users: readonly KubeUser[];
  readonly contexts: readonly KubeContext[];
  readonly currentContext: string;
}

type Entry = Record<string, unknown>;

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

function entries(document: Entry, key: string): Entry[] {
  const list = document[key];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new Error(`${key} is not a list`);
  return list.map((item, index) => {
    if (typeof item !== "object" || item === null) throw new Error(`${key}[${index}] is not a mapping`);
    const entry = item as Entry;
    if (!text(entry.name)) throw new Error(`${key}[${index}].name is missing`);
    return entry;
  });
}

function inner(entry: Entry, key: string, where: string, required: boolean): Entry {
  const value = entry[key];
  if (typeof value === "object" && value !== null) return value as Entry;
  if (required) throw new Error(`${where}.${key} is missing`);
  return {};
}

/** Parses one kubeconfig file; relative file paths are taken from `baseDir` (the file's directory), as kubectl does. */
export function parseKubeConfig(source: string, baseDir: string): KubeConfigData {
  // js-yaml, as client-node used: the same YAML reading, and messages that describeWithoutContent knows.
  const parsed: unknown = load(source);
  // Anything but a mapping reads as a kubeconfig with nothing in it: finish() then says it names no context.
  const document: Entry = typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Entry) : {};
  const path = (value: unknown): string | undefined => {
    const file = text(value);
    return file === undefined || isAbsolute(file) ? file : join(baseDir, file);
  };
  const clusters = entries(document, "clusters").map((entry, index): KubeCluster => {
    const cluster = inner(entry, "cluster", `clusters[${index}]`, true);
    const server = text(cluster.server);
    if (server === undefined) throw new Error(`clusters[${index}].cluster.server is missing`);
    return {
      name: String(entry.name),
      server: server.replace(/\/$/, ""),
      caFile: path(cluster["certificate-authority"]),
      caData: text(cluster["certificate-authority-data"]),
      skipTLSVerify: cluster["insecure-skip-tls-verify"] === true,
      tlsServerName: text(cluster["tls-server-name"]),
      proxyUrl: text(cluster["proxy-url"]),
    };
  });
  const users = entries(document, "users").map((entry, index): KubeUser => {
    const user = inner(entry, "user", `users[${index}]`, false);
    const authProvider = user["auth-provider"];
    return {
      name: String(entry.name),
      token: text(user.token),
      tokenFile: path(user.tokenFile ?? user["token-file"]),
      certFile: path(user["client-certificate"]),
      certData: text(user["client-certificate-data"]),
      keyFile: path(user["client-key"]),
      keyData: text(user["client-key-data"]),
      username: text(user.username),
      password: text(user.password),
      impersonateUser: text(user.as),
      ...(typeof authProvider === "object" && authProvider !== null ? { authProvider } : {}),
      ...(user.exec !== undefined && user.exec !== null ? { exec: user.exec } : {}),
    };
  });
  const contexts = entries(document, "contexts").map((entry, index): KubeContext => {
    const context = inner(entry, "context", `contexts[${index}]`, true);
    return {
      name: String(entry.name),
      cluster: text(context.cluster) ?? "",
      user: text(context.user) ?? "",
      namespace: text(context.namespace),
    };
  });
  return { clusters, users, contexts, currentContext: text(document["current-context"]) ?? "" };
}

/** `first` with the entries of `second` whose names it lacks; `first`'s current context stays. */
export function mergeKubeConfig(first: KubeConfigData, second: KubeConfigData): KubeConfigData {
  const add = <T extends { name: string }>(a: readonly T[], b: readonly T[]): T[] => [
    ...a,
    ...b.filter((entry) => !a.some((kept) => kept.name === entry.name)),
  ];
  return {
    clusters: add(first.clusters, second.clusters),
    users: add(first.users, second.users),
    contexts: add(first.contexts, second.contexts),
    currentContext: first.currentContext,
  };
}

/** What this client cannot do itself, or undefined when it can. */
function needsClientNode(cluster: KubeCluster | undefined, user: KubeUser | undefined): string | undefined {
  if (cluster?.proxyUrl) return "proxy-url";
  if (user?.exec !== undefined) return "exec plugin";
  const provider = user?.authProvider;
  if (provider !== undefined && !(provider.name === "tokenFile" && provider.config?.tokenFile)) {
    return `auth-provider ${provider.name ?? ""}`.trim();
  }
  return undefined;
}

export class KubeConnection {
  readonly #data: KubeConfigData;
  #currentContext: string;
  #client: KubeClient | undefined;
  #clientNode: Promise<ClientNodeKubeConfig> | undefined;

  constructor(data: KubeConfigData) {
    this.#data = data;
    this.#currentContext = data.currentContext;
  }

  getContexts(): readonly KubeContext[] {
    return this.#data.contexts;
  }

  getContextObject(name: string): KubeContext | undefined {
    return this.#data.contexts.find((context) => context.name === name);
  }

  getCurrentContext(): string {
    return this.#currentContext;
  }

  setCurrentContext(name: string): void {
    this.#currentContext = name;
    this.#client = undefined;
    this.#clientNode = undefined;
  }

  getCurrentCluster(): KubeCluster | undefined {
    const name = this.getContextObject(this.#currentContext)?.cluster;
    return this.#data.clusters.find((cluster) => cluster.name === name);
  }

  getCurrentUser(): KubeUser | undefined {
    const name = this.getContextObject(this.#currentContext)?.user;
    return this.#data.users.find((user) => user.name === name);
  }

  /** Why requests go through client-node's credential code, or undefined when they do not. */
  get delegatedAuth(): string | undefined {
    return needsClientNode(this.getCurrentCluster(), this.getCurrentUser());
  }

  /** The client for the current context (one per connection: its keep-alive agent is shared). */
  get client(): KubeClient {
    if (this.#client !== undefined) return this.#client;
    const cluster = this.getCurrentCluster();
    if (cluster === undefined) throw new Error(`kubeconfig: current context "${this.#currentContext}" names no known cluster`);
    const user = this.getCurrentUser();
    const applyAuth: ApplyAuth =
      this.delegatedAuth === undefined
        ? nativeAuth({
            server: cluster.server,
            skipTLSVerify: cluster.skipTLSVerify,
            tlsServerName: cluster.tlsServerName,
            caFile: cluster.caFile,
            caData: cluster.caData,
            certFile: user?.certFile,
            certData: user?.certData,
            keyFile: user?.keyFile,
            keyData: user?.keyData,
            token: user?.token,
            tokenFile: user?.tokenFile ?? user?.authProvider?.config?.tokenFile,
            username: user?.username,
            password: user?.password,
            impersonateUser: user?.impersonateUser,
          })
        : async (options) => {
            // client-node's own credential code fills in the agent (TLS, proxy) and the headers.
            const clientNode = await this.clientNodeConfig();
            await clientNode.applyToHTTPSOptions(options);
          };
    this.#client = new KubeClient(cluster.server, applyAuth);
    return this.#client;
  }

  /** A typed API over this connection's client (kube-apis.ts), as client-node's `makeApiClient`. */
  makeApiClient<T>(api: new (client: KubeClient) => T): T {
    return new api(this.client);
  }

  /** The same context as a client-node KubeConfig (loads client-node; for doctor and delegated credentials). */
  clientNodeConfig(): Promise<ClientNodeKubeConfig> {
    this.#clientNode ??= import("@kubernetes/client-node").then(({ KubeConfig }) => {
      const config = new KubeConfig();
      config.loadFromOptions({
        clusters: this.#data.clusters,
        // client-node reads a kubeconfig's tokenFile once, at load; so does this hand-over.
        users: this.#data.users.map(({ tokenFile, ...user }) => ({ ...user, token: tokenFile ? readFileSync(tokenFile, "utf8").trim() : user.token })),
        contexts: this.#data.contexts,
        currentContext: this.#currentContext,
      });
      return config;
    });
    return this.#clientNode;
  }
}
