// Error classification, table-driven over every documented VPC API error code, built as the real SDK
// error classes (@alicloud/openapi-core) and plain Node errors, plus per-entry FailedCodes.
import { ClientError, ServerError, ThrottlingError } from "@alicloud/openapi-core";
import { describe, expect, it } from "vitest";
import {
  classifyError,
  classifyFailedCode,
  isAlreadyExistsCode,
  isEntryNotFoundCode,
  isMiddleStatusCode,
  scrubSecrets,
} from "../../src/cloud/alibaba/classify-error.js";
import { CloudError, type CloudErrorKind } from "../../src/cloud/errors.js";

const R = true;
const F = false;

/** [code, HTTP status, expected kind, retryable] — the documented VPC API error codes. */
const API_CODES: ReadonlyArray<readonly [string, number, CloudErrorKind, boolean]> = [
  ["TaskConflict", 400, "conflict", R],
  ["OperationConflict", 409, "conflict", R],
  ["IncorrectRouteEntryStatus", 400, "conflict", R],
  ["IncorrcetRouteEntryStatus", 400, "conflict", R],
  ["IncorrectStatus.RouteTableStatus", 400, "conflict", R],
  ["IncorrectVpcStatus", 400, "conflict", R],
  ["IncorrectVSwitchStatus", 400, "conflict", R],
  ["OperationFailed.DistibuteLock", 400, "conflict", R],
  ["LastTokenProcessing", 400, "conflict", R],
  ["InternalError", 500, "server", R],
  ["Internal.Error", 500, "server", R],
  ["VPC.ERROR", 500, "server", R],
  ["Vpc.Error", 500, "server", R],
  ["SystemBusy", 503, "server", R],
  ["ServiceUnavailable", 503, "server", R],
  ["SomethingNew", 502, "server", R],
  ["InvalidCIDRBlock.Duplicate", 400, "invalid", F],
  ["InvalidRouteEntry.Duplicate", 400, "invalid", F],
  ["RouterEntryConflict.Duplicated", 400, "invalid", F],
  ["RouteConflict.AlreadyExist", 400, "invalid", F],
  ["InvalidRouteEntry.NotFound", 400, "not-found", F],
  ["InvalidRouteEntryId.NotFound", 400, "not-found", F],
  ["InvalidRouteEntry", 400, "not-found", F],
  ["QuotaExceeded", 400, "quota", F],
  ["QuotaExceeded.RouteEntryNum", 400, "quota", F],
  ["InvalidCidrBlock.Malformed", 400, "invalid", F],
  ["InvalidCidrBlock", 400, "invalid", F],
  ["IllegalParam.CidrBlock", 400, "invalid", F],
  ["InvalidDestinationCidrBlock", 400, "invalid", F],
  ["OperationDenied", 400, "invalid", F],
  ["MissingParameter", 400, "invalid", F],
  ["MissingParam.RouteTableId", 400, "invalid", F],
  ["IllegalParam.NextToken", 400, "invalid", F],
  ["InvalidNextHopType", 400, "invalid", F],
  ["InvalidNextHop.NotFound", 400, "invalid", F],
  ["IllegalParam.NextHopId", 400, "invalid", F],
  ["OperationFailed.InvalidNexthop", 400, "invalid", F],
  ["InvalidRouteTableId.NotFound", 404, "not-found", F],
  ["InvalidNextHopId.NotFound", 404, "invalid", F],
  ["InvalidInstanId.NotFound", 404, "invalid", F],
  ["InvalidVpcId.NotFound", 404, "not-found", F],
  ["DryRunOperation", 400, "invalid", F],
  ["SignatureDoesNotMatch", 400, "credentials", F],
  ["IncompleteSignature", 400, "credentials", F],
  ["InvalidTimeStamp.Expired", 400, "credentials", F],
  ["SignatureNonceUsed", 400, "credentials", F],
  ["InvalidAccessKeyId.NotFound", 404, "credentials", F],
  ["InvalidSecurityToken.Expired", 400, "credentials", F],
  ["Forbidden.RAM", 403, "permission", F],
  ["Forbidden", 403, "permission", F],
  ["NoPermission", 403, "permission", F],
  ["Forbidden.VpcNotAuthorized", 403, "permission", F],
  ["SomeUnknownClientCode", 400, "unknown", F],
];

describe("classifyError: API errors as the SDK throws them", () => {
  it.each(API_CODES)("%s (HTTP %i) -> %s, retryable %s", (code, status, kind, retryable) => {
    const ErrorClass = status >= 500 ? ServerError : ClientError;
    const sdkError = new ErrorClass({
      code,
      statusCode: status,
      message: `${code}: code: ${status}, some message request id: REQ-1`,
      requestId: "REQ-1",
      data: { Code: code, Message: "some message", RequestId: "REQ-1" },
      description: "undefined",
    });
    const error = classifyError(sdkError, { action: "CreateRouteEntries" });
    expect(error).toBeInstanceOf(CloudError);
    expect(error).toMatchObject({ code, kind, retryable, requestId: "REQ-1", httpStatus: status, action: "CreateRouteEntries" });
    expect(error.cause).toBe(sdkError);
    expect(error.message).toMatch(/^CreateRouteEntries: /);
    expect(error.message).toContain(code);
    expect(error.message).toContain("REQ-1");
  });

  it.each(["Throttling.User", "Throttling.Api", "Throttling"])("ThrottlingError %s is retryable and carries retryAfter", (code) => {
    const sdkError = new ThrottlingError({
      code,
      statusCode: 400,
      retryAfter: 250,
      message: `${code}: code: 400, Request was denied due to user flow control. request id: 5C7B`,
      requestId: "5C7B",
      data: { Code: code, Message: "Request was denied due to user flow control.", RequestId: "5C7B" },
    });
    expect(classifyError(sdkError)).toMatchObject({ code, kind: "throttled", retryable: true, retryAfterMs: 250, httpStatus: 400, requestId: "5C7B" });
  });

  it("names the AccessKey problem and where to fix it", () => {
    for (const code of ["InvalidAccessKeyId.NotFound", "SignatureDoesNotMatch"]) {
      const error = classifyError(new ClientError({ code, statusCode: 400, message: code, data: { Code: code, Message: "Specified signature is not matched with our calculation." } }));
      expect(error.message).toContain("the Alibaba Cloud AccessKey was rejected");
      expect(error.message).toContain("ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET");
      expect(error.message).toContain("cloud-config accessKeyID/accessKeySecret");
    }
  });

  it("classifies the SDK's missing-credential error before any I/O", () => {
    const error = classifyError(new ClientError({ code: "InvalidCredentials", message: "Please set up the credentials correctly.", statusCode: undefined }));
    expect(error).toMatchObject({ code: "InvalidCredentials", kind: "credentials", retryable: false });
  });
});

describe("classifyError: transport failures", () => {
  const errno = (code: string): Error => Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code, errno: -1, syscall: "connect" });
  const named = (name: string, message: string): Error => Object.assign(new Error(message), { name });

  it.each([
    ["ECONNRESET", errno("ECONNRESET"), "ECONNRESET"],
    ["ECONNREFUSED", errno("ECONNREFUSED"), "ECONNREFUSED"],
    ["ETIMEDOUT", errno("ETIMEDOUT"), "ETIMEDOUT"],
    ["EPIPE", errno("EPIPE"), "EPIPE"],
    ["RequestTimeoutError", named("RequestTimeoutError", "Timeout"), "ReadTimeout"],
    ["ReadTimeout message", new Error("ReadTimeout(3000). POST / failed."), "ReadTimeout"],
    ["ConnectTimeout message", new Error("ConnectTimeout: Connect 127.0.0.1:1 failed."), "ConnectTimeout"],
    ["socket hang up", new Error("socket hang up"), "ECONNRESET"],
    ["non-JSON gateway body", new SyntaxError("Unexpected token '<', \"<html>\" is not valid JSON"), "UnparsableResponse"],
    ["empty body", new SyntaxError("Unexpected end of JSON input"), "UnparsableResponse"],
    ["our call deadline", Object.assign(new Error("no answer"), { code: "CallDeadlineExceeded" }), "CallDeadlineExceeded"],
  ])("%s is a retryable network error", (_what, raw, code) => {
    expect(classifyError(raw)).toMatchObject({ code, kind: "network", retryable: true });
  });

  it("a host name that does not resolve (a region typo) says to check --region and --vpc-endpoint", () => {
    // What Node's dns.lookup rejects with (errno, code, syscall, hostname), as the SDK passes it on.
    const host = "vpc.cn-hangzho.aliyuncs.com";
    const raw = Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { errno: -3008, code: "ENOTFOUND", syscall: "getaddrinfo", hostname: host });
    const error = classifyError(raw, { action: "DescribeRouteTableList" });
    expect(error).toMatchObject({ code: "ENOTFOUND", kind: "network", retryable: true });
    expect(error.message).toContain("check --region");
    expect(error.message).toContain("--vpc-endpoint");
    expect(error.message).toContain(host);
  });

  it("an AbortError is final and of kind aborted", () => {
    expect(classifyError(new DOMException("aborted", "AbortError"))).toMatchObject({ code: "Aborted", kind: "aborted", retryable: false });
  });

  it("a response shape mismatch is not retried", () => {
    expect(classifyError(new Error("type of routeEntryIds is mismatch, expect array, but object"))).toMatchObject({ kind: "unknown", retryable: false });
  });

  it("passes a CloudError through unchanged", () => {
    const original = new CloudError("x", { code: "X", kind: "server", retryable: true });
    expect(classifyError(original)).toBe(original);
  });
});

describe("classifyFailedCode: per-entry codes of batch responses", () => {
  it.each([
    ["VPC_ROUTE_ENTRY_CIDR_BLOCK_DUPLICATE", "invalid", F],
    ["VPC_ROUTE_ENTRY_STATUS_ERROR", "conflict", R],
    ["VPC_ROUTER_ENTRY_NOT_EXIST", "not-found", F],
    ["QuotaExceeded", "quota", F],
    ["OperationDenied", "invalid", F],
    ["Throttling.User", "throttled", R],
    ["BRAND_NEW_CODE", "unknown", F],
  ] as const)("%s -> %s", (code, kind, retryable) => {
    const error = classifyFailedCode(code, "detail text", { action: "CreateRouteEntries", requestId: "REQ-9" });
    expect(error).toMatchObject({ code, kind, retryable, requestId: "REQ-9" });
    expect(error.message).toContain("detail text");
  });

  it("knows which codes mean 'already there', 'already gone' and 'middle status'", () => {
    expect(["VPC_ROUTE_ENTRY_CIDR_BLOCK_DUPLICATE", "InvalidCIDRBlock.Duplicate", "InvalidRouteEntry.Duplicate"].every(isAlreadyExistsCode)).toBe(true);
    expect(["VPC_ROUTER_ENTRY_NOT_EXIST", "InvalidRouteEntry.NotFound", "InvalidRouteEntryId.NotFound"].every(isEntryNotFoundCode)).toBe(true);
    expect(isMiddleStatusCode("VPC_ROUTE_ENTRY_STATUS_ERROR")).toBe(true);
    expect(isAlreadyExistsCode("QuotaExceeded") || isEntryNotFoundCode("QuotaExceeded")).toBe(false);
  });
});

describe("secrets never reach a message", () => {
  const secret = "s3cr3t-AccessKeySecret-value";
  const token = "CAIS-security-token-value-0123456789";

  it("scrubs known secrets from API messages and transport errors", () => {
    const api = new ClientError({ code: "SignatureDoesNotMatch", statusCode: 400, message: "x", data: { Message: `echo ${secret} and ${token}` } });
    const net = Object.assign(new Error(`connect failed with ${secret}`), { code: "ECONNRESET" });
    for (const raw of [api, net]) {
      const error = classifyError(raw, { secrets: [secret, token] });
      expect(error.message).not.toContain(secret);
      expect(error.message).not.toContain(token);
      expect(JSON.stringify(error)).not.toContain(secret);
    }
    expect(classifyFailedCode("X", `item ${secret}`, { secrets: [secret] }).message).not.toContain(secret);
  });

  it("scrubSecrets (the one scrubber of observability/secret-scrubber.ts) replaces every occurrence and ignores trivially short strings", () => {
    expect(scrubSecrets(`a${secret}b${secret}`, [secret])).toBe("a[redacted]b[redacted]");
    expect(scrubSecrets("abc", ["a"])).toBe("abc");
  });
});
