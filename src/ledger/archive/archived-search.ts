/**
 * A page of the API's `events` over a log's archived prefix as well as its main tables. The
 * archive is searched through the search index: entry_search keeps an entry's words, actor and
 * resource when a retention run archives it (migration 0011), so a filter with `text`, `actor`
 * or `resource` finds the archived entries that match there, reads them back from the archive
 * (archived-entry.ts) and tests the rest of the filter on them (archived-filter.ts). What the
 * index cannot serve is not searched, and said so (`notSearched`), never left out silently: a
 * filter without any of the three (the archive's rows files would have to be read whole), and
 * ranges archived without their words (before 0011, or whose rows the index lost).
 * A page keeps the ledger's order, (log id, seq): a log's archived matches come before its hot ones.
 */
import type { EntryPosition } from "../../core/token/index.js";
import type { ArchivedLookup, EventFilter, LogArchivedRange, ServedEntry } from "../records.js";
import type { FindOptions, LedgerStore, Log } from "../store.js";
import { archivedEntries } from "./archived-entry.js";
import { meetsRest } from "./archived-filter.js";

/** Why a range of archived seqs was not searched. */
export type NotSearchedReason = "filter_not_indexed" | "index_not_kept";

/** Seqs [from, to) of a log that a search did not look at. */
export interface NotSearched {
  logId: number;
  log: string;
  from: number;
  to: number;
  reason: NotSearchedReason;
}

export interface EventsPage {
  entries: ServedEntry[];
  /** The archived ranges in the filter's logs that it did not search: the same on every page. */
  notSearched: NotSearched[];
}

/** Index matches read per query when the rest of the filter may turn some down. */
const MATCH_CHUNK = 256;

/** Up to `limit` entries matching `filter` after `after`, archived or not, in (log id, seq) order. */
export async function findEvents(store: LedgerStore, filter: EventFilter, limit: number, after?: EntryPosition, options: FindOptions = {}): Promise<EventsPage> {
  const ranges = await store.archivedRangesOf(filter.logIds);
  const lookup: ArchivedLookup = { text: filter.text, actor: filter.actor, resource: filter.resource };
  const looksUp = lookup.text !== undefined || lookup.actor !== undefined || lookup.resource !== undefined;
  const notSearched = ranges
    .filter((r) => !looksUp || !r.searchable)
    .map((r) => ({ logId: r.logId, log: r.log, from: r.fromSeq, to: r.toSeq, reason: looksUp ? ("index_not_kept" as const) : ("filter_not_indexed" as const) }));
  const searched = new Map<number, LogArchivedRange[]>();
  for (const r of ranges) {
    if (!looksUp || !r.searchable || (after && (r.logId < after.logId || (r.logId === after.logId && r.toSeq <= after.seq + 1)))) continue;
    searched.set(r.logId, [...(searched.get(r.logId) ?? []), r]);
  }
  if (searched.size === 0) return { entries: await store.findEntries(filter, limit, after, options), notSearched };

  const logs = (await store.listLogs()).filter((l) => (filter.logIds ? filter.logIds.includes(l.id) : true) && (!after || l.id >= after.logId)).sort((a, b) => a.id - b.id);
  const out: ServedEntry[] = [];
  // Logs without a searched range are read together, as findEntries reads them; each log with one alone, its archive first.
  let plain: number[] = [];
  const flush = async () => {
    if (plain.length > 0 && out.length < limit) out.push(...(await store.findEntries({ ...filter, logIds: plain }, limit - out.length, after, options)));
    plain = [];
  };
  for (const log of logs) {
    const mine = searched.get(log.id);
    if (!mine) {
      plain.push(log.id);
      continue;
    }
    await flush();
    if (out.length >= limit) break;
    const from = after?.logId === log.id ? after.seq + 1 : 0;
    out.push(...(await archivedMatches(store, log, mine, from, filter, lookup, limit - out.length)));
    if (out.length < limit) out.push(...(await store.findEntries({ ...filter, logIds: [log.id] }, limit - out.length, after?.logId === log.id ? after : undefined, options)));
    if (out.length >= limit) break;
  }
  await flush();
  return { entries: out, notSearched };
}

/** Up to `limit` archived entries of `log` in `ranges` from seq `from` that match the whole filter, in seq order. */
async function archivedMatches(store: LedgerStore, log: Log, ranges: readonly LogArchivedRange[], from: number, filter: EventFilter, lookup: ArchivedLookup, limit: number): Promise<ServedEntry[]> {
  const rest = { ...filter, logIds: undefined, text: undefined, actor: undefined, resource: undefined };
  // With nothing else to test, the index's first matches are the page's.
  const alone = Object.values(rest).every((v) => v === undefined);
  const out: ServedEntry[] = [];
  for (const r of ranges) {
    for (let at = Math.max(from, r.fromSeq); at < r.toSeq && out.length < limit; ) {
      const chunk = alone ? limit - out.length : MATCH_CHUNK;
      const seqs = await store.archivedMatches(log.id, at, r.toSeq, lookup, chunk);
      for (const e of await archivedEntries(store, log, seqs)) if (out.length < limit && meetsRest(e, rest)) out.push(e);
      if (seqs.length < chunk) break;
      at = seqs.at(-1)! + 1;
    }
  }
  return out;
}
