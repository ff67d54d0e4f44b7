// The HTTP side of every Kubernetes call `run` makes: JSON requests and line-delimited watch streams
// over node:http(s), with the TLS material and credentials of one kubeconfig context. It replaces
// @kubernetes/client-node on that path, whose import alone costs ~85 MiB of RSS (every generated API
// group and model, undici); see docs/performance.md. Credentials it does not implement (exec
// plugins, auth providers other than a token file, proxies) come from client-node itself, loaded
// only then (kube-config.ts, `clientNodeAuth`), so such kubeconfigs behave as before.

import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { STATUS_CODES } from "node:http";

/** Per-request options: abort with `signal`; `contentType` for PATCH bodies. */
export interface KubeRequestOptions {
  readonly signal?: AbortSignal | undefined;
  readonly contentType?: string | undefined;
}

/** A non-2xx answer: `code` is the HTTP status, `body` the raw text (a Status object as JSON, usually). */
class KubeApiError extends Error {
  override readonly name: string = "KubeApiError";
  constructor(
    readonly code: number,
    readonly body: string,
  ) {
    super(`HTTP ${code} ${STATUS_CODES[code] ?? ""}`.trim());
  }

  /** The same number as `code`, under the name watch errors carry. */
  get statusCode(): number {
    return this.code;
  }
}

/** Fills in what a request needs to reach and authenticate to the API server: agent (TLS) and headers. */
export type ApplyAuth = (options: https.RequestOptions & { headers: Record<string, string> }) => Promise<void>;

type Query = Record<string, string | number | boolean | undefined>;

/** How long a watch may be silent (or take to connect) before it is dropped and re-opened, as client-node does. */
const WATCH_IDLE_TIMEOUT_MS = 30_000;

export class KubeClient {
  readonly #server: string;
  readonly #applyAuth: ApplyAuth;
  readonly #secure: boolean;

  /** `server` is the cluster's URL (a path prefix is kept); `applyAuth` runs before every request. */
  constructor(server: string, applyAuth: ApplyAuth) {
    this.#server = server.replace(/\/+$/, "");
    this.#secure = new URL(this.#server).protocol === "https:";
    this.#applyAuth = applyAuth;
  }

  /** One JSON request; resolves the parsed body of a 2xx answer, rejects with KubeApiError otherwise. */
  async request<T>(method: string, path: string, query: Query | undefined, body: unknown, options?: KubeRequestOptions): Promise<T> {
    const signal = options?.signal;
    signal?.throwIfAborted();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { Accept: "application/json" };
    if (payload !== undefined) {
      headers["Content-Type"] = options?.contentType ?? "application/json";
      headers["Content-Length"] = String(Buffer.byteLength(payload));
    }
    const requestOptions = await this.#options(method, headers);
    signal?.throwIfAborted();
    const url = this.#url(path, query);
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        request.destroy();
        reject(abortReason(signal));
      };
      const request = (this.#secure ? https : http).request(url, requestOptions, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        });
        response.on("end", () => {
          signal?.removeEventListener("abort", onAbort);
          const text = Buffer.concat(chunks).toString("utf8");
          const status = response.statusCode ?? 0;
          if (status < 200 || status > 299) {
            reject(new KubeApiError(status, text));
            return;
          }
          try {
            resolve((text === "" ? undefined : JSON.parse(text)) as T);
          } catch {
            reject(new KubeApiError(status, `the answer is not JSON (${text.length} bytes)`));
          }
        });
      });
      request.on("error", (error) => {
        signal?.removeEventListener("abort", onAbort);
        reject(signal?.aborted === true ? abortReason(signal) : error);
      });
      signal?.addEventListener("abort", onAbort, { once: true });
      request.end(payload);
    });
  }

  /**
   * A watch on `path` (`watch=true` plus `query`): `callback(type, object, event)` for every event
   * line, then `done(error or null)` exactly once when the stream ends, fails or is aborted through
   * the returned controller. A stream silent for 30 s (or a connection not answered in 30 s) ends
   * with a TimeoutError, after which the caller re-watches from where it was.
   */
  async watch(
    path: string,
    query: Query,
    callback: (type: string, object: unknown, event: unknown) => void,
    done: (error: unknown) => void,
  ): Promise<AbortController> {
    const controller = new AbortController();
    const url = this.#url(path, { ...query, watch: true });
    let finished = false;
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    let request: http.ClientRequest | undefined;
    const finish = (error: unknown): void => {
      if (finished) return;
      finished = true;
      if (timer !== undefined) clearTimeout(timer);
      request?.destroy();
      done(error !== null && timedOut ? new DOMException("the watch was silent too long", "TimeoutError") : error);
    };
    const armIdleTimer = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, WATCH_IDLE_TIMEOUT_MS);
      timer.unref();
    };
    controller.signal.addEventListener("abort", () => finish(new DOMException("the watch was aborted", "AbortError")), { once: true });
    try {
      armIdleTimer();
      const requestOptions = await this.#options("GET", { Accept: "application/json" });
      if (finished) return controller;
      // Resolves once the answer's headers are in (or the request failed), as client-node's
      // fetch-based watch did: a refused watch has called `done` before this returns.
      await new Promise<void>((answered) => {
        request = (this.#secure ? https : http).request(url, requestOptions, (response) => {
          answered();
          const status = response.statusCode ?? 0;
          if (status !== 200) {
            response.resume();
            const error = new Error(response.statusMessage || STATUS_CODES[status] || "Internal Server Error");
            (error as Error & { statusCode: number }).statusCode = status;
            finish(error);
            return;
          }
          armIdleTimer();
          let pending = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => {
            armIdleTimer();
            pending += chunk;
            let newline = pending.indexOf("\n");
            while (newline >= 0) {
              const line = pending.slice(0, newline);
              pending = pending.slice(newline + 1);
              deliver(line, callback);
              newline = pending.indexOf("\n");
            }
          });
          response.on("end", () => {
            if (pending !== "") deliver(pending, callback);
            finish(null);
          });
          response.on("error", finish);
          response.on("close", () => finish(null));
        });
        request.on("error", (error) => {
          finish(error);
          answered();
        });
        request.on("close", () => answered());
        request.end();
      });
    } catch (error) {
      finish(error);
    }
    return controller;
  }

  async #options(method: string, headers: Record<string, string>): Promise<https.RequestOptions> {
    const options: https.RequestOptions & { headers: Record<string, string> } = { method, headers };
    await this.#applyAuth(options);
    return options;
  }

  #url(path: string, query: Query | undefined): URL {
    const url = new URL(this.#server + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }
}

/** What an aborted request rejects with: the signal's reason (a TimeoutError for AbortSignal.timeout), as fetch does. */
function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException("the request was aborted", "AbortError");
}

function deliver(line: string, callback: (type: string, object: unknown, event: unknown) => void): void {
  if (line.trim() === "") return;
  let event: { type?: unknown; object?: unknown };
  try {
    event = JSON.parse(line) as { type?: unknown; object?: unknown };
  } catch {
    return; // a line that is not JSON is skipped, as client-node does
  }
  callback(String(event.type), event.object, event);
}

/** The connection settings of one kubeconfig context that this client implements itself. */
export interface NativeAuthSettings {
  readonly server: string;
  readonly skipTLSVerify: boolean;
  readonly tlsServerName?: string | undefined;
  readonly caFile?: string | undefined;
  readonly caData?: string | undefined;
  readonly certFile?: string | undefined;
  readonly certData?: string | undefined;
  readonly keyFile?: string | undefined;
  readonly keyData?: string | undefined;
  readonly token?: string | undefined;
  /** Re-read at most every minute (a projected service account token is rotated by the kubelet). */
  readonly tokenFile?: string | undefined;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly impersonateUser?: string | undefined;
}

/** How long file-backed credentials (token file, CA, client certificate and key) are reused before being read again. */
const FILE_REFRESH_MS = 60_000;

/**
 * ApplyAuth for the settings above. Files are read when first needed and again after a minute
 * (rotated certificates and tokens are picked up); the keep-alive agent is replaced only when the
 * TLS material changed.
 */
export function nativeAuth(settings: NativeAuthSettings, now: () => number = Date.now): ApplyAuth {
  const secure = new URL(settings.server).protocol === "https:";
  let agent: http.Agent | undefined;
  let tlsKey = "";
  let tlsReadAt = -Infinity;
  let token = settings.token;
  let tokenReadAt = -Infinity;
  const refreshAgent = (): http.Agent => {
    if (agent !== undefined && now() - tlsReadAt < FILE_REFRESH_MS) return agent;
    tlsReadAt = now();
    if (!secure) return (agent ??= new http.Agent({ keepAlive: true }));
    const ca = material(settings.caFile, settings.caData);
    const cert = material(settings.certFile, settings.certData);
    const key = material(settings.keyFile, settings.keyData);
    const fingerprint = [ca, cert, key].map((b) => b?.toString("base64") ?? "").join("|");
    if (agent === undefined || fingerprint !== tlsKey) {
      agent?.destroy();
      tlsKey = fingerprint;
      agent = new https.Agent({
        keepAlive: true,
        ...(ca ? { ca } : {}),
        ...(cert ? { cert } : {}),
        ...(key ? { key } : {}),
        ...(settings.skipTLSVerify ? { rejectUnauthorized: false } : {}),
        ...(settings.tlsServerName ? { servername: settings.tlsServerName } : {}),
      });
    }
    return agent;
  };
  return (options) => {
    options.agent = refreshAgent();
    if (settings.tokenFile !== undefined && now() - tokenReadAt >= FILE_REFRESH_MS) {
      token = readFileSync(settings.tokenFile, "utf8").trim();
      tokenReadAt = now();
    }
    if (token) options.headers.Authorization = `Bearer ${token}`;
    else if (settings.username !== undefined) {
      options.headers.Authorization = `Basic ${Buffer.from(`${settings.username}:${settings.password ?? ""}`).toString("base64")}`;
    }
    if (settings.impersonateUser) options.headers["Impersonate-User"] = settings.impersonateUser;
    return Promise.resolve();
  };
}

function material(file: string | undefined, data: string | undefined): Buffer | undefined {
  if (file) return readFileSync(file);
  if (data) return Buffer.from(data, "base64");
  return undefined;
}
