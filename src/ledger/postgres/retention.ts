/**
 * Statements on retention: the policies (append-only rows, the newest counts) and the ranges
 * moved to the archive, whose rows leave entries and entry_search only through
 * sealtrail_archive_range (migration 0007), which records the range in the same statement.
 */
import type { RetentionPolicy } from "../../core/retention/index.js";
import { LedgerError } from "../errors.js";
import type { ArchivedRange, StoredRetentionPolicy } from "../records.js";
import type { Sql } from "./db.js";

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
    select from_seq as "fromSeq", to_seq as "toSeq", root, chain_hash as "chainHash", location, run, created_at as "createdAt"
    from archived_ranges where log_id = ${logId} order by to_seq`;
}

/** The end of the log's archived prefix: 0 when nothing was archived. */
export async function archivedTo(sql: Sql, log: number | string): Promise<number> {
  const [row] =
    typeof log === "number"
      ? await sql<{ to: number | null }[]>`select max(to_seq) as to from archived_ranges where log_id = ${log}`
      : await sql<{ to: number | null }[]>`select max(a.to_seq) as to from archived_ranges a join logs l on l.id = a.log_id where l.name = ${log}`;
  return row?.to ?? 0;
}

/** Records range [fromSeq, toSeq) as archived and deletes its rows; INCONSISTENT when the database refuses it (see 0007). */
export async function archiveRange(sql: Sql, logId: number, range: Omit<ArchivedRange, "createdAt">): Promise<number> {
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
