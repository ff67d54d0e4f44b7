// The model's own CIDR arithmetic: the invariants judge the operator's writes with this, not with the
// operator's src/domain/cidr.ts, so a bug there cannot hide itself. Strict: a bare address, host
// bits, leading zeros in IPv4 octets or an IPv4-mapped IPv6 prefix is not a block.

export interface Block {
  readonly family: 4 | 6;
  readonly base: bigint;
  readonly prefix: number;
  /** Canonical text (RFC 5952 for IPv6), as the VPC API stores destinations. */
  readonly text: string;
}

const bits = (family: 4 | 6): number => (family === 4 ? 32 : 128);

function parseV4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseV6(text: string): bigint | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (half: string): bigint[] | undefined => {
    if (half === "") return [];
    const out: bigint[] = [];
    const parts = half.split(":");
    for (const [i, part] of parts.entries()) {
      if (i === parts.length - 1 && part.includes(".")) {
        const v4 = parseV4(part);
        if (v4 === undefined) return undefined;
        out.push(v4 >> 16n, v4 & 0xffffn);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) out.push(BigInt(`0x${part}`));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  return [...head, ...Array<bigint>(missing).fill(0n), ...tail].reduce((acc, g) => (acc << 16n) | g, 0n);
}

function formatV6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(16 * (7 - i))) & 0xffffn));
  // RFC 5952: the longest run (>= 2) of zero groups, the first one on a tie, becomes "::".
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.len < 2) return hex.join(":");
  return `${hex.slice(0, best.at).join(":")}::${hex.slice(best.at + best.len).join(":")}`;
}

function formatV4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join(".");
}

/** The block a CIDR text names, or undefined when it is not a well-formed network prefix. */
export function parseBlock(text: string): Block | undefined {
  const match = /^([^/\s]+)\/(0|[1-9][0-9]{0,2})$/.exec(text);
  if (!match) return undefined;
  const family = match[1]!.includes(":") ? 6 : 4;
  const prefix = Number(match[2]);
  if (prefix > bits(family)) return undefined;
  const base = family === 4 ? parseV4(match[1]!) : parseV6(match[1]!);
  if (base === undefined) return undefined;
  if (family === 6 && base >> 32n === 0xffffn) return undefined; // IPv4-mapped
  const host = (1n << BigInt(bits(family) - prefix)) - 1n;
  if ((base & host) !== 0n) return undefined;
  return { family, base, prefix, text: `${family === 4 ? formatV4(base) : formatV6(base)}/${prefix}` };
}

/** `outer` contains `inner` (equal blocks contain each other). */
export function contains(outer: Block, inner: Block): boolean {
  if (outer.family !== inner.family || outer.prefix > inner.prefix) return false;
  const shift = BigInt(bits(outer.family) - outer.prefix);
  return outer.base >> shift === inner.base >> shift;
}

export function overlaps(a: Block, b: Block): boolean {
  return contains(a, b) || contains(b, a);
}

/** Canonical text, or the input when it does not parse (then it equals nothing canonical). */
export function canonical(text: string): string {
  return parseBlock(text)?.text ?? text;
}
