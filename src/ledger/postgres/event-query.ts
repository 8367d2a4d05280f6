/**
 * Reading entries back: filtered pages in the ledger's stable order (log id, seq), single
 * entries, and runs of new entries for live feeds. Callers pass a connection already scoped
 * to what they may see (row-level security); nothing here widens it.
 */
import type { EntryPosition } from "../../core/token/index.js";
import type { Sql } from "./db.js";
import type { FindOptions } from "../store.js";
import { clearPayload, COLUMNS, conditions, type EventFilter, rangeOf, type StoredEntry, where } from "./entry-rows.js";
import { LedgerError } from "../errors.js";
import { type LogBounds, type Lookup, lookupWindow, rareLookup, SEARCH_TAIL_MAX } from "./search-lookup.js";
import { entryWords, searchQuery } from "./search-words.js";

export type { EventFilter, StoredEntry } from "./entry-rows.js";
export { SEARCH_TAIL_MAX } from "./search-lookup.js";

/** Seqs read per bounded query of the walk, and in all per log before the planner takes over. */
const WALK_WINDOW = 4096;
const WALK_BUDGET = 16_384;

/**
 * Up to `limit` entries of the main tables matching `filter` after position `after`, in (log
 * id, seq) order: a log's archived prefix is not read here (archive/archived-search.ts).
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
  options: FindOptions = {},
): Promise<StoredEntry[]> {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new LedgerError("INVALID_INPUT", `limit: got ${limit}, want a positive integer`);
  const lookup: Lookup = { text: filter.text, actor: filter.actor, resource: filter.resource, tailMax: options.searchTailMax ?? SEARCH_TAIL_MAX };
  const looksUp = lookup.text !== undefined || lookup.actor !== undefined || lookup.resource !== undefined;
  const logs = await sql<{ id: number; name: string; size: number | null; indexed: number | null; archived: number | null }[]>`
    select l.id, l.name, (select e.seq + 1 from entries e where e.log_id = l.id order by e.seq desc limit 1) as size,
           ${looksUp ? sql`(select s.seq + 1 from entry_search s where s.log_id = l.id order by s.seq desc limit 1)` : sql`0`} as indexed,
           (select max(a.to_seq) from archived_ranges a where a.log_id = l.id) as archived
    from logs l
    where ${filter.logIds ? sql`l.id = any(${filter.logIds}::int[])` : sql`true`} and l.id >= ${after?.logId ?? 0}
    order by l.id`;
  const out: StoredEntry[] = [];
  const rest = conditions(sql, { ...filter, logIds: undefined });
  // Filters entry_search alone decides: then a window's first `limit` matches there are the page's.
  const alone = conditions(sql, { ...filter, logIds: undefined, actor: undefined, resource: undefined }).length === 0;
  let alongside = options.alongside;
  /** The caller's reads follow the first statement over the page's entries (FindOptions). */
  const read = <T>(page: () => Promise<T>): Promise<T> => {
    const pending = page();
    alongside?.();
    alongside = undefined;
    return pending;
  };
  for (const row of logs) {
    const log: LogBounds = { id: row.id, name: row.name, size: row.size ?? 0, indexed: row.indexed ?? 0 };
    // The entries table holds a log from the end of its archived prefix on (archive/archived-search.ts reads the prefix).
    let from = Math.max(after && log.id === after.logId ? after.seq + 1 : 0, Number(row.archived ?? 0));
    // A word the planner expects to be rare skips the walk: its GIN index finds every match at
    // once, where the walk would test the words of 16,384 entries first.
    const walk = !(lookup.text !== undefined && log.indexed - from > WALK_BUDGET && (await rareWords(sql, log, lookup.text, limit)));
    for (let walked = 0; walk && from < log.size && out.length < limit && walked < WALK_BUDGET; walked += WALK_WINDOW) {
      const to = Math.min(log.size, from + WALK_WINDOW);
      out.push(...(await read(() => (looksUp ? lookupWindow(sql, log, from, to, rest, lookup, limit - out.length, alone) : rangeOf(sql, log.id, from, to, rest, limit - out.length)))));
      from = to;
    }
    if (from < log.size && out.length < limit) {
      out.push(...(await read(() => (looksUp ? rareLookup(sql, log, from, rest, lookup, limit - out.length, alone) : rangeOf(sql, log.id, from, undefined, rest, limit - out.length)))));
    }
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * Entries of one log with from ≤ seq < to that match `filter`, in seq order (live feeds). The
 * run has just been appended, so full text is matched on words computed here, not looked up.
 */
/**
 * Whether the planner's estimate of `text`'s matches in the log (from the statistics of
 * entry_search's words, PostgreSQL docs §14.2) is too small for the walk to fill a page.
 * Only the choice of path depends on it: both read every match.
 */
async function rareWords(sql: Sql, log: LogBounds, text: string, limit: number): Promise<boolean> {
  const [row] = await sql<{ "QUERY PLAN": [{ Plan: { "Plan Rows": number } }] }[]>`
    explain (format json) select 1 from entry_search s where s.log_id = ${log.id}::int and s.search @@ ${searchQuery(sql, text)}`;
  const estimate = row?.["QUERY PLAN"][0].Plan["Plan Rows"] ?? Infinity;
  return (estimate * WALK_BUDGET) / Math.max(1, log.indexed) < limit;
}

export async function findEntryRun(sql: Sql, logId: number, from: number, to: number, filter: EventFilter): Promise<StoredEntry[]> {
  const parts = conditions(sql, filter);
  if (filter.text !== undefined) parts.push(sql`${entryWords(sql, clearPayload(sql))} @@ ${searchQuery(sql, filter.text)}`);
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
