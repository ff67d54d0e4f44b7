import { describe, expect, it } from "vitest";
import { createSecretScrubber, MIN_SECRET_LENGTH, REDACTED } from "../../src/observability/secret-scrubber.js";

describe("createSecretScrubber", () => {
  const scrub = createSecretScrubber(() => ["S3cretValue+/=", undefined, null, "", "abc"]);

  it.each([
    ["raw", "key S3cretValue+/= used", `key ${REDACTED} used`],
    ["URL-encoded", "?t=S3cretValue%2B%2F%3D&x", `?t=${REDACTED}&x`],
    ["lower-case percent-encoding", "?t=S3cretValue%2b%2f%3d&x", `?t=${REDACTED}&x`],
    ["Authorization header line", "Authorization: ACS3-HMAC-SHA256 Credential=LTAI,Signature=abc\nHost: x", `Authorization: ${REDACTED}\nHost: x`],
    ["JSON Authorization", '{"Authorization":"ACS3 Signature=abc","ok":1}', `{"Authorization":"${REDACTED}","ok":1}`],
    ["escaped JSON token", String.raw`{\"securityToken\":\"abcdef\"}`, String.raw`{\"securityToken\":\"${REDACTED}\"}`],
    ["query parameter", "SecurityToken=zzzzzz&Action=X", `SecurityToken=${REDACTED}&Action=X`],
    ["Bearer", "Bearer eyJhbGciOi.payload.sig", `Bearer ${REDACTED}`],
    ["STS token without a known value", `token CAIS${"x".repeat(60)} end`, `token ${REDACTED} end`],
  ])("replaces %s", (_what, input, expected) => {
    expect(scrub(input)).toBe(expected);
  });

  it.each([
    ["a JSON null", '{"securityToken":null}'],
    ["a JSON object", '{"password":{"a":1}}'],
    ["plain prose", "the route table vtb-123 has 3 routes"],
  ])("leaves %s valid and unchanged", (_what, input) => {
    expect(scrub(input)).toBe(input);
  });

  it(`ignores known values shorter than ${MIN_SECRET_LENGTH} characters`, () => {
    expect(scrub("abc is not a secret")).toBe("abc is not a secret");
  });

  it("keeps scrubbing the last known values when the secret source throws", () => {
    let fail = false;
    const scrubbing = createSecretScrubber(() => {
      if (fail) throw new Error("credential provider down");
      return ["RotatingSecret1"];
    });
    expect(scrubbing("a RotatingSecret1")).toBe(`a ${REDACTED}`);
    fail = true;
    expect(scrubbing("b RotatingSecret1")).toBe(`b ${REDACTED}`);
  });

  it("works with no secret source", () => {
    expect(createSecretScrubber()("plain")).toBe("plain");
  });
});
