/** Statements on RFC 3161 time-stamp tokens of checkpoints (schema: checkpoint_timestamps). */
import type { StoredTimeStamp } from "../records.js";
import type { Sql } from "./db.js";

export async function saveTimeStamp(sql: Sql, logId: number, size: number, tsa: string, token: Uint8Array): Promise<void> {
  await sql`
    insert into checkpoint_timestamps (log_id, size, tsa, token)
    values (${logId}, ${size}, ${tsa}, ${Buffer.from(token)})
    on conflict do nothing`;
}

export async function timeStampAt(sql: Sql, logId: number, size: number): Promise<StoredTimeStamp | undefined> {
  const [row] = await sql<{ size: number; tsa: string; token: Buffer }[]>`
    select size, tsa, token from checkpoint_timestamps where log_id = ${logId} and size = ${size}`;
  return row ? { size: row.size, tsa: row.tsa, token: new Uint8Array(row.token) } : undefined;
}
