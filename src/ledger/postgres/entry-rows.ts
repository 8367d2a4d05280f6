/**
 * The pieces every entry query shares: the filter, the row shape, the columns read, the
 * conditions a filter makes on `entries e`, and a range of one log's seqs read in seq order.
 */
import type postgres from "postgres";
import type { Sql } from "./db.js";

export type { EventFilter, StoredEntry } from "../records.js";
import type { EventFilter, StoredEntry } from "../records.js";

export const COLUMNS = (sql: Sql) => sql`
  e.log_id as "logId", l.name as log, l.origin, e.seq, e.kind, e.actor, e.action, e.resource, e.outcome, e.source,
  e.occurred_at as "occurredAt", e.recorded_at as "recordedAt", e.tags, e.payload,
  e.payload_hash as "payloadHash", e.leaf_hash as "leafHash", e.chain_hash as "chainHash",
  e.idempotency_key as "idempotencyKey"`;

/** `%`, `_` and `\` taken literally in an ILIKE pattern. */
function likeLiteral(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function conditions(sql: Sql, f: EventFilter): postgres.PendingQuery<postgres.Row[]>[] {
  const c: postgres.PendingQuery<postgres.Row[]>[] = [];
  // One value is written as `=`, not `= any(…)`: then an index on (log_id, kind, seq) yields
  // rows already in seq order and a page stops after 50 (with any(), it reads every match).
  if (f.logIds) c.push(f.logIds.length === 1 ? sql`e.log_id = ${f.logIds[0]!}::int` : sql`e.log_id = any(${f.logIds}::int[])`);
  if (f.kinds) c.push(f.kinds.length === 1 ? sql`e.kind = ${f.kinds[0]!}` : sql`e.kind = any(${f.kinds}::text[])`);
  if (f.actor !== undefined) c.push(sql`e.actor = ${f.actor}`);
  if (f.action !== undefined) c.push(sql`e.action = ${f.action}`);
  if (f.resource !== undefined) c.push(sql`e.resource = ${f.resource}`);
  if (f.outcome !== undefined) c.push(sql`e.outcome = ${f.outcome}`);
  if (f.source !== undefined) c.push(sql`e.source = ${f.source}`);
  if (f.tags && f.tags.length > 0) c.push(sql`e.tags @> ${f.tags}::text[]`);
  if (f.occurredFrom) c.push(sql`e.occurred_at >= ${f.occurredFrom}`);
  if (f.occurredTo) c.push(sql`e.occurred_at < ${f.occurredTo}`);
  if (f.recordedFrom) c.push(sql`e.recorded_at >= ${f.recordedFrom}`);
  if (f.recordedTo) c.push(sql`e.recorded_at < ${f.recordedTo}`);
  if (f.contains !== undefined) {
    const pattern = likeLiteral(f.contains);
    c.push(sql`(e.payload ilike ${pattern} or e.resource ilike ${pattern} or e.actor ilike ${pattern})`);
  }
  return c;
}

export function where(sql: Sql, parts: postgres.PendingQuery<postgres.Row[]>[]) {
  if (parts.length === 0) return sql``;
  return parts.slice(1).reduce((acc, part) => sql`${acc} and ${part}`, sql`where ${parts[0]!}`);
}

/** Matches of `rest` in log `logId` with from ≤ seq < to (to undefined: to the end), in seq order. */
export function rangeOf(
  sql: Sql,
  logId: number,
  from: number,
  to: number | undefined,
  rest: postgres.PendingQuery<postgres.Row[]>[],
  limit: number,
  rare = to === undefined,
): Promise<StoredEntry[]> {
  const parts = [...rest, sql`e.log_id = ${logId}::int and e.seq >= ${from}::bigint`];
  if (to !== undefined) parts.push(sql`e.seq < ${to}::bigint`);
  // Past the walk, matches are rare: fetching them all through the best index for the filter
  // and sorting is cheap, while a walk in seq order may read most of the log first. Ordering
  // by an expression (seq + 0) keeps the planner from choosing that walk for a LIMIT.
  return sql<StoredEntry[]>`
    select ${COLUMNS(sql)} from entries e join logs l on l.id = e.log_id
    ${where(sql, parts)}
    order by ${rare ? sql`e.seq + 0` : sql`e.seq`} limit ${limit}`;
}
