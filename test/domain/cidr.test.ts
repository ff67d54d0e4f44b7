import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalCidr,
  compareCidrs,
  contains,
  equals,
  formatAddress,
  lastAddress,
  overlaps,
  parseCidr,
  type Cidr,
} from "../../src/domain/cidr.js";

describe("parseCidr accepts", () => {
  it.each([
    ["10.244.1.0/24", "10.244.1.0/24", 4, 24],
    ["0.0.0.0/0", "0.0.0.0/0", 4, 0],
    ["192.168.3.7/32", "192.168.3.7/32", 4, 32],
    ["255.255.255.255/32", "255.255.255.255/32", 4, 32],
    ["fd00:10:244:1::/64", "fd00:10:244:1::/64", 6, 64],
    ["FD00:10:244:1::/64", "fd00:10:244:1::/64", 6, 64],
    ["fd00:0010:0244:0001:0000:0000:0000:0000/64", "fd00:10:244:1::/64", 6, 64],
    ["::/0", "::/0", 6, 0],
    ["::1/128", "::1/128", 6, 128],
    ["2001:db8::/32", "2001:db8::/32", 6, 32],
    ["2001:db8:0:0:1:0:0:0/128", "2001:db8:0:0:1::/128", 6, 128], // the longest zero run wins
    ["2001:db8:0:1:1:1:1:1/128", "2001:db8:0:1:1:1:1:1/128", 6, 128], // a single zero group is not compressed
    ["2001:0:0:1:0:0:1:1/128", "2001::1:0:0:1:1/128", 6, 128], // first of equal runs
    ["1:2:3:4:5:6:7::/128", "1:2:3:4:5:6:7:0/128", 6, 128],
    ["64:ff9b::10.0.0.0/120", "64:ff9b::a00:0/120", 6, 120], // embedded IPv4 notation
    ["::fffe:0:0/95", "::fffe:0:0/95", 6, 95], // next to, not inside, the IPv4-mapped range
  ] as const)("%s -> %s", (text, canonical, family, prefix) => {
    const r = parseCidr(text);
    expect(r).toMatchObject({ ok: true, cidr: { text: canonical, family, prefix } });
    expect(canonicalCidr(text)).toBe(canonical);
  });
});

describe("parseCidr rejects with a message naming the problem", () => {
  it.each([
    ["", /empty/],
    ["10.0.0.0", /no prefix length/],
    ["10.0.0.1/24", /host bits set; the network address is 10\.0\.0\.0\/24/],
    ["10.244.1.128/24", /network address is 10\.244\.1\.0\/24/],
    ["fd00::1/64", /host bits set; the network address is fd00::\/64/],
    ["10.0.0.0/33", /prefix length 33, more than the 32 bits/],
    ["fd00::/129", /prefix length 129, more than the 128 bits/],
    ["10.0.0.0/-1", /prefix length "-1"/],
    ["10.0.0.0/024", /without leading zeros/],
    ["10.0.0.0/", /prefix length ""/],
    ["10.0.0.0/24/1", /more than one "\/"/],
    ["10.0.0.256/32", /octet 4 \(256\).*greater than 255/],
    ["10.01.0.0/16", /octet 2 \("01"\).*leading zero/],
    ["10.0.0/24", /4 dot-separated octets, found 3/],
    ["10.0.0.0.0/24", /found 5/],
    ["10.a.0.0/16", /octet 2 \("a"\)/],
    [" 10.0.0.0/24", /whitespace at position 1/],
    ["10.0.0.0/24 ", /whitespace at position 12/],
    ["10.0.0.0 /24", /whitespace/],
    ["fd00::1::/64", /"::" more than once/],
    ["fd00:::/64", /empty group|more than once/],
    ["fd00:12345::/64", /"12345", which is not 1-4 hex digits/],
    ["fd00:g::/64", /"g"/],
    ["1:2:3:4:5:6:7/64", /7 16-bit groups, expected 8/],
    ["1:2:3:4:5:6:7:8:9/64", /9 16-bit groups/],
    ["1:2:3:4:5:6:7:8::/128", /expected at most 7/],
    ["fe80::1%eth0/128", /zone index/],
    ["::ffff:10.0.0.0/120", /IPv4-mapped.*use the IPv4 CIDR 10\.0\.0\.0\/24/],
    ["::ffff:0:0/96", /IPv4-mapped.*0\.0\.0\.0\/0/],
    ["1.2.3.4::/64", /embedded IPv4 part that is not at the end/],
    ["::1.2.3.256/128", /octet 4/],
    ["hello/24", /neither an IPv4 nor an IPv6 address/],
    ["x".repeat(5000), /too long \(5000 characters\)/],
  ])("%j", (text, message) => {
    const r = parseCidr(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it("truncates absurd input in messages", () => {
    const r = parseCidr(`${"1".repeat(60)}/8`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message.length).toBeLessThan(200);
  });

  it("never throws for arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        const r = parseCidr(s);
        if (r.ok) expect(parseCidr(r.cidr.text)).toEqual(r);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-fA-F:.]{0,45}\/[0-9]{1,3}$/), (s) => {
        const r = parseCidr(s);
        if (r.ok) expect(parseCidr(r.cidr.text)).toEqual(r);
      }),
      { numRuns: 1000 },
    );
  });
});

// Arbitrary valid CIDRs built from numbers, independent of the parser under test.
const v4Cidr = fc
  .tuple(fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), fc.integer({ min: 0, max: 32 }))
  .map(([addr, prefix]): Cidr => {
    const network = prefix === 0 ? 0n : (addr >> BigInt(32 - prefix)) << BigInt(32 - prefix);
    return { family: 4, network, prefix, text: `${formatAddress(4, network)}/${prefix}` };
  });
const v6Words = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 });
const v6Cidr = fc
  .tuple(v6Words, fc.integer({ min: 0, max: 128 }))
  .map(([words, prefix]): Cidr => {
    let addr = 0n;
    for (const w of words) addr = (addr << 16n) | BigInt(w);
    const network = prefix === 0 ? 0n : (addr >> BigInt(128 - prefix)) << BigInt(128 - prefix);
    return { family: 6, network, prefix, text: `${formatAddress(6, network)}/${prefix}` };
  })
  .filter((c) => !(c.network >> 32n === 0xffffn && c.prefix >= 96));
const anyCidr = fc.oneof(v4Cidr, v6Cidr);

/** Expanded, upper-case spelling of an IPv6 CIDR: 8 groups of 4 hex digits. */
function expandedV6(c: Cidr): string {
  const words: string[] = [];
  for (let i = 7; i >= 0; i--) words.push(((c.network >> BigInt(i * 16)) & 0xffffn).toString(16).padStart(4, "0").toUpperCase());
  return `${words.join(":")}/${c.prefix}`;
}

describe("canonical text (properties)", () => {
  it("round-trips: parse(text).text === text, same network and prefix", () => {
    fc.assert(
      fc.property(anyCidr, (c) => {
        const r = parseCidr(c.text);
        expect(r.ok).toBe(true);
        if (r.ok) expect(r.cidr).toEqual(c);
      }),
      { numRuns: 1000 },
    );
  });

  it("IPv6 canonical text follows RFC 5952: lower-case, no leading zeros, :: only for 2+ zero groups", () => {
    fc.assert(
      fc.property(v6Cidr, (c) => {
        const address = c.text.split("/")[0]!;
        expect(address).toBe(address.toLowerCase());
        expect(address.split("::").length).toBeLessThanOrEqual(2);
        for (const g of address.split(":")) if (g !== "") expect(g).toMatch(/^(0|[1-9a-f][0-9a-f]{0,3})$/);
        if (address.includes("::")) {
          const explicit = address.split(":").filter((g) => g !== "").length;
          expect(8 - explicit).toBeGreaterThanOrEqual(2);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("any IPv6 spelling parses to the canonical one", () => {
    fc.assert(
      fc.property(v6Cidr, (c) => {
        expect(canonicalCidr(expandedV6(c))).toBe(c.text);
        expect(canonicalCidr(c.text.toUpperCase())).toBe(c.text);
      }),
      { numRuns: 1000 },
    );
  });

  it("setting any host bit is rejected and the message names the network address", () => {
    fc.assert(
      fc.property(
        anyCidr.filter((c) => c.prefix < (c.family === 4 ? 32 : 128)),
        fc.nat(),
        (c, n) => {
          const hostBits = (c.family === 4 ? 32 : 128) - c.prefix;
          const bit = 1n << BigInt(n % hostBits);
          const text = `${formatAddress(c.family, c.network | bit)}/${c.prefix}`;
          const r = parseCidr(text);
          expect(r.ok).toBe(false);
          if (!r.ok) expect(r.message).toContain(`the network address is ${c.text}`);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("contains / overlaps / equals", () => {
  const p = (text: string): Cidr => {
    const r = parseCidr(text);
    if (!r.ok) throw new Error(r.message);
    return r.cidr;
  };

  it.each([
    ["10.0.0.0/8", "10.244.1.0/24", true, true],
    ["10.244.1.0/24", "10.0.0.0/8", false, true],
    ["10.244.1.0/24", "10.244.1.0/24", true, true],
    ["10.244.1.0/24", "10.244.2.0/24", false, false],
    ["0.0.0.0/0", "192.168.0.0/16", true, true],
    ["10.0.0.0/8", "fd00::/8", false, false],
    ["::/0", "10.0.0.0/8", false, false],
    ["fd00::/8", "fd00:10:244:1::/64", true, true],
    ["fd00:10:244:1::/64", "fd00:10:244:2::/64", false, false],
  ])("%s contains %s: %s (overlaps: %s)", (a, b, c, o) => {
    expect(contains(p(a), p(b))).toBe(c);
    expect(overlaps(p(a), p(b))).toBe(o);
    expect(overlaps(p(b), p(a))).toBe(o);
  });

  it("contains agrees with address-range inclusion", () => {
    fc.assert(
      fc.property(anyCidr, anyCidr, (a, b) => {
        const inRange = a.family === b.family && a.network <= b.network && lastAddress(b) <= lastAddress(a);
        expect(contains(a, b)).toBe(inRange);
        const intersect = a.family === b.family && a.network <= lastAddress(b) && b.network <= lastAddress(a);
        expect(overlaps(a, b)).toBe(intersect);
      }),
      { numRuns: 1000 },
    );
  });

  it("laws: reflexive, antisymmetric, transitive; overlaps symmetric; equals is mutual containment", () => {
    fc.assert(
      fc.property(anyCidr, anyCidr, anyCidr, (a, b, c) => {
        expect(contains(a, a)).toBe(true);
        expect(overlaps(a, b)).toBe(overlaps(b, a));
        expect(equals(a, b)).toBe(contains(a, b) && contains(b, a));
        if (contains(a, b) && contains(b, c)) expect(contains(a, c)).toBe(true);
        if (contains(a, b) && overlaps(b, c)) expect(overlaps(a, c)).toBe(true);
        expect(Math.sign(compareCidrs(a, b)) + Math.sign(compareCidrs(b, a))).toBe(0);
      }),
      { numRuns: 1000 },
    );
  });

  it("containment under a shared parent: contains(parent, child) for every subnet", () => {
    fc.assert(
      fc.property(anyCidr, fc.nat(), fc.bigInt({ min: 0n }), (parent, extra, pick) => {
        const bits = parent.family === 4 ? 32 : 128;
        const prefix = parent.prefix + (extra % (bits - parent.prefix + 1));
        const span = BigInt(prefix - parent.prefix);
        const index = span === 0n ? 0n : pick % (1n << span);
        const network = parent.network | (index << BigInt(bits - prefix));
        const child = parseCidr(`${formatAddress(parent.family, network)}/${prefix}`);
        if (!child.ok) return; // an IPv4-mapped subnet of a wider IPv6 prefix: not representable
        expect(contains(parent, child.cidr)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
