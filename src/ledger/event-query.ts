/**
 * Reading entries back: filtered pages in the ledger's stable order (log id, seq), single
 * entries, and runs of new entries for live feeds. Callers pass a connection already scoped
 * to what they may see (row-level security); nothing here widens it.
 */
import type postgres from "postgres";
import type { EntryPosition } from "../core/cursor.js";
import type { Sql } from "./db.js";
import { LedgerError } from "./errors.js";
import { entryWords, searchQuery } from "./search-words.js";

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
 * Most entries past a log's search watermark that one page reads directly, past the walk, for
 * a filter entry_search serves (full text, actor, resource). Their words cost ~20–40 µs each
 * to compute: 50,000 is about a second. Further behind (the indexer stopped or overwhelmed),
 * such a search fails with SEARCH_BEHIND rather than miss entries silently or run for minutes.
 */
export const SEARCH_TAIL_MAX = 50_000;

interface LogBounds {
  id: number;
  name: string;
  size: number;
  /** Search watermark: entries with seq below it are in entry_search. */
  indexed: number;
}

/** The filters entry_search serves past the walk. */
interface Lookup {
  text: string | undefined;
  actor: string | undefined;
  resource: string | undefined;
  tailMax: number;
}

/**
 * Up to `limit` entries matching `filter` after position `after`, in (log id, seq) order.
 *
 * Why a walk: a page is the first `limit` matches in seq order. When matches are common
 * (a kind, an outcome, a tag, a frequent word), reading seqs in order and stopping after the
 * page is fastest, but PostgreSQL cannot tell how common a match on tags or payload words is
 * and often plans to read every match and sort them (hundreds of ms at 1M entries). So each
 * log is first read in seq windows (seq is gapless, so a window is a primary-key range), up
 * to WALK_BUDGET seqs; only a page still short after that — the filter is rare — goes to the
 * planner, whose indexes (kind, time, and entry_search's actor, resource and full text) suit
 * rare matches.
 *
 * entry_search holds each log's entries below its watermark (the search indexer fills it after
 * commit); entries at or past it are matched on their own columns and on words computed from
 * their payload here, so an entry is found from the moment its append commits.
 */
export async function findEntries(
  sql: Sql,
  filter: EventFilter,
  limit: number,
  after?: EntryPosition,
  options: { searchTailMax?: number } = {},
): Promise<StoredEntry[]> {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new LedgerError("INVALID_INPUT", `limit: got ${limit}, want a positive integer`);
  const lookup: Lookup = { text: filter.text, actor: filter.actor, resource: filter.resource, tailMax: options.searchTailMax ?? SEARCH_TAIL_MAX };
  const looksUp = lookup.text !== undefined || lookup.actor !== undefined || lookup.resource !== undefined;
  const logs = await sql<{ id: number; name: string; size: number | null; indexed: number | null }[]>`
    select l.id, l.name, (select e.seq + 1 from entries e where e.log_id = l.id order by e.seq desc limit 1) as size,
           ${looksUp ? sql`(select s.seq + 1 from entry_search s where s.log_id = l.id order by s.seq desc limit 1)` : sql`0`} as indexed
    from logs l
    where ${filter.logIds ? sql`l.id = any(${filter.logIds}::int[])` : sql`true`} and l.id >= ${after?.logId ?? 0}
    order by l.id`;
  const out: StoredEntry[] = [];
  const rest = conditions(sql, { ...filter, logIds: undefined });
  // Filters entry_search alone decides: then a window's first `limit` matches there are the page's.
  const alone = conditions(sql, { ...filter, logIds: undefined, actor: undefined, resource: undefined }).length === 0;
  for (const row of logs) {
    const log: LogBounds = { id: row.id, name: row.name, size: row.size ?? 0, indexed: row.indexed ?? 0 };
    let from = after && log.id === after.logId ? after.seq + 1 : 0;
    for (let walked = 0; from < log.size && out.length < limit && walked < WALK_BUDGET; walked += WALK_WINDOW) {
      const to = Math.min(log.size, from + WALK_WINDOW);
      out.push(...(await (looksUp ? lookupWindow(sql, log, from, to, rest, lookup, limit - out.length, alone) : rangeOf(sql, log.id, from, to, rest, limit - out.length))));
      from = to;
    }
    if (from < log.size && out.length < limit) {
      out.push(...(await (looksUp ? rareLookup(sql, log, from, rest, lookup, limit - out.length, alone) : rangeOf(sql, log.id, from, undefined, rest, limit - out.length))));
    }
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * Matches of a full-text, actor or resource filter in one window of the walk. Below the
 * watermark, the seqs that match in entry_search are read first — an actor or resource through
 * its (log, value, seq) index, words by primary-key range (the match is kept out of the index
 * condition: a GIN bitmap would read every entry of the log with a common word) — then those
 * entries; a window without a match costs one small query. Past the watermark, the entries
 * are matched directly, their words computed from the payloads.
 */
async function lookupWindow(
  sql: Sql,
  log: LogBounds,
  from: number,
  to: number,
  rest: postgres.PendingQuery<postgres.Row[]>[],
  lookup: Lookup,
  limit: number,
  alone: boolean,
): Promise<StoredEntry[]> {
  const out: StoredEntry[] = [];
  const q = lookup.text === undefined ? undefined : searchQuery(sql, lookup.text);
  const end = Math.min(to, log.indexed);
  if (from < end) {
    const s = [sql`s.log_id = ${log.id}::int and s.seq >= ${from}::bigint and s.seq < ${end}::bigint`];
    if (lookup.actor !== undefined) s.push(sql`s.actor = ${lookup.actor}`);
    if (lookup.resource !== undefined) s.push(sql`s.resource = ${lookup.resource}`);
    if (q) s.push(sql`(s.search @@ ${q}) is true`);
    // With no other filter, the first `limit` matches in seq order are the page: stop there
    // (a common word or actor then reads a few rows, not the whole window).
    const hits = await sql<{ seq: number }[]>`select s.seq from entry_search s ${where(sql, s)} ${alone ? sql`order by s.seq limit ${limit}` : sql``}`;
    if (hits.length > 0) {
      out.push(...(await rangeOf(sql, log.id, from, end, [...rest, sql`e.seq = any(${hits.map((h) => h.seq)}::bigint[])`], limit)));
    }
  }
  if (out.length < limit && to > log.indexed) {
    const tail = q ? [...rest, sql`${entryWords(sql)} @@ ${q}`] : rest;
    out.push(...(await rangeOf(sql, log.id, Math.max(from, log.indexed), to, tail, limit - out.length)));
  }
  return out;
}

/**
 * Rare matches of a full-text, actor or resource filter from `from` to the end of the log:
 * through entry_search's indexes below the watermark, then the entries past it directly.
 */
async function rareLookup(
  sql: Sql,
  log: LogBounds,
  from: number,
  rest: postgres.PendingQuery<postgres.Row[]>[],
  lookup: Lookup,
  limit: number,
  alone: boolean,
): Promise<StoredEntry[]> {
  const out: StoredEntry[] = [];
  const q = lookup.text === undefined ? undefined : searchQuery(sql, lookup.text);
  if (from < log.indexed) {
    // Explicit bounds on entry_search: the planner does not carry range conditions across a join.
    const s = [sql`s.log_id = ${log.id}::int and s.seq >= ${from}::bigint and s.seq < ${log.indexed}::bigint`];
    if (lookup.actor !== undefined) s.push(sql`s.actor = ${lookup.actor}`);
    if (lookup.resource !== undefined) s.push(sql`s.resource = ${lookup.resource}`);
    if (q) s.push(sql`s.search @@ ${q}`);
    if (alone && !q) {
      // An actor or resource alone: its (log, value, seq) index yields the page in seq order,
      // from the index alone; the planner, left to it, read every match's row first.
      const hits = await sql<{ seq: number }[]>`select s.seq from entry_search s ${where(sql, s)} order by s.seq limit ${limit}`;
      if (hits.length > 0) out.push(...(await rangeOf(sql, log.id, from, log.indexed, [...rest, sql`e.seq = any(${hits.map((h) => h.seq)}::bigint[])`], limit)));
    } else {
      const found = sql`e.seq in (select s.seq from entry_search s ${where(sql, s)})`;
      out.push(...(await rangeOf(sql, log.id, from, log.indexed, [...rest, found], limit, true)));
    }
  }
  const start = Math.max(from, log.indexed);
  if (out.length < limit && start < log.size) {
    if (log.size - start > lookup.tailMax) {
      throw new LedgerError(
        "SEARCH_BEHIND",
        `search: ${log.size - start} entries of log ${log.name} are not indexed yet (at most ${lookup.tailMax} are searched unindexed); retry shortly`,
      );
    }
    const tail = q ? [...rest, sql`${entryWords(sql)} @@ ${q}`] : rest;
    out.push(...(await rangeOf(sql, log.id, start, undefined, tail, limit - out.length)));
  }
  return out;
}

function rangeOf(
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

/**
 * Entries of one log with from ≤ seq < to that match `filter`, in seq order (live feeds). The
 * run has just been appended, so full text is matched on words computed here, not looked up.
 */
export async function findEntryRun(sql: Sql, logId: number, from: number, to: number, filter: EventFilter): Promise<StoredEntry[]> {
  const parts = conditions(sql, filter);
  if (filter.text !== undefined) parts.push(sql`${entryWords(sql)} @@ ${searchQuery(sql, filter.text)}`);
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
