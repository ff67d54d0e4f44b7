// The fake Kubernetes API server: wires storage, registry, watches, faults and routes onto a
// node:http server, writes a kubeconfig for client-node and kubectl, and offers an in-process API so
// tests can change the cluster without HTTP.

import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeServer, listen } from "./http-listen.ts";
import { CONTROL_PREFIX, handleControl } from "./control-endpoints.ts";
import {
  apiGroupDocument,
  apiGroupListDocument,
  apiResourceListDocument,
  apiVersionsDocument,
  openApiGroupDocument,
  openApiRootDocument,
  versionDocument,
  FAKE_KUBE_VERSION,
  type ServerVersion,
} from "./discovery.ts";
import { Exchange, isWatchRequest, readBody } from "./exchange.ts";
import { FaultController, type FaultControls } from "./faults.ts";
import { clone, isObject, metadataOf, type JsonObject } from "./json.ts";
import { renderKubeconfig } from "./kubeconfig.ts";
import { ObjectStore } from "./object-store.ts";
import { Registry, type DeleteResult } from "./registry.ts";
import { RequestLog, type RequestLogEntry } from "./request-log.ts";
import { ResourceApi } from "./resource-api.ts";
import { canonicalEndpoint, type StorageKey } from "./resource-types.ts";
import { handleSubjectAccessReview, handleTokenReview, type ReviewIdentity } from "./reviews.ts";
import { routeFor, type Route } from "./routes.ts";
import { KubeStatusError, methodNotAllowed, notFound, pathNotFound, unauthorized } from "./status-error.ts";
import { strategicPatchNode } from "./in-process-patch.ts";
import { TABLE_CONTENT_TYPE, toTable, wantsTable } from "./table.ts";
import { createSelfSignedCertificate } from "./self-signed-certificate.ts";
import { rfc3339Seconds } from "./time-format.ts";
import { WatchHub } from "./watch-hub.ts";

export interface FakeKubeOptions {
  /** Interface to listen on. @default "127.0.0.1" */
  readonly host?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** Bearer token clients authenticate with; a request carrying any other credentials gets 401. @default "fake-kube-token" */
  readonly token?: string;
  /**
   * Serve requests that carry no Authorization header, as a kube-apiserver with anonymous auth does.
   * kubectl never sends credentials to an `http://` server (client-go's clientcmd only attaches them
   * for https), so kubectl needs this; set false to require the token (client-node only).
   * @default true
   */
  readonly anonymous?: boolean;
  /** UIDs of namespaces by name (e.g. `kube-system`, a cluster's identity); others are random per fake. */
  readonly namespaceUids?: Readonly<Record<string, string>>;
  /** Nodes to create at start (V1Node-like plain objects; resourceVersion, uid and timestamps are assigned). */
  readonly nodes?: readonly object[];
  /** Changes kept for watch replay; a watch from an older resourceVersion gets 410. @default 1000 */
  readonly historyLimit?: number;
  /** Where to write the kubeconfig. @default a file in a new temporary directory, removed on close */
  readonly kubeconfigPath?: string;
  /** Clock for creationTimestamp, deletionTimestamp and table ages. @default Date.now */
  readonly now?: () => number;
  /** Answer watches from a compacted resourceVersion with HTTP 410 instead of 200 + an ERROR event. @default false */
  readonly expiredWatchAsHttp410?: boolean;
  /** Entries kept in the request log. @default 10000 */
  readonly requestLogLimit?: number;
  /**
   * Serve https with a fresh self-signed certificate (put in the kubeconfig as the cluster CA). kubectl
   * then sends the bearer token, and client-node's loadFromCluster() can reach the fake.
   * @default false
   */
  readonly tls?: boolean;
  /** What `/version` reports (e.g. an old cluster). @default FAKE_KUBE_VERSION */
  readonly serverVersion?: ServerVersion;
  /**
   * Bearer tokens that TokenReview authenticates (the controller's own `token` is not among them
   * unless listed), with the non-resource URLs each user may get (SubjectAccessReview).
   * @default {} (every review says no)
   */
  readonly identities?: Readonly<Record<string, ReviewIdentity>>;
}

/** The namespaced resources besides Events and Leases that the fake stores (doctor reads them). */
export type WorkloadResource = "pods" | "daemonsets" | "deployments";

const WORKLOAD_TYPES: Readonly<Record<WorkloadResource, { readonly apiVersion: string; readonly kind: string }>> = {
  pods: { apiVersion: "v1", kind: "Pod" },
  daemonsets: { apiVersion: "apps/v1", kind: "DaemonSet" },
  deployments: { apiVersion: "apps/v1", kind: "Deployment" },
};

/** A function edit of an object: mutate the copy it gets, or return a replacement. */
export type ObjectEdit = (current: JsonObject) => JsonObject | void;

export interface FakeKubeServer {
  /** `http://127.0.0.1:<port>` (`https://` with `tls: true`) */
  readonly url: string;
  /** PEM of the self-signed server certificate when serving https. */
  readonly caCertificate: string | undefined;
  readonly port: number;
  readonly token: string;
  readonly kubeconfigPath: string;
  /** The kubeconfig text (also written to kubeconfigPath). */
  readonly kubeconfig: string;
  /** Fault injection; also reachable over HTTP under /__fake/faults. */
  readonly faults: FaultControls;

  createNode(node: object): JsonObject;
  getNode(name: string): JsonObject | undefined;
  /** The UID the fake serves for a namespace (random per fake: two fakes are two clusters). */
  namespaceUid(name: string): string;
  listNodes(): JsonObject[];
  /** Replaces a Node with `edit(copy)`; spec, metadata and status may all change (no subresource split). */
  updateNode(name: string, edit: ObjectEdit): JsonObject;
  /** A function edits like updateNode; an object is applied as a strategic merge patch (conditions merge by type). */
  patchNode(name: string, patch: object | ObjectEdit): JsonObject;
  /** Deletes like the API does: a Node with finalizers only gets a deletionTimestamp. */
  deleteNode(name: string): DeleteResult;

  leases(namespace?: string): JsonObject[];
  getLease(namespace: string, name: string): JsonObject | undefined;
  createLease(namespace: string, lease: object): JsonObject;
  updateLease(namespace: string, name: string, edit: ObjectEdit): JsonObject;
  deleteLease(namespace: string, name: string): DeleteResult;

  /** Creates a Pod, DaemonSet or Deployment in `namespace` (status included, as a kubelet or controller would write it). */
  createObject(resource: WorkloadResource, namespace: string, object: object): JsonObject;
  /** The stored Pods, DaemonSets or Deployments (all namespaces when none is given). */
  listObjects(resource: WorkloadResource, namespace?: string): JsonObject[];

  /** Events (core/v1). */
  events(namespace?: string): JsonObject[];

  /** The current global resourceVersion. */
  resourceVersion(): string;
  /** Path and query of each open watch. */
  openWatches(): string[];
  requests(): RequestLogEntry[];
  clearRequests(): void;
  close(): Promise<void>;
}

const PUBLIC_PATHS = new Set(["/version", "/version/", "/healthz", "/livez", "/readyz"]);
const DEFAULT_NAMESPACES = ["default", "kube-node-lease", "kube-public", "kube-system"];

function positiveInteger(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`startFakeKube: ${what} must be a positive integer, got ${String(value)}`);
  return value;
}

class FakeKube implements FakeKubeServer {
  readonly url: string;
  readonly caCertificate: string | undefined;
  readonly port: number;
  readonly token: string;
  readonly kubeconfigPath: string;
  readonly kubeconfig: string;
  readonly faults: FaultController;
  readonly #server: Server;
  readonly #store: ObjectStore;
  readonly #namespaceUids = new Map<string, string>();
  readonly #registry: Registry;
  readonly #hub: WatchHub;
  readonly #api: ResourceApi;
  readonly #log: RequestLog;
  readonly #now: () => number;
  readonly #startedAt: number;
  readonly #ownedTempDir: string | undefined;
  readonly #anonymous: boolean;
  readonly #serverVersion: ServerVersion;
  readonly #identities: ReadonlyMap<string, ReviewIdentity>;

  constructor(parts: {
    server: Server;
    store: ObjectStore;
    registry: Registry;
    hub: WatchHub;
    api: ResourceApi;
    log: RequestLog;
    faults: FaultController;
    now: () => number;
    url: string;
    port: number;
    token: string;
    kubeconfigPath: string;
    kubeconfig: string;
    ownedTempDir: string | undefined;
    anonymous: boolean;
    caCertificate: string | undefined;
    serverVersion: ServerVersion;
    identities: Readonly<Record<string, ReviewIdentity>>;
  }) {
    this.#serverVersion = parts.serverVersion;
    this.caCertificate = parts.caCertificate;
    this.#identities = new Map(Object.entries(parts.identities));
    this.#anonymous = parts.anonymous;
    this.#server = parts.server;
    this.#store = parts.store;
    this.#registry = parts.registry;
    this.#hub = parts.hub;
    this.#api = parts.api;
    this.#log = parts.log;
    this.faults = parts.faults;
    this.#now = parts.now;
    this.#startedAt = parts.now();
    this.url = parts.url;
    this.port = parts.port;
    this.token = parts.token;
    this.kubeconfigPath = parts.kubeconfigPath;
    this.kubeconfig = parts.kubeconfig;
    this.#ownedTempDir = parts.ownedTempDir;
    this.#server.on("request", (request: IncomingMessage, response: ServerResponse) => {
      this.#handle(request, response).catch((error: unknown) => {
        // #handle answers every error itself; reaching here means the socket is already unusable.
        if (!response.destroyed) response.destroy(error instanceof Error ? error : undefined);
      });
    });
  }

  // ---- in-process API -------------------------------------------------------------------------

  createNode(node: object): JsonObject {
    const body = clone(node) as JsonObject;
    delete metadataOf(body)["resourceVersion"];
    return this.#view("nodes", this.#registry.create("nodes", undefined, { ...body, apiVersion: "v1", kind: "Node" }));
  }

  getNode(name: string): JsonObject | undefined {
    const found = this.#registry.find("nodes", undefined, name);
    return found === undefined ? undefined : this.#view("nodes", found);
  }

  listNodes(): JsonObject[] {
    return this.#store.list("nodes").map((n) => this.#view("nodes", n));
  }

  updateNode(name: string, edit: ObjectEdit): JsonObject {
    return this.#edit("nodes", undefined, name, edit);
  }

  patchNode(name: string, patch: object | ObjectEdit): JsonObject {
    if (typeof patch === "function") return this.updateNode(name, patch as ObjectEdit);
    return this.updateNode(name, (current) => strategicPatchNode(current, patch));
  }

  deleteNode(name: string): DeleteResult {
    const result = this.#registry.delete("nodes", undefined, name);
    return { ...result, object: this.#view("nodes", result.object) };
  }

  leases(namespace?: string): JsonObject[] {
    return this.#store.list("leases", namespace).map((l) => this.#view("leases", l));
  }

  getLease(namespace: string, name: string): JsonObject | undefined {
    const found = this.#registry.find("leases", namespace, name);
    return found === undefined ? undefined : this.#view("leases", found);
  }

  createLease(namespace: string, lease: object): JsonObject {
    const body = clone(lease) as JsonObject;
    delete metadataOf(body)["resourceVersion"];
    return this.#view("leases", this.#registry.create("leases", namespace, { ...body, apiVersion: "coordination.k8s.io/v1", kind: "Lease" }));
  }

  updateLease(namespace: string, name: string, edit: ObjectEdit): JsonObject {
    return this.#edit("leases", namespace, name, edit);
  }

  deleteLease(namespace: string, name: string): DeleteResult {
    const result = this.#registry.delete("leases", namespace, name);
    return { ...result, object: this.#view("leases", result.object) };
  }

  createObject(resource: WorkloadResource, namespace: string, object: object): JsonObject {
    const type = WORKLOAD_TYPES[resource];
    if (type === undefined) throw new TypeError(`createObject: unknown resource ${String(resource)}`);
    const body = clone(object) as JsonObject;
    delete metadataOf(body)["resourceVersion"];
    return this.#view(resource, this.#registry.create(resource, namespace, { ...body, apiVersion: type.apiVersion, kind: type.kind }));
  }

  listObjects(resource: WorkloadResource, namespace?: string): JsonObject[] {
    return this.#store.list(resource, namespace).map((o) => this.#view(resource, o));
  }

  events(namespace?: string): JsonObject[] {
    return this.#store.list("events", namespace).map((e) => this.#view("events", e));
  }

  resourceVersion(): string {
    return String(this.#store.resourceVersion);
  }

  openWatches(): string[] {
    return this.#hub.descriptions();
  }

  requests(): RequestLogEntry[] {
    return this.#log.entries();
  }

  clearRequests(): void {
    this.#log.clear();
  }

  async close(): Promise<void> {
    this.faults.clear();
    this.#hub.close();
    await closeServer(this.#server);
    if (this.#ownedTempDir !== undefined) await rm(this.#ownedTempDir, { recursive: true, force: true });
  }

  #view(storage: StorageKey, stored: JsonObject): JsonObject {
    return canonicalEndpoint(storage).toView(stored);
  }

  #edit(storage: StorageKey, namespace: string | undefined, name: string, edit: ObjectEdit): JsonObject {
    const { object } = this.#registry.update(
      storage,
      namespace,
      name,
      (current) => {
        if (current === undefined) throw notFound(canonicalEndpoint(storage), name);
        const copy = clone(current);
        const next = edit(copy) ?? copy;
        // In-process edits are authoritative: they always apply to the current version.
        metadataOf(next)["resourceVersion"] = metadataOf(current)["resourceVersion"];
        return next;
      },
      "everything",
    );
    return this.#view(storage, object);
  }

  // ---- HTTP -----------------------------------------------------------------------------------

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://fake-kube.invalid");
    const method = (request.method ?? "GET").toUpperCase();
    const watch = isWatchRequest(url);
    const control = url.pathname.startsWith(CONTROL_PREFIX);
    const header = (name: string): string => {
      const value = request.headers[name];
      return Array.isArray(value) ? value.join(", ") : (value ?? "");
    };
    const entry = control
      ? undefined
      : this.#log.add({
          method,
          path: url.pathname,
          query: url.search.replace(/^\?/, ""),
          status: 0,
          contentType: header("content-type"),
          accept: header("accept"),
          userAgent: header("user-agent"),
          watch,
          authenticated: header("authorization") === `Bearer ${this.token}`,
          time: this.#now(),
        });
    let exchange: Exchange | undefined;
    try {
      const body = await readBody(request);
      exchange = new Exchange(request, response, url, body, entry);
      const delay = control ? 0 : this.faults.latencyFor({ method, path: url.pathname, watch });
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      if (!control) exchange.answerDelayMs = this.faults.answerDelayFor({ method, path: url.pathname, watch });
      if (!PUBLIC_PATHS.has(url.pathname) && !this.#authorized(header("authorization"))) throw unauthorized();
      if (control) {
        handleControl(exchange, {
          faults: this.faults,
          requests: () => this.requests(),
          clearRequests: () => this.clearRequests(),
          state: () => ({
            resourceVersion: this.resourceVersion(),
            compactedThrough: String(this.#store.compactedThrough),
            nodes: this.#store.list("nodes").length,
            leases: this.#store.list("leases").length,
            events: this.#store.list("events").length,
            openWatches: this.openWatches(),
          }),
        });
        return;
      }
      const injected = this.faults.errorFor({ method, path: url.pathname, watch, query: url.search.slice(1) });
      if (injected?.asWatchEvent === true) {
        exchange.startStream(200, "application/json");
        response.end(`${JSON.stringify({ type: "ERROR", object: injected.error.toStatus() })}\n`);
        return;
      }
      if (injected !== undefined) throw injected.error;
      const route = routeFor(url.pathname);
      if (route === undefined) throw pathNotFound();
      this.#dispatch(exchange, route);
    } catch (error) {
      const failure =
        error instanceof KubeStatusError
          ? error
          : new KubeStatusError(500, "InternalError", `Internal error occurred: ${(error as Error).message}`, undefined, { cause: error });
      if (response.headersSent) {
        response.destroy();
        return;
      }
      (exchange ?? new Exchange(request, response, url, Buffer.alloc(0), entry)).sendError(failure);
    }
  }

  #authorized(authorization: string): boolean {
    if (authorization === "") return this.#anonymous;
    return authorization === `Bearer ${this.token}`;
  }

  #dispatch(exchange: Exchange, route: Route): void {
    const readOnly = exchange.method === "GET" || exchange.method === "HEAD";
    if (route.type === "resource") return this.#api.handle(exchange, route.route);
    if (route.type === "token-review" || route.type === "subject-access-review") {
      if (exchange.method !== "POST") throw methodNotAllowed(exchange.method);
      return route.type === "token-review" ? handleTokenReview(exchange, this.#identities) : handleSubjectAccessReview(exchange, this.#identities);
    }
    if (!readOnly) throw methodNotAllowed(exchange.method);
    switch (route.type) {
      case "version":
        return exchange.send(200, versionDocument(this.#serverVersion));
      case "health":
        return exchange.sendText(200, "ok");
      case "api-versions":
        return exchange.send(200, apiVersionsDocument(exchange.header("host") ?? this.url.replace(/^http:\/\//, "")));
      case "api-groups":
        return exchange.send(200, apiGroupListDocument());
      case "api-group":
        return this.#sendOrNotFound(exchange, apiGroupDocument(route.group));
      case "api-resources":
        return this.#sendOrNotFound(exchange, apiResourceListDocument(route.group, route.version));
      case "openapi-root":
        return exchange.send(200, openApiRootDocument());
      case "openapi-group":
        return this.#sendOrNotFound(exchange, openApiGroupDocument(route.key));
      case "namespaces":
        return this.#namespaces(exchange, route.name);
    }
  }

  #sendOrNotFound(exchange: Exchange, document: JsonObject | undefined): void {
    if (document === undefined) throw pathNotFound();
    exchange.send(200, document);
  }

  setNamespaceUid(name: string, uid: string): void {
    this.#namespaceUids.set(name, uid);
  }

  /** The UID of a namespace: random per fake (two fakes are two clusters), stable for its lifetime. */
  namespaceUid(name: string): string {
    let uid = this.#namespaceUids.get(name);
    if (uid === undefined) this.#namespaceUids.set(name, (uid = randomUUID()));
    return uid;
  }

  /** Namespaces are not stored: every name exists and is Active, which is all Event and Lease writers need. */
  #namespaces(exchange: Exchange, name: string | undefined): void {
    if (isWatchRequest(exchange.url)) throw methodNotAllowed("WATCH");
    const namespaceObject = (ns: string): JsonObject => ({
      kind: "Namespace",
      apiVersion: "v1",
      metadata: { name: ns, uid: this.namespaceUid(ns), resourceVersion: "1", creationTimestamp: rfc3339Seconds(this.#startedAt), labels: { "kubernetes.io/metadata.name": ns } },
      spec: { finalizers: ["kubernetes"] },
      status: { phase: "Active" },
    });
    const table = wantsTable(exchange.header("accept"));
    if (name !== undefined) {
      const ns = namespaceObject(name);
      if (table) return exchange.send(200, toTable([ns], { kind: "Namespace", now: this.#now(), includeObject: "Metadata", withColumns: true }), TABLE_CONTENT_TYPE);
      return exchange.send(200, ns);
    }
    const names = new Set(DEFAULT_NAMESPACES);
    for (const storage of ["events", "leases"] as const) {
      for (const obj of this.#store.list(storage)) {
        const ns = metadataOf(obj)["namespace"];
        if (typeof ns === "string") names.add(ns);
      }
    }
    const items = [...names].sort().map(namespaceObject);
    const resourceVersion = String(this.#store.resourceVersion);
    if (table) {
      return exchange.send(200, toTable(items, { kind: "Namespace", now: this.#now(), includeObject: "Metadata", resourceVersion, withColumns: true }), TABLE_CONTENT_TYPE);
    }
    exchange.send(200, { kind: "NamespaceList", apiVersion: "v1", metadata: { resourceVersion }, items });
  }
}

/** Starts the fake API server and writes its kubeconfig. Close it with `close()`. */
export async function startFakeKube(options: FakeKubeOptions = {}): Promise<FakeKubeServer> {
  const host = options.host ?? "127.0.0.1";
  const token = options.token ?? "fake-kube-token";
  if (token === "" || /\s/.test(token)) throw new TypeError("startFakeKube: token must be a non-empty string without whitespace");
  const now = options.now ?? Date.now;
  const store = new ObjectStore({
    initialResourceVersion: 1000,
    historyLimit: positiveInteger(options.historyLimit, 1000, "historyLimit"),
    snapshotLimit: 64,
  });
  const registry = new Registry(store, now);
  const hub = new WatchHub(store);
  const faults = new FaultController({
    dropWatches: (mode) => hub.dropAll(mode),
    compactHistory: () => store.compact(),
    sendBookmarks: () => hub.bookmarkAll(),
    backupStore: () => store.backup(),
    restoreStore: (backup) => store.restore(backup),
  });
  const api = new ResourceApi({ store, registry, hub, now, expiredWatchAsHttp410: options.expiredWatchAsHttp410 ?? false });
  const log = new RequestLog(positiveInteger(options.requestLogLimit, 10_000, "requestLogLimit"));

  const certificate = options.tls === true ? createSelfSignedCertificate([host, "127.0.0.1", "localhost"]) : undefined;
  const server =
    certificate === undefined
      ? createServer({ keepAliveTimeout: 5_000 })
      : createHttpsServer({ keepAliveTimeout: 5_000, key: certificate.keyPem, cert: certificate.certPem });
  const { port } = await listen(server, options.port ?? 0, host);
  const url = `${certificate === undefined ? "http" : "https"}://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const ownedTempDir = options.kubeconfigPath === undefined ? await mkdtemp(join(tmpdir(), "fake-kube-")) : undefined;
  const kubeconfigPath = options.kubeconfigPath ?? join(ownedTempDir ?? tmpdir(), "kubeconfig");
  const kubeconfig = renderKubeconfig({
    server: url,
    token,
    name: "fake-kube",
    ...(certificate === undefined ? {} : { certificateAuthorityPem: certificate.certPem }),
  });
  try {
    await writeFile(kubeconfigPath, kubeconfig, { mode: 0o600 });
  } catch (error) {
    server.close();
    throw new Error(`startFakeKube: cannot write the kubeconfig to ${kubeconfigPath}`, { cause: error });
  }
  const fake = new FakeKube({ server, store, registry, hub, api, log, faults, now, url, port, token, kubeconfigPath, kubeconfig, ownedTempDir, anonymous: options.anonymous ?? true, caCertificate: certificate?.certPem, identities: options.identities ?? {}, serverVersion: options.serverVersion ?? FAKE_KUBE_VERSION });
  for (const [name, uid] of Object.entries(options.namespaceUids ?? {})) fake.setNamespaceUid(name, uid);
  try {
    for (const node of options.nodes ?? []) {
      if (!isObject(node)) throw new TypeError("startFakeKube: every entry of nodes must be an object");
      fake.createNode(node);
    }
  } catch (error) {
    await fake.close();
    throw new Error(`startFakeKube: cannot create the seed nodes: ${(error as Error).message}`, { cause: error });
  }
  return fake;
}
