/**
 * Opaque page cursors of the events connection (Relay cursor connections). A cursor names the
 * last entry of a page, (log id, seq), the ledger's stable order. It is opaque to clients but
 * not secret: row-level security, not the cursor, decides what a caller may see, so a forged
 * cursor can only skip ahead within what the caller could read anyway.
 */
import { CoreError } from "../errors.js";

export interface EntryPosition {
  logId: number;
  seq: number;
}

const PREFIX = "e1:";

export function encodeCursor({ logId, seq }: EntryPosition): string {
  return Buffer.from(`${PREFIX}${logId}:${seq}`, "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): EntryPosition {
  const fail = () => new CoreError("INVALID_ARGUMENT", `cursor: ${JSON.stringify(cursor.slice(0, 64))} is not a cursor this API issued`);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cursor)) throw fail();
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const match = /^e1:(0|[1-9]\d{0,9}):(0|[1-9]\d{0,15})$/.exec(text);
  if (!match) throw fail();
  const logId = Number(match[1]);
  const seq = Number(match[2]);
  if (logId > 0x7fffffff || !Number.isSafeInteger(seq)) throw fail();
  return { logId, seq };
}
