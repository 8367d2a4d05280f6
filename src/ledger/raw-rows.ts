/**
 * Raw rows, as LedgerStore.scanEntries and scanNodes hand them out: each value in PostgreSQL's
 * binary send form (PostgreSQL docs, "COPY", Binary Format), read in place without an object
 * per row. The entry columns come in the order below; these decoders read their values.
 */
import { LedgerError } from "./errors.js";

export const SEQ = 0, KIND = 1, ACTOR = 2, ACTION = 3, RESOURCE = 4, OUTCOME = 5, SOURCE = 6;
export const OCCURRED_AT = 7, RECORDED_AT = 8, TAGS = 9, PAYLOAD = 10, PAYLOAD_HASH = 11, LEAF_HASH = 12, CHAIN_HASH = 13;
export const ENTRY_COLUMNS = 14;

/** int8 in network byte order. Seqs and sizes stay below 2^53. */
export function int8(field: Buffer): number {
  return Number(field.readBigInt64BE(0));
}

const PG_EPOCH_MS = 946_684_800_000; // 2000-01-01T00:00:00Z

/** int8 at row[at], or NaN beyond the safe integers (where Number(bigint) would round). */
export function int8At(row: Buffer, at: number): number {
  const hi = row.readInt32BE(at);
  if (hi >= 0x200000 || hi < -0x200000) return Number.NaN;
  return hi * 4294967296 + row.readUInt32BE(at + 4);
}

/**
 * timestamptz at row[at] as whole milliseconds since the Unix epoch, or NaN when it is not a
 * whole millisecond. Exact for every int8: 2^32 µs = 4294967 ms + 296 µs, so nothing above
 * 2^53 is formed.
 */
export function timestampMsAt(row: Buffer, at: number): number {
  const hi = row.readInt32BE(at);
  const rest = hi * 296 + row.readUInt32BE(at + 4);
  if (rest % 1000 !== 0) return Number.NaN;
  return hi * 4294967 + rest / 1000 + PG_EPOCH_MS;
}

/** timestamptz: microseconds since 2000-01-01 UTC, to milliseconds since the Unix epoch. */
export function timestampMs(field: Buffer): number {
  return Number(field.readBigInt64BE(0) / 1000n) + PG_EPOCH_MS;
}

/** One-dimensional text[] in binary array format (ndim, has-null flag, element oid, dims, elements). */
export function textArray(field: Buffer): string[] {
  const ndim = field.readInt32BE(0);
  if (ndim === 0) return [];
  if (ndim !== 1) throw new LedgerError("DATABASE", `text[]: got ${ndim} dimensions, want 1`);
  const n = field.readInt32BE(12);
  const out: string[] = new Array(n);
  let p = 20;
  for (let i = 0; i < n; i++) {
    const len = field.readInt32BE(p);
    p += 4;
    if (len < 0) throw new LedgerError("DATABASE", "text[]: NULL element");
    out[i] = field.toString("utf8", p, p + len);
    p += len;
  }
  return out;
}
