import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isHybridProviderId, parseProviderId } from "../../src/domain/provider-id.js";

const REGION = "cn-shanghai";

describe("parseProviderId accepts", () => {
  it.each([
    ["cn-shanghai.i-ankb8zjh2nzchf0001", "cn-shanghai", "i-ankb8zjh2nzchf0001"],
    ["alicloud://cn-shanghai.i-ankb8zjh2nzchf0001", "cn-shanghai", "i-ankb8zjh2nzchf0001"],
    ["cn-shanghai.i-uf6abcd", "cn-shanghai", "i-uf6abcd"],
  ])("%s", (raw, regionId, instanceId) => {
    expect(parseProviderId(raw, REGION)).toEqual({ ok: true, regionId, instanceId });
  });

  it.each(["cn-hangzhou", "ap-southeast-1", "us-west-1", "eu-central-1", "me-east-1", "cn-shanghai-finance-1", "cn-zhengzhou-jva", "cn-hangzhou-finance"])(
    "region id %s",
    (regionId) => {
      expect(parseProviderId(`${regionId}.i-bp1ac8cl6n9wyg0fabcd`, regionId)).toEqual({
        ok: true,
        regionId,
        instanceId: "i-bp1ac8cl6n9wyg0fabcd",
      });
    },
  );

  it("yields the same instance with and without the alicloud:// prefix (no churn, upstream #298)", () => {
    const a = parseProviderId("cn-shanghai.i-ankb8zjh2nzchf0001", REGION);
    const b = parseProviderId("alicloud://cn-shanghai.i-ankb8zjh2nzchf0001", REGION);
    expect(a).toEqual(b);
  });
});

describe("parseProviderId rejects", () => {
  it.each([
    [undefined, "no-provider-id", /not set/],
    ["", "no-provider-id", /not set/],
    ["cn-shanghai.i-abc def", "invalid-provider-id", /whitespace at position 18/],
    [" cn-shanghai.i-abcdef", "invalid-provider-id", /whitespace at position 1/],
    ["cn-shanghai.i-abcdef\n", "invalid-provider-id", /whitespace/],
    ["cn-shanghai", "invalid-provider-id", /no "\." between region id and instance id/],
    ["i-abcdefgh", "invalid-provider-id", /no "\."/],
    ["cn-shanghai.", "invalid-provider-id", /no instance id after/],
    [".i-abcdefgh", "invalid-provider-id", /region id is empty/],
    ["CN-Shanghai.i-abcdefgh", "invalid-provider-id", /region id "CN-Shanghai" has upper-case/],
    ["cn_shanghai.i-abcdefgh", "invalid-provider-id", /region id "cn_shanghai" is not lower-case words/],
    ["shanghai.i-abcdefgh", "invalid-provider-id", /region id "shanghai"/],
    ["cn--shanghai.i-abcdefgh", "invalid-provider-id", /region id "cn--shanghai"/],
    ["cn-shanghai-.i-abcdefgh", "invalid-provider-id", /region id/],
    ["1cn-shanghai.i-abcdefgh", "invalid-provider-id", /region id/],
    ["cn-shanghai.abcdefgh", "invalid-provider-id", /instance id "abcdefgh" does not start with "i-"/],
    ["cn-shanghai.I-abcdefgh", "invalid-provider-id", /does not start with "i-"/],
    ["cn-shanghai.i-ABCDEFGH", "invalid-provider-id", /upper-case/],
    ["cn-shanghai.i-abc_defgh", "invalid-provider-id", /only contain lower-case letters and digits/],
    ["cn-shanghai.i-abc.defgh", "invalid-provider-id", /only contain lower-case letters and digits/],
    ["cn-shanghai.i-abc", "invalid-provider-id", /3 characters after "i-", expected 4-40/],
    [`cn-shanghai.i-${"a".repeat(41)}`, "invalid-provider-id", /41 characters after "i-"/],
    ["ack-hybrid://cn-shanghai.node-1", "invalid-provider-id", /ACK hybrid node/],
    ["aws:///us-east-1a/i-0abc", "invalid-provider-id", /scheme "aws:\/\/"/],
    ["alicloud:/cn-shanghai.i-abcdefgh", "invalid-provider-id", /region id "alicloud:\/cn-shanghai"/],
    ["cn-hangzhou.i-bp1ac8cl6n9wyg0fabcd", "other-region", /region cn-hangzhou, but this operator manages region cn-shanghai/],
    ["alicloud://cn-beijing.i-bp1ac8cl6n9wyg0fabcd", "other-region", /cn-beijing/],
  ])("%j -> %s", (raw, reason, message) => {
    const r = parseProviderId(raw, REGION);
    expect(r).toMatchObject({ ok: false, reason });
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it("refuses absurd lengths and truncates the quoted value", () => {
    const raw = `cn-shanghai.i-${"a".repeat(10_000)}`;
    const r = parseProviderId(raw, REGION);
    expect(r).toMatchObject({ ok: false, reason: "invalid-provider-id" });
    if (!r.ok) {
      expect(r.message).toMatch(/10014 characters long, more than 256/);
      expect(r.message.length).toBeLessThan(200);
    }
  });

  it("quotes the offending value", () => {
    const r = parseProviderId("cn-shanghai.x-123456", REGION);
    expect(!r.ok && r.message).toContain('"x-123456"');
  });

  it("never throws", () => {
    fc.assert(
      fc.property(fc.option(fc.string({ maxLength: 300 }), { nil: undefined }), fc.string({ maxLength: 20 }), (raw, region) => {
        const r = parseProviderId(raw, region);
        if (r.ok) expect(`${r.regionId}.${r.instanceId}`).toBe(raw?.replace(/^alicloud:\/\//, ""));
      }),
      { numRuns: 1000 },
    );
  });
});

describe("isHybridProviderId", () => {
  it.each([
    ["ack-hybrid://cn-shanghai.node-1", true],
    ["alicloud://cn-shanghai.i-abcdefgh", false],
    ["", false],
    [undefined, false],
  ])("%j -> %s", (raw, expected) => {
    expect(isHybridProviderId(raw)).toBe(expected);
  });
});
