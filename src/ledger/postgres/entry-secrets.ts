/**
 * A v2 log's clear values and salts (entry_secrets) and their removal (crypto-shredding):
 * the statements behind LedgerStore's ShredStore (docs/erasure.md).
 */
import { COMMITTED_FIELDS, type CommittedField, fieldNumber } from "../../core/entry/index.js";
import { LedgerError } from "../errors.js";
import type { RawRowHandler, RecordEntry, SeqRange, ValueRemoval } from "../store.js";
import { readCopyRows } from "./copy-binary.js";
import type { Sql } from "./db.js";

/** Blanks per field in entry_search: actor 0, resource 1, payload 2 (its words). */
const SEARCH_COLUMN = ["actor", "resource", "search"] as const;

function checkRanges(seqs: readonly SeqRange[], recordSeq: number): void {
  if (!Number.isSafeInteger(recordSeq) || recordSeq < 0) throw new LedgerError("INVALID_INPUT", `record seq: got ${recordSeq}, want a seq`);
  for (const r of seqs) {
    if (!Number.isSafeInteger(r.from) || !Number.isSafeInteger(r.to) || r.from < 0 || r.to < r.from) throw new LedgerError("INVALID_INPUT", `seq range: got [${r.from}, ${r.to}), want 0 ≤ from ≤ to`);
    // A record authorizes removals from entries before it only (entry_removals_shape).
    if (r.to > recordSeq) throw new LedgerError("INVALID_INPUT", `seq range [${r.from}, ${r.to}): the authorizing record (seq ${recordSeq}) must come after every seq it removes`);
  }
}

/**
 * Deletes the salts and values, blanks the search index, and marks the removals, in one
 * transaction: nothing is half-removed. Touches only the rows of the removed values.
 */
export async function shredValues(sql: Sql, logId: number, seqs: readonly SeqRange[], fields: readonly CommittedField[], recordSeq: number): Promise<{ removed: number }> {
  checkRanges(seqs, recordSeq);
  for (const f of fields) if (!(COMMITTED_FIELDS as readonly string[]).includes(f)) throw new LedgerError("INVALID_INPUT", `field: got ${JSON.stringify(f)}, want one of ${COMMITTED_FIELDS.join(", ")}`);
  if (seqs.length === 0 || fields.length === 0) return { removed: 0 };
  const [log] = await sql<{ leafVersion: number }[]>`select leaf_version as "leafVersion" from logs where id = ${logId}`;
  if (!log) throw new LedgerError("LOG_NOT_FOUND", `no log with id ${logId}`);
  if (log.leafVersion !== 2) throw new LedgerError("INVALID_INPUT", `log ${logId} has leaf format v${log.leafVersion}: only v2 values can be shredded (docs/leaf-format.md)`);
  const numbers = fields.map(fieldNumber);
  const froms = seqs.map((r) => r.from);
  const tos = seqs.map((r) => r.to);
  const run = async (tx: Sql) => {
    const gone = await tx<{ seq: number; field: number }[]>`
      delete from entry_secrets s using unnest(${froms}::int8[], ${tos}::int8[]) as r(a, b)
      where s.log_id = ${logId} and s.field = any(${numbers}::int2[]) and s.seq >= r.a and s.seq < r.b
      returning s.seq, s.field`;
    if (gone.length === 0) return { removed: 0 };
    const goneSeqs = gone.map((g) => g.seq);
    const goneFields = gone.map((g) => g.field);
    await tx`
      insert into entry_removals (log_id, seq, field, record_seq)
      select ${logId}, g.seq, g.field, ${recordSeq} from unnest(${goneSeqs}::int8[], ${goneFields}::int2[]) as g(seq, field)
      on conflict do nothing`;
    for (const n of new Set(goneFields)) {
      const these = gone.filter((g) => g.field === n).map((g) => g.seq);
      const column = SEARCH_COLUMN[n]!;
      const blank = column === "search" ? tx`''::tsvector` : tx`''`;
      await tx`update entry_search set ${tx(column)} = ${blank} where log_id = ${logId} and seq = any(${these}::int8[])`;
    }
    return { removed: gone.length };
  };
  // Inside a caller's transaction (withLogLock) the statements join it; else one of their own.
  const begin = (sql as unknown as { begin?: unknown }).begin;
  return typeof begin === "function" ? (sql.begin((t) => run(t as unknown as Sql)) as Promise<{ removed: number }>) : run(sql);
}

export async function removals(sql: Sql, logId: number, from: number, to: number): Promise<ValueRemoval[]> {
  const rows = await sql<{ seq: number; field: number; recordSeq: number }[]>`
    select seq, field, record_seq as "recordSeq" from entry_removals
    where log_id = ${logId} and seq >= ${from} and seq < ${to} order by seq, field`;
  return rows.map((r) => ({ seq: r.seq, field: COMMITTED_FIELDS[r.field]!, recordSeq: r.recordSeq }));
}

/**
 * The seqs below `below` with a value left, grouped into runs of consecutive seqs (gaps and
 * islands: seq minus its rank is constant along a run), so that a log of a million entries
 * comes back as a few spans, not a million numbers.
 */
export async function valueSpans(sql: Sql, logId: number, below: number): Promise<SeqRange[]> {
  return sql<SeqRange[]>`
    select min(seq)::int8 as "from", (max(seq) + 1)::int8 as "to" from (
      select seq, seq - row_number() over (order by seq) as run
      from (select distinct seq from entry_secrets where log_id = ${logId} and seq < ${below}) s
    ) t group by run order by 1`;
}

/** entry_secrets of [from, to) as a binary COPY: seq int8, field int2, salt bytea, value text, in (seq, field) order. */
export async function scanSecrets(sql: Sql, logId: number, from: number, to: number, onRow: RawRowHandler): Promise<number> {
  if (![logId, from, to].every(Number.isSafeInteger)) throw new LedgerError("INVALID_INPUT", "secret range: want integers");
  const stream = await sql.unsafe(`copy (select seq, field, salt, value from entry_secrets
      where log_id = ${logId} and seq >= ${from} and seq < ${to} order by seq, field) to stdout (format binary)`).readable();
  return readCopyRows(stream, onRow);
}

/**
 * The entries of `kinds` in log `logId` below `size`, with their clear payloads (v1: the
 * entry's; v2: its entry_secrets value, null once removed), in seq order: the ledger's own
 * records (erasures, expiries, holds), few beside the log.
 */
export async function recordEntries(sql: Sql, logId: number, kinds: readonly string[], size: number): Promise<RecordEntry[]> {
  return sql<RecordEntry[]>`
    select e.seq, e.kind, case when l.leaf_version = 2 then s.value else e.payload end as payload
    from entries e join logs l on l.id = e.log_id
    left join entry_secrets s on l.leaf_version = 2 and s.log_id = e.log_id and s.seq = e.seq and s.field = 2
    where e.log_id = ${logId} and e.kind = any(${kinds as string[]}::text[]) and e.seq < ${size}
    order by e.seq`;
}
