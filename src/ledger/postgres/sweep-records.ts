import { storedSweep, SWEEP_KIND } from "../../core/sweep/index.js";
import type { entries } from "../../../schema/ledger.js";
import type { Sql } from "./db.js";

export type { StoredSweep } from "../records.js";
import type { StoredSweep } from "../records.js";

type Row = Pick<typeof entries.$inferSelect, "seq" | "occurredAt" | "payload">;
const fromRow = (row: Row): StoredSweep => ({ ...storedSweep(row.payload, row.occurredAt), recordSeq: row.seq });

/** The newest sweep of `logName` recorded in `auditLog` (entries_kind yields sweep records newest first, until one names the log). */
export async function lastSweepRecord(sql: Sql, auditLog: string, logName: string): Promise<StoredSweep | undefined> {
  const [record] = await sweepRecords(sql, auditLog, logName, 1);
  return record;
}

/** The sweeps of `logName` recorded in `auditLog`, newest first, `before` a record seq when given. */
export async function sweepRecords(sql: Sql, auditLog: string, logName: string, limit: number, before?: number): Promise<StoredSweep[]> {
  const rows = await sql<Row[]>`
    select e.seq, e.occurred_at as "occurredAt", e.payload from entries e
    where e.log_id = (select id from logs where name = ${auditLog})
      and e.resource = ${logName} and e.kind = ${SWEEP_KIND}
      ${before === undefined ? sql`` : sql`and e.seq < ${before}`}
    order by e.seq desc limit ${limit}`;
  return rows.map(fromRow);
}
