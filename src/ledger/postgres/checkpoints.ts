/** Statements on the checkpoints table (schema/ledger.ts): signed tree heads, append-only. */
import type { checkpoints } from "../../../schema/ledger.js";
import type { StoredCheckpoint } from "../records.js";
import type { Sql } from "./db.js";

type Row = Omit<typeof checkpoints.$inferSelect, "logId">;
const fromRow = (r: Row): StoredCheckpoint => ({ ...r, root: new Uint8Array(r.root) });
const one = (rows: Row[]): StoredCheckpoint | undefined => (rows[0] ? fromRow(rows[0]) : undefined);

export async function insertCheckpoint(sql: Sql, logId: number, c: { size: number; root: Uint8Array; note: string; keyId: string }): Promise<StoredCheckpoint> {
  const [row] = await sql<Row[]>`
    insert into checkpoints (log_id, size, root, note, key_id)
    values (${logId}, ${c.size}, ${Buffer.from(c.root)}, ${c.note}, ${c.keyId})
    returning size, root, note, key_id as "keyId", created_at as "createdAt"`;
  return fromRow(row!);
}

export async function listCheckpoints(sql: Sql, logId: number): Promise<StoredCheckpoint[]> {
  const rows = await sql<Row[]>`
    select size, root, note, key_id as "keyId", created_at as "createdAt" from checkpoints
    where log_id = ${logId} order by size`;
  return rows.map(fromRow);
}

export async function latestCheckpoint(sql: Sql, logId: number): Promise<StoredCheckpoint | undefined> {
  return one(await sql<Row[]>`
    select size, root, note, key_id as "keyId", created_at as "createdAt" from checkpoints
    where log_id = ${logId} order by size desc limit 1`);
}

export async function checkpointAt(sql: Sql, logId: number, size: number): Promise<StoredCheckpoint | undefined> {
  return one(await sql<Row[]>`
    select size, root, note, key_id as "keyId", created_at as "createdAt" from checkpoints
    where log_id = ${logId} and size = ${size}`);
}

export async function checkpointsAbove(sql: Sql, logId: number, size: number): Promise<StoredCheckpoint[]> {
  const rows = await sql<Row[]>`
    select size, root, note, key_id as "keyId", created_at as "createdAt" from checkpoints
    where log_id = ${logId} and size > ${size} order by size`;
  return rows.map(fromRow);
}

export async function checkpointAtMost(sql: Sql, logId: number, size: number): Promise<StoredCheckpoint | undefined> {
  return one(await sql<Row[]>`
    select size, root, note, key_id as "keyId", created_at as "createdAt" from checkpoints
    where log_id = ${logId} and size <= ${size} order by size desc limit 1`);
}

export async function checkpointCovering(sql: Sql, logId: number, size: number, prefer: number): Promise<StoredCheckpoint | undefined> {
  return one(await sql<Row[]>`
    select size, root, note, key_id as "keyId", created_at as "createdAt" from checkpoints
    where log_id = ${logId} and size >= ${size} and size > 0
    order by size >= ${prefer} desc, size limit 1`);
}

/** Up to `limit` checkpoints of the log, largest first, each smaller than `below` when given. */
export async function checkpointsBelow(sql: Sql, logId: number, limit: number, below?: number): Promise<StoredCheckpoint[]> {
  const rows = await sql<Row[]>`
    select size, root, note, key_id as "keyId", created_at as "createdAt" from checkpoints
    where log_id = ${logId} ${below === undefined ? sql`` : sql`and size < ${below}`}
    order by size desc limit ${limit}`;
  return rows.map(fromRow);
}
