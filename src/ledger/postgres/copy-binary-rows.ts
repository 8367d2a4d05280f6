/**
 * Rows for COPY ... FROM STDIN (FORMAT binary) (PostgreSQL docs, "COPY", Binary Format),
 * written into Buffers handed out chunk by chunk: the appender streams a batch to Postgres
 * while it is still hashing the rest. Binary spares Postgres parsing hex hashes, timestamps
 * and array literals, and the appender building escaped text.
 */

const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");
const PG_EPOCH_MS = 946_684_800_000; // 2000-01-01T00:00:00Z
const TEXT_OID = 25;
/** Milliseconds from 2000 whose microseconds are below 2^53, so exact as a double. */
const EXACT_MS = 9_007_199_254_740;

export class CopyBinaryRows {
  private buf: Buffer;
  private p = 0;

  constructor(private readonly chunkSize = 1 << 16) {
    this.buf = Buffer.allocUnsafe(chunkSize);
    this.reserve(19);
    SIGNATURE.copy(this.buf, 0);
    this.buf.writeInt32BE(0, 11); // flags: no OIDs
    this.buf.writeInt32BE(0, 15); // no header extension
    this.p = 19;
  }

  /** Bytes written since the last take(). */
  get length(): number {
    return this.p;
  }

  /** The bytes written so far, as a Buffer of their own; the next ones go to a new one. */
  take(): Buffer {
    const out = this.buf.subarray(0, this.p);
    this.buf = Buffer.allocUnsafe(Math.max(this.chunkSize, this.p));
    this.p = 0;
    return out;
  }

  /** Starts a row of `fields` fields. */
  row(fields: number): void {
    this.reserve(2);
    this.buf.writeInt16BE(fields, this.p);
    this.p += 2;
  }

  /** The end of the data. */
  trailer(): void {
    this.row(-1);
  }

  null(): void {
    this.reserve(4);
    this.buf.writeInt32BE(-1, this.p);
    this.p += 4;
  }

  int2(value: number): void {
    this.reserve(6);
    this.buf.writeInt32BE(2, this.p);
    this.buf.writeInt16BE(value, this.p + 4);
    this.p += 6;
  }

  int4(value: number): void {
    this.reserve(8);
    this.buf.writeInt32BE(4, this.p);
    this.buf.writeInt32BE(value, this.p + 4);
    this.p += 8;
  }

  /** int8 of a safe integer. */
  int8(value: number): void {
    this.reserve(12);
    this.buf.writeInt32BE(8, this.p);
    this.int64(value);
  }

  text(value: string): void {
    this.reserve(4 + 3 * value.length); // A UTF-16 code unit is at most 3 bytes of UTF-8.
    const n = this.buf.write(value, this.p + 4, "utf8");
    this.buf.writeInt32BE(n, this.p);
    this.p += 4 + n;
  }

  bytea(bytes: Uint8Array): void {
    this.reserve(4 + bytes.length);
    this.buf.writeInt32BE(bytes.length, this.p);
    this.buf.set(bytes, this.p + 4);
    this.p += 4 + bytes.length;
  }

  /** timestamptz of whole milliseconds since the Unix epoch: microseconds since 2000-01-01. */
  timestamptz(ms: number): void {
    this.reserve(12);
    this.buf.writeInt32BE(8, this.p);
    const relative = ms - PG_EPOCH_MS;
    if (Math.abs(relative) < EXACT_MS) this.int64(relative * 1000);
    else {
      this.buf.writeBigInt64BE(BigInt(relative) * 1000n, this.p + 4);
      this.p += 12;
    }
  }

  /** A one-dimensional text[] (an empty one has no dimensions). */
  textArray(values: readonly string[]): void {
    const at = this.p;
    this.reserve(24);
    this.p += 4; // Length, once known.
    const n = values.length;
    this.buf.writeInt32BE(n === 0 ? 0 : 1, this.p); // dimensions
    this.buf.writeInt32BE(0, this.p + 4); // no NULLs
    this.buf.writeInt32BE(TEXT_OID, this.p + 8);
    this.p += 12;
    if (n > 0) {
      this.buf.writeInt32BE(n, this.p);
      this.buf.writeInt32BE(1, this.p + 4); // lower bound
      this.p += 8;
      for (const value of values) this.text(value);
    }
    this.buf.writeInt32BE(this.p - at - 4, at);
  }

  /** A safe integer as 8 big-endian bytes at p + 4, after its length. */
  private int64(value: number): void {
    const hi = Math.floor(value / 4294967296);
    this.buf.writeInt32BE(hi, this.p + 4);
    this.buf.writeUInt32BE(value - hi * 4294967296, this.p + 8);
    this.p += 12;
  }

  private reserve(n: number): void {
    if (this.p + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.p + n));
    this.buf.copy(bigger, 0, 0, this.p);
    this.buf = bigger;
  }
}
