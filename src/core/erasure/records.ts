/**
 * The ledger's own records of erasure (GDPR Art. 17), expiry and legal holds: entries appended
 * to the log they concern, so that a verifier of that log finds, in the same signed history,
 * the authority for every value removed from it (docs/erasure.md). A removal record names
 * seqs and fields, never the values.
 */
import { canonicalize } from "../encoding/index.js";
import { COMMITTED_FIELDS, type CommittedField } from "../entry/index.js";
import { CoreError } from "../errors.js";

/** An erasure carried out: the values of `fields` of `seqs` were shredded under it. */
export const ERASURE_KIND = "sealtrail.erasure";
/** An expiry carried out by a retention policy; the same shape as an erasure. */
export const EXPIRY_KIND = "sealtrail.expiry";
/** The kinds whose entries authorize removals. */
export const REMOVAL_KINDS = [ERASURE_KIND, EXPIRY_KIND] as const;
/** An erasure asked for and waiting for a second admin's approval (four-eyes). */
export const ERASURE_REQUEST_KIND = "sealtrail.erasure-request";
/** An erasure (or its approval) refused, with the reason: a legal hold, a wrong approver. */
export const ERASURE_REFUSED_KIND = "sealtrail.erasure-refused";
export const HOLD_KIND = "sealtrail.legal-hold";
export const HOLD_RELEASE_KIND = "sealtrail.legal-hold-release";
/** Kinds the ledger writes for itself: no source may send them, and no erasure may touch them. */
export const RECORD_KINDS = [ERASURE_KIND, EXPIRY_KIND, ERASURE_REQUEST_KIND, ERASURE_REFUSED_KIND, HOLD_KIND, HOLD_RELEASE_KIND] as const;

/** [from, to): seqs from ≤ seq < to. */
export type SeqSpan = [number, number];

/** What a removal record must say; other members (request, reason, legal basis, …) are free. */
export interface RemovalRecord {
  seqs: SeqSpan[];
  fields: CommittedField[];
}

/** Sorted, distinct seqs as spans [from, to). */
export function seqSpans(seqs: Iterable<number>): SeqSpan[] {
  const sorted = [...new Set(seqs)].sort((a, b) => a - b);
  const spans: SeqSpan[] = [];
  for (const s of sorted) {
    const last = spans[spans.length - 1];
    if (last && last[1] === s) last[1] = s + 1;
    else spans.push([s, s + 1]);
  }
  return spans;
}

export function countSeqs(spans: readonly SeqSpan[]): number {
  return spans.reduce((n, [a, b]) => n + (b - a), 0);
}

const bad = (message: string) => new CoreError("ENTRY_INVALID", `removal record: ${message}`);

/** The seqs and fields of a removal record's payload (canonical JSON); ENTRY_INVALID when it has not that shape. */
export function parseRemovalRecord(payload: string): RemovalRecord {
  let o: unknown;
  try {
    o = JSON.parse(payload);
  } catch {
    throw bad("not JSON");
  }
  if (typeof o !== "object" || o === null) throw bad("not an object");
  const { seqs, fields } = o as Record<string, unknown>;
  if (!Array.isArray(fields) || fields.length === 0 || !fields.every((f) => (COMMITTED_FIELDS as readonly unknown[]).includes(f))) throw bad(`fields: want a non-empty list of ${COMMITTED_FIELDS.join(", ")}`);
  if (!Array.isArray(seqs) || !seqs.every((s) => Array.isArray(s) && s.length === 2 && s.every((n) => Number.isSafeInteger(n) && n >= 0) && s[0] < s[1])) throw bad("seqs: want a list of [from, to) with 0 ≤ from < to");
  return { seqs: seqs as SeqSpan[], fields: fields as CommittedField[] };
}

/** The payload of a removal record: its seqs and fields beside what else it says. */
export function removalPayload(record: RemovalRecord, rest: Record<string, unknown>): string {
  return canonicalize({ ...rest, seqs: record.seqs, fields: record.fields });
}

/**
 * The removals a log's records authorize: for a (seq, field), the seq of the first record that
 * covers it. A record authorizes removals from entries before it only.
 */
export class RemovalIndex {
  private readonly spans = new Map<CommittedField, { from: number; to: number; record: number }[]>();
  private sorted = true;
  count = 0;

  /** The spans within [start, end), as [field index, from, to, record]: a range's share, for a worker thread. */
  slice(start: number, end: number): [number, number, number, number][] {
    const out: [number, number, number, number][] = [];
    for (const [field, list] of this.spans) {
      const n = COMMITTED_FIELDS.indexOf(field);
      for (const s of list) if (s.from < end && s.to > start) out.push([n, Math.max(s.from, start), Math.min(s.to, end), s.record]);
    }
    return out;
  }

  /** An index of a slice(). */
  static fromSlice(slice: readonly (readonly [number, number, number, number])[]): RemovalIndex {
    const index = new RemovalIndex();
    for (const [n, from, to, record] of slice) {
      const field = COMMITTED_FIELDS[n]!;
      let list = index.spans.get(field);
      if (!list) index.spans.set(field, (list = []));
      list.push({ from, to, record });
    }
    index.sorted = false;
    return index;
  }

  add(recordSeq: number, record: RemovalRecord): void {
    for (const field of record.fields) {
      let list = this.spans.get(field);
      if (!list) this.spans.set(field, (list = []));
      for (const [from, to] of record.seqs) {
        const end = Math.min(to, recordSeq);
        if (from < end) list.push({ from, to: end, record: recordSeq });
      }
    }
    this.count++;
    this.sorted = false;
  }

  /** The record that authorizes removing `field` of `seq`, or undefined. */
  cover(seq: number, field: CommittedField): number | undefined {
    if (!this.sorted) {
      for (const list of this.spans.values()) list.sort((a, b) => a.from - b.from || a.record - b.record);
      this.sorted = true;
    }
    const list = this.spans.get(field);
    if (!list) return undefined;
    // Spans may overlap (an erasure and an expiry of the same seqs): scan back from the last span starting at or before seq.
    let lo = 0, hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.from <= seq) lo = mid + 1;
      else hi = mid;
    }
    let found: number | undefined;
    for (let i = lo - 1; i >= 0; i--) {
      const s = list[i]!;
      if (s.to > seq && (found === undefined || s.record < found)) found = s.record;
      if (i < lo - 64 && found !== undefined) break;
    }
    return found;
  }
}
