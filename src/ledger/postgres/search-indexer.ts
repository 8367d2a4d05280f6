/**
 * The search indexer: fills entry_search with the words, actor and resource of committed
 * entries, after their append has committed, so that building the tsvector, its GIN entry and
 * the b-tree entries of the rarer filters is no longer part of the append transaction. Each log is indexed in seq order, a run of entries per transaction,
 * so a log's rows in entry_search are always the prefix seq < watermark: searches read the
 * entries past it directly (event-query.ts) and miss nothing while the indexer is behind, or
 * stopped. Several indexers may run (SEALTRAIL_SEARCH_INDEXERS in each worker process, and
 * several processes): a per-log advisory lock, tried and never waited for, gives each run of a
 * log to one of them, so they index different logs at once; a log's runs stay in seq order.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type postgres from "postgres";
import type { Sql } from "./db.js";
import { clearValue, secretJoins } from "./clear-values.js";
import { entryWords } from "./search-words.js";

/** Namespace of the per-log indexer locks; the appender's is 0x5ea1 (appender.ts). */
export const SEARCH_LOCK_NAMESPACE = 0x5ea2;

/** Entries indexed per transaction by default: ~0.1–0.3 s of Postgres work, short enough to stop promptly. */
export const DEFAULT_SEARCH_BATCH = 5000;

export interface SearchLag {
  logId: number;
  /** Entries in the log. */
  size: number;
  /** Entries whose words are in entry_search: seqs below it. */
  indexed: number;
}

/** Size and search watermark of every log (two index lookups per log). */
export async function searchLag(sql: Sql): Promise<SearchLag[]> {
  return sql<SearchLag[]>`
    select l.id as "logId",
           coalesce((select e.seq + 1 from entries e where e.log_id = l.id order by e.seq desc limit 1), 0) as size,
           coalesce((select s.seq + 1 from entry_search s where s.log_id = l.id order by s.seq desc limit 1), 0) as indexed
    from logs l order by l.id`;
}

/** One log's search watermark, with when its oldest entry not yet indexed was recorded (none when caught up). */
export async function logSearchLag(sql: Sql, logId: number): Promise<{ size: number; indexed: number; oldestPendingAt: Date | null }> {
  const [row] = await sql<{ size: number; indexed: number }[]>`
    select coalesce((select e.seq + 1 from entries e where e.log_id = ${logId}::int order by e.seq desc limit 1), 0) as size,
           ${watermark(sql, logId)} as indexed`;
  const { size, indexed } = row!;
  if (indexed >= size) return { size, indexed, oldestPendingAt: null };
  const [pending] = await sql<{ at: Date }[]>`select recorded_at as at from entries where log_id = ${logId}::int and seq = ${indexed}`;
  return { size, indexed, oldestPendingAt: pending?.at ?? null };
}

/** An entry whose words could not be read: indexed without them (its actor and resource are). */
export interface SkippedEntry {
  logId: number;
  seq: number;
  reason: string;
}

/**
 * Index up to `max` entries of log `logId` past its watermark, in one transaction. Returns how
 * many were indexed: 0 when the log is caught up or another indexer holds it.
 *
 * Stored entries cannot be changed, so every one of them must be indexable: when the run fails
 * as a whole (a payload the words cannot be read from: not JSON, a tsvector over its limit, …),
 * it is indexed again entry by entry, each under a savepoint, and an entry whose words fail is
 * indexed with none, reported to `onSkipped`. The watermark passes it either way.
 */
export async function indexLogRun(sql: Sql, logId: number, max: number = DEFAULT_SEARCH_BATCH, onSkipped: (entry: SkippedEntry) => void = () => {}): Promise<number> {
  if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`max: got ${max}, want a positive integer`);
  const skipped: SkippedEntry[] = [];
  const indexed = await sql.begin(async (tx) => {
    // Keyed by the schema too, as the appender's lock: log ids are per schema.
    const [lock] = await tx<{ held: boolean }[]>`
      select pg_try_advisory_xact_lock(${SEARCH_LOCK_NAMESPACE} # 'logs'::regclass::oid::int4, ${logId}) as held`;
    if (!lock!.held) return 0;
    const t = tx as unknown as Sql;
    try {
      return await tx.savepoint((sp) => insertRun(sp as unknown as Sql, logId, max));
    } catch {
      return insertOneByOne(t, logId, max, skipped);
    }
  });
  for (const entry of skipped) onSkipped(entry);
  return indexed;
}

/**
 * Indexes log `logId` until its watermark reaches `to` (a retention run, before it archives
 * the entries below `to`: their words stay in entry_search, migration 0011). Another indexer
 * holding the log is waited for, up to `waitMs`; the watermark reached is returned, and a
 * range archived short of it is recorded as not searchable, never claimed to be.
 */
export async function indexThrough(sql: Sql, logId: number, to: number, waitMs = 30_000): Promise<number> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const { size, indexed } = await logSearchLag(sql, logId);
    if (indexed >= Math.min(to, size)) return indexed;
    if ((await indexLogRun(sql, logId, Math.min(DEFAULT_SEARCH_BATCH, to - indexed))) > 0) continue;
    if (Date.now() > deadline) return indexed;
    await sleep(50);
  }
}

/** The watermark of log `logId`: the first seq not in entry_search. */
function watermark(sql: Sql, logId: number) {
  return sql`coalesce((select s.seq + 1 from entry_search s where s.log_id = ${logId}::int order by s.seq desc limit 1), 0)`;
}

async function insertRun(sql: Sql, logId: number, max: number, words = entryWords(sql)): Promise<number> {
  // Under READ COMMITTED this statement sees every append committed before it began; appends
  // to a log commit in seq order under its lock, so what it sees of a log is a prefix, and
  // the run it indexes has no gaps.
  const result = await sql`
    insert into entry_search (log_id, seq, actor, resource, search)
    select e.log_id, e.seq, e.actor, e.resource, ${words}
    from (
      select e.log_id, e.seq, e.kind, ${clearValue(sql, "actor", "a")} as actor, ${clearValue(sql, "resource", "r")} as resource,
        ${clearValue(sql, "payload", "p")} as payload
      from entries e join logs l on l.id = e.log_id ${secretJoins(sql)}
      where e.log_id = ${logId}::int and e.seq >= ${watermark(sql, logId)}
      order by e.seq
      limit ${max}) e`;
  return result.count;
}

async function insertOneByOne(tx: Sql, logId: number, max: number, skipped: SkippedEntry[]): Promise<number> {
  let done = 0;
  while (done < max) {
    const seq = await tx`select e.seq from entries e where e.log_id = ${logId}::int and e.seq >= ${watermark(tx, logId)} order by e.seq limit 1`;
    if (seq.length === 0) break;
    try {
      await (tx as unknown as postgres.TransactionSql).savepoint((sp) => insertRun(sp as unknown as Sql, logId, 1));
    } catch (error) {
      skipped.push({ logId, seq: Number(seq[0]!.seq), reason: (error as Error).message });
      await insertRun(tx, logId, 1, tx`''::tsvector`);
    }
    done++;
  }
  return done;
}

export interface SearchPass {
  /** Entries indexed in this pass, all logs together. */
  indexed: number;
  /** Entries still past the watermarks when the pass ended. */
  behind: number;
  /** Entries indexed without their words, which could not be read (SkippedEntry). */
  skipped: number;
  /** Logs whose indexing failed in this pass (reported to onError; the other logs went on). */
  failedLogs: number;
}

/**
 * One pass over every log: index each one's backlog, at most `budget` entries per log, so that
 * one busy log does not starve the others' freshness. A log that fails is reported and passed
 * over: one log (one tenant) never stops the others' indexing.
 */
export async function indexSearchOnce(
  sql: Sql,
  options: { batch?: number; budget?: number; onSkipped?: (entry: SkippedEntry) => void; onError?: (error: unknown) => void; offset?: number } = {},
): Promise<SearchPass> {
  const batch = options.batch ?? DEFAULT_SEARCH_BATCH;
  const budget = options.budget ?? 4 * batch;
  const pass: SearchPass = { indexed: 0, behind: 0, skipped: 0, failedLogs: 0 };
  const onSkipped = (entry: SkippedEntry) => {
    pass.skipped++;
    options.onSkipped?.(entry);
  };
  let firstError: unknown;
  const lags = await searchLag(sql);
  // Indexers running at once start at different logs (`offset`): each finds its first log free.
  const start = lags.length > 0 ? (options.offset ?? 0) % lags.length : 0;
  for (const log of [...lags.slice(start), ...lags.slice(0, start)]) {
    let todo = log.size - log.indexed;
    let done = 0;
    try {
      while (todo > 0 && done < budget) {
        const n = await indexLogRun(sql, log.logId, Math.min(batch, budget - done), onSkipped);
        if (n === 0) break; // another indexer has it, or it is caught up
        done += n;
        todo -= n;
      }
    } catch (error) {
      pass.failedLogs++;
      const failure = new Error(`search index of log ${log.logId}: ${(error as Error).message}`, { cause: error });
      if (options.onError) options.onError(failure);
      else firstError ??= failure;
    }
    pass.indexed += done;
    pass.behind += Math.max(0, todo);
  }
  // Without a handler, the first failure is thrown, once every log has had its turn.
  if (firstError !== undefined) throw firstError;
  return pass;
}

export interface SearchIndexerOptions {
  /** Pause between passes when the last one left nothing behind. */
  intervalMs: number;
  batch?: number;
  signal: AbortSignal;
  onPass?: (pass: SearchPass) => void;
  onError?: (error: unknown) => void;
  onSkipped?: (entry: SkippedEntry) => void;
  /**
   * SEALTRAIL_SEARCH_INDEXERS: indexers run at once (default 1), each a transaction of `sql`'s
   * pool at a time, so the pool needs as many connections. One indexer does ~5–6k entries/s,
   * below a loaded ingest's rate (BENCHMARKS.md): several keep up where there are several logs.
   */
  indexers?: number;
}

/** Passes until `signal` aborts, after the transactions in hand; back to back while behind. */
export async function runSearchIndexer(sql: Sql, options: SearchIndexerOptions): Promise<void> {
  const n = options.indexers ?? 1;
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`indexers: got ${n}, want a positive integer`);
  await Promise.all(Array.from({ length: n }, (_, i) => indexerLoop(sql, options, i)));
}

async function indexerLoop(sql: Sql, options: SearchIndexerOptions, offset: number): Promise<void> {
  while (!options.signal.aborted) {
    let progressing = false;
    try {
      const pass = await indexSearchOnce(sql, { batch: options.batch, onSkipped: options.onSkipped, onError: options.onError, offset });
      // Still behind after indexing some: go on at once. Behind with nothing indexed means
      // another indexer holds those logs: wait, as when caught up.
      progressing = pass.indexed > 0 && pass.behind > 0;
      options.onPass?.(pass);
    } catch (error) {
      options.onError?.(error);
    }
    if (!progressing) await sleep(options.intervalMs, undefined, { signal: options.signal }).catch(() => {});
  }
}
