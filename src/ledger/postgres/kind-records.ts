/**
 * Records sealtrail writes into a tenant's audit log, read back newest first by kind: the
 * integrity alerts of one log, the evidence pack builds. Through the caller's connection, so
 * row-level security keeps them to the tenant's own audit log.
 */
import type { Sql } from "./db.js";
import { COLUMNS, type StoredEntry } from "./entry-rows.js";

export interface KindRange {
  /** Only records naming this resource (an alert's log). */
  resource?: string;
  /** Only records below this seq (the next page). */
  before?: number;
  /** Only records above this seq (what came after a verified sweep). */
  after?: number;
}

/** Up to `limit` entries of `kind` in log `logName`, newest first (the (log_id, kind, seq) index, read backwards). */
export async function newestOfKind(sql: Sql, logName: string, kind: string, limit: number, range: KindRange = {}): Promise<StoredEntry[]> {
  return sql<StoredEntry[]>`
    select ${COLUMNS(sql)} from entries e join logs l on l.id = e.log_id
    where l.name = ${logName} and e.kind = ${kind}
      ${range.resource === undefined ? sql`` : sql`and e.resource = ${range.resource}`}
      ${range.before === undefined ? sql`` : sql`and e.seq < ${range.before}`}
      ${range.after === undefined ? sql`` : sql`and e.seq > ${range.after}`}
    order by e.seq desc limit ${limit}`;
}
