// One HTTP request/response pair as the fake's handlers see it: the parsed URL, the body, and
// response helpers that also record the status in the request log.

import type { IncomingMessage, ServerResponse } from "node:http";
import { isObject, type JsonObject } from "./json.ts";
import type { RequestLogEntry } from "./request-log.ts";
import { KubeStatusError, badRequest } from "./status-error.ts";

const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function isWatchRequest(url: URL): boolean {
  const watch = url.searchParams.get("watch");
  return watch === "true" || watch === "1";
}

export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new KubeStatusError(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728");
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

export class Exchange {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly url: URL;
  readonly method: string;
  readonly body: Buffer;
  readonly #entry: RequestLogEntry | undefined;
  /** Fault injection: the request is handled now, its answer written this much later. */
  answerDelayMs = 0;

  constructor(request: IncomingMessage, response: ServerResponse, url: URL, body: Buffer, entry: RequestLogEntry | undefined) {
    this.request = request;
    this.response = response;
    this.url = url;
    this.method = (request.method ?? "GET").toUpperCase();
    this.body = body;
    this.#entry = entry;
  }

  get query(): URLSearchParams {
    return this.url.searchParams;
  }

  header(name: string): string | undefined {
    const value = this.request.headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(", ") : value;
  }

  /** The body parsed as JSON; `what` names it in the 400 message. Empty bodies give undefined. */
  json(what: string): unknown {
    if (this.body.length === 0) return undefined;
    try {
      return JSON.parse(this.body.toString("utf8")) as unknown;
    } catch (error) {
      throw badRequest(`${what}: the body is not valid JSON: ${(error as Error).message}`, error);
    }
  }

  jsonObject(what: string): JsonObject {
    const parsed = this.json(what);
    if (!isObject(parsed)) throw badRequest(`${what}: the body must be a JSON object`);
    return parsed;
  }

  send(status: number, body: unknown, contentType = "application/json", headers: Record<string, string> = {}): void {
    const text = `${JSON.stringify(body)}\n`;
    this.#record(status);
    this.#later(() => {
      this.response.writeHead(status, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(text), "Cache-Control": "no-cache, private", ...headers });
      this.response.end(text);
    });
  }

  sendText(status: number, text: string): void {
    this.#record(status);
    this.#later(() => {
      this.response.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
      this.response.end(text);
    });
  }

  #later(write: () => void): void {
    if (this.answerDelayMs <= 0) return write();
    // The client may have given up meanwhile: then there is nobody left to answer.
    setTimeout(() => {
      if (!this.response.destroyed && !this.response.writableEnded) write();
    }, this.answerDelayMs).unref();
  }

  sendError(error: KubeStatusError): void {
    const headers: Record<string, string> = error.code === 429 ? { "Retry-After": "1" } : {};
    this.send(error.code, error.toStatus(), "application/json", headers);
  }

  /** Starts a chunked streaming response and flushes the headers at once (watch clients wait for them). */
  startStream(status: number, contentType: string): void {
    this.#record(status);
    this.response.writeHead(status, { "Content-Type": contentType, "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
    this.response.flushHeaders();
  }

  #record(status: number): void {
    if (this.#entry !== undefined) this.#entry.status = status;
  }
}
