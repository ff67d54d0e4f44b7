// Request parameters of one API call, by wire name, with the checks the real API applies: unknown
// names are rejected (this is what catches camelCase keys such as `RouteEntries.1.routeTableId`
// that the SDK sends when nested items are assigned as plain objects), numbers and booleans are
// parsed strictly, and indexed lists (`Prefix.N`, `Prefix.N.Field`) are collected in index order.
import { apiErrors } from "./api-error.ts";

/** Which parameter names an action accepts besides the common ones. */
export interface ParamSpec {
  readonly names: readonly string[];
  /** `Prefix.N.Field` lists: prefix -> allowed fields. */
  readonly objectLists?: Readonly<Record<string, readonly string[]>>;
  /** `Prefix.N` lists of plain values. */
  readonly valueLists?: readonly string[];
}

/** Parameters that are about signing, not about the call; left out of the request log. */
export const SIGNATURE_PARAMS = new Set([
  "Timestamp",
  "SignatureNonce",
  "SignatureMethod",
  "SignatureVersion",
  "SignatureType",
  "AccessKeyId",
  "SecurityToken",
  "BearerToken",
  "Signature",
  "Format",
]);

/** Accepted by every action: account parameters, the v1 request parameters and the signature parameters. */
const COMMON_NAMES = new Set([
  "RegionId",
  "OwnerId",
  "OwnerAccount",
  "ResourceOwnerId",
  "ResourceOwnerAccount",
  "Action",
  "Version",
  ...SIGNATURE_PARAMS,
]);

const INDEXED = /^([A-Za-z]+)\.([1-9][0-9]*)(?:\.([A-Za-z]+))?$/;

export interface ListItem {
  readonly index: number;
  /** Wire name prefix of this item, e.g. "RouteEntries.3", for error messages. */
  readonly path: string;
  readonly fields: ReadonlyMap<string, string>;
}

export class Params {
  readonly #values: ReadonlyMap<string, string>;

  constructor(values: ReadonlyMap<string, string>) {
    this.#values = values;
  }

  /** Throws InvalidParameter naming the first parameter the action does not know. */
  checkNames(spec: ParamSpec): void {
    const names = new Set(spec.names);
    for (const key of this.#values.keys()) {
      if (COMMON_NAMES.has(key) || names.has(key)) continue;
      const match = INDEXED.exec(key);
      if (match) {
        const [, prefix = "", , field] = match;
        if (field === undefined && spec.valueLists?.includes(prefix)) continue;
        if (field !== undefined && spec.objectLists?.[prefix]?.includes(field)) continue;
      }
      throw apiErrors.unknownParameter(key);
    }
  }

  entries(): Array<[string, string]> {
    return [...this.#values.entries()];
  }

  has(name: string): boolean {
    return this.#values.has(name);
  }

  str(name: string): string | undefined {
    return this.#values.get(name);
  }

  /** A required, non-empty string. */
  required(name: string): string {
    const value = this.#values.get(name);
    if (value === undefined || value === "") throw apiErrors.missingParameter(name);
    return value;
  }

  int(name: string, min: number, max: number): number | undefined {
    return parseIntParam(name, this.#values.get(name), min, max);
  }

  bool(name: string): boolean {
    const value = this.#values.get(name);
    if (value === undefined) return false;
    if (value === "true") return true;
    if (value === "false") return false;
    throw apiErrors.invalidParameter(name, `expected "true" or "false", got "${value}"`);
  }

  /** `Prefix.N.Field` items in index order. */
  objectList(prefix: string): ListItem[] {
    const items = new Map<number, Map<string, string>>();
    for (const [key, value] of this.#values) {
      const match = INDEXED.exec(key);
      if (!match || match[1] !== prefix || match[3] === undefined) continue;
      const index = Number(match[2]);
      let fields = items.get(index);
      if (!fields) items.set(index, (fields = new Map<string, string>()));
      fields.set(match[3], value);
    }
    return [...items.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, fields]) => ({ index, path: `${prefix}.${index}`, fields }));
  }

  /** `Prefix.N` values in index order. */
  valueList(prefix: string): string[] {
    const items: Array<[number, string]> = [];
    for (const [key, value] of this.#values) {
      const match = INDEXED.exec(key);
      if (match && match[1] === prefix && match[3] === undefined) items.push([Number(match[2]), value]);
    }
    return items.sort(([a], [b]) => a - b).map(([, value]) => value);
  }
}

export function parseIntParam(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?[0-9]+$/.test(value)) throw apiErrors.invalidParameter(name, `expected an integer, got "${value}"`);
  const n = Number(value);
  if (n < min || n > max) throw apiErrors.invalidParameter(name, `must be between ${min} and ${max}, got ${value}`);
  return n;
}

/** PageNumber (default 1) and PageSize (1..50, default 10) of the Describe* calls that page by number. */
export function numberedPage(params: Params): { pageNumber: number; pageSize: number; page: <T>(list: readonly T[]) => T[] } {
  const pageNumber = params.int("PageNumber", 1, 1_000_000) ?? 1;
  const pageSize = params.int("PageSize", 1, 50) ?? 10;
  return { pageNumber, pageSize, page: (list) => list.slice((pageNumber - 1) * pageSize, pageNumber * pageSize) };
}
