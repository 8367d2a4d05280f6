/**
 * Reading entries back: filtered pages in the ledger's stable order (log id, seq), single
 * entries, and runs of new entries for live feeds. Callers pass a connection already scoped
 * to what they may see (row-level security); nothing here widens it.
 */
import type postgres from "postgres";
import type { EntryPosition } from "../core/cursor.js";
import type { Sql } from "./db.js";
import { LedgerError } from "./errors.js";

export interface EventFilter {
  /** Log ids (resolved from names by the caller); undefined: every visible log. */
  logIds?: number[];
  kinds?: string[];
  actor?: string;
  action?: string;
  resource?: string;
  outcome?: string;
  source?: string;
  /** Entries carrying every one of these tags. */
  tags?: string[];
  occurredFrom?: Date;
  occurredTo?: Date;
  recordedFrom?: Date;
  recordedTo?: Date;
  /** Full-text query (web search syntax: words, "phrases", -not, or) over the payload's string values. */
  text?: string;
  /** Case-insensitive substring of the payload, actor or resource (identifiers, hashes, paths). */
  contains?: string;
}

export interface StoredEntry {
  logId: number;
  log: string;
  seq: number;
  kind: string;
  actor: string;
  action: string;
  resource: string;
  outcome: string;
  source: string;
  occurredAt: Date;
  recordedAt: Date;
  tags: string[];
  payload: string | null;
  payloadHash: Buffer;
  leafHash: Buffer;
  chainHash: Buffer;
  idempotencyKey: string;
}

const COLUMNS = (sql: Sql) => sql`
  e.log_id as "logId", l.name as log, e.seq, e.kind, e.actor, e.action, e.resource, e.outcome, e.source,
  e.occurred_at as "occurredAt", e.recorded_at as "recordedAt", e.tags, e.payload,
  e.payload_hash as "payloadHash", e.leaf_hash as "leafHash", e.chain_hash as "chainHash",
  e.idempotency_key as "idempotencyKey"`;

/** `%`, `_` and `\` taken literally in an ILIKE pattern. */
function likeLiteral(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function conditions(sql: Sql, f: EventFilter): postgres.PendingQuery<postgres.Row[]>[] {
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
  // The stored search column and its GIN index (entries_search) serve it, under row-level security too.
  if (f.text !== undefined) c.push(sql`e.search @@ websearch_to_tsquery('simple'::regconfig, ${f.text})`);
  if (f.contains !== undefined) {
    const pattern = likeLiteral(f.contains);
    c.push(sql`(e.payload ilike ${pattern} or e.resource ilike ${pattern} or e.actor ilike ${pattern})`);
  }
  return c;
}

function where(sql: Sql, parts: postgres.PendingQuery<postgres.Row[]>[]) {
  if (parts.length === 0) return sql``;
  return parts.slice(1).reduce((acc, part) => sql`${acc} and ${part}`, sql`where ${parts[0]!}`);
}

/** Seqs read per bounded query of the walk, and in all per log before the planner takes over. */
const WALK_WINDOW = 4096;
const WALK_BUDGET = 16_384;

/**
 * Up to `limit` entries matching `filter` after position `after`, in (log id, seq) order.
 *
 * Why a walk: a page is the first `limit` matches in seq order. When matches are common
 * (a kind, an outcome, a tag, a frequent word), reading seqs in order and stopping after the
 * page is fastest, but PostgreSQL cannot tell how common a match on tags or payload words is
 * and often plans to read every match and sort them (hundreds of ms at 1M entries). So each
 * log is first read in seq windows (seq is gapless, so a window is a primary-key range), up
 * to WALK_BUDGET seqs; only a page still short after that — the filter is rare — goes to the
 * planner, whose indexes (actor, resource, kind, full text, time) suit rare matches.
 */
export async function findEntries(sql: Sql, filter: EventFilter, limit: number, after?: EntryPosition): Promise<StoredEntry[]> {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new LedgerError("INVALID_INPUT", `limit: got ${limit}, want a positive integer`);
  const logs = await sql<{ id: number; size: number | null }[]>`
    select l.id, (select e.seq + 1 from entries e where e.log_id = l.id order by e.seq desc limit 1) as size
    from logs l
    where ${filter.logIds ? sql`l.id = any(${filter.logIds}::int[])` : sql`true`} and l.id >= ${after?.logId ?? 0}
    order by l.id`;
  const out: StoredEntry[] = [];
  const rest = conditions(sql, { ...filter, logIds: undefined });
  for (const log of logs) {
    const size = log.size ?? 0;
    let from = after && log.id === after.logId ? after.seq + 1 : 0;
    for (let walked = 0; from < size && out.length < limit && walked < WALK_BUDGET; walked += WALK_WINDOW) {
      const to = Math.min(size, from + WALK_WINDOW);
      out.push(...(await pageOf(sql, log.id, from, to, rest, limit - out.length)));
      from = to;
    }
    if (from < size && out.length < limit) out.push(...(await pageOf(sql, log.id, from, undefined, rest, limit - out.length)));
    if (out.length >= limit) break;
  }
  return out;
}

function pageOf(sql: Sql, logId: number, from: number, to: number | undefined, rest: postgres.PendingQuery<postgres.Row[]>[], limit: number): Promise<StoredEntry[]> {
  const parts = [...rest, sql`e.log_id = ${logId}::int and e.seq >= ${from}::bigint`];
  if (to !== undefined) parts.push(sql`e.seq < ${to}::bigint`);
  // Past the walk, matches are rare: fetching them all through the best index for the filter
  // and sorting is cheap, while a walk in seq order may read most of the log first. Ordering
  // by an expression (seq + 0) keeps the planner from choosing that walk for a LIMIT.
  return sql<StoredEntry[]>`
    select ${COLUMNS(sql)} from entries e join logs l on l.id = e.log_id
    ${where(sql, parts)}
    order by ${to === undefined ? sql`e.seq + 0` : sql`e.seq`} limit ${limit}`;
}

/** Entries of one log with from ≤ seq < to that match `filter`, in seq order (live feeds). */
export async function findEntryRun(sql: Sql, logId: number, from: number, to: number, filter: EventFilter): Promise<StoredEntry[]> {
  const parts = conditions(sql, filter);
  parts.push(sql`e.log_id = ${logId}::int and e.seq >= ${from}::bigint and e.seq < ${to}::bigint`);
  return sql<StoredEntry[]>`
    select ${COLUMNS(sql)} from entries e join logs l on l.id = e.log_id
    ${where(sql, parts)}
    order by e.seq`;
}

export async function findEntry(sql: Sql, logId: number, seq: number): Promise<StoredEntry | undefined> {
  const [row] = await sql<StoredEntry[]>`
    select ${COLUMNS(sql)} from entries e join logs l on l.id = e.log_id
    where e.log_id = ${logId}::int and e.seq = ${seq}::bigint`;
  return row;
}

/** Logs visible through `sql`, by name; names not visible are returned in `missing`. */
export async function resolveLogIds(sql: Sql, names: string[]): Promise<{ ids: number[]; missing: string[] }> {
  const rows = await sql<{ id: number; name: string }[]>`select id, name from logs where name = any(${names}::text[])`;
  const found = new Set(rows.map((r) => r.name));
  return { ids: rows.map((r) => r.id), missing: names.filter((n) => !found.has(n)) };
}

/** Current size of each visible log (max seq + 1, an index lookup per log). */
export async function logSizes(sql: Sql): Promise<Map<number, number>> {
  const rows = await sql<{ id: number; size: number | null }[]>`
    select l.id, (select e.seq + 1 from entries e where e.log_id = l.id order by e.seq desc limit 1) as size from logs l`;
  return new Map(rows.map((r) => [r.id, r.size ?? 0]));
}
