// zod schemas turning one raw string (from a flag, an environment variable or the cloud-config)
// into a typed value. Each failure message is the "expected …" half of a ConfigError line; the
// caller adds which flag or variable supplied the value.

import { z } from "zod";
import { isDefaultRoute, parseCidr, type Cidr } from "../domain/cidr.js";
import { isClusterUid } from "../domain/ownership.js";
import { BindAddressError, parseBindAddress } from "../observability/bind-address.js";
import { isLoopbackHost } from "../util/loopback-host.js";
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel, type MaxDeletions, type VpcEndpoint } from "./types.js";

/** A schema from the raw text of one value to its typed form. */
export type ValueSchema<T> = z.ZodType<T, string>;

class Rejected {
  constructor(readonly message: string) {}
}

/**
 * Builds a schema from a parse function; `parse` returns a Rejected for bad input so that the
 * specific reason (e.g. the canonical spelling of a CIDR) reaches the user.
 */
function custom<T>(parse: (raw: string) => T | Rejected): ValueSchema<T> {
  return z.string().transform((raw, ctx) => {
    const result = parse(raw);
    if (result instanceof Rejected) {
      ctx.addIssue({ code: "custom", message: result.message });
      return z.NEVER;
    }
    return result;
  });
}

const reject = (message: string): Rejected => new Rejected(message);

/** The first issue's message, for ConfigError lines. */
export function firstIssue(error: z.ZodError): string {
  return error.issues[0]?.message ?? "invalid value";
}

export const booleanValue: ValueSchema<boolean> = custom((raw) => {
  const value = raw.trim().toLowerCase();
  if (["true", "1", "yes", "on"].includes(value)) return true;
  if (["false", "0", "no", "off"].includes(value)) return false;
  return reject("expected true or false");
});

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION_EXPECTED = "expected a duration such as 500ms, 10s, 5m or 1h (or a sum like 1m30s)";

/** Go-style durations: one or more `<number><unit>` parts with unit ms, s, m or h. */
export const durationMs: ValueSchema<number> = custom((raw) => {
  const text = raw.trim();
  if (text === "0") return 0;
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(text)) return reject(DURATION_EXPECTED);
  let total = 0;
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(match[1]) * (DURATION_UNITS_MS[match[2] ?? ""] ?? Number.NaN);
  }
  if (!Number.isFinite(total) || total > 7 * 24 * 3_600_000) return reject(`${DURATION_EXPECTED}, at most 168h`);
  return Math.round(total);
});

/** `durationMs` with a lower bound, for messages like "at least 5s". */
export function durationAtLeast(minMs: number, minText: string): ValueSchema<number> {
  return durationMs.pipe(
    z.number().min(minMs, `expected a duration of at least ${minText} (e.g. 30s, 5m)`),
  );
}

/** `durationMs` that is 0 (off) or at least `minMs`. */
export function durationOffOrAtLeast(minMs: number, minText: string): ValueSchema<number> {
  return durationMs.pipe(z.number().refine((ms) => ms === 0 || ms >= minMs, `expected 0 (off) or a duration of at least ${minText} (e.g. 10m)`));
}

export const apiQps: ValueSchema<number> = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?$/, "expected a number greater than 0 and at most 100")
  .transform(Number)
  .pipe(
    z
      .number()
      .gt(0, "expected a number greater than 0 and at most 100")
      .lte(100, "expected a number greater than 0 and at most 100"),
  );

export function integerBetween(min: number, max: number, what = "an integer"): ValueSchema<number> {
  const expected = `expected ${what} between ${min} and ${max}`;
  return z
    .string()
    .trim()
    .regex(/^\d+$/, expected)
    .transform(Number)
    .pipe(z.number().int().min(min, expected).max(max, expected));
}

export const maxDeletions: ValueSchema<MaxDeletions> = custom((raw) => {
  const text = raw.trim();
  const expected = "expected a number of routes (e.g. 10) or a percentage of the owned routes (e.g. 25%)";
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    return Number.isSafeInteger(value) ? { kind: "count", value } : reject(expected);
  }
  if (/^\d+(\.\d+)?%$/.test(text)) {
    const value = Number(text.slice(0, -1));
    return value <= 100 ? { kind: "percent", value } : reject("expected a percentage between 0% and 100%");
  }
  return reject(expected);
});

export const logLevel: ValueSchema<LogLevel> = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(LOG_LEVELS as unknown as [LogLevel, ...LogLevel[]], `expected one of ${LOG_LEVELS.join(", ")}`));

export const logFormat: ValueSchema<LogFormat> = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(LOG_FORMATS as unknown as [LogFormat, ...LogFormat[]], "expected json or text"));

export const outputFormat = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(["text", "json"], "expected text or json"));

/** `--vpc-endpoint-type`: the VPC-internal endpoint or the public one. */
export const vpcEndpointType = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(["vpc", "public"], "expected vpc or public"));

/** Region ids such as cn-hangzhou, ap-southeast-1, cn-shanghai-finance-1. */
export const regionId: ValueSchema<string> = z
  .string()
  .trim()
  .regex(/^[a-z]{2,}(-[a-z0-9]+){1,4}$/, "expected a region id such as cn-hangzhou or ap-southeast-1")
  .max(64, "expected a region id such as cn-hangzhou or ap-southeast-1");

export const vpcId: ValueSchema<string> = z
  .string()
  .trim()
  .regex(/^vpc-[a-z0-9]{1,60}$/, "expected a VPC id such as vpc-bp1qpo0kug3a20qqe0z2b");

export const routeTableId: ValueSchema<string> = z
  .string()
  .trim()
  .regex(/^vtb-[a-z0-9]{1,60}$/, "expected route table ids such as vtb-bp145q7glnuzdvzu2xxxx");

/** `--approve-deletions` item: `all`, a route entry id, or a destination CIDR (canonical spelling). */
export const approvedDeletion: ValueSchema<string> = custom((raw) => {
  const text = raw.trim();
  if (text === "all" || /^rte-[a-z0-9]{1,60}$/.test(text)) return text;
  const parsed = parseCidr(text);
  if (parsed.ok) return parsed.cidr.text;
  return reject("expected all, a route entry id such as rte-bp1xxxx, or a destination CIDR such as 10.244.3.0/24");
});

/** `--cluster-uid`: a Kubernetes UID (the kube-system namespace's), written into route markers. */
export const clusterUid: ValueSchema<string> = custom((raw) => {
  const text = raw.trim().toLowerCase();
  if (isClusterUid(text)) return text;
  return reject("expected the kube-system namespace UID, e.g. 0b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d (kubectl get namespace kube-system -o jsonpath='{.metadata.uid}')");
});

/** A DNS label: it ends up in route entry names and descriptions as the ownership marker. */
export const clusterName: ValueSchema<string> = z
  .string()
  .trim()
  .regex(
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
    "expected 1-63 lower-case letters, digits or '-', starting and ending with a letter or digit",
  );

export const kubernetesNamespace: ValueSchema<string> = clusterName;

/** A Lease name: a DNS subdomain. */
export const leaseName: ValueSchema<string> = z
  .string()
  .trim()
  .max(253, "expected a DNS subdomain of at most 253 characters")
  .regex(
    /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/,
    "expected a DNS subdomain (lower-case letters, digits, '-' and '.')",
  );

export const identity: ValueSchema<string> = z
  .string()
  .trim()
  .min(1, "expected a non-empty identity")
  .max(128, "expected at most 128 characters")
  .regex(/^[\x21-\x7e]+$/, "expected printable characters without spaces");

export const path: ValueSchema<string> = z.string().min(1, "expected a file path");

/**
 * Parsed by the same parser the planner uses for pod CIDRs, and required to be spelled
 * canonically so that what the user wrote is exactly what logs and plans show. The typed value is
 * passed down as is; in JSON (a serialized Config) it shows as its text.
 */
export const clusterCidr: ValueSchema<Cidr> = custom((raw) => {
  const text = raw.trim();
  const parsed = parseCidr(text);
  if (!parsed.ok) return reject(`expected a network CIDR such as 10.244.0.0/16 or fd00:10:244::/56 (${parsed.message})`);
  if (parsed.cidr.text !== text) return reject(`expected the canonical spelling ${parsed.cidr.text}`);
  // A pod network of the whole address space would let any Node's pod CIDR through the rails.
  if (isDefaultRoute(parsed.cidr)) return reject("expected the pod network, not the whole address space (a default route)");
  return Object.defineProperty({ ...parsed.cidr }, "toJSON", { value: () => parsed.cidr.text, enumerable: false });
});

const ENDPOINT_EXPECTED =
  "expected a host name or URL such as vpc-vpc.cn-shanghai.aliyuncs.com or http://127.0.0.1:8080";

export const vpcEndpoint: ValueSchema<VpcEndpoint> = custom((raw) => {
  const text = raw.trim();
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
  let url: URL;
  try {
    url = new URL(hasScheme ? text : `https://${text}`);
  } catch {
    return reject(ENDPOINT_EXPECTED);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return reject(`${ENDPOINT_EXPECTED} (only http and https)`);
  }
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "" || url.pathname !== "/") {
    return reject(`${ENDPOINT_EXPECTED} (no path, query or user info)`);
  }
  if (url.hostname === "" || (!hasScheme && text.includes("/"))) return reject(ENDPOINT_EXPECTED);
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    return reject(
      "expected https: plain http is allowed only to loopback (127.0.0.0/8, ::1, localhost), since the AccessKey signature and the STS token would cross the network in clear text",
    );
  }
  return { host: url.host, protocol: url.protocol === "http:" ? "http" : "https" };
});

const BIND_EXPECTED = "expected [host]:port such as :8081, 0.0.0.0:8081 or [::]:8081";

/** `[host]:port` as Go's net.Listen takes it; returns the text unchanged. */
export const bindAddress: ValueSchema<string> = custom((raw) => {
  const text = raw.trim();
  try {
    parseBindAddress(text);
  } catch (error) {
    return reject(error instanceof BindAddressError ? `${BIND_EXPECTED} (${problemOf(error)})` : BIND_EXPECTED);
  }
  return text;
});

/** The problem part of a BindAddressError, without the repeated value and format hint. */
function problemOf(error: BindAddressError): string {
  return error.message.replace(/^invalid bind address "(?:[^"\\]|\\.)*": /, "").replace(/ \(expected .*\)$/, "");
}

/** `bindAddress`, or "0" which disables the listener (undefined). */
export const optionalBindAddress: ValueSchema<string | undefined> = custom((raw) => {
  if (raw.trim() === "0") return undefined;
  const result = bindAddress.safeParse(raw);
  return result.success ? result.data : reject(`${BIND_EXPECTED}, or 0 to disable`);
});
