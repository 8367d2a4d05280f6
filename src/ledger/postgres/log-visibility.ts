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

/** What a tiles request needs of its log, in one round trip: the log, whether it is public, its newest checkpoint's size. */
export async function tileLogState(sql: Sql, name: string): Promise<{ id: number; tenant: string; origin: string; public: boolean; size: number | null } | undefined> {
  const [row] = await sql<{ id: number; tenant: string; origin: string; public: boolean | null; size: number | null }[]>`
    select l.id, l.tenant, l.origin,
      (select v.public from log_visibility v where v.log_id = l.id order by v.at desc limit 1) as public,
      (select max(c.size) from checkpoints c where c.log_id = l.id) as size
    from logs l where l.name = ${name}`;
  return row ? { ...row, public: row.public ?? false } : undefined;
}
