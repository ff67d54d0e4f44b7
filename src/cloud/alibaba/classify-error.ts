// The one place that turns what the Alibaba SDK throws (and per-entry FailedCodes of batch calls)
// into a CloudError with a stable code, a kind and a retry verdict. Nothing else in the project
// looks at SDK error names, HTTP statuses or messages. Codes, kinds and
// retry verdicts are listed in docs/cloud-adapter.md (Retries).
import { scrubSecrets } from "../../observability/secret-scrubber.js";
import { CloudError, type CloudErrorKind } from "../errors.js";
import { DEFAULTS } from "../../defaults.js";

// The project's one secret scrubber (observability/secret-scrubber.ts), re-exported for the adapter.
export { scrubSecrets };

export interface ClassifyContext {
  /** API action being called, e.g. "CreateRouteEntries". */
  readonly action?: string | undefined;
  /** Secret strings (AccessKey secret, STS token) that must never appear in a message. */
  readonly secrets?: readonly string[] | undefined;
}

interface CodeRule {
  readonly kind: CloudErrorKind;
  readonly retryable: boolean;
  /** Plain statement of the problem, shown before the code and the API's own message. */
  readonly summary: string;
}

const CREDENTIAL_HINT =
  "check ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET or the cloud-config accessKeyID/accessKeySecret";

const rule = (kind: CloudErrorKind, retryable: boolean, summary: string): CodeRule => ({ kind, retryable, summary });

const THROTTLED = rule("throttled", true, "the API rate limit was hit (request denied by flow control)");
const CONFLICT = rule("conflict", true, "another change is in progress in the VPC");
const SERVER = rule("server", true, "the VPC API failed on its side");
const ALREADY = rule("invalid", false, "the route entry already exists");
const MISSING_ENTRY = rule("not-found", false, "the route entry does not exist");
const BAD_CIDR = rule("invalid", false, "the destination CIDR block was rejected (malformed, overlapping a vSwitch, or inside 100.64.0.0/10)");
const BAD_PARAM = rule("invalid", false, "the request was rejected as invalid");
const BAD_HOP = rule("invalid", false, "the next hop was rejected (wrong type, unknown instance, or not in this VPC)");
const NOT_FOUND = rule("not-found", false, "a resource named in the request does not exist");
const AK_REJECTED = rule("credentials", false, `the Alibaba Cloud AccessKey was rejected: ${CREDENTIAL_HINT}`);
const PERMISSION = rule("permission", false, "the RAM identity lacks permission for this VPC action (see docs/cloud-adapter.md for the policy)");

/**
 * What the SDK's default credential chain needs, source by source, in its order. Said instead of
 * the chain's own dump (each provider's failure, ending in a request to https://undefined/).
 */
const NO_CREDENTIALS = rule(
  "credentials",
  false,
  "no Alibaba Cloud credentials found; the SDK's default chain tried, in order, and found none of: " +
    "(1) ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (or accessKeyID/accessKeySecret in --cloud-config); " +
    "(2) RRSA: ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE; " +
    "(3) an aliyun CLI profile in ~/.aliyun/config.json; (4) a profile in ~/.alibabacloud/credentials; " +
    "(5) the ECS instance RAM role (ALIBABA_CLOUD_ECS_METADATA=<role name>; off with ALIBABA_CLOUD_ECS_METADATA_DISABLED=true); " +
    "(6) a credentials server at ALIBABA_CLOUD_CREDENTIALS_URI. Set up one of them (docs/install.md, docs/rrsa.md)",
);

/** Errors of the SDK told apart only by their message (no code), in order. */
const MESSAGE_RULES: readonly { readonly pattern: RegExp; readonly code: string; readonly rule: CodeRule; readonly keepDetail: boolean }[] = [
  { pattern: /unable to get credentials from any of the providers in the chain/, code: "NoCredentials", rule: NO_CREDENTIALS, keepDetail: false },
  {
    pattern: /RegionId is empty/,
    code: "InvalidEndpoint",
    rule: rule("invalid", false, "no VPC endpoint could be derived: set the region or --vpc-endpoint"),
    keepDetail: true,
  },
  {
    pattern: /is mismatch, expect/,
    code: "MalformedResponse",
    rule: rule("unknown", false, "the VPC API answered with a response the SDK could not read"),
    keepDetail: true,
  },
];

/** The VPC API's documented error codes (plus per-item FailedCodes), by exact match. */
const CODE_RULES: ReadonlyMap<string, CodeRule> = new Map<string, CodeRule>([
  ["Throttling", THROTTLED],
  ["Throttling.User", THROTTLED],
  ["Throttling.Api", THROTTLED],
  ["TaskConflict", CONFLICT],
  ["OperationConflict", CONFLICT],
  ["IncorrectRouteEntryStatus", CONFLICT],
  ["IncorrcetRouteEntryStatus", CONFLICT],
  ["IncorrectStatus.RouteTableStatus", CONFLICT],
  ["IncorrectVpcStatus", CONFLICT],
  ["IncorrectVSwitchStatus", CONFLICT],
  ["OperationFailed.DistibuteLock", CONFLICT],
  ["LastTokenProcessing", CONFLICT],
  ["VPC_ROUTE_ENTRY_STATUS_ERROR", rule("conflict", true, "the route entry is in a middle status (being created or changed)")],
  ["InternalError", SERVER],
  ["Internal.Error", SERVER],
  ["VPC.ERROR", SERVER],
  ["Vpc.Error", SERVER],
  ["SystemBusy", SERVER],
  ["ServiceUnavailable", SERVER],
  ["InvalidCIDRBlock.Duplicate", ALREADY],
  ["InvalidRouteEntry.Duplicate", ALREADY],
  ["RouterEntryConflict.Duplicated", ALREADY],
  ["RouteConflict.AlreadyExist", ALREADY],
  ["VPC_ROUTE_ENTRY_CIDR_BLOCK_DUPLICATE", ALREADY],
  ["InvalidRouteEntry.NotFound", MISSING_ENTRY],
  ["InvalidRouteEntryId.NotFound", MISSING_ENTRY],
  ["InvalidRouteEntry", MISSING_ENTRY],
  ["VPC_ROUTER_ENTRY_NOT_EXIST", MISSING_ENTRY],
  ["QuotaExceeded", rule("quota", false, `the route table is full (custom route entry quota exceeded, ${DEFAULTS.routeTableQuota} by default); raise the quota or remove routes`)],
  ["InvalidCidrBlock.Malformed", BAD_CIDR],
  ["InvalidCidrBlock", BAD_CIDR],
  ["IllegalParam.CidrBlock", BAD_CIDR],
  ["InvalidDestinationCidrBlock", BAD_CIDR],
  ["OperationDenied", rule("invalid", false, "the operation is not allowed on this route entry (e.g. a system route)")],
  ["MissingParameter", BAD_PARAM],
  ["MissingParam.RouteTableId", BAD_PARAM],
  ["IllegalParam.NextToken", BAD_PARAM],
  ["InvalidParameter", BAD_PARAM],
  ["InvalidNextHopType", BAD_HOP],
  ["InvalidNextHop.NotFound", BAD_HOP],
  ["IllegalParam.NextHopId", BAD_HOP],
  ["OperationFailed.InvalidNexthop", BAD_HOP],
  ["InvalidRouteTableId.NotFound", rule("not-found", false, "the route table does not exist (check --route-table-ids / routeTableIDs and the region)")],
  ["InvalidNextHopId.NotFound", BAD_HOP],
  ["InvalidInstanId.NotFound", BAD_HOP],
  ["InvalidInstanceId.NotFound", BAD_HOP],
  ["InvalidVpcId.NotFound", rule("not-found", false, "the VPC does not exist (check --vpc-id / vpcid and the region)")],
  ["DryRunOperation", rule("invalid", false, "the request passed validation with DryRun set (nothing was changed)")],
  ["InvalidAccessKeyId.NotFound", AK_REJECTED],
  ["InvalidAccessKeyId", AK_REJECTED],
  ["InvalidAccessKeyId.Inactive", rule("credentials", false, `the Alibaba Cloud AccessKey is disabled: ${CREDENTIAL_HINT}`)],
  ["SignatureDoesNotMatch", AK_REJECTED],
  ["IncompleteSignature", AK_REJECTED],
  ["InvalidSecurityToken.Expired", rule("credentials", false, "the STS security token has expired; refresh ALIBABA_CLOUD_SECURITY_TOKEN or use a refreshing credential source (RRSA, ECS RAM role)")],
  ["InvalidSecurityToken.Malformed", rule("credentials", false, "the STS security token was rejected; check ALIBABA_CLOUD_SECURITY_TOKEN")],
  ["InvalidSecurityToken.MismatchWithAccessKey", rule("credentials", false, "the STS security token does not belong to the AccessKey; check ALIBABA_CLOUD_SECURITY_TOKEN")],
  ["InvalidTimeStamp.Expired", rule("credentials", false, "the request timestamp was rejected: the local clock is off by more than 15 minutes (fix NTP)")],
  ["SignatureNonceUsed", rule("credentials", false, "the request signature nonce was reused (replay protection)")],
  ["InvalidCredentials", rule("credentials", false, `no Alibaba Cloud credentials are available: ${CREDENTIAL_HINT}, or configure RRSA / an ECS RAM role`)],
  ["NoPermission", PERMISSION],
  ["Forbidden", PERMISSION],
  ["Forbidden.RAM", PERMISSION],
  ["Forbidden.NoPermission", PERMISSION],
]);

/** Prefix rules for code families whose members are not all listed. */
function ruleByPrefix(code: string): CodeRule | undefined {
  if (code.includes("Throttling")) return THROTTLED;
  if (code.startsWith("Forbidden") || code.startsWith("NoPermission")) return PERMISSION;
  if (code.startsWith("QuotaExceeded")) return CODE_RULES.get("QuotaExceeded");
  if (code.startsWith("InvalidAccessKeyId")) return AK_REJECTED;
  if (code.startsWith("InvalidSecurityToken")) return CODE_RULES.get("InvalidSecurityToken.Malformed");
  return undefined;
}

/** Codes meaning "the entry already exists": success only once the entry's next hop is checked. */
export function isAlreadyExistsCode(code: string): boolean {
  return CODE_RULES.get(code) === ALREADY;
}

/** Codes meaning "the entry does not exist": a delete is done once the entry is checked gone. */
export function isEntryNotFoundCode(code: string): boolean {
  return CODE_RULES.get(code) === MISSING_ENTRY;
}

/**
 * The "created but still in a middle status" batch item code.
 * @internal exported for tests
 */
export function isMiddleStatusCode(code: string): boolean {
  return code === "VPC_ROUTE_ENTRY_STATUS_ERROR";
}

const UNRESOLVABLE_ENDPOINT = rule(
  "network",
  true,
  "the VPC API's host name does not resolve: check --region (the endpoint is vpc.<region>.aliyuncs.com) and --vpc-endpoint",
);

/** A connection that failed; a host name that does not resolve is most often a region typo. */
function networkRule(code: string): CodeRule {
  return code === "ENOTFOUND" ? UNRESOLVABLE_ENDPOINT : rule("network", true, "the connection to the VPC API failed");
}

const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "EAI_AGAIN",
  "ENOTFOUND",
  "UND_ERR_SOCKET",
]);

/** Classifies a per-entry FailedCode of a CreateRouteEntries/DeleteRouteEntries HTTP-200 response. */
export function classifyFailedCode(
  failedCode: string | undefined,
  failedMessage: string | undefined,
  context: ClassifyContext & { readonly requestId?: string | undefined } = {},
): CloudError {
  const code = failedCode !== undefined && failedCode !== "" ? failedCode : "Unknown";
  const found = CODE_RULES.get(code) ?? ruleByPrefix(code);
  const r = found ?? rule("unknown", false, "the VPC API refused this route entry");
  const detail = failedMessage !== undefined && failedMessage !== "" ? `: ${failedMessage}` : "";
  const message = scrubSecrets(`${prefix(context.action)}${r.summary} (${code}${detail})`, context.secrets);
  return new CloudError(message, {
    code,
    kind: r.kind,
    retryable: r.retryable,
    requestId: context.requestId,
    action: context.action,
  });
}

/** Classifies anything thrown by an SDK call (or by our own deadline / abort wrappers). */
export function classifyError(error: unknown, context: ClassifyContext = {}): CloudError {
  if (error instanceof CloudError) return error;
  const e = asRecord(error);
  const name = typeof e["name"] === "string" ? e["name"] : "";
  // The SDK glues the socket error to the request line ("…127.0.0.1:1POST http://…"): separate them.
  const rawMessage = (typeof e["message"] === "string" ? e["message"] : String(error)).replace(
    /(\S)((?:GET|POST) https?:\/\/)/,
    "$1; $2",
  );
  const code = typeof e["code"] === "string" ? e["code"] : undefined;
  const statusCode = typeof e["statusCode"] === "number" ? e["statusCode"] : undefined;
  const requestId = requestIdOf(e);
  const retryAfterMs = typeof e["retryAfter"] === "number" && e["retryAfter"] > 0 ? e["retryAfter"] : undefined;
  const apiMessage = apiMessageOf(e);
  const build = (c: string, r: CodeRule, detail: string | undefined, httpStatus?: number): CloudError => {
    const parts = [c, detail, requestId !== undefined ? `request id ${requestId}` : undefined].filter(
      (p): p is string => p !== undefined && p !== "",
    );
    const message = scrubSecrets(`${prefix(context.action)}${r.summary} (${parts.join(", ")})`, context.secrets);
    return new CloudError(message, {
      code: c,
      kind: r.kind,
      retryable: r.retryable,
      requestId,
      httpStatus,
      retryAfterMs,
      action: context.action,
      cause: error,
    });
  };

  if (name === "AbortError" || code === "ABORT_ERR") {
    return build("Aborted", rule("aborted", false, "the call was aborted"), undefined);
  }
  const isApiError =
    e["isAlibabaCloudError"] === true ||
    e["isResponseError"] === true ||
    name === "ThrottlingError" ||
    name === "ClientError" ||
    name === "ServerError" ||
    (code !== undefined && statusCode !== undefined);
  if (isApiError && code !== undefined && !NETWORK_CODES.has(code)) {
    const known = CODE_RULES.get(code) ?? ruleByPrefix(code);
    if (known !== undefined) return build(code, known, apiMessage, statusCode);
    if (name === "ThrottlingError") return build(code, THROTTLED, apiMessage, statusCode);
    if (statusCode !== undefined && statusCode >= 500) return build(code, SERVER, apiMessage, statusCode);
    if (statusCode === 401) return build(code, AK_REJECTED, apiMessage, statusCode);
    if (statusCode === 403) return build(code, PERMISSION, apiMessage, statusCode);
    if (statusCode === 429) return build(code, THROTTLED, apiMessage, statusCode);
    if (statusCode === 404) return build(code, NOT_FOUND, apiMessage, statusCode);
    return build(code, rule("unknown", false, "the VPC API rejected the request"), apiMessage, statusCode);
  }
  if (code !== undefined && NETWORK_CODES.has(code)) {
    return build(code, networkRule(code), rawMessage);
  }
  if (name === "RequestTimeoutError" || /^(ReadTimeout|ConnectTimeout)\b/.test(rawMessage) || code === "CallDeadlineExceeded") {
    const c = code === "CallDeadlineExceeded" ? code : rawMessage.startsWith("ConnectTimeout") ? "ConnectTimeout" : "ReadTimeout";
    return build(c, rule("network", true, "the call to the VPC API timed out"), rawMessage);
  }
  if (name === "SyntaxError") {
    return build("UnparsableResponse", rule("network", true, "the VPC API answered with a body that is not JSON (gateway error page or empty body)"), rawMessage);
  }
  if (/socket hang up|ECONNRESET|other side closed/i.test(rawMessage)) {
    return build("ECONNRESET", rule("network", true, "the connection to the VPC API failed"), rawMessage);
  }
  const byMessage = MESSAGE_RULES.find((m) => m.pattern.test(rawMessage));
  if (byMessage !== undefined) return build(byMessage.code, byMessage.rule, byMessage.keepDetail ? rawMessage : undefined);
  return build(code ?? "Unknown", rule("unknown", false, "the call to the VPC API failed unexpectedly"), rawMessage);
}

function prefix(action: string | undefined): string {
  return action !== undefined ? `${action}: ` : "";
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

function requestIdOf(e: Record<string, unknown>): string | undefined {
  if (typeof e["requestId"] === "string" && e["requestId"] !== "") return e["requestId"];
  const data = asRecord(e["data"]);
  const fromData = data["RequestId"] ?? data["requestId"];
  return typeof fromData === "string" && fromData !== "" ? fromData : undefined;
}

/** The API's own message text (from the parsed error body), without the SDK's decorations. */
function apiMessageOf(e: Record<string, unknown>): string | undefined {
  const data = asRecord(e["data"]);
  const fromData = data["Message"] ?? data["message"];
  if (typeof fromData === "string" && fromData !== "") return fromData;
  return undefined;
}
