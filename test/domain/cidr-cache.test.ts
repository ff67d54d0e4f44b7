import { describe, expect, it } from "vitest";
import { parseCidr, parseCidrCacheSize } from "../../src/domain/cidr.js";

/** A distinct canonical IPv4 /32 per number. */
const host = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`;

describe("parseCidr's memory of answers", () => {
  it("stays bounded under churn: 50,000 distinct CIDRs leave at most its bound remembered", () => {
    const { bound } = parseCidrCacheSize();
    expect(bound).toBeLessThanOrEqual(20_000);
    for (let i = 0; i < 50_000; i++) expect(parseCidr(host(i)).ok).toBe(true);
    expect(parseCidrCacheSize().size).toBeLessThanOrEqual(bound);
  });

  it("keeps a CIDR that is asked again while others come and go: the same frozen answer", () => {
    const kept = parseCidr("172.16.5.0/24");
    for (let i = 0; i < 60_000; i++) {
      parseCidr(host(100_000 + i));
      if (i % 1000 === 0) expect(parseCidr("172.16.5.0/24")).toBe(kept);
    }
    expect(parseCidr("172.16.5.0/24")).toBe(kept);
    expect(Object.isFrozen(kept)).toBe(true);
    // An answer let go is parsed again, equal but new.
    expect(parseCidr(host(100_000))).toEqual(parseCidr(host(100_000)));
  });
});
