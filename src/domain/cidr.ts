// IPv4/IPv6 CIDR parsing and set relations, without external libraries.
// Every CIDR the planner compares (pod CIDRs, cluster CIDRs, route destinations) goes through
// parseCidr, so two spellings of one prefix ("FD00:0::/64", "fd00::/64") compare equal and a
// prefix with host bits set is rejected instead of being silently widened or narrowed.
// Pure: never throws on input, returns a message naming what is wrong.

export type IpFamily = 4 | 6;

export interface Cidr {
  readonly family: IpFamily;
  /** The network address as an unsigned integer (32 or 128 bits). */
  readonly network: bigint;
  /** Prefix length: 0..32 for IPv4, 0..128 for IPv6. */
  readonly prefix: number;
  /** Canonical text: dotted decimal, or RFC 5952 IPv6 (lower-case, longest zero run compressed). */
  readonly text: string;
}

export type CidrParseResult =
  | { readonly ok: true; readonly cidr: Cidr }
  | { readonly ok: false; readonly message: string };

/** Longest text worth looking at; the longest valid CIDR spelling is under 50 characters. */
const MAX_CIDR_TEXT = 64;

const bitsOf = (family: IpFamily): number => (family === 4 ? 32 : 128);

/** Quotes a value for a message, truncating absurdly long input so messages stay readable. */
export function quote(value: string, max = 80): string {
  const shown = value.length > max ? `${value.slice(0, max)}…(${value.length} chars)` : value;
  return JSON.stringify(shown);
}

type AddressResult =
  | { readonly ok: true; readonly family: IpFamily; readonly value: bigint }
  | { readonly ok: false; readonly message: string };

function parseIpv4(text: string): { ok: true; value: bigint } | { ok: false; message: string } {
  const parts = text.split(".");
  if (parts.length !== 4) {
    return { ok: false, message: `IPv4 address ${quote(text)} must have 4 dot-separated octets, found ${parts.length}` };
  }
  let value = 0;
  for (const [i, part] of parts.entries()) {
    if (!/^[0-9]{1,3}$/.test(part)) {
      return { ok: false, message: `octet ${i + 1} (${quote(part)}) of ${quote(text)} is not a decimal number 0-255` };
    }
    if (part.length > 1 && part.startsWith("0")) {
      // Leading zeros are read as octal by some tools (inet_aton) and as decimal by others.
      return { ok: false, message: `octet ${i + 1} (${quote(part)}) of ${quote(text)} has a leading zero, which is ambiguous (octal or decimal)` };
    }
    const n = Number(part);
    if (n > 255) {
      return { ok: false, message: `octet ${i + 1} (${part}) of ${quote(text)} is greater than 255` };
    }
    value = value * 256 + n;
  }
  return { ok: true, value: BigInt(value) };
}

function parseIpv6(text: string): { ok: true; value: bigint } | { ok: false; message: string } {
  if (text.includes("%")) {
    return { ok: false, message: `IPv6 address ${quote(text)} has a zone index (%...), which has no meaning in a route` };
  }
  const halves = text.split("::");
  if (halves.length > 2) {
    return { ok: false, message: `IPv6 address ${quote(text)} uses "::" more than once` };
  }
  const splitGroups = (s: string): string[] => (s === "" ? [] : s.split(":"));
  const head = splitGroups(halves[0] ?? "");
  const tail = halves.length === 2 ? splitGroups(halves[1] ?? "") : [];
  const groups: number[][] = [[], []];
  let count = 0;
  for (const [side, list] of [head, tail].entries()) {
    for (const [i, group] of list.entries()) {
      const isLast = side === (halves.length === 2 ? 1 : 0) && i === list.length - 1;
      if (group.includes(".")) {
        if (!isLast) {
          return { ok: false, message: `IPv6 address ${quote(text)} has an embedded IPv4 part that is not at the end` };
        }
        const v4 = parseIpv4(group);
        if (!v4.ok) return { ok: false, message: `in IPv6 address ${quote(text)}: ${v4.message}` };
        groups[side]!.push(Number(v4.value >> 16n), Number(v4.value & 0xffffn));
        count += 2;
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) {
        const what = group === "" ? "an empty group (stray ':')" : `group ${quote(group)}, which is not 1-4 hex digits`;
        return { ok: false, message: `IPv6 address ${quote(text)} has ${what}` };
      }
      groups[side]!.push(parseInt(group, 16));
      count += 1;
    }
  }
  if (halves.length === 2 ? count > 7 : count !== 8) {
    const expected = halves.length === 2 ? "at most 7 groups besides \"::\"" : "8 groups";
    return { ok: false, message: `IPv6 address ${quote(text)} has ${count} 16-bit groups, expected ${expected}` };
  }
  const zeros: number[] = new Array<number>(8 - count).fill(0);
  const words = halves.length === 2 ? [...groups[0]!, ...zeros, ...groups[1]!] : groups[0]!;
  // One BigInt from 32 hex digits: allocating one per group dominated planning 5,000 Nodes.
  return { ok: true, value: BigInt(`0x${words.map((w) => w.toString(16).padStart(4, "0")).join("")}`) };
}

function parseAddress(text: string): AddressResult {
  if (text.includes(":")) {
    const r = parseIpv6(text);
    return r.ok ? { ok: true, family: 6, value: r.value } : r;
  }
  if (text.includes(".")) {
    const r = parseIpv4(text);
    return r.ok ? { ok: true, family: 4, value: r.value } : r;
  }
  return { ok: false, message: `${quote(text)} is neither an IPv4 nor an IPv6 address` };
}

/**
 * Canonical text of an address: dotted decimal, or RFC 5952 section 4 for IPv6.
 * @internal exported for tests
 */
export function formatAddress(family: IpFamily, value: bigint): string {
  if (family === 4) {
    const n = Number(value);
    return `${Math.floor(n / 0x1000000) & 0xff}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
  }
  const digits = value.toString(16).padStart(32, "0");
  const words: number[] = [];
  for (let i = 0; i < 32; i += 4) words.push(parseInt(digits.slice(i, i + 4), 16));
  // Longest run of two or more zero groups; the first one wins a tie (RFC 5952 4.2.3).
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]): string => ws.map((w) => w.toString(16)).join(":");
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

function hostMask(family: IpFamily, prefix: number): bigint {
  return (1n << BigInt(bitsOf(family) - prefix)) - 1n;
}

/** Builds a Cidr from parts; the caller guarantees the network has no host bits. */
function makeCidr(family: IpFamily, network: bigint, prefix: number): Cidr {
  return { family, network, prefix, text: `${formatAddress(family, network)}/${prefix}` };
}

/**
 * Parses `address/prefix`. Rejects: missing or malformed prefix, whitespace, leading zeros in
 * IPv4 octets or in the prefix, out-of-range values, host bits set (the message names the
 * network address), zone indexes and IPv4-mapped IPv6 prefixes (`::ffff:a.b.c.d/n`: write the
 * IPv4 CIDR instead). Accepts any valid IPv6 spelling; `cidr.text` is the canonical one.
 */
export function parseCidr(text: string): CidrParseResult {
  if (typeof text !== "string") {
    return { ok: false, message: `CIDR must be a string, got ${typeof text}` };
  }
  // Every pass parses the same pod CIDRs and route destinations again: remember the answers.
  // Results are frozen, so sharing them is safe.
  const known = parsed.get(text);
  if (known !== undefined) return known;
  const older = parsedBefore.get(text);
  const result = older ?? fastIpv4(text) ?? parseCidrText(text);
  if (older === undefined) {
    if (result.ok) Object.freeze(result.cidr);
    Object.freeze(result);
  }
  rememberParsed(text, result);
  return result;
}

// Answers of parseCidr by input text, in two generations: a text asked again moves to the current
// one; when that is full it becomes the older one and the older one is dropped. Texts parsed in the
// last pass or two stay (up to PARSE_CACHE_GENERATION distinct ones, e.g. 10,000 Nodes' pod CIDRs and
// their routes); those no longer asked for (old pod CIDRs under Node churn) go. At most 2 x 10,000
// answers, about 4-6 MiB. Formerly one map cleared at 200,000: under churn it grew by ~200 B per new
// CIDR towards ~40 MiB (docs/performance.md, "What grows in the soak").
let parsed = new Map<string, CidrParseResult>();
let parsedBefore = new Map<string, CidrParseResult>();
const PARSE_CACHE_GENERATION = 10_000;

function rememberParsed(text: string, result: CidrParseResult): void {
  if (parsed.size >= PARSE_CACHE_GENERATION) {
    parsedBefore = parsed;
    parsed = new Map();
  }
  parsed.set(text, result);
}

/**
 * Answers parseCidr remembers now, and the most it ever does.
 * @internal exported for tests
 */
export function parseCidrCacheSize(): { readonly size: number; readonly bound: number } {
  return { size: parsed.size + parsedBefore.size, bound: 2 * PARSE_CACHE_GENERATION };
}

/**
 * The common case without regular expressions or splitting: a canonical IPv4 CIDR ("a.b.c.d/n",
 * decimal octets without leading zeros, no host bits). Anything else (including every error)
 * returns undefined and goes the long way, which words the messages.
 */
function fastIpv4(text: string): CidrParseResult | undefined {
  let value = 0;
  let octets = 0;
  let i = 0;
  const n = text.length;
  for (; octets < 4; octets++) {
    const start = i;
    let octet = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      octet = octet * 10 + (c - 48);
      i++;
    }
    const len = i - start;
    if (len === 0 || len > 3 || octet > 255 || (len > 1 && text.charCodeAt(start) === 48)) return undefined;
    value = value * 256 + octet;
    const sep = text.charCodeAt(i);
    if (octets < 3 ? sep !== 46 : sep !== 47) return undefined;
    i++;
  }
  const start = i;
  let prefix = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    prefix = prefix * 10 + (c - 48);
    i++;
  }
  const len = i - start;
  if (len === 0 || len > 2 || prefix > 32 || (len > 1 && text.charCodeAt(start) === 48)) return undefined;
  const hostBits = 32 - prefix;
  // value < 2^32: the modulo keeps host bits exact without 32-bit signed shifts.
  if (hostBits > 0 && value % 2 ** hostBits !== 0) return undefined;
  return { ok: true, cidr: { family: 4, network: BigInt(value), prefix, text } };
}

function parseCidrText(text: string): CidrParseResult {
  if (text === "") return { ok: false, message: "CIDR is empty" };
  if (text.length > MAX_CIDR_TEXT) {
    return { ok: false, message: `CIDR ${quote(text, 40)} is too long (${text.length} characters) to be a CIDR` };
  }
  const ws = /\s/.exec(text);
  if (ws) {
    return { ok: false, message: `CIDR ${quote(text)} contains whitespace at position ${ws.index + 1}` };
  }
  const slash = text.split("/");
  if (slash.length === 1) {
    return { ok: false, message: `CIDR ${quote(text)} has no prefix length (expected address/prefix, e.g. 10.244.1.0/24)` };
  }
  if (slash.length > 2) {
    return { ok: false, message: `CIDR ${quote(text)} has more than one "/"` };
  }
  const [addressText, prefixText] = slash as [string, string];
  const address = parseAddress(addressText);
  if (!address.ok) return { ok: false, message: `CIDR ${quote(text)}: ${address.message}` };
  const { family, value } = address;
  const bits = bitsOf(family);
  if (!/^[0-9]{1,3}$/.test(prefixText) || (prefixText.length > 1 && prefixText.startsWith("0"))) {
    return { ok: false, message: `CIDR ${quote(text)} has prefix length ${quote(prefixText)}; expected a number 0-${bits} without leading zeros` };
  }
  const prefix = Number(prefixText);
  if (prefix > bits) {
    return { ok: false, message: `CIDR ${quote(text)} has prefix length ${prefix}, more than the ${bits} bits of an IPv${family} address` };
  }
  if (family === 6 && value >> 32n === 0xffffn && prefix >= 96) {
    const v4 = makeCidr(4, value & 0xffffffffn & ~hostMask(4, prefix - 96), prefix - 96);
    return { ok: false, message: `CIDR ${quote(text)} is an IPv4-mapped IPv6 prefix; use the IPv4 CIDR ${v4.text} instead` };
  }
  const host = value & hostMask(family, prefix);
  if (host !== 0n) {
    const network = makeCidr(family, value & ~hostMask(family, prefix), prefix);
    return { ok: false, message: `CIDR ${quote(text)} has host bits set; the network address is ${network.text}` };
  }
  return { ok: true, cidr: makeCidr(family, value, prefix) };
}

/**
 * The canonical text of a CIDR, or undefined when it does not parse.
 * @internal exported for tests
 */
export function canonicalCidr(text: string): string | undefined {
  const r = parseCidr(text);
  return r.ok ? r.cidr.text : undefined;
}

/** The last address inside the CIDR. */
export function lastAddress(cidr: Cidr): bigint {
  return cidr.network | hostMask(cidr.family, cidr.prefix);
}

/** True when every address of `inner` is inside `outer` (a CIDR contains itself). */
export function contains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || outer.prefix > inner.prefix) return false;
  const shift = BigInt(bitsOf(outer.family) - outer.prefix);
  return outer.network >> shift === inner.network >> shift;
}

/** True when the two CIDRs share at least one address. CIDRs either nest or are disjoint. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return contains(a, b) || contains(b, a);
}

export function equals(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && a.prefix === b.prefix && a.network === b.network;
}

/** Total order: IPv4 before IPv6, then by network address, then shorter prefix (the container) first. */
export function compareCidrs(a: Cidr, b: Cidr): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.network !== b.network) return a.network < b.network ? -1 : 1;
  return a.prefix - b.prefix;
}

/** True for 0.0.0.0/0 and ::/0. */
export function isDefaultRoute(cidr: Cidr): boolean {
  return cidr.prefix === 0;
}
