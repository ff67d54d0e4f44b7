// CIDR parsing rules of the fake (what the API calls InvalidCidrBlock.Malformed).
import { describe, expect, it } from "vitest";
import { cidrWithin, parseCidr } from "../src/cidr.ts";

describe("fake VPC CIDR parsing", () => {
  it.each([
    ["10.244.1.0/24", "10.244.1.0/24"],
    ["10.0.0.7", "10.0.0.7/32"],
    ["0.0.0.0/0", "0.0.0.0/0"],
    ["2408:4000:0:0::/56", "2408:4000::/56"],
    ["FD00::1", "fd00::1/128"],
    ["2001:db8:0:1:0:0:0:0/64", "2001:db8:0:1::/64"],
  ])("accepts %s as %s", (input, text) => {
    expect(parseCidr(input)?.text).toBe(text);
  });

  it.each(["10.244.1.1/24", "10.244.1.0/33", "256.0.0.0/8", "10.0.0/24", "010.0.0.0/8", "10.0.0.0/", "abc", "", "1::2::3/64", "fd00::/129", " 10.0.0.0/8"])(
    "rejects %j",
    (input) => {
      expect(parseCidr(input)).toBeUndefined();
    },
  );

  it("answers containment", () => {
    const outer = parseCidr("100.64.0.0/10")!;
    expect(cidrWithin(parseCidr("100.64.1.0/24")!, outer)).toBe(true);
    expect(cidrWithin(parseCidr("100.128.0.0/24")!, outer)).toBe(false);
    expect(cidrWithin(parseCidr("100.0.0.0/8")!, outer)).toBe(false);
    expect(cidrWithin(parseCidr("fd00::/64")!, outer)).toBe(false);
  });
});
