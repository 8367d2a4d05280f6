/**
 * The taking side of a capture: the pane's bytes, read by a PipeReader (or a StreamReader),
 * stamped and cut into chunks, appended to the pane spool and fsynced in paced group commits;
 * a chunk counts as taken once synced. Shipping (pane-shipper.ts) only reads the spool.
 */
import type { Readable } from "node:stream";
import { OutputChunker } from "../core/capture/index.js";
import { nowUs } from "./capture-clock.js";
import { PipeReader } from "./pipe-reader.js";
import type { ShipperState } from "./pane-shipper.js";
import type { PaneSpool } from "./pane-spool.js";
import { SlabPool } from "./slab-pool.js";
import { StreamReader } from "./stream-reader.js";
import { TmuxError } from "./tmux-error.js";

const SYNC_GAP_MS = 20;
/**
 * While output streams (a read within the last SYNC_GAP_MS), at most one fsync per
 * STREAM_SYNC_MS. Each fsync forces writeback and a journal commit while the pane's output
 * still arrives, and syncing sooner would ship nothing sooner: shipping waits for a pause in
 * the output (pane-shipper.ts, DEFER_IDLE_MS). Once output pauses, what is pending is synced
 * SYNC_GAP_MS after the last sync. A crash of the capture loses nothing written (the bytes
 * are in the page cache); a crash of the machine loses at most this much of a streaming
 * pane's output, none of it yet counted as taken.
 */
const STREAM_SYNC_MS = 1_000;
/** How often what the reading thread took from the pipe is stamped and spooled while output streams (pipe-reader.ts). */
const READ_POLL_MS = 10;
/**
 * Bytes appended to the spool but not yet written past which the capture stops taking bytes
 * from the reading thread (its ring fills, and tmux keeps the rest, as for any slow pipe
 * reader): the spool's writes run beside the reading, and a disk slower than the pane must
 * not turn into unbounded memory here.
 */
const MAX_UNWRITTEN_BYTES = 64 << 20;
/** At most one "behind" line in capture.log per cause per this long. */
const BEHIND_NOTE_MS = 60_000;
/** How long a capture keeps shipping after its input ended; under the next capture's wait for the pane lock (10 s). */
const DRAIN_AFTER_END_MS = 5_000;

export interface CaptureSummary extends ShipperState {
  readBytes: number;
  /** Reads of the input (of the pipe: by the reading thread, a millisecond's worth each while output streams). */
  reads: number;
  spooledChunks: number;
  discardedBytes: number;
}

export interface IntakeOptions {
  pane: string;
  /** The fd of the pane's blocking pipe, read by a thread of its own, or any stream. */
  input: Readable | number;
  /** Aborted on SIGTERM/SIGINT. */
  stop: AbortSignal;
  /** The capture's scheduling class, named in the "behind" note. */
  scheduling: string;
  /** A line in capture.log. */
  note: (text: string) => void;
}

export class CaptureIntake {
  /** The input has ended (or the capture was stopped): shipping drains what is left. */
  ended = false;
  lastInputMs = 0;
  /** The first failure; the capture throws it once everything is closed. */
  failure: unknown;
  /** Aborted to stop shipping: on a failure, on SIGTERM/SIGINT, or DRAIN_AFTER_END_MS after the input's end. */
  readonly stopShipping = new AbortController();
  /** Settles once the input has ended and its last chunk is synced. */
  readonly reading: Promise<void>;
  private readonly slabs = new SlabPool();
  private readonly chunker: OutputChunker;
  private reader!: PipeReader | StreamReader;
  private timer: NodeJS.Timeout | undefined;
  // Group commit, paced: at most one fsync started per SYNC_GAP_MS, and per STREAM_SYNC_MS
  // while output streams; a chunk is taken once synced.
  private syncTimer: NodeJS.Timeout | undefined;
  private lastSync = 0;
  private backlog = false;
  /** The reading was held for the spool since the ring-full count was last looked at: the likely cause if it grew. */
  private heldForSpool = false;
  private ringFullSeen = 0;
  private readonly behindNotedMs = { spool: -Infinity, cpu: -Infinity };

  constructor(
    private readonly spool: PaneSpool,
    private readonly summary: CaptureSummary,
    private readonly options: IntakeOptions,
  ) {
    this.chunker = new OutputChunker(spool.nextPosition, { slabs: this.slabs });
    this.reading = new Promise<void>((resolve) => this.start(resolve));
  }

  readonly fail = (error: unknown): void => {
    this.failure ??= error;
    this.stopShipping.abort();
  };

  private start(resolve: () => void): void {
    const finish = () => this.finish(resolve);
    // A failed read ends the input like its end does: what was read is spooled and shipped,
    // and the capture then fails, so the failure is in its log and its exit status.
    const onEnd = (error?: Error) => {
      if (error) this.failure ??= new TmuxError("INPUT", `pane ${this.options.pane}: ${error.message}`, { cause: error });
      finish();
    };
    const onData = (data: Uint8Array) => {
      const reader = this.reader;
      if (reader instanceof PipeReader && reader.ringFullWaits > this.ringFullSeen) this.behind(reader.ringFullWaits);
      this.summary.readBytes += data.length;
      this.lastInputMs = Date.now();
      try {
        this.take(this.chunker.push(data, nowUs()));
        this.arm();
      } catch (error) {
        this.fail(error);
        finish();
      }
    };
    const input = this.options.input;
    this.reader =
      typeof input === "number"
        ? new PipeReader(input, { pollMs: READ_POLL_MS, onData, onEnd })
        : new StreamReader(input, { onData, onEnd });
    this.options.stop.addEventListener("abort", () => {
      finish();
      // Stop at once: what is not shipped waits in the spool.
      this.stopShipping.abort();
    }, { once: true });
  }

  private finish(resolve: () => void): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    this.reader.stop();
    this.summary.reads = this.reader.reads;
    const last = this.chunker.flush(nowUs());
    if (last) this.take([last]);
    // The pipe is closed (detach, or pipe-pane toggled): ship what is left for a while, then
    // leave the rest in the spool and release the pane. A capture draining forever while
    // Redis is down would hold the pane lock past the next capture's wait for it, and that
    // capture, refused, would record nothing; the next capture ships this spool anyway.
    setTimeout(() => this.stopShipping.abort(), DRAIN_AFTER_END_MS).unref();
    this.syncNow().then(resolve, (error) => {
      this.fail(error);
      resolve();
    });
  }

  private syncNow(): Promise<void> {
    clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    this.lastSync = Date.now();
    return this.spool.sync();
  }

  private readonly syncDue = (): void => {
    const now = Date.now();
    const streaming = !this.ended && now - this.lastInputMs < SYNC_GAP_MS;
    if (streaming && now - this.lastSync < STREAM_SYNC_MS) this.syncTimer = setTimeout(this.syncDue, SYNC_GAP_MS);
    else void this.syncNow().catch(this.fail);
  };

  private take(chunks: ReturnType<OutputChunker["push"]>): void {
    if (chunks.length === 0) return;
    const spool = this.spool;
    for (const chunk of chunks) spool.append(chunk);
    // Their slabs are reused once written (a failed write stops the spool, and the slabs stay).
    spool.allWritten().then(() => {
      for (const chunk of chunks) this.slabs.written(chunk);
    }, () => {});
    this.summary.spooledChunks += chunks.length;
    if (!this.backlog && !this.ended && spool.pendingBytes > MAX_UNWRITTEN_BYTES) {
      this.backlog = true;
      this.heldForSpool = true;
      const release = this.reader.hold();
      spool.allWritten().then(() => {
        this.backlog = false;
        release();
      }, this.fail);
    }
    if (this.syncTimer === undefined) this.syncTimer = setTimeout(this.syncDue, Math.max(0, this.lastSync + SYNC_GAP_MS - Date.now()));
  }

  private arm(): void {
    const due = this.chunker.dueUs;
    if (this.timer !== undefined || due === undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.take(this.chunker.due(nowUs()));
      this.arm();
    }, Math.max(1, Math.ceil((due - nowUs()) / 1000)));
  }

  /**
   * The reading thread found its ring full: the capture fell behind the pane, and tmux held
   * the output meanwhile. Said in the log with the likely cause, the spool waiting for the
   * disk or the capture short of CPU, at most once per BEHIND_NOTE_MS for each.
   */
  private behind(waits: number): void {
    this.ringFullSeen = waits;
    // A hold is released before the bytes it kept back are taken, so `backlog` is false by
    // now: heldForSpool remembers it.
    const kind = this.heldForSpool ? "spool" : "cpu";
    this.heldForSpool = false;
    if (Date.now() - this.behindNotedMs[kind] < BEHIND_NOTE_MS) return;
    this.behindNotedMs[kind] = Date.now();
    const cause = kind === "spool" ? "the spool was waiting for the disk" : `the capture was short of CPU${this.options.scheduling === "SCHED_IDLE" ? " (SCHED_IDLE on a busy machine: SEALTRAIL_TMUX_CAPTURE_PRIORITY=normal)" : ""}`;
    this.options.note(`behind: the reading thread found its ring full (${waits === 1 ? "once" : `${waits} times`} so far); tmux held the pane's output meanwhile; ${cause}`);
  }
}
