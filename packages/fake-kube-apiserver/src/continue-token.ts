// Opaque `continue` tokens for paginated lists: base64url JSON naming the list snapshot and the
// position in it. Clients must treat them as opaque; the fake rejects tampered ones with 400.

import { badRequest } from "./status-error.ts";

export interface ContinuePosition {
  readonly snapshotId: string;
  readonly resourceVersion: number;
  readonly offset: number;
}

export function encodeContinue(position: ContinuePosition): string {
  return Buffer.from(JSON.stringify({ s: position.snapshotId, rv: position.resourceVersion, o: position.offset })).toString("base64url");
}

export function decodeContinue(token: string): ContinuePosition {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (typeof parsed === "object" && parsed !== null) {
      const { s, rv, o } = parsed as Record<string, unknown>;
      if (typeof s === "string" && typeof rv === "number" && typeof o === "number" && Number.isInteger(o) && o >= 0) {
        return { snapshotId: s, resourceVersion: rv, offset: o };
      }
    }
  } catch (error) {
    throw badRequest(`continue key is not valid: ${token}`, error);
  }
  throw badRequest(`continue key is not valid: ${token}`);
}
