/**
 * The files of a pane spool (pane-spool.ts): its segments, found again and cut back to their
 * last whole record at open, the `acked` file, and the reads and fsyncs they need.
 */
import { closeSync, fsyncSync, ftruncateSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { decodeChunkBody, scanRecords } from "../core/capture/index.js";
import { TmuxError } from "./tmux-error.js";

export const SEGMENT_BYTES = 16 << 20;
export const READ_BLOCK = 4 << 20;
const SEGMENT = /^(\d{16})\.seg$/;

export interface Segment {
  firstSeq: number;
  path: string;
  /** Bytes written (by this process) or found (at open). */
  written: number;
  /** Bytes known to be on disk. */
  durable: number;
}

export interface SpoolPosition {
  seq: number;
  offset: number;
}

/**
 * The spool's segments in order, the newest cut back to its last whole record, and the
 * position after the last chunk found (at least `acked`).
 */
export function recoverSegments(dir: string, acked: SpoolPosition): { segments: Segment[]; next: SpoolPosition; discardedBytes: number } {
  const segments: Segment[] = [];
  const names = readdirSync(dir).filter((n) => SEGMENT.test(n)).sort();
  for (const name of names) {
    const path = join(dir, name);
    const size = statSync(path).size;
    segments.push({ firstSeq: Number(SEGMENT.exec(name)![1]), path, written: size, durable: size });
  }
  let discardedBytes = 0;
  let next = { ...acked };
  // Only the newest segment can end in a torn write: older ones were complete and synced
  // before the next one began.
  for (let i = segments.length - 1; i >= 0; i--) {
    const segment = segments[i]!;
    const scan = scanRecords(readFileSync(segment.path));
    if (i === segments.length - 1 && scan.validBytes < segment.written) {
      discardedBytes = segment.written - scan.validBytes;
      const fd = openSync(segment.path, "r+");
      ftruncateSync(fd, scan.validBytes);
      fsyncSync(fd);
      closeSync(fd);
      segment.written = segment.durable = scan.validBytes;
    }
    const last = scan.bodies.at(-1);
    if (last) {
      const chunk = decodeChunkBody(last);
      const after = { seq: chunk.seq + 1, offset: chunk.offset + chunk.data.length };
      if (after.seq > next.seq) next = after;
      break;
    }
  }
  return { segments, next, discardedBytes };
}

export function readBlock(path: string, position: number, length: number): Buffer {
  const block = Buffer.allocUnsafe(length);
  const fd = openSync(path, "r");
  try {
    for (let at = 0; at < length; ) {
      const n = readSync(fd, block, at, length - at, position + at);
      if (n === 0) throw new TmuxError("SPOOL", `spool ${path}: shorter than its synced length`);
      at += n;
    }
  } finally {
    closeSync(fd);
  }
  return block;
}

export function readAcked(dir: string): SpoolPosition {
  let text: string;
  try {
    text = readFileSync(join(dir, "acked"), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { seq: 0, offset: 0 };
    throw error;
  }
  try {
    const { seq, offset } = JSON.parse(text) as SpoolPosition;
    if (Number.isSafeInteger(seq) && seq >= 0 && Number.isSafeInteger(offset) && offset >= 0) return { seq, offset };
  } catch {
    // fall through: an unreadable ack file only means re-sending, which the keys absorb
  }
  return { seq: 0, offset: 0 };
}

/** fsync of a directory, so a file created in it survives a crash (fsync(2), NOTES). */
export function syncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
