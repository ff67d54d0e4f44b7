// Helpers for tests of the real tier: the running server (from the global setup), an admin client
// over plain https, objects from manifests, ServiceAccount kubeconfigs made with the TokenRequest
// API, and the audit log. Files of the real project run one at a time; each cleans the Nodes it made
// (Nodes are cluster-scoped and the controller watches all of them) and works in its own namespace.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { parseAllDocuments } from "yaml";
import { renderKubeconfig } from "@vpc-route-sync/fake-kube-apiserver";
import { apiRequest, type RealKubeInfo } from "./real-kube.js";

// Undefined in projects whose global setup provides nothing (the fake project).
const provided = (inject("realKube") as ReturnType<typeof inject<"realKube">> | undefined) ?? {};
/** The running server, or undefined when the tier is skipped (see `skipReason`). */
export const realKube: RealKubeInfo | undefined = provided.info;
export const skipReason = provided.skipped ?? "";
/** Directory with bin/kube-apiserver and bin/etcd, for a test that starts a server of its own. */
export const realKubeBinDir: string | undefined = provided.binDir;

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; resourceVersion?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly body: string;
  constructor(what: string, status: number, body: string) {
    super(`${what}: HTTP ${status} ${body.slice(0, 500)}`);
    this.status = status;
    this.body = body;
  }
}

/** Path of a kind's collection ("/api/v1/namespaces/ns/configmaps") for the kinds tests use. */
const RESOURCES: Record<string, { readonly resource: string; readonly namespaced: boolean }> = {
  Namespace: { resource: "namespaces", namespaced: false },
  Node: { resource: "nodes", namespaced: false },
  ServiceAccount: { resource: "serviceaccounts", namespaced: true },
  Service: { resource: "services", namespaced: true },
  ConfigMap: { resource: "configmaps", namespaced: true },
  Secret: { resource: "secrets", namespaced: true },
  Deployment: { resource: "deployments", namespaced: true },
  ClusterRole: { resource: "clusterroles", namespaced: false },
  ClusterRoleBinding: { resource: "clusterrolebindings", namespaced: false },
  Role: { resource: "roles", namespaced: true },
  RoleBinding: { resource: "rolebindings", namespaced: true },
  Lease: { resource: "leases", namespaced: true },
  Event: { resource: "events", namespaced: true },
};

export function collectionPath(apiVersion: string, kind: string, namespace?: string): string {
  const r = RESOURCES[kind];
  if (!r) throw new Error(`support.ts does not know kind ${kind}`);
  const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  if (!r.namespaced) return `${base}/${r.resource}`;
  if (namespace === undefined) throw new Error(`${kind} needs a namespace`);
  return `${base}/namespaces/${namespace}/${r.resource}`;
}

/** An admin client of the real server (bearer token in group system:masters). */
export class RealCluster {
  readonly info: RealKubeInfo;
  readonly #token: string;

  constructor(info: RealKubeInfo, token = info.token) {
    this.info = info;
    this.#token = token;
  }

  async call<T = unknown>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const answer = await apiRequest(this.info, this.#token, method, path, body, contentType);
    if (answer.status >= 300) throw new ApiError(`${method} ${path}`, answer.status, answer.body);
    return (answer.body === "" ? undefined : JSON.parse(answer.body)) as T;
  }

  /** Like call(), resolving with undefined on 404. */
  async maybe<T = unknown>(method: string, path: string, body?: unknown): Promise<T | undefined> {
    try {
      return await this.call<T>(method, path, body);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Creates `obj` (in `namespace` when namespaced); with `replace`, deletes an existing one first. */
  async create(obj: KubeObject, namespace?: string): Promise<KubeObject> {
    const ns = obj.metadata?.namespace ?? namespace;
    return this.call<KubeObject>("POST", collectionPath(obj.apiVersion ?? "", obj.kind ?? "", ns), obj);
  }

  /** Server-side apply of `obj` (create or update), as field manager "real-kube-tests". */
  async apply(obj: KubeObject, namespace?: string): Promise<KubeObject> {
    const ns = obj.metadata?.namespace ?? namespace;
    const path = `${collectionPath(obj.apiVersion ?? "", obj.kind ?? "", ns)}/${obj.metadata?.name ?? ""}?fieldManager=real-kube-tests&force=true`;
    return this.call<KubeObject>("PATCH", path, { ...obj, metadata: { ...obj.metadata, ...(ns === undefined || !RESOURCES[obj.kind ?? ""]?.namespaced ? {} : { namespace: ns }) } }, "application/apply-patch+yaml");
  }

  async ensureNamespace(name: string): Promise<void> {
    const existing = await this.maybe("GET", `/api/v1/namespaces/${name}`);
    if (!existing) await this.call("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
  }

  getNode(name: string): Promise<KubeObject | undefined> {
    return this.maybe<KubeObject>("GET", `/api/v1/nodes/${name}`);
  }

  async createNode(node: object): Promise<KubeObject> {
    const created = await this.call<KubeObject>("POST", "/api/v1/nodes", node);
    // The API server drops status on create; a kubelet posts it afterwards. Do the same.
    const status = (node as { status?: unknown }).status;
    if (status !== undefined) {
      return this.call<KubeObject>("PATCH", `/api/v1/nodes/${created.metadata?.name ?? ""}/status`, { status }, "application/merge-patch+json");
    }
    return created;
  }

  async deleteNode(name: string): Promise<void> {
    await this.maybe("DELETE", `/api/v1/nodes/${name}`);
  }

  /** Deletes every Node (the real project's files run one at a time, each on an empty cluster). */
  async deleteAllNodes(): Promise<void> {
    await this.call("DELETE", "/api/v1/nodes");
  }

  /** Read-modify-write of a Node (spec/metadata), retried on 409 Conflict. */
  async updateNode(name: string, edit: (node: KubeObject) => void): Promise<KubeObject> {
    for (let attempt = 0; ; attempt++) {
      const node = await this.call<KubeObject>("GET", `/api/v1/nodes/${name}`);
      edit(node);
      try {
        return await this.call<KubeObject>("PUT", `/api/v1/nodes/${name}`, node);
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 409 || attempt > 5) throw error;
      }
    }
  }

  /** Events about a Node in any namespace (core/v1 view). */
  async nodeEvents(name: string): Promise<{ reason?: string; message?: string; type?: string; count?: number; reportingComponent?: string; source?: { component?: string } }[]> {
    const list = await this.call<{ items: { reason?: string; message?: string; type?: string }[] }>(
      "GET",
      `/api/v1/events?fieldSelector=${encodeURIComponent(`involvedObject.kind=Node,involvedObject.name=${name}`)}`,
    );
    return list.items;
  }

  async leaseHolder(namespace: string, name: string): Promise<string> {
    const lease = await this.maybe<{ spec?: { holderIdentity?: string } }>("GET", `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${name}`);
    return lease?.spec?.holderIdentity ?? "";
  }

  /** A token of ServiceAccount `namespace/name` from the TokenRequest API. */
  async serviceAccountToken(namespace: string, name: string, seconds = 3600): Promise<string> {
    const answer = await this.call<{ status: { token: string } }>("POST", `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { expirationSeconds: seconds },
    });
    return answer.status.token;
  }
}

/** Objects of a multi-document YAML file. */
export async function manifestObjects(path: string): Promise<KubeObject[]> {
  const text = await readFile(path, "utf8");
  return parseAllDocuments(text)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null && typeof o === "object");
}

/** A temp directory for a test file, removed by the returned function. */
export async function tempDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Writes a kubeconfig for `token` against the real server; returns its path. */
export async function writeKubeconfig(info: RealKubeInfo, dir: string, name: string, token: string, namespace?: string): Promise<string> {
  const path = join(dir, `${name}.kubeconfig`);
  await writeFile(path, renderKubeconfig({ server: info.url, token, name, certificateAuthorityPem: info.caPem, ...(namespace === undefined ? {} : { namespace }) }), { mode: 0o600 });
  return path;
}

export interface AuditEvent {
  readonly verb: string;
  readonly requestURI: string;
  readonly user: { readonly username: string };
  readonly objectRef?: { readonly resource?: string; readonly subresource?: string; readonly apiGroup?: string; readonly namespace?: string; readonly name?: string };
  readonly responseStatus?: { readonly code?: number };
  readonly stage: string;
}

/** The audit log's ResponseComplete / Panic entries made by `username`. */
export async function auditEvents(info: RealKubeInfo, username: string): Promise<AuditEvent[]> {
  const text = await readFile(info.auditLogPath, "utf8");
  const events: AuditEvent[] = [];
  for (const line of text.split("\n")) {
    if (!line.includes(username)) continue;
    const event = JSON.parse(line) as AuditEvent;
    if (event.user.username === username && event.stage !== "ResponseStarted") events.push(event);
  }
  return events;
}

/** "verb group/resource[/subresource]" of an audit event, e.g. "patch /nodes/status". */
export function permissionOf(event: AuditEvent): string {
  const ref = event.objectRef ?? {};
  return `${event.verb} ${ref.apiGroup ?? ""}/${ref.resource ?? ""}${ref.subresource ? `/${ref.subresource}` : ""}`;
}

export interface WatchEvent {
  readonly type: string;
  readonly object: { kind?: string; apiVersion?: string; code?: number; reason?: string; metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> } };
}

/** A raw watch (http or https) that collects the events of the stream, for either API server. */
export class WatchStream {
  readonly events: WatchEvent[] = [];
  status = 0;
  ended = false;
  readonly #request: ReturnType<typeof httpsRequest>;
  readonly #done: Promise<void>;

  constructor(server: { readonly url: string; readonly caPem?: string | undefined }, token: string, path: string) {
    let finish = (): void => undefined;
    this.#done = new Promise((resolve) => (finish = resolve));
    const request = server.url.startsWith("https:") ? httpsRequest : httpRequest;
    this.#request = request(`${server.url}${path}`, { headers: { Authorization: `Bearer ${token}` }, ...(server.caPem === undefined ? {} : { ca: server.caPem }) }, (res) => {
      this.status = res.statusCode ?? 0;
      let buffer = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        let newline = buffer.indexOf("\n");
        while (newline >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (line !== "") this.events.push(JSON.parse(line) as WatchEvent);
          newline = buffer.indexOf("\n");
        }
      });
      const end = (): void => {
        if (buffer.trim() !== "" && this.status === 200) this.events.push(JSON.parse(buffer) as WatchEvent);
        else if (buffer.trim() !== "") this.events.push({ type: "HTTP", object: JSON.parse(buffer) as WatchEvent["object"] });
        this.ended = true;
        finish();
      };
      res.on("end", end);
      res.on("error", end);
      res.on("close", end);
    });
    this.#request.on("error", () => {
      this.ended = true;
      finish();
    });
    this.#request.end();
  }

  summary(): string[] {
    return this.events.map((e) => `${e.type} ${e.object.metadata?.name ?? e.object.code ?? ""}`.trim());
  }

  async stop(): Promise<void> {
    this.#request.destroy();
    await this.#done;
  }

  finished(): Promise<void> {
    return this.#done;
  }
}
