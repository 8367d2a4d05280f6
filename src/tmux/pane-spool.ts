/**
 * The append-only spool of one pane stream: the capture writes every chunk here and fsyncs
 * it before counting it as taken; the shipper reads from here, so a chunk not yet in the
 * queue survives Redis or the API being away and the capture being killed.
 *
 * Layout of a pane directory:
 *   <first seq, 16 digits>.seg  segments of spool records (core/capture/spool-record.ts) holding
 *                               chunk bodies (core/capture/output-chunk.ts), seqs in order; a new
 *                               segment starts past SEGMENT_BYTES
 *   acked                       JSON {"seq","offset"}: the first chunk the queue has not
 *                               accepted yet; replaced by rename, never edited in place
 * A segment whose chunks are all acknowledged is deleted. Only durable chunks (fsynced) are
 * ever shipped: a chunk shipped but then lost from the spool would leave its seq to be
 * reused for other bytes, which the ledger would take for a duplicate.
 */
import { closeSync, fsync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync, writev } from "node:fs";
import { join } from "node:path";
import { chunkBodyHead, decodeChunkBody, type OutputChunk, recordHeader, scanRecords } from "../core/capture/index.js";
import { TmuxError } from "./tmux-error.js";

import { READ_BLOCK, readAcked, readBlock, recoverSegments, SEGMENT_BYTES, type Segment, type SpoolPosition, syncDir } from "./spool-segments.js";

export { SEGMENT_BYTES, type SpoolPosition } from "./spool-segments.js";

export interface Recovery {
  /** Bytes of a torn or corrupt tail that were cut off. */
  discardedBytes: number;
  /** Chunks in the spool the queue has not accepted yet. */
  pendingChunks: number;
}

export class PaneSpool {
  private readonly segments: Segment[] = [];
  private fd = -1;
  private next: SpoolPosition = { seq: 0, offset: 0 };
  private ackedAt: SpoolPosition = { seq: 0, offset: 0 };
  /** The shipper's read position (segment by first seq, byte position): at or before the first unacknowledged chunk. */
  private cursor = { segment: 0, position: 0 };
  /** Where each chunk of the last peek ends, to move the cursor on ack. */
  private readonly peeked = new Map<number, { segment: number; position: number }>();
  private durableSeq = 0;
  private syncing: Promise<void> | undefined;
  private syncAgain = false;
  private readonly toClose: number[] = [];
  private readonly waiters = new Set<() => void>();
  /**
   * Records appended and not yet written, in order, and the starts of new segments among them.
   * append() only queues: the writes run on libuv's pool, one at a time, so that a write held
   * up by the disk (an fsync of the same file, writeback) never stops the capture's main
   * thread taking the pane's bytes from the reading thread (pipe-reader.ts), whose ring would
   * fill and leave the rest in tmux's memory.
   */
  private readonly pending: ({ parts: Buffer[]; length: number } | { segmentFrom: number })[] = [];
  private writing = false;
  private writeError: TmuxError | undefined;
  /** Bytes queued in the newest segment, written or not: where the next segment starts. */
  private tailBytes = 0;
  private pendingLength = 0;
  private queuedRecords = 0;
  private writtenRecords = 0;
  private readonly written$ = new Set<{ records: number; resolve: () => void; reject: (error: Error) => void }>();
  readonly recovery: Recovery;

  private constructor(readonly dir: string) {
    this.recovery = this.open();
  }

  /** Opens (creating) the spool of a pane; cuts a torn tail. Throws TmuxError SPOOL. */
  static open(dir: string): PaneSpool {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      return new PaneSpool(dir);
    } catch (error) {
      if (error instanceof TmuxError) throw error;
      throw new TmuxError("SPOOL", `spool ${dir}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** The seq and offset the next chunk takes. */
  get nextPosition(): SpoolPosition {
    return { ...this.next };
  }

  get acked(): SpoolPosition {
    return { ...this.ackedAt };
  }

  /** Chunks fsynced but not accepted by the queue yet. */
  get unshipped(): number {
    return this.durableSeq - this.ackedAt.seq;
  }

  private open(): Recovery {
    this.ackedAt = readAcked(this.dir);
    const { segments, next, discardedBytes } = recoverSegments(this.dir, this.ackedAt);
    this.segments.push(...segments);
    this.next = next;
    if (this.segments.length === 0 || this.segments.at(-1)!.written >= SEGMENT_BYTES) this.addSegment();
    const tail = this.segments.at(-1)!;
    this.fd = openSync(tail.path, "a");
    this.tailBytes = tail.written;
    fsyncSync(this.fd);
    this.durableSeq = this.next.seq;
    this.seekCursor();
    return { discardedBytes, pendingChunks: this.next.seq - this.ackedAt.seq };
  }

  private addSegment(firstSeq = this.next.seq): void {
    const path = join(this.dir, `${String(firstSeq).padStart(16, "0")}.seg`);
    writeFileSync(path, "", { flag: "a", mode: 0o600 });
    syncDir(this.dir);
    this.segments.push({ firstSeq, path, written: 0, durable: 0 });
  }

  /** The cursor at the segment holding the first unacknowledged chunk, from its start. */
  private seekCursor(): void {
    let i = 0;
    while (i + 1 < this.segments.length && this.segments[i + 1]!.firstSeq <= this.ackedAt.seq) i++;
    this.cursor = { segment: this.segments[i]!.firstSeq, position: 0 };
  }

  /** Bytes appended and not written yet. */
  get pendingBytes(): number {
    return this.pendingLength;
  }

  /**
   * Appends a chunk: queued for writing, not yet durable (call sync()). Precondition:
   * chunk.seq is nextPosition.seq. Past SEGMENT_BYTES a new segment is begun, once the full
   * one is synced (only the newest segment may end in a torn write: open()).
   * Throws TmuxError SPOOL once a write has failed.
   */
  append(chunk: OutputChunk): void {
    if (this.writeError) throw this.writeError;
    if (chunk.seq !== this.next.seq) throw new TmuxError("SPOOL", `spool ${this.dir}: got chunk ${chunk.seq}, want ${this.next.seq}`);
    if (this.tailBytes >= SEGMENT_BYTES) {
      this.pending.push({ segmentFrom: chunk.seq });
      this.tailBytes = 0;
    }
    const head = chunkBodyHead(chunk);
    const parts = [recordHeader([head, chunk.data]), head, Buffer.from(chunk.data.buffer, chunk.data.byteOffset, chunk.data.byteLength)];
    const length = parts.reduce((n, p) => n + p.length, 0);
    this.pending.push({ parts, length });
    this.tailBytes += length;
    this.pendingLength += length;
    this.queuedRecords++;
    this.next = { seq: chunk.seq + 1, offset: chunk.offset + chunk.data.length };
    this.pump();
  }

  /** Resolves once every record appended so far is written (not necessarily durable). */
  allWritten(): Promise<void> {
    return this.recordsWritten(this.queuedRecords);
  }

  private recordsWritten(records: number): Promise<void> {
    if (this.writeError) return Promise.reject(this.writeError);
    if (this.writtenRecords >= records) return Promise.resolve();
    return new Promise((resolve, reject) => this.written$.add({ records, resolve, reject }));
  }

  /** Starts the next write, unless one runs: the records queued (up to a new segment) in one writev. */
  private pump(): void {
    if (this.writing || this.writeError || this.pending.length === 0) return;
    this.writing = true;
    const first = this.pending[0]!;
    if ("segmentFrom" in first) {
      this.pending.shift();
      const full = this.segments.at(-1)!;
      const fd = this.fd;
      fsync(fd, (error) => {
        if (error) return this.failWrites(error);
        try {
          full.durable = full.written;
          this.addSegment(first.segmentFrom);
          this.fd = openSync(this.segments.at(-1)!.path, "a");
        } catch (e) {
          return this.failWrites(e as Error);
        }
        // Closed once no fsync of it can be running (sync() may have started one).
        this.toClose.push(fd);
        if (!this.syncing) this.closeRetired();
        this.writing = false;
        this.pump();
      });
      return;
    }
    const parts: Buffer[] = [];
    let length = 0;
    let records = 0;
    // IOV_MAX is 1024 on Linux: three parts a record.
    while (records < 256 && this.pending.length > 0 && !("segmentFrom" in this.pending[0]!)) {
      const record = this.pending.shift() as { parts: Buffer[]; length: number };
      parts.push(...record.parts);
      length += record.length;
      records++;
    }
    const tail = this.segments.at(-1)!;
    writev(this.fd, parts, (error, bytes) => {
      if (error) return this.failWrites(error);
      try {
        // A short write (rare) is finished plainly.
        if (bytes < length) {
          const rest = Buffer.concat(parts).subarray(bytes);
          for (let at = 0; at < rest.length; ) at += writeSync(this.fd, rest, at);
        }
      } catch (e) {
        return this.failWrites(e as Error);
      }
      tail.written += length;
      this.pendingLength -= length;
      this.writtenRecords += records;
      for (const waiter of this.written$) {
        if (waiter.records <= this.writtenRecords) {
          this.written$.delete(waiter);
          waiter.resolve();
        }
      }
      this.writing = false;
      this.pump();
    });
  }

  private failWrites(error: Error): void {
    this.writing = false;
    this.writeError = error instanceof TmuxError ? error : new TmuxError("SPOOL", `spool ${this.dir}: write: ${error.message}`, { cause: error });
    for (const waiter of this.written$) waiter.reject(this.writeError);
    this.written$.clear();
  }

  /**
   * Makes everything appended so far durable (group commit: appends made while an fsync runs
   * share the next one). Resolves once they are on disk.
   */
  sync(): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true;
      return this.syncing.then(() => (this.syncing ? this.syncing : undefined));
    }
    const seq = this.next.seq;
    this.syncing = this.recordsWritten(this.queuedRecords).then(
      () =>
        new Promise<void>((resolve, reject) => {
          // The segment holding the last of them, as written so far (a later write may be under way).
          const tail = this.segments.at(-1)!;
          const written = tail.written;
          fsync(this.fd, (error) => {
            this.syncing = undefined;
            this.closeRetired();
            if (error) {
              // The kernel may have dropped the pages it failed to write: nothing after them
              // can be counted durable again (fsync(2), "ERRORS"), so the spool stops here.
              this.syncAgain = false;
              this.failWrites(new TmuxError("SPOOL", `spool ${this.dir}: fsync: ${error.message}`, { cause: error }));
              return reject(this.writeError);
            }
            tail.durable = Math.max(tail.durable, written);
            if (seq > this.durableSeq) this.durableSeq = seq;
            for (const wake of this.waiters) wake();
            this.waiters.clear();
            if (this.syncAgain) {
              this.syncAgain = false;
              this.sync().then(resolve, reject);
            } else resolve();
          });
        }),
      (error: Error) => {
        this.syncing = undefined;
        this.syncAgain = false;
        throw error;
      },
    );
    return this.syncing;
  }

  private closeRetired(): void {
    for (const fd of this.toClose.splice(0)) closeSync(fd);
  }

  /** Resolves when more chunks become durable, or at once if some wait to be shipped. */
  waitForDurable(signal?: AbortSignal): Promise<void> {
    if (this.unshipped > 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        this.waiters.delete(wake);
        resolve();
      };
      this.waiters.add(wake);
      signal?.addEventListener("abort", wake, { once: true });
    });
  }

  /** Up to `maxChunks` durable, unacknowledged chunks in seq order, without moving on. */
  peek(maxChunks: number, maxBytes: number): OutputChunk[] {
    const chunks: OutputChunk[] = [];
    let bytes = 0;
    this.peeked.clear();
    let i = Math.max(0, this.segments.findIndex((s) => s.firstSeq === this.cursor.segment));
    let position = this.segments[i]?.firstSeq === this.cursor.segment ? this.cursor.position : 0;
    scan: while (chunks.length < maxChunks && bytes < maxBytes && i < this.segments.length) {
      const seg = this.segments[i]!;
      if (position >= seg.durable) {
        if (i + 1 >= this.segments.length) break;
        i++;
        position = 0;
        continue;
      }
      const block = readBlock(seg.path, position, Math.min(READ_BLOCK, seg.durable - position));
      const found = scanRecords(block);
      if (found.bodies.length === 0) throw new TmuxError("SPOOL", `spool ${seg.path}: unreadable record at byte ${position} (${found.stop})`);
      for (let j = 0; j < found.bodies.length; j++) {
        const chunk = decodeChunkBody(found.bodies[j]!);
        const end = { segment: seg.firstSeq, position: position + (found.starts[j + 1] ?? found.validBytes) };
        if (chunk.seq >= this.durableSeq) break scan;
        if (chunk.seq < this.ackedAt.seq) {
          this.cursor = end;
          continue;
        }
        // Copied out of the block, which is dropped while the caller keeps the chunk.
        chunks.push({ ...chunk, data: Buffer.from(chunk.data) });
        bytes += chunk.data.length;
        this.peeked.set(chunk.seq, end);
        if (chunks.length >= maxChunks || bytes >= maxBytes) break scan;
      }
      position += found.validBytes;
    }
    return chunks;
  }

  /**
   * The queue accepted every chunk before `next`: the acked file moves on, the cursor skips
   * them, and segments wholly behind it are deleted.
   */
  ack(next: SpoolPosition): void {
    if (next.seq <= this.ackedAt.seq) return;
    this.ackedAt = { ...next };
    // Before a segment is deleted the ack must be durable: after a crash that kept the deletion
    // but lost the ack, no chunk would be left to say where the seqs stood, they would start
    // again from an older value, and new chunks would reuse keys the ledger already holds (and
    // be dropped as duplicates). Without a deletion, a lost ack only means re-sending.
    const deleting = this.segments.length > 1 && this.segments[1]!.firstSeq <= next.seq;
    const tmp = join(this.dir, "acked.tmp");
    const fd = openSync(tmp, "w", 0o600);
    try {
      writeSync(fd, JSON.stringify(next));
      if (deleting) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(this.dir, "acked"));
    if (deleting) syncDir(this.dir);
    const at = this.peeked.get(next.seq - 1);
    if (at) this.cursor = at;
    while (this.segments.length > 1 && this.segments[1]!.firstSeq <= next.seq) {
      const gone = this.segments.shift()!;
      rmSync(gone.path, { force: true });
      if (this.cursor.segment === gone.firstSeq) this.cursor = { segment: this.segments[0]!.firstSeq, position: 0 };
    }
  }

  /**
   * Closes the spool once what was appended is written (not made durable: that is sync()'s)
   * and no fsync is running, so no write or fsync can reach a descriptor closed or reused.
   * After a failed write, what was still queued is dropped.
   */
  async close(): Promise<void> {
    await this.allWritten().catch(() => {});
    while (this.syncing) await this.syncing.catch(() => {});
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.closeRetired();
  }
}
