/**
 * Expiry of clear values (docs/erasure.md): when a v2 log's retention policy's clear-value
 * period has passed for an entry, its salts and values are crypto-shredded as an erasure's are,
 * under a `sealtrail.expiry` record of the same log appended first, naming the seqs and fields
 * (never the values). Entries under an active legal hold keep their values, and are named in
 * the result; the ledger's own records (erasures, holds, expiries) are never expired, since the
 * verifier reads the authority for every removal from them.
 */
import { COMMITTED_FIELDS } from "../../core/entry/index.js";
import { EXPIRY_KIND, RECORD_KINDS, removalPayload, seqSpans, type SeqSpan } from "../../core/erasure/index.js";
import { withArchive } from "../archive/archived-store.js";
import type { LedgerStore, Log } from "../store.js";
import { heldEntries } from "./legal-holds.js";
import { appendRecord } from "./records.js";

/** Spans per record, as for an erasure: a record's payload stays far below the payload limit. */
const SPANS_PER_RECORD = 10_000;

export interface ExpiryRun {
  /** The retention run this expiry belongs to: named in the record as its request. */
  run: string;
  /** Entries recorded before this lose their clear values. */
  before: Date;
  /** The policy's clear-value period, named in the record. */
  clearDays: number;
  /** Who expires them (the retention worker's actor). */
  by: string;
}

export interface ExpiryResult {
  /** Seqs of the expiry records appended (none when nothing was due). */
  recordSeqs: number[];
  /** Seqs whose values were shredded now, [from, to). */
  expired: SeqSpan[];
  /** Seqs due that legal holds kept, with the holds. */
  held: { seqs: SeqSpan[]; holds: string[] };
  /** Values shredded. */
  values: number;
}

/**
 * Shreds the clear values of log `log`'s entries recorded before `o.before` that still hold
 * some, but those held and the ledger's own records. `store` reads archived entries (withArchive):
 * entries past the hot window are usually the ones whose clear period ends.
 */
export async function expireValues(store: LedgerStore, log: Log, o: ExpiryRun): Promise<ExpiryResult> {
  // Under the log's removal lock: a legal hold created meanwhile waits, or is seen (docs/erasure.md).
  return store.withRemovalLock(log.id, () => expireLocked(store, log, o));
}

async function expireLocked(store: LedgerStore, log: Log, o: ExpiryRun): Promise<ExpiryResult> {
  const none: ExpiryResult = { recordSeqs: [], expired: [], held: { seqs: [], holds: [] }, values: 0 };
  if (log.leafVersion !== 2) return none;
  const size = await store.treeSize(log.id);
  const due = await store.seqRecordedFrom(log.id, size, o.before);
  if (due === 0) return none;
  const candidates: SeqSpan[] = (await store.valueSpans(log.id, due)).map((r) => [r.from, r.to]);
  if (candidates.length === 0) return none;
  const own = await recordSeqs(store, log, candidates, size);
  const unheld = minus(candidates, own);
  const held = await heldEntries(store, log, unheld);
  const spans = minus(unheld, held.seqs);
  const result: ExpiryResult = { ...none, held: { seqs: seqSpans(held.seqs), holds: held.holds }, expired: spans };
  for (let i = 0; i < spans.length; i += SPANS_PER_RECORD) {
    const part = spans.slice(i, i + SPANS_PER_RECORD);
    const entries = part.reduce((n, [a, b]) => n + (b - a), 0);
    // The record first: a removal without one is what the verifier reports as tampering.
    const recordSeq = await appendRecord(store, log, EXPIRY_KIND, "expiry.execute", o.by, JSON.parse(removalPayload({ seqs: part, fields: [...COMMITTED_FIELDS] }, {
      request: o.run, reason: `retention policy: clear values kept ${o.clearDays} days`, recorded_before: o.before.toISOString(), entries,
    })) as Record<string, unknown>);
    result.recordSeqs.push(recordSeq);
    result.values += (await store.shredValues(log.id, part.map(([from, to]) => ({ from, to })), COMMITTED_FIELDS, recordSeq)).removed;
  }
  return result;
}

/** The seqs within `spans` of the ledger's own records: from the main tables, and from the archive below its end. */
async function recordSeqs(store: LedgerStore, log: Log, spans: readonly SeqSpan[], size: number): Promise<number[]> {
  const seqs = new Set((await withArchive(store).recordEntries(log.id, RECORD_KINDS, size)).map((r) => r.seq));
  const archived = await store.archivedTo(log.id);
  const kinds = RECORD_KINDS as readonly string[];
  for (const [from, to] of spans) {
    if (from >= archived) break;
    for await (const batch of store.streamEntries(log.id, log.origin, from, Math.min(to, archived))) {
      for (const e of batch) if (kinds.includes(e.kind)) seqs.add(e.seq);
    }
  }
  return [...seqs].sort((a, b) => a - b);
}

/** `spans` without the sorted seqs `out`. */
function minus(spans: readonly SeqSpan[], out: readonly number[]): SeqSpan[] {
  const result: SeqSpan[] = [];
  let k = 0;
  for (const [from, to] of spans) {
    let start = from;
    while (k < out.length && out[k]! < from) k++;
    while (k < out.length && out[k]! < to) {
      if (out[k]! > start) result.push([start, out[k]!]);
      start = out[k]! + 1;
      k++;
    }
    if (start < to) result.push([start, to]);
  }
  return result;
}
