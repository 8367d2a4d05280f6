/**
 * Statements on retention: the policies (append-only rows, the newest counts) and the ranges
 * moved to the archive, whose rows leave entries only through sealtrail_archive_range
 * (migrations 0008, 0011), which records the range in the same statement. Their entry_search
 * rows stay, so that searches find archived entries (archive/archived-search.ts).
 */
import type { RetentionPolicy } from "../../core/retention/index.js";
import { LedgerError } from "../errors.js";
import type { ArchivedLookup, ArchivedRange, LogArchivedRange, StoredRetentionPolicy } from "../records.js";
import { where } from "./entry-rows.js";
import { searchQuery } from "./search-words.js";
import type { Sql } from "./db.js";
import { indexThrough } from "./search-indexer.js";

export async function retentionPolicyOf(sql: Sql, logId: number): Promise<StoredRetentionPolicy | undefined> {
  const [row] = await sql<StoredRetentionPolicy[]>`
    select hot_days as "hotDays", clear_days as "clearDays", set_by as "setBy", at
    from retention_policies where log_id = ${logId} order by at desc limit 1`;
  return row;
}

export async function setRetentionPolicy(sql: Sql, logId: number, policy: RetentionPolicy, setBy: string): Promise<StoredRetentionPolicy> {
  const [row] = await sql<StoredRetentionPolicy[]>`
    insert into retention_policies (log_id, hot_days, clear_days, set_by) values (${logId}, ${policy.hotDays}, ${policy.clearDays}, ${setBy})
    returning hot_days as "hotDays", clear_days as "clearDays", set_by as "setBy", at`;
  return row!;
}

export function archivedRanges(sql: Sql, logId: number): Promise<ArchivedRange[]> {
  return sql<ArchivedRange[]>`
    select from_seq as "fromSeq", to_seq as "toSeq", root, chain_hash as "chainHash", location, run, created_at as "createdAt", ${searchable(sql)} as searchable
    from archived_ranges a where log_id = ${logId} order by to_seq`;
}

/** The archived ranges of the logs visible through `sql` (of `logIds` only, when given), by log and seq. */
export function archivedRangesOf(sql: Sql, logIds: readonly number[] | undefined): Promise<LogArchivedRange[]> {
  return sql<LogArchivedRange[]>`
    select a.log_id as "logId", l.name as log, a.from_seq as "fromSeq", a.to_seq as "toSeq", a.root, a.chain_hash as "chainHash", a.location, a.run,
      a.created_at as "createdAt", ${searchable(sql)} as searchable
    from archived_ranges a join logs l on l.id = a.log_id
    where ${logIds ? sql`a.log_id = any(${logIds as number[]}::int[])` : sql`true`} order by a.log_id, a.to_seq`;
}

/**
 * Whether range `a`'s words are in entry_search: all of them were when it was archived, and its
 * first and last rows are still there (a rebuilt index, TRUNCATE then the indexer, holds hot
 * entries only: the range is then not searchable, and said so).
 */
function searchable(sql: Sql) {
  return sql`(a.searchable
    and exists (select 1 from entry_search s where s.log_id = a.log_id and s.seq = a.from_seq)
    and exists (select 1 from entry_search s where s.log_id = a.log_id and s.seq = a.to_seq - 1))`;
}

/**
 * The seqs in [from, to) of log `logId` whose entry_search row matches the search (words, actor,
 * resource; each given one must match), in seq order, at most `limit`: archived entries are
 * found through their kept rows (archive/archived-search.ts).
 */
export async function archivedMatches(sql: Sql, logId: number, from: number, to: number, lookup: ArchivedLookup, limit: number): Promise<number[]> {
  const parts = [sql`s.log_id = ${logId}::int and s.seq >= ${from}::bigint and s.seq < ${to}::bigint`];
  if (lookup.actor !== undefined) parts.push(sql`s.actor = ${lookup.actor}`);
  if (lookup.resource !== undefined) parts.push(sql`s.resource = ${lookup.resource}`);
  if (lookup.text !== undefined) parts.push(sql`s.search @@ ${searchQuery(sql, lookup.text)}`);
  const rows = await sql<{ seq: number }[]>`select s.seq from entry_search s ${where(sql, parts)} order by s.seq limit ${limit}`;
  return rows.map((r) => Number(r.seq));
}

/** The end of the log's archived prefix: 0 when nothing was archived. */
export async function archivedTo(sql: Sql, log: number | string): Promise<number> {
  const [row] =
    typeof log === "number"
      ? await sql<{ to: number | null }[]>`select max(to_seq) as to from archived_ranges where log_id = ${log}`
      : await sql<{ to: number | null }[]>`select max(a.to_seq) as to from archived_ranges a join logs l on l.id = a.log_id where l.name = ${log}`;
  return row?.to ?? 0;
}

/**
 * Records range [fromSeq, toSeq) as archived and deletes its entries, having indexed them
 * first; INCONSISTENT when the database refuses it (see 0008). The range is recorded
 * searchable when entry_search holds all its entries (0011).
 */
export async function archiveRange(sql: Sql, logId: number, range: Omit<ArchivedRange, "createdAt" | "searchable">): Promise<number> {
  // The range's words first, so that they stay searchable once it is archived.
  await indexThrough(sql, logId, range.toSeq);
  try {
    const [row] = await sql<{ n: number }[]>`
      select sealtrail_archive_range(${logId}::int, ${range.fromSeq}::bigint, ${range.toSeq}::bigint, ${Buffer.from(range.root)}::bytea,
        ${Buffer.from(range.chainHash)}::bytea, ${range.location}, ${range.run}) as n`;
    return Number(row!.n);
  } catch (error) {
    if ((error as { code?: string }).code === "23514") throw new LedgerError("INCONSISTENT", (error as Error).message, { cause: error });
    throw new LedgerError("DATABASE", `archiving [${range.fromSeq}, ${range.toSeq}) of log ${logId}: ${(error as Error).message}`, { cause: error });
  }
}
