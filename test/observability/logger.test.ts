import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { CloudError } from "../../src/cloud/errors.js";
import { LogContext, createLogger, resolveLogFormat, type Logger, type LoggerOptions } from "../../src/observability/logger.js";
import { formatLogLineAsText } from "../../src/observability/text-log-format.js";

// Realistic shapes: a 30-character AccessKey secret, an STS token with base64 punctuation, an OIDC
// token (JWT), and a secret with characters that JSON and URLs escape.
const ACCESS_KEY_SECRET = "Xq9rT2vLmN8pK4sW7yZ1aB3cD5eF6g";
const STS_TOKEN = "CAIS8gF1q6Ft5B2yfSjIr5bNLI3/1+xZ0rWnVWfL0DQ9aeNbmq3Gqzz2IHhMe3VuBusbsv8ynG1V7fkSlrp6";
const OIDC_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJlLXBhcnQ";
const ODD_SECRET = 'we"ird\\se/cr+et=&%';
const SIGNATURE = "3f6c9a0d1b2e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a";
const AUTHORIZATION = `ACS3-HMAC-SHA256 Credential=LTAI5tExampleKeyId,SignedHeaders=host;x-acs-action,Signature=${SIGNATURE}`;

const SECRETS = [ACCESS_KEY_SECRET, STS_TOKEN, OIDC_TOKEN, ODD_SECRET];

/** Every spelling of a secret that must never reach the output. */
const FORBIDDEN = [
  ...SECRETS,
  ...SECRETS.map((s) => JSON.stringify(s).slice(1, -1)),
  ...SECRETS.map((s) => encodeURIComponent(s)),
  SIGNATURE,
];

function collectingLogger(options: Omit<LoggerOptions, "destination" | "secrets"> = {}): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = createLogger({
    level: "trace",
    format: "json",
    ...options,
    secrets: () => SECRETS,
    destination: { write: (chunk: string) => void lines.push(chunk) },
  });
  return { log, lines };
}

function sdkLikeError(): Error {
  // What a raw SDK/HTTP error can carry: the request (with headers), the response body, a cause.
  const cause = new Error(`connect to https://vpc.aliyuncs.com/?SecurityToken=${encodeURIComponent(STS_TOKEN)} failed`);
  const err = new Error(`SignatureDoesNotMatch: string to sign used key ${ACCESS_KEY_SECRET}`, { cause });
  return Object.assign(err, {
    code: "SignatureDoesNotMatch",
    config: { headers: { Authorization: AUTHORIZATION, "x-acs-security-token": STS_TOKEN } },
    data: { AccessKeySecret: ACCESS_KEY_SECRET, Message: `token ${STS_TOKEN} expired` },
  });
}

const SHAPES: [string, (log: Logger) => void][] = [
  ["secret in the message", (log) => log.error(`login with ${ACCESS_KEY_SECRET} failed`)],
  ["secret in an unrelated field", (log) => log.info({ detail: ACCESS_KEY_SECRET, other: [1, { deep: [STS_TOKEN] }] }, "x")],
  ["secret under a known field name", (log) => log.info({ accessKeySecret: ACCESS_KEY_SECRET, securityToken: STS_TOKEN, oidcToken: OIDC_TOKEN }, "x")],
  ["credentials object", (log) => log.info({ credentials: { accessKeyId: "LTAI5t", accessKeySecret: ACCESS_KEY_SECRET } }, "x")],
  ["nested config", (log) => log.info({ config: { cloud: { accessKeySecret: ACCESS_KEY_SECRET, securityToken: STS_TOKEN } } }, "x")],
  ["deeply nested field", (log) => log.info({ a: { b: { c: { d: { accessKeySecret: ACCESS_KEY_SECRET } } } } }, "x")],
  ["odd characters", (log) => log.warn({ value: ODD_SECRET, wrapped: `"${ODD_SECRET}"` }, `odd ${ODD_SECRET}`)],
  ["JSON inside a string", (log) => log.info({ body: JSON.stringify({ AccessKeySecret: ACCESS_KEY_SECRET, x: ODD_SECRET }) }, "x")],
  ["JSON inside JSON inside a string", (log) => log.info({ body: JSON.stringify({ inner: JSON.stringify({ s: ODD_SECRET }) }) }, "x")],
  ["URL-encoded in a URL", (log) => log.debug({ url: `https://vpc.aliyuncs.com/?SecurityToken=${encodeURIComponent(STS_TOKEN)}&x=${encodeURIComponent(ODD_SECRET)}` }, "x")],
  ["SDK-like error", (log) => log.error({ err: sdkLikeError() }, "route create failed")],
  ["error as first argument", (log) => log.error(sdkLikeError(), "route create failed")],
  ["error under `error`", (log) => log.error({ error: sdkLikeError() }, "route create failed")],
  [
    "CloudError with a cause",
    (log) =>
      log.error(
        { err: new CloudError(`denied for ${ACCESS_KEY_SECRET}`, { code: "Forbidden.RAM", kind: "permission", retryable: false, cause: sdkLikeError() }) },
        "x",
      ),
  ],
  ["Authorization header object", (log) => log.info({ headers: { Authorization: AUTHORIZATION, authorization: AUTHORIZATION } }, "x")],
  ["request with headers", (log) => log.info({ request: { method: "POST", headers: { authorization: AUTHORIZATION } } }, "x")],
  ["Authorization in an HTTP dump", (log) => log.debug({ dump: `POST / HTTP/1.1\r\nAuthorization: ${AUTHORIZATION}\r\nHost: vpc` }, "x")],
  ["Authorization in util.inspect output", (log) => log.debug({ dump: inspect({ headers: { Authorization: AUTHORIZATION } }) }, "x")],
  ["Bearer token in text", (log) => log.info({ note: `sent Authorization: Bearer ${OIDC_TOKEN}` }, "x")],
  ["secret in child bindings", (log) => log.child({ passId: 7, token: STS_TOKEN }).info("x")],
  ["secret as an object key", (log) => log.info({ [ACCESS_KEY_SECRET]: true }, "x")],
  ["secret in an array message argument", (log) => log.info({ args: [ACCESS_KEY_SECRET] }, "x %s", STS_TOKEN)],
];

function expectClean(lines: string[]): void {
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    for (const forbidden of FORBIDDEN) expect(line, `line leaks ${JSON.stringify(forbidden)}`).not.toContain(forbidden);
  }
}

describe("credential redaction", () => {
  it.each(SHAPES)("JSON format: %s", (_shape, emit) => {
    const { log, lines } = collectingLogger({ format: "json" });
    emit(log);
    expectClean(lines);
    for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
    expect(lines.join("")).toContain("[redacted]");
  });

  it.each(SHAPES)("text format: %s", (_shape, emit) => {
    const { log, lines } = collectingLogger({ format: "text" });
    emit(log);
    expectClean(lines);
  });

  it("scrubs values that become known after the logger was created (credential rotation)", () => {
    const lines: string[] = [];
    let current = ["FirstSecretValue123"];
    const log = createLogger({ format: "json", secrets: () => current, destination: { write: (c: string) => void lines.push(c) } });
    log.info({ v: "FirstSecretValue123" }, "x");
    current = ["SecondSecretValue456"];
    log.info({ v: "SecondSecretValue456" }, "x");
    expect(lines.join("")).not.toMatch(/FirstSecretValue123|SecondSecretValue456/);
  });

  it("keeps non-secret data intact", () => {
    const { log, lines } = collectingLogger({ format: "json" });
    log.info({ nodeName: "node-1", instanceId: "i-abc", destinationCidr: "10.0.1.0/24", routeTableId: "vtb-1", requestId: "R-1", code: "OK", passId: 3 }, "route created");
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(record).toMatchObject({ level: "info", msg: "route created", nodeName: "node-1", instanceId: "i-abc", destinationCidr: "10.0.1.0/24", routeTableId: "vtb-1", requestId: "R-1", code: "OK", passId: 3 });
    expect(record).not.toHaveProperty("pid");
    expect(typeof record.time).toBe("string");
  });
});

describe("createLogger options", () => {
  it("writes text lines as HH:MM:SS.mmm LEVEL message key=value", () => {
    const { log, lines } = collectingLogger({ format: "text" });
    log.info({ nodeName: "node-1", destinationCidr: "10.0.1.0/24", note: "two words", count: 2 }, "route created");
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}route created nodeName=node-1 destinationCidr=10\.0\.1\.0\/24 note="two words" count=2\n$/);
  });

  it("prints an error's message and fields inline and its stack below", () => {
    const { log, lines } = collectingLogger({ format: "text" });
    log.error({ err: new CloudError("throttled", { code: "Throttling.User", kind: "throttled", retryable: true, requestId: "R-9" }), routeTableId: "vtb-1" }, "route create failed");
    const [head, ...stack] = lines[0]!.trimEnd().split("\n");
    expect(head).toMatch(/ERROR route create failed err=throttled .*err\.code=Throttling\.User.*err\.requestId=R-9.* routeTableId=vtb-1$/);
    expect(stack[0]).toMatch(/^ {4}CloudError: throttled/);
  });

  it("filters by level", () => {
    const { log, lines } = collectingLogger({ level: "warn" });
    log.info("hidden");
    log.warn("shown");
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(["shown"]);
  });

  it.each([
    ["json", false, "json"],
    ["json", true, "json"],
    ["text", false, "text"],
    ["auto", true, "text"],
    ["auto", false, "json"],
  ] as const)("format %s with isTTY=%s is %s", (format, isTTY, expected) => {
    expect(resolveLogFormat(format, isTTY)).toBe(expected);
  });

  it("uses the destination's isTTY for auto", () => {
    const lines: string[] = [];
    const log = createLogger({ format: "auto", destination: { isTTY: true, write: (c: string) => void lines.push(c) } });
    log.info("hello");
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}hello\n$/);
  });

  it.each([
    [{ level: "loud" }, /invalid log level "loud": expected one of trace, debug/],
    [{ format: "pretty" }, /invalid log format "pretty": expected one of json, text, auto/],
  ])("rejects %o with a message naming it", (options, message) => {
    expect(() => createLogger({ ...(options as LoggerOptions), destination: { write: () => true } })).toThrow(message);
  });

  it("passes through lines that are not JSON objects", () => {
    expect(formatLogLineAsText("not json\n")).toBe("not json\n");
    expect(formatLogLineAsText("[1,2]\n")).toBe("[1,2]\n");
  });
});

describe("LogContext", () => {
  it("adds the fields of the running operation to every line, through child loggers and awaits", async () => {
    const context = new LogContext();
    const lines: string[] = [];
    const log = createLogger({ format: "json", context, destination: { write: (c: string) => void lines.push(c) } });
    const component = log.child({ component: "vpc" });
    await context.run({ passId: "replica-1-7" }, async () => {
      await Promise.resolve();
      component.info({ routeTableId: "vtb-1" }, "route created");
    });
    component.info({}, "outside");
    const [inside, outside] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(inside).toMatchObject({ passId: "replica-1-7", component: "vpc", msg: "route created" });
    expect(outside).not.toHaveProperty("passId");
  });
});
