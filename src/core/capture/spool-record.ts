/**
 * The record format of the capture spool: what a capture process writes, fsyncs and later
 * ships. A record is self-delimiting and checksummed, so after a crash the spool is read up
 * to the first record that is incomplete or does not check, and everything from there on
 * (a torn write that was never counted as taken) is discarded.
 *
 *   offset size  field
 *   0      4     magic "STS1"
 *   4      4     body length n (unsigned, big-endian)
 *   8      4     CRC-32 of the body (ISO-HDLC, the gzip/PNG polynomial)
 *   12     n     body
 *
 * CRC-32 detects every torn tail and any burst error up to 32 bits: enough against crashes
 * and disk faults. It is no defence against tampering, which the ledger provides once the
 * record is shipped.
 */
import { crc32 } from "node:zlib";
import { CoreError } from "../errors.js";

export const RECORD_MAGIC = Buffer.from("STS1", "latin1");
export const RECORD_HEADER_BYTES = 12;
/** Bodies larger than this are refused on write and taken as corruption on read. */
export const MAX_RECORD_BODY_BYTES = 16 << 20;

export function encodeRecord(body: Uint8Array): Buffer {
  if (body.length > MAX_RECORD_BODY_BYTES) throw new CoreError("INVALID_ARGUMENT", `record body: got ${body.length} bytes, want at most ${MAX_RECORD_BODY_BYTES}`);
  const record = Buffer.allocUnsafe(RECORD_HEADER_BYTES + body.length);
  RECORD_MAGIC.copy(record, 0);
  record.writeUInt32BE(body.length, 4);
  record.writeUInt32BE(crc32(body), 8);
  record.set(body, RECORD_HEADER_BYTES);
  return record;
}

/**
 * The header of a record whose body is `parts` laid end to end: the caller writes the header
 * and the parts (writev) without copying them into one buffer.
 */
export function recordHeader(parts: readonly Uint8Array[]): Buffer {
  let length = 0;
  let crc = 0;
  for (const part of parts) {
    length += part.length;
    crc = crc32(part, crc);
  }
  if (length > MAX_RECORD_BODY_BYTES) throw new CoreError("INVALID_ARGUMENT", `record body: got ${length} bytes, want at most ${MAX_RECORD_BODY_BYTES}`);
  const header = Buffer.allocUnsafe(RECORD_HEADER_BYTES);
  RECORD_MAGIC.copy(header, 0);
  header.writeUInt32BE(length, 4);
  header.writeUInt32BE(crc, 8);
  return header;
}

export interface RecordScan {
  /** Bodies of the complete, checked records, in order (views into the scanned buffer). */
  bodies: Buffer[];
  /** Where each record starts in the buffer. */
  starts: number[];
  /** Bytes of the buffer taken by complete records: the valid length of the spool. */
  validBytes: number;
  /** Why the scan stopped before the end of the buffer; undefined when it reached the end. */
  stop?: "incomplete" | "bad-magic" | "bad-length" | "bad-checksum";
}

/** Reads records from the start of `buffer` until its end or the first bad or torn record. */
export function scanRecords(buffer: Buffer): RecordScan {
  const bodies: Buffer[] = [];
  const starts: number[] = [];
  let at = 0;
  while (at < buffer.length) {
    if (buffer.length - at < RECORD_HEADER_BYTES) return { bodies, starts, validBytes: at, stop: "incomplete" };
    if (!buffer.subarray(at, at + 4).equals(RECORD_MAGIC)) return { bodies, starts, validBytes: at, stop: "bad-magic" };
    const length = buffer.readUInt32BE(at + 4);
    if (length > MAX_RECORD_BODY_BYTES) return { bodies, starts, validBytes: at, stop: "bad-length" };
    const end = at + RECORD_HEADER_BYTES + length;
    if (end > buffer.length) return { bodies, starts, validBytes: at, stop: "incomplete" };
    const body = buffer.subarray(at + RECORD_HEADER_BYTES, end);
    if (crc32(body) !== buffer.readUInt32BE(at + 8)) return { bodies, starts, validBytes: at, stop: "bad-checksum" };
    bodies.push(body);
    starts.push(at);
    at = end;
  }
  return { bodies, starts, validBytes: at };
}
