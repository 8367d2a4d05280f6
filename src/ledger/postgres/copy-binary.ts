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
 * Reads a binary COPY stream row by row, handing out field offsets rather than views: the
 * verifier reads a million rows and needs only a few fields as Buffers. postgres.js pushes one
 * chunk per CopyData message, which Postgres sends per row, so rows rarely straddle chunks;
 * when one does, only its partial tuple is carried over. Rows are taken as the 'data' events
 * come (no async iterator, no stream buffering).
 */
export function readCopyRows(stream: Readable, onRow: RowHandler): Promise<number> {
  let fields = new Int32Array(64);
  let carry: Buffer | null = null;
  let headerDone = false;
  let ended = false;
  let failed: unknown = null;
  let count = 0;

  const onChunk = (chunk: Buffer): void => {
    if (ended || failed !== null) return;
    let buf: Buffer = carry === null ? chunk : Buffer.concat([carry, chunk]);
    let pos = 0;
    if (!headerDone) {
      if (buf.length < 19 || buf.length < 19 + buf.readUInt32BE(15)) {
        carry = buf;
        return;
      }
      if (!buf.subarray(0, 11).equals(SIGNATURE)) throw new LedgerError("DATABASE", "COPY binary: bad signature");
      pos = 19 + buf.readUInt32BE(15);
      headerDone = true;
    }
    let size = buf.length;
    for (;;) {
      if (size - pos < 2) break;
      const n = buf.readInt16BE(pos);
      if (n === -1) {
        ended = true;
        pos += 2;
        break;
      }
      if (n < 0) throw new LedgerError("DATABASE", `COPY binary: got a field count of ${n}`);
      if (2 * n > fields.length) fields = new Int32Array(2 * n);
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
      onRow(buf, fields, n);
      count++;
      pos = p;
      // Once past the carried bytes, go on in the chunk itself rather than in the copy.
      if (carry !== null && pos >= carry.length) {
        pos -= carry.length;
        buf = chunk;
        size = chunk.length;
        carry = null;
      }
    }
    carry = !ended && pos < buf.length ? Buffer.from(buf.subarray(pos)) : null;
  };

  // postgres.js pauses its socket when the COPY stream pushes back and resumes it only from the
  // stream's read(): if the last chunk pushed back, the ended stream never reads again and the
  // connection stays paused, hanging its next query. Resume it explicitly once done.
  const resume = () => (stream as unknown as { _read(size: number): void })._read(0);
  return new Promise<number>((resolve, reject) => {
    stream.on("data", (chunk: Buffer) => {
      try {
        onChunk(chunk);
      } catch (error) {
        // Not thrown into the driver's socket handler: the rest of the stream is drained and
        // the error given to the caller at its end.
        failed ??= error;
      }
    });
    stream.once("error", (error) => {
      resume();
      reject(error);
    });
    stream.once("end", () => {
      resume();
      if (failed !== null) reject(failed);
      else if (!ended) reject(new LedgerError("DATABASE", "COPY binary: stream ended before the trailer"));
      else resolve(count);
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
