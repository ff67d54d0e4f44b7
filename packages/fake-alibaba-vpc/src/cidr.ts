// CIDR parsing for the fake: validates destination blocks the way the API does (a bare address
// means a host route, the address must be the network address of its prefix) and answers
// containment questions for the vSwitch and 100.64.0.0/10 rules.

export interface ParsedCidr {
  readonly version: 4 | 6;
  /** Address as a big integer (128-bit space for IPv6). */
  readonly address: bigint;
  readonly prefix: number;
  /** Canonical text: dotted quad / compressed lower-case IPv6, with "/prefix". */
  readonly text: string;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:]+$/.test(text) || text.includes(":::")) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groupsOf = (s: string): string[] => (s === "" ? [] : s.split(":"));
  const head = groupsOf(halves[0] ?? "");
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? "") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  return value;
}

function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
}

function formatIpv6(value: bigint): string {
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  // Compress the longest run (length >= 2) of zero groups, as RFC 5952 asks.
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength && j - i >= 2) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/** Parses "a.b.c.d/n", "a.b.c.d" (= /32), IPv6 likewise; undefined when malformed or not a network address. */
export function parseCidr(text: string): ParsedCidr | undefined {
  const slash = text.indexOf("/");
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1);
  const version: 4 | 6 = addressText.includes(":") ? 6 : 4;
  const bits = version === 4 ? 32 : 128;
  const address = version === 4 ? parseIpv4(addressText) : parseIpv6(addressText);
  if (address === undefined) return undefined;
  let prefix = bits;
  if (prefixText !== undefined) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) return undefined;
    prefix = Number(prefixText);
    if (prefix > bits) return undefined;
  }
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  if ((address & hostMask) !== 0n) return undefined;
  const formatted = version === 4 ? formatIpv4(address) : formatIpv6(address);
  return { version, address, prefix, text: `${formatted}/${prefix}` };
}

/** True when `inner` equals `outer` or lies inside it. */
export function cidrWithin(inner: ParsedCidr, outer: ParsedCidr): boolean {
  if (inner.version !== outer.version || inner.prefix < outer.prefix) return false;
  const bits = inner.version === 4 ? 32 : 128;
  const shift = BigInt(bits - outer.prefix);
  return inner.address >> shift === outer.address >> shift;
}
