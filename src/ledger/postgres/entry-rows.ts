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
  e.idempotency_key as "idempotencyKey", l.leaf_version as "leafVersion",
  case when l.leaf_version = 2 then (
    select coalesce(json_agg(json_build_object('field', s.field, 'salt', encode(s.salt, 'hex'), 'value', s.value) order by s.field), '[]')
    from entry_secrets s where s.log_id = e.log_id and s.seq = e.seq) end as values,
  case when l.leaf_version = 2 then (
    select coalesce(json_agg(json_build_object('field', m.field, 'recordSeq', m.record_seq, 'recordKind', r.kind, 'recordPayload', rp.value) order by m.field), '[]')
    from entry_removals m
    left join entries r on r.log_id = m.log_id and r.seq = m.record_seq
    left join entry_secrets rp on rp.log_id = m.log_id and rp.seq = m.record_seq and rp.field = 2
    where m.log_id = e.log_id and m.seq = e.seq) end as removals`;

/** `%`, `_` and `\` taken literally in an ILIKE pattern. */
function likeLiteral(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A v2 entry's clear value of committed field `n` (0 actor, 1 resource, 2 payload): NULL once removed, and for v1 entries. */
export function secretValue(sql: Sql, n: 0 | 1 | 2): postgres.PendingQuery<postgres.Row[]> {
  return sql`(case when l.leaf_version = 2 then (select s.value from entry_secrets s where s.log_id = e.log_id and s.seq = e.seq and s.field = ${n}::int2) end)`;
}

/** The clear payload of `entries e` whatever its log's leaf format (v2 rows hold only commitments). */
export function clearPayload(sql: Sql): postgres.PendingQuery<postgres.Row[]> {
  return sql`coalesce(e.payload, ${secretValue(sql, 2)})`;
}

export function conditions(sql: Sql, f: EventFilter): postgres.PendingQuery<postgres.Row[]>[] {
  const c: postgres.PendingQuery<postgres.Row[]>[] = [];
  // One value is written as `=`, not `= any(…)`: then an index on (log_id, kind, seq) yields
  // rows already in seq order and a page stops after 50 (with any(), it reads every match).
  if (f.logIds) c.push(f.logIds.length === 1 ? sql`e.log_id = ${f.logIds[0]!}::int` : sql`e.log_id = any(${f.logIds}::int[])`);
  if (f.kinds) c.push(f.kinds.length === 1 ? sql`e.kind = ${f.kinds[0]!}` : sql`e.kind = any(${f.kinds}::text[])`);
  // A v2 entry's actor and resource are in entry_secrets (its row holds their commitments).
  if (f.actor !== undefined) c.push(sql`(e.actor = ${f.actor} or ${secretValue(sql, 0)} = ${f.actor})`);
  if (f.action !== undefined) c.push(sql`e.action = ${f.action}`);
  if (f.resource !== undefined) c.push(sql`(e.resource = ${f.resource} or ${secretValue(sql, 1)} = ${f.resource})`);
  if (f.outcome !== undefined) c.push(sql`e.outcome = ${f.outcome}`);
  if (f.source !== undefined) c.push(sql`e.source = ${f.source}`);
  if (f.tags && f.tags.length > 0) c.push(sql`e.tags @> ${f.tags}::text[]`);
  if (f.occurredFrom) c.push(sql`e.occurred_at >= ${f.occurredFrom}`);
  if (f.occurredTo) c.push(sql`e.occurred_at < ${f.occurredTo}`);
  if (f.recordedFrom) c.push(sql`e.recorded_at >= ${f.recordedFrom}`);
  if (f.recordedTo) c.push(sql`e.recorded_at < ${f.recordedTo}`);
  if (f.contains !== undefined) {
    const pattern = likeLiteral(f.contains);
    c.push(sql`(case when l.leaf_version = 2
      then exists (select 1 from entry_secrets s where s.log_id = e.log_id and s.seq = e.seq and s.value ilike ${pattern})
      else (e.payload ilike ${pattern} or e.resource ilike ${pattern} or e.actor ilike ${pattern}) end)`);
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
