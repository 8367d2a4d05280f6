/** Statements on log_visibility: which logs' tiles are public (append-only rows, the newest counts). */
import type { Sql } from "./db.js";

/** Whether the log's tiles are public: its newest visibility row says so. */
export async function isPublicLog(sql: Sql, logId: number): Promise<boolean> {
  const [row] = await sql<{ public: boolean }[]>`
    select public from log_visibility where log_id = ${logId} order by at desc limit 1`;
  return row?.public ?? false;
}

export async function setLogVisibility(sql: Sql, logId: number, isPublic: boolean): Promise<void> {
  await sql`insert into log_visibility (log_id, public) values (${logId}, ${isPublic})`;
}
