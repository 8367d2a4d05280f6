/**
 * Streaming parser of COPY ... TO STDOUT (FORMAT binary) (PostgreSQL docs, "COPY", Binary
 * Format): an 11-byte signature, flags, a header extension, then tuples of a 16-bit field
 * count and, per field, a 32-bit length (-1 for NULL) and the value in its binary send form;
 * a field count of -1 ends the data. Binary avoids hex-decoding every hash and parsing
 * timestamps from text: the verifier reads a million rows with it.
 */
import { Readable } from "node:stream";
import { LedgerError } from "./errors.js";

const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");

/** Fields of one tuple: views into the chunk (valid only during the callback), or null. */
export type Tuple = (Buffer | null)[];

export async function readBinaryCopy(stream: Readable, onTuple: (tuple: Tuple) => void): Promise<number> {
  let pending: Buffer = Buffer.alloc(0);
  let headerDone = false;
  let ended = false;
  let count = 0;
  const tuple: Tuple = [];
  try {
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let buf = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    let pos = 0;
    if (!headerDone) {
      if (buf.length < 19) {
        pending = buf;
        continue;
      }
      if (!buf.subarray(0, 11).equals(SIGNATURE)) throw new LedgerError("DATABASE", "COPY binary: bad signature");
      const extension = buf.readUInt32BE(15);
      if (buf.length < 19 + extension) {
        pending = buf;
        continue;
      }
      pos = 19 + extension;
      headerDone = true;
    }
    for (;;) {
      if (ended || buf.length - pos < 2) break;
      const fields = buf.readInt16BE(pos);
      if (fields === -1) {
        ended = true;
        pos += 2;
        break;
      }
      // Walk the tuple once to see that it is complete before handing out views.
      let p = pos + 2;
      let complete = true;
      for (let f = 0; f < fields; f++) {
        if (buf.length - p < 4) {
          complete = false;
          break;
        }
        const len = buf.readInt32BE(p);
        p += 4;
        if (len > 0) {
          if (buf.length - p < len) {
            complete = false;
            break;
          }
          p += len;
        }
      }
      if (!complete) break;
      tuple.length = fields;
      let q = pos + 2;
      for (let f = 0; f < fields; f++) {
        const len = buf.readInt32BE(q);
        q += 4;
        if (len < 0) tuple[f] = null;
        else {
          tuple[f] = buf.subarray(q, q + len);
          q += len;
        }
      }
      pos = p;
      onTuple(tuple);
      count++;
    }
    pending = pos < buf.length ? Buffer.from(buf.subarray(pos)) : Buffer.alloc(0);
    buf = pending;
  }
  } finally {
  // postgres.js pauses its socket when the COPY stream pushes back and resumes it only from the
  // stream's read(): if the last chunk pushed back, the ended stream never reads again and the
  // connection stays paused, hanging its next query. Resume it explicitly.
  (stream as unknown as { _read(size: number): void })._read(0);
  }
  if (!ended) throw new LedgerError("DATABASE", "COPY binary: stream ended before the trailer");
  return count;
}

/** int8 in network byte order. Seqs and sizes stay below 2^53. */
export function int8(field: Buffer): number {
  return Number(field.readBigInt64BE(0));
}

const PG_EPOCH_MS = 946_684_800_000; // 2000-01-01T00:00:00Z

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
