import { parseSweepPayload, SWEEP_KIND, type SweepRecord } from "../core/sweep-record.js";
import type { Sql } from "./db.js";

/** The newest sweep of `logName` recorded in `auditLog`: entries_kind yields the sweep records newest first, until one names the log. */
export async function lastSweepRecord(sql: Sql, auditLog: string, logName: string): Promise<(SweepRecord & { recordSeq: number }) | undefined> {
  const [row] = await sql<{ seq: number; occurredAt: Date; payload: string | null }[]>`
    select e.seq, e.occurred_at as "occurredAt", e.payload from entries e
    where e.log_id = (select id from logs where name = ${auditLog})
      and e.resource = ${logName} and e.kind = ${SWEEP_KIND}
    order by e.seq desc limit 1`;
  if (!row) return undefined;
  return { ...parseSweepPayload(row.payload === null ? null : JSON.parse(row.payload), row.occurredAt), recordSeq: row.seq };
}
