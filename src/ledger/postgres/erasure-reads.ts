/**
 * The reads an erasure and a legal hold make: a data subject's entries, and which entries of
 * some seq ranges a hold covers (docs/erasure.md).
 */
import type { HoldScope } from "../../core/erasure/index.js";
import type { SeqRange } from "../store.js";
import type { Sql } from "./db.js";

/**
 * The seqs below `size` whose actor is `actor`, in seq order. v2: the clear values still held
 * (a scan of the log's actor values: no index on them, so that appends pay nothing for a rare
 * request); v1: the entries' own column.
 */
export async function seqsOfActor(sql: Sql, logId: number, actor: string, size: number): Promise<number[]> {
  const rows = await sql<{ seq: number }[]>`
    select s.seq from entry_secrets s where s.log_id = ${logId} and s.field = 0 and s.value = ${actor} and s.seq < ${size}
    union
    select e.seq from entries e join logs l on l.id = e.log_id and l.leaf_version = 1
    where e.log_id = ${logId} and e.actor = ${actor} and e.seq < ${size}
    order by seq`;
  return rows.map((r) => r.seq);
}

/** The seqs in `ranges` of log `logId` that `scope` covers, in seq order. */
export async function heldSeqs(sql: Sql, logId: number, ranges: readonly SeqRange[], scope: HoldScope): Promise<number[]> {
  if (ranges.length === 0) return [];
  const c = [sql`e.log_id = ${logId}`];
  if (scope.from) c.push(sql`e.occurred_at >= ${scope.from}::timestamptz`);
  if (scope.to) c.push(sql`e.occurred_at < ${scope.to}::timestamptz`);
  if (scope.actors) c.push(sql`(case when l.leaf_version = 2 then a.value else e.actor end) = any(${scope.actors}::text[])`);
  if (scope.resource !== undefined) c.push(sql`(case when l.leaf_version = 2 then r.value else e.resource end) = ${scope.resource}`);
  if (scope.kinds) c.push(sql`e.kind = any(${scope.kinds}::text[])`);
  if (scope.action !== undefined) c.push(sql`e.action = ${scope.action}`);
  if (scope.source !== undefined) c.push(sql`e.source = ${scope.source}`);
  if (scope.tags) c.push(sql`e.tags @> ${scope.tags}::text[]`);
  const where = c.slice(1).reduce((acc, part) => sql`${acc} and ${part}`, sql`${c[0]!}`);
  const rows = await sql<{ seq: number }[]>`
    select e.seq from entries e
    join unnest(${ranges.map((r) => r.from)}::int8[], ${ranges.map((r) => r.to)}::int8[]) as q(a, b) on e.seq >= q.a and e.seq < q.b
    join logs l on l.id = e.log_id
    left join entry_secrets a on l.leaf_version = 2 and a.log_id = e.log_id and a.seq = e.seq and a.field = 0
    left join entry_secrets r on l.leaf_version = 2 and r.log_id = e.log_id and r.seq = e.seq and r.field = 1
    where ${where}
    order by e.seq`;
  return rows.map((r) => r.seq);
}
