/**
 * Streaming parser of COPY ... TO STDOUT (FORMAT binary) (PostgreSQL docs, "COPY", Binary
 * Format): an 11-byte signature, flags, a header extension, then tuples of a 16-bit field
 * count and, per field, a 32-bit length (-1 for NULL) and the value in its binary send form;
 * a field count of -1 ends the data. Binary avoids hex-decoding every hash and parsing
 * timestamps from text: the verifier reads a million rows with it.
 */
import { Readable } from "node:stream";
import { LedgerError } from "../errors.js";
export { int8, int8At, textArray, timestampMs, timestampMsAt } from "../raw-rows.js";

const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");

/** Fields of one tuple: views into the chunk (valid only during the callback), or null. */
export type Tuple = (Buffer | null)[];

/**
 * Where the fields of one row lie in `row`: field k is row[fields[2k], fields[2k] + fields[2k+1]),
 * and a length of -1 is NULL. Both are valid only during the callback.
 */
export type RowHandler = (row: Buffer, fields: Int32Array, count: number) => void;

/**
 * The rows of a binary COPY, from its chunks in order, handing out field offsets rather than
 * views: the verifier reads a million rows and needs only a few fields as Buffers. postgres.js
 * pushes one chunk per CopyData message, which Postgres sends per row, so rows rarely straddle
 * chunks; when one does, only its partial tuple is carried over.
 */
export class CopyRowParser {
  private fields = new Int32Array(64);
  private carry: Buffer | null = null;
  private headerDone = false;
  /** The trailer was read: later bytes are ignored. */
  ended = false;
  count = 0;

  constructor(private readonly onRow: RowHandler) {}

  push(chunk: Buffer): void {
    if (this.ended) return;
    const carry = this.carry;
    let buf: Buffer = carry === null ? chunk : Buffer.concat([carry, chunk]);
    let pos = 0;
    if (!this.headerDone) {
      if (buf.length < 19 || buf.length < 19 + buf.readUInt32BE(15)) {
        this.carry = buf;
        return;
      }
      if (!buf.subarray(0, 11).equals(SIGNATURE)) throw new LedgerError("DATABASE", "COPY binary: bad signature");
      pos = 19 + buf.readUInt32BE(15);
      this.headerDone = true;
    }
    let carried = carry === null ? 0 : carry.length;
    let size = buf.length;
    for (;;) {
      if (size - pos < 2) break;
      const n = buf.readInt16BE(pos);
      if (n === -1) {
        this.ended = true;
        pos += 2;
        break;
      }
      if (n < 0) throw new LedgerError("DATABASE", `COPY binary: got a field count of ${n}`);
      if (2 * n > this.fields.length) this.fields = new Int32Array(2 * n);
      const fields = this.fields;
      let p = pos + 2;
      let complete = true;
      for (let k = 0; k < n; k++) {
        if (size - p < 4) {
          complete = false;
          break;
        }
        const len = buf.readInt32BE(p);
        p += 4;
        fields[2 * k] = p;
        fields[2 * k + 1] = len;
        if (len > 0) {
          if (size - p < len) {
            complete = false;
            break;
          }
          p += len;
        }
      }
      if (!complete) break;
      this.onRow(buf, fields, n);
      this.count++;
      pos = p;
      // Once past the carried bytes, go on in the chunk itself rather than in the copy.
      if (carried > 0 && pos >= carried) {
        pos -= carried;
        buf = chunk;
        size = chunk.length;
        carried = 0;
      }
    }
    this.carry = !this.ended && pos < buf.length ? Buffer.from(buf.subarray(pos)) : null;
  }
}

/**
 * Reads a binary COPY stream row by row (CopyRowParser). Rows are taken as the 'data' events
 * come (no async iterator, no stream buffering).
 */
export function readCopyRows(stream: Readable, onRow: RowHandler): Promise<number> {
  const parser = new CopyRowParser(onRow);
  let failed: unknown = null;
  return settled(stream, (chunk) => {
    if (failed !== null) return;
    try {
      parser.push(chunk);
    } catch (error) {
      // Not thrown into the driver's socket handler: the rest of the stream is drained and
      // the error given to the caller at its end.
      failed = error;
    }
  }, () => {
    if (failed !== null) throw failed;
    if (!parser.ended) throw new LedgerError("DATABASE", "COPY binary: stream ended before the trailer");
    return parser.count;
  });
}

/** Bytes of the blocks copyChunks gathers the driver's chunks into: a few rows to a few hundred. */
const BLOCK = 1 << 16;

/**
 * The bytes of a COPY stream, gathered into blocks of 64 KiB, to be parsed later by a
 * CopyRowParser: a read ahead holds its rows as bytes rather than as objects (an entry, or a
 * Buffer per row as the driver hands them out) that the garbage collector would copy again
 * and again while the window before it is worked on.
 */
export function copyChunks(stream: Readable): Promise<Buffer[]> {
  const blocks: Buffer[] = [];
  let block = Buffer.allocUnsafe(0);
  let used = 0;
  const onChunk = (chunk: Buffer): void => {
    if (used + chunk.length > block.length) {
      if (used > 0) blocks.push(block.subarray(0, used));
      block = Buffer.allocUnsafe(Math.max(BLOCK, chunk.length));
      used = 0;
    }
    chunk.copy(block, used);
    used += chunk.length;
  };
  return settled(stream, onChunk, () => {
    if (used > 0) blocks.push(block.subarray(0, used));
    return blocks;
  });
}

/** Feeds the stream's chunks to onChunk; at the end, what onEnd gives (or throws). */
function settled<T>(stream: Readable, onChunk: (chunk: Buffer) => void, onEnd: () => T): Promise<T> {
  // postgres.js pauses its socket when the COPY stream pushes back and resumes it only from the
  // stream's read(): if the last chunk pushed back, the ended stream never reads again and the
  // connection stays paused, hanging its next query. Resume it explicitly once done.
  const resume = () => (stream as unknown as { _read(size: number): void })._read(0);
  return new Promise<T>((resolve, reject) => {
    stream.on("data", onChunk);
    stream.once("error", (error) => {
      resume();
      reject(error);
    });
    stream.once("end", () => {
      resume();
      try {
        resolve(onEnd());
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** readCopyRows with each field as a Buffer view (or null). */
export async function readBinaryCopy(stream: Readable, onTuple: (tuple: Tuple) => void): Promise<number> {
  const tuple: Tuple = [];
  return readCopyRows(stream, (row, fields, n) => {
    tuple.length = n;
    for (let k = 0; k < n; k++) {
      const at = fields[2 * k]!;
      const len = fields[2 * k + 1]!;
      tuple[k] = len < 0 ? null : row.subarray(at, at + len);
    }
    onTuple(tuple);
  });
}
