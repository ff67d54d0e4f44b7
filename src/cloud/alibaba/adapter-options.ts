// Options of the Alibaba route table adapter: the documented option type and its defaults, resolved
// and validated once, so the rest of the adapter reads plain numbers.
import pino, { type Logger } from "pino";
import type { CredentialSource } from "../credential-source.js";
import { NO_OBSERVER, type CloudCallObserver } from "../observer.js";
import type { AlibabaCredential } from "./credentials.js";
import { resolveRetryOptions, type RetryOptions } from "./retry-policy.js";
import { realTimers, type Timers } from "../../util/timers.js";
import { DEFAULTS } from "../../defaults.js";

export interface AlibabaRouteTableOptions {
  readonly regionId: string;
  /** "http://127.0.0.1:1234", "127.0.0.1:1234" or "vpc-vpc.cn-shanghai.aliyuncs.com"; absent = the SDK's endpoint for the region. */
  readonly endpoint?: string | undefined;
  /** Where credentials come from, or a ready Credential (then secrets cannot be scrubbed by value). */
  readonly credential: CredentialSource | AlibabaCredential;
  /** API calls per second across this adapter. @default DEFAULTS.apiQps */
  readonly qps?: number | undefined;
  /** Concurrent read calls. @default 2 */
  readonly readConcurrency?: number | undefined;
  /** SDK socket connect/inactivity timeout. @default DEFAULTS.connectTimeoutMs */
  readonly connectTimeoutMs?: number | undefined;
  /** SDK read timeout. @default DEFAULTS.readTimeoutMs */
  readonly readTimeoutMs?: number | undefined;
  /** Outer deadline of one HTTP call (the SDK's read timer is unreliable). @default connect + read timeout */
  readonly callDeadlineMs?: number | undefined;
  /** How long to wait for written entries to become Available (or gone). @default 120000 */
  readonly writeDeadlineMs?: number | undefined;
  /** Longest wait between two reads while waiting for entries to settle. @default 1000 */
  readonly pollIntervalMs?: number | undefined;
  /** First wait after a write before the first confirmation read, before the adapter has learned how long entries stay Pending. @default 100 */
  readonly firstPollMs?: number | undefined;
  readonly retry?: Partial<RetryOptions> | undefined;
  /** Also list IPv6 entries with an explicit `IpVersion=ipv6` read: set it when IPv6 routes are desired (an omitted IpVersion may mean IPv4 only). @default false */
  readonly listIpv6?: boolean | undefined;
  readonly observer?: CloudCallObserver | undefined;
  readonly logger?: Logger | undefined;
  /** Clock, waits and backoff jitter. @default realTimers */
  readonly timers?: Timers | undefined;
  readonly userAgent?: string | undefined;
}

/** The options with every default applied. */
export interface ResolvedAdapterOptions {
  readonly qps: number;
  readonly readConcurrency: number;
  readonly connectTimeoutMs: number;
  readonly readTimeoutMs: number;
  readonly callDeadlineMs: number;
  readonly writeDeadlineMs: number;
  readonly pollIntervalMs: number;
  readonly firstPollMs: number;
  readonly retry: RetryOptions;
  readonly listIpv6: boolean;
  readonly observer: CloudCallObserver;
  readonly logger: Logger;
  readonly timers: Timers;
}

export function resolveAdapterOptions(options: AlibabaRouteTableOptions): ResolvedAdapterOptions {
  if (typeof options.regionId !== "string" || !/^[a-z]{2}(-[a-z0-9]+)+$/.test(options.regionId)) {
    throw new TypeError(`Alibaba route table: regionId ${JSON.stringify(options.regionId)} is not a region id like "cn-shanghai"`);
  }
  const connectTimeoutMs = positive("connectTimeoutMs", options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs);
  const readTimeoutMs = positive("readTimeoutMs", options.readTimeoutMs ?? DEFAULTS.readTimeoutMs);
  const pollIntervalMs = positive("pollIntervalMs", options.pollIntervalMs ?? 1000);
  return {
    qps: positive("qps", options.qps ?? DEFAULTS.apiQps),
    readConcurrency: Math.floor(positive("readConcurrency", options.readConcurrency ?? 2)),
    connectTimeoutMs,
    readTimeoutMs,
    callDeadlineMs: positive("callDeadlineMs", options.callDeadlineMs ?? connectTimeoutMs + readTimeoutMs),
    writeDeadlineMs: positive("writeDeadlineMs", options.writeDeadlineMs ?? 120_000),
    pollIntervalMs,
    firstPollMs: Math.min(pollIntervalMs, positive("firstPollMs", options.firstPollMs ?? 100)),
    retry: resolveRetryOptions(options.retry),
    listIpv6: options.listIpv6 ?? false,
    observer: options.observer ?? NO_OBSERVER,
    logger: options.logger ?? pino({ level: "silent" }),
    timers: options.timers ?? realTimers,
  };
}

export function isCredentialSource(value: CredentialSource | AlibabaCredential): value is CredentialSource {
  return typeof (value as { kind?: unknown }).kind === "string" && typeof (value as { getCredential?: unknown }).getCredential !== "function";
}

function positive(name: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`Alibaba route table: ${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}
