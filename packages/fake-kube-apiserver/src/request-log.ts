// The request log tests inspect (method, path, query, status, content type). Bounded so a long demo
// run does not grow without limit.

export interface RequestLogEntry {
  readonly method: string;
  readonly path: string;
  /** The raw query string without `?` ("" when absent). */
  readonly query: string;
  /** HTTP status sent; 0 while the response has not started. */
  status: number;
  /** The request's Content-Type header ("" when absent). */
  readonly contentType: string;
  readonly accept: string;
  readonly userAgent: string;
  readonly watch: boolean;
  /** The request carried the server's bearer token (false: anonymous). */
  readonly authenticated: boolean;
  /** Epoch milliseconds when the request arrived. */
  readonly time: number;
}

export class RequestLog {
  readonly #entries: RequestLogEntry[] = [];
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  add(entry: RequestLogEntry): RequestLogEntry {
    this.#entries.push(entry);
    if (this.#entries.length > this.#limit) this.#entries.shift();
    return entry;
  }

  entries(): RequestLogEntry[] {
    return this.#entries.map((entry) => ({ ...entry }));
  }

  clear(): void {
    this.#entries.length = 0;
  }
}
