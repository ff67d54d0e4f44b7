// Server-side verification of the two request signatures the Alibaba SDK produces: ACS3-HMAC-SHA256
// (the default) and the legacy v1 HMAC-SHA1 (config.signatureAlgorithm 'v2'). Rebuilt from the
// decoded request exactly as the SDK builds it, so any mismatch (wrong secret, a parameter changed
// in flight) is detected. Replay checks (timestamp window, nonce reuse) live in ReplayGuard.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { apiErrors } from "./api-error.ts";

export interface KeyRecord {
  readonly secret: string;
  readonly securityToken?: string | undefined;
  /**
   * The RAM policy of this key, as the actions it may call (e.g. ["DescribeRouteTableList",
   * "DescribeRouteEntryList"] for a read-only key). Anything else answers 403 Forbidden.RAM, also
   * with DryRun=true. @default every action
   */
  readonly allowedActions?: readonly string[] | undefined;
}

export interface VerifiedCaller {
  readonly algorithm: "ACS3-HMAC-SHA256" | "HMAC-SHA1";
  readonly accessKeyId: string;
  /** x-acs-date or Timestamp, as sent. */
  readonly timestamp: string;
  readonly nonce: string;
}

/** RFC 3986 encoding as the SDK does it: encodeURIComponent plus ! ' ( ) *. */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalPairs(params: ReadonlyArray<readonly [string, string]>): string {
  return params
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.map((v) => v.trim()).sort().join(",") : value.trim();
}

const ACS3_PATTERN = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)$/;
const ACS3_REQUIRED_HEADERS = [
  "host",
  "x-acs-action",
  "x-acs-version",
  "x-acs-date",
  "x-acs-signature-nonce",
  "x-acs-content-sha256",
];

function checkSecurityToken(key: KeyRecord, sent: string | undefined): void {
  if (key.securityToken === undefined) {
    if (sent !== undefined && sent !== "") throw apiErrors.securityTokenMismatch();
    return;
  }
  if (sent === undefined || sent === "") throw apiErrors.missingSecurityToken();
  if (!safeEqual(sent, key.securityToken)) throw apiErrors.securityTokenMismatch();
}

/**
 * Verifies an ACS3-HMAC-SHA256 request. `queryPairs` are the decoded query parameters (never the raw
 * wire text: Node's querystring leaves !'()* unencoded while the canonical form encodes them).
 */
export function verifyAcs3(
  method: string,
  path: string,
  queryPairs: ReadonlyArray<readonly [string, string]>,
  headers: IncomingHttpHeaders,
  body: Buffer,
  keys: ReadonlyMap<string, KeyRecord>,
): VerifiedCaller {
  const authorization = headerValue(headers, "authorization") ?? "";
  const match = ACS3_PATTERN.exec(authorization);
  if (!match) throw apiErrors.incompleteSignature("the Authorization header is not ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…");
  const [, accessKeyId = "", signedHeaderList = "", signature = ""] = match;
  const key = keys.get(accessKeyId);
  if (!key) throw apiErrors.accessKeyNotFound();

  const signedHeaders = signedHeaderList.split(";").map((h) => h.toLowerCase()).sort();
  for (const required of ACS3_REQUIRED_HEADERS) {
    if (!signedHeaders.includes(required)) throw apiErrors.incompleteSignature(`header "${required}" is not signed`);
  }
  const hashedPayload = createHash("sha256").update(body).digest("hex");
  if (headerValue(headers, "x-acs-content-sha256") !== hashedPayload) throw apiErrors.signatureMismatch();

  let canonicalHeaders = "";
  for (const name of signedHeaders) {
    const value = headerValue(headers, name);
    if (value === undefined) throw apiErrors.incompleteSignature(`signed header "${name}" is missing`);
    canonicalHeaders += `${name}:${value}\n`;
  }
  const canonicalRequest = [
    method,
    path,
    canonicalPairs(queryPairs),
    canonicalHeaders,
    signedHeaders.join(";"),
    hashedPayload,
  ].join("\n");
  const stringToSign = `ACS3-HMAC-SHA256\n${createHash("sha256").update(canonicalRequest).digest("hex")}`;
  const expected = createHmac("sha256", key.secret).update(stringToSign).digest("hex");
  if (!safeEqual(expected, signature)) throw apiErrors.signatureMismatch();
  checkSecurityToken(key, headerValue(headers, "x-acs-security-token"));
  return {
    algorithm: "ACS3-HMAC-SHA256",
    accessKeyId,
    timestamp: headerValue(headers, "x-acs-date") ?? "",
    nonce: headerValue(headers, "x-acs-signature-nonce") ?? "",
  };
}

/** Verifies a v1 (HMAC-SHA1) request; `params` are all decoded parameters (query and form body). */
export function verifyV1(
  method: string,
  params: ReadonlyArray<readonly [string, string]>,
  keys: ReadonlyMap<string, KeyRecord>,
): VerifiedCaller {
  const get = (name: string): string | undefined => params.find(([k]) => k === name)?.[1];
  const signature = get("Signature");
  const accessKeyId = get("AccessKeyId");
  if (signature === undefined || accessKeyId === undefined) {
    throw apiErrors.incompleteSignature("Signature and AccessKeyId are required");
  }
  if (get("SignatureMethod") !== "HMAC-SHA1" || get("SignatureVersion") !== "1.0") {
    throw apiErrors.incompleteSignature("SignatureMethod must be HMAC-SHA1 and SignatureVersion 1.0");
  }
  const timestamp = get("Timestamp");
  const nonce = get("SignatureNonce");
  if (timestamp === undefined || nonce === undefined) {
    throw apiErrors.incompleteSignature("Timestamp and SignatureNonce are required");
  }
  const key = keys.get(accessKeyId);
  if (!key) throw apiErrors.accessKeyNotFound();
  const canonical = canonicalPairs(params.filter(([k]) => k !== "Signature"));
  const stringToSign = `${method}&${rfc3986("/")}&${rfc3986(canonical)}`;
  const expected = createHmac("sha1", `${key.secret}&`).update(stringToSign).digest("base64");
  if (!safeEqual(expected, signature)) throw apiErrors.signatureMismatch();
  checkSecurityToken(key, get("SecurityToken"));
  return { algorithm: "HMAC-SHA1", accessKeyId, timestamp, nonce };
}

/** Replay protection: timestamps within a window of the wall clock, and each nonce used once. */
export class ReplayGuard {
  readonly #windowMs: number;
  readonly #wallClock: () => number;
  readonly #nonces = new Map<string, number>();

  constructor(windowMs: number, wallClock: () => number) {
    this.#windowMs = windowMs;
    this.#wallClock = wallClock;
  }

  check(caller: VerifiedCaller): void {
    const now = this.#wallClock();
    const sent = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(caller.timestamp) ? Date.parse(caller.timestamp) : NaN;
    if (Number.isNaN(sent) || Math.abs(now - sent) > this.#windowMs) throw apiErrors.timestampExpired(caller.timestamp);
    for (const [nonce, seenAt] of this.#nonces) {
      if (now - seenAt <= this.#windowMs) break; // insertion order = time order
      this.#nonces.delete(nonce);
    }
    const nonceKey = `${caller.accessKeyId}/${caller.nonce}`;
    if (caller.nonce === "" || this.#nonces.has(nonceKey)) throw apiErrors.nonceUsed();
    this.#nonces.set(nonceKey, now);
  }
}
