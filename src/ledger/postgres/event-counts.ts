/** Statements counting a log's entries for the console's charts. */
import type { DayKindCount } from "../store.js";
import type { Sql } from "./db.js";

/** Per UTC day of recorded_at (the ledger's own clock, which a source cannot set) and kind. */
export async function eventsPerDay(sql: Sql, logId: number, since: Date): Promise<DayKindCount[]> {
  return sql<DayKindCount[]>`
    select date_trunc('day', e.recorded_at at time zone 'UTC') at time zone 'UTC' as day, e.kind, count(*)::int as count
    from entries e
    where e.log_id = ${logId}::int and e.recorded_at >= ${since}
    group by 1, 2 order by 1, 2`;
}
