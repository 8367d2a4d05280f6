/** Statements reading entries for the integrity checks and packs (beside period-entries.ts's windows). */
import type { RawRowHandler } from "../store.js";
import { readCopyRows } from "./copy-binary.js";
import type { Sql } from "./db.js";
import { entryRangeCopy } from "./entry-copy.js";

/** Entries [from, to) of one log as a binary COPY, columns as entry-copy.ts numbers them. */
export async function scanEntries(sql: Sql, logId: number, from: number, to: number, onRow: RawRowHandler): Promise<number> {
  const stream = await sql.unsafe(entryRangeCopy(logId, from, to)).readable();
  return readCopyRows(stream, onRow);
}

export async function entryByKey(sql: Sql, logId: number, key: string): Promise<{ seq: number; payload: string | null; occurredAt: Date } | undefined> {
  const [row] = await sql<{ seq: number; payload: string | null; occurredAt: Date }[]>`
    select seq, payload, occurred_at as "occurredAt" from entries where log_id = ${logId} and idempotency_key = ${key}`;
  return row;
}

export async function payloadsOfKind(sql: Sql, logName: string, kind: string): Promise<(string | null)[]> {
  const rows = await sql<{ payload: string | null }[]>`
    select e.payload from entries e
    where e.log_id = (select id from logs where name = ${logName}) and e.kind = ${kind}
    order by e.seq`;
  return rows.map((r) => r.payload);
}

/** Read by the entries_kind index (log_id, kind, seq). */
export async function seqsOfKind(sql: Sql, logId: number, kind: string, fromSeq: number): Promise<number[]> {
  const rows = await sql<{ seq: string }[]>`
    select seq from entries where log_id = ${logId} and kind = ${kind} and seq >= ${fromSeq} order by seq`;
  return rows.map((r) => Number(r.seq));
}

export async function logExists(sql: Sql, name: string): Promise<boolean> {
  const [row] = await sql<{ id: number }[]>`select id from logs where name = ${name}`;
  return row !== undefined;
}

export async function tenantOf(sql: Sql, logId: number): Promise<string | undefined> {
  const [row] = await sql<{ tenant: string }[]>`select tenant from logs where id = ${logId}`;
  return row?.tenant;
}

/**
 * `select 1 from logs`: the tables are there (42P01, undefined_table, when not) and the
 * database answers. A pool acting as a deployment role that does not exist yet (22023 at
 * connection: the roles come with the first migration, roles.ts) is as unmigrated.
 */
export async function health(sql: Sql): Promise<"ok" | "tables missing" | "unavailable"> {
  try {
    await sql`select 1 from logs limit 1`;
    return "ok";
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    if (code === "42P01") return "tables missing";
    if (code === "22023" && /^role ".*" does not exist$/.test(message ?? "")) return "tables missing";
    return "unavailable";
  }
}
