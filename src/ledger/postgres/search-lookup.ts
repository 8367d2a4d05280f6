/**
 * Full-text, actor and resource matches of one log: through entry_search below the log's
 * watermark (the search indexer fills it after commit), directly from entries past it, so
 * that an entry is found from the moment its append commits.
 */
import type postgres from "postgres";
import type { Sql } from "./db.js";
import { clearPayload, rangeOf, type StoredEntry, where } from "./entry-rows.js";
import { LedgerError } from "../errors.js";
import { entryWords, searchQuery } from "./search-words.js";

/**
 * Most entries past a log's search watermark that one page reads directly, past the walk, for
 * a filter entry_search serves (full text, actor, resource). Their words cost ~20–40 µs each
 * to compute: 50,000 is about a second. Further behind (the indexer stopped or overwhelmed),
 * such a search fails with SEARCH_BEHIND rather than miss entries silently or run for minutes.
 */
export const SEARCH_TAIL_MAX = 50_000;

export interface LogBounds {
  id: number;
  name: string;
  size: number;
  /** Search watermark: entries with seq below it are in entry_search. */
  indexed: number;
}

/** The filters entry_search serves past the walk. */
export interface Lookup {
  text: string | undefined;
  actor: string | undefined;
  resource: string | undefined;
  tailMax: number;
}

/** Conditions on entry_search rows `s` of a log in [from, end) that match `lookup`; `words`: the word match, if any. */
function searchRows(
  sql: Sql,
  logId: number,
  from: number,
  end: number,
  lookup: Lookup,
  words: postgres.PendingQuery<postgres.Row[]> | undefined,
): postgres.PendingQuery<postgres.Row[]>[] {
  const s = [sql`s.log_id = ${logId}::int and s.seq >= ${from}::bigint and s.seq < ${end}::bigint`];
  if (lookup.actor !== undefined) s.push(sql`s.actor = ${lookup.actor}`);
  if (lookup.resource !== undefined) s.push(sql`s.resource = ${lookup.resource}`);
  if (words) s.push(words);
  return s;
}

/**
 * Matches of a full-text, actor or resource filter in one window of the walk. Below the
 * watermark, the seqs that match in entry_search are read first — an actor or resource through
 * its (log, value, seq) index, words by primary-key range (the match is kept out of the index
 * condition: a GIN bitmap would read every entry of the log with a common word) — then those
 * entries; a window without a match costs one small query. Past the watermark, the entries
 * are matched directly, their words computed from the payloads.
 */
export async function lookupWindow(
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
    // The word match kept out of the index condition (`is true`): see above.
    const s = searchRows(sql, log.id, from, end, lookup, q && sql`(s.search @@ ${q}) is true`);
    // With no other filter, the first `limit` matches in seq order are the page: stop there
    // (a common word or actor then reads a few rows, not the whole window).
    const hits = await sql<{ seq: number }[]>`select s.seq from entry_search s ${where(sql, s)} ${alone ? sql`order by s.seq limit ${limit}` : sql``}`;
    if (hits.length > 0) {
      out.push(...(await rangeOf(sql, log.id, from, end, [...rest, sql`e.seq = any(${hits.map((h) => h.seq)}::bigint[])`], limit)));
    }
  }
  if (out.length < limit && to > log.indexed) {
    const tail = q ? [...rest, sql`${entryWords(sql, clearPayload(sql))} @@ ${q}`] : rest;
    out.push(...(await rangeOf(sql, log.id, Math.max(from, log.indexed), to, tail, limit - out.length)));
  }
  return out;
}

/**
 * Rare matches of a full-text, actor or resource filter from `from` to the end of the log:
 * through entry_search's indexes below the watermark, then the entries past it directly.
 */
export async function rareLookup(
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
    const s = searchRows(sql, log.id, from, log.indexed, lookup, q && sql`s.search @@ ${q}`);
    // The matching seqs first, from entry_search alone (an actor or resource alone through its
    // (log, value, seq) index in seq order, words through the GIN index), then those entries:
    // a join of the two tables was planned as a nested loop over the whole of a freshly
    // filled, not yet analysed entry_search (minutes), and the actor index read every match's
    // row first (hundreds of ms).
    const inOrder = alone && !q;
    const hits = await sql<{ seq: number }[]>`select s.seq from entry_search s ${where(sql, s)} ${inOrder ? sql`order by s.seq limit ${limit}` : sql``}`;
    if (hits.length > 0) {
      out.push(...(await rangeOf(sql, log.id, from, log.indexed, [...rest, sql`e.seq = any(${hits.map((h) => h.seq)}::bigint[])`], limit, !inOrder)));
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
    const tail = q ? [...rest, sql`${entryWords(sql, clearPayload(sql))} @@ ${q}`] : rest;
    out.push(...(await rangeOf(sql, log.id, start, undefined, tail, limit - out.length)));
  }
  return out;
}
