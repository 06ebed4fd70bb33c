import { createHash } from "node:crypto";
import type { MasterKey } from "../crypto/master-key.js";
import { invalid } from "./api-error.js";

/** A keyset position: items strictly older than this come next. */
export interface Keyset {
  createdAt: number;
  id: string;
}

/** A request for one page of a list: at most `limit` items (default 50) after `cursor`. */
export interface PageQuery {
  limit?: number;
  cursor?: string;
}

/**
 * Opaque, tamper-evident page cursors. Each is bound to the filters it was
 * made for, so reusing it with other filters is refused, not misread.
 */
export class CursorCodec {
  constructor(private readonly master: MasterKey) {}

  #scope(filters: Record<string, unknown>): string {
    return createHash("sha256").update(JSON.stringify(filters)).digest("base64url").slice(0, 16);
  }

  encode(position: Keyset, filters: Record<string, unknown>): string {
    const body = Buffer.from(JSON.stringify([position.createdAt, position.id, this.#scope(filters)])).toString("base64url");
    return `${body}.${this.master.mac(body)}`;
  }

  decode(cursor: string, filters: Record<string, unknown>): Keyset {
    const [body, mac, extra] = cursor.split(".");
    if (body === undefined || mac === undefined || extra !== undefined || !this.master.verifyMac(body, mac)) {
      throw invalid("cursor", "invalid_cursor", '"cursor" is not a cursor this API issued');
    }
    const [createdAt, id, scope] = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as [number, string, string];
    if (scope !== this.#scope(filters)) {
      throw invalid("cursor", "invalid_cursor", '"cursor" was issued for different filters; pass the same filters or start over');
    }
    return { createdAt, id };
  }
}

/** Splits `limit + 1` fetched rows into a page and the cursor position for the next one. */
export function paginate<T>(rows: T[], limit: number, position: (row: T) => Keyset): { items: T[]; next: Keyset | null } {
  if (rows.length <= limit) return { items: rows, next: null };
  const items = rows.slice(0, limit);
  return { items, next: position(items[items.length - 1] as T) };
}
