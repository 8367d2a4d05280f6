/**
 * `sealtrail tmux capture`: the process at the other end of one pane's `pipe-pane -O`. It
 * reads the pane's bytes as fast as tmux writes them (in a thread of its own,
 * pipe-reader.ts), stamps and cuts them into chunks (core/capture/output-chunker.ts), appends each
 * chunk to the pane spool (written beside the reading, pane-spool.ts) and fsyncs (group
 * commit) before counting it as taken. Shipping runs beside it and only reads the spool, so
 * a slow or absent Redis never slows the reading: the pane never waits on the ledger.
 *
 * At the end of the pane's output (EOF) it flushes the last chunk and keeps shipping until
 * the spool is empty; SIGTERM or SIGINT flushes and exits at once, leaving the rest in the
 * spool for the next capture of the pane or `sealtrail tmux flush`.
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { MAX_CHUNK_BYTES, MAX_FRAMES, type OutputChunk, OutputChunker } from "../core/capture/index.js";
import { readCaptureConfig } from "./capture-config.js";
import { DEFAULT_CAPTURE_PRIORITY } from "../config/index.js";
import { applyCapturePriority } from "./capture-priority.js";
import { PipeReader } from "./pipe-reader.js";
import { lockPane } from "./pane-lock.js";
import { shipPane, type ShipperState, writePaneInfo } from "./pane-shipper.js";
import { PaneSpool } from "./pane-spool.js";
import { ShipThread } from "./ship-thread-client.js";
import { SlabPool } from "./slab-pool.js";
import { StreamReader } from "./stream-reader.js";
import { addChunks, closeQueue, openShippingQueue } from "./shipper.js";
import { type PaneInfo, worstChunkPayloadBytes } from "./tmux-events.js";
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

export interface CaptureOptions {
  serverDir: string;
  pane: PaneInfo;
  /**
   * The pane's output: the fd of the blocking pipe (a socket pair, for pipe-pane) it comes on,
   * read by a thread of its own, or any stream.
   */
  input: Readable | number;
  /** Aborted on SIGTERM/SIGINT. */
  stop: AbortSignal;
}

export interface CaptureSummary extends ShipperState {
  readBytes: number;
  /** Reads of the input (of the pipe: by the reading thread, a millisecond's worth each while output streams). */
  reads: number;
  spooledChunks: number;
  discardedBytes: number;
}

export function paneDir(serverDir: string, pane: string): string {
  return join(serverDir, `pane-${pane.replace(/^%/, "")}`);
}

/** Microseconds since the Unix epoch, from the monotonic clock so a clock step cannot reorder reads. */
export function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

export async function runCapture(options: CaptureOptions): Promise<CaptureSummary> {
  const config = readCaptureConfig(options.serverDir);
  const worst = worstChunkPayloadBytes(MAX_CHUNK_BYTES, MAX_FRAMES);
  if (config.maxPayloadBytes < worst) {
    throw new TmuxError("CONFIG", `SEALTRAIL_MAX_PAYLOAD_BYTES: got ${config.maxPayloadBytes}, want at least ${worst} for pane output chunks`);
  }
  const dir = paneDir(options.serverDir, options.pane.pane);
  const lock = await lockPane(dir, 10_000);
  let spool: PaneSpool;
  try {
    spool = PaneSpool.open(dir);
  } catch (error) {
    lock.release();
    throw error;
  }
  const note = (text: string) => {
    try {
      appendFileSync(join(dir, "capture.log"), `${new Date().toISOString()} ${process.pid} ${text}\n`);
    } catch {
      // the log is a courtesy; the spool is what counts
    }
  };
  const summary: CaptureSummary = { readBytes: 0, reads: 0, spooledChunks: 0, discardedBytes: spool.recovery.discardedBytes, shippedChunks: 0, shippedBytes: 0, shippedRecords: 0, retries: 0 };
  if (spool.recovery.discardedBytes > 0) note(`spool: discarded a torn tail of ${spool.recovery.discardedBytes} bytes`);
  const how = typeof options.input === "number" ? "reading the pipe in a thread" : "reading a stream";
  // Before any thread of the capture's own starts: they inherit it.
  const scheduling = applyCapturePriority(config.priority ?? DEFAULT_CAPTURE_PRIORITY);
  note(`start: pane ${options.pane.pane}, next chunk ${spool.nextPosition.seq}, ${spool.recovery.pendingChunks} chunks to ship, ${how}, scheduling: ${scheduling}`);
  writePaneInfo(dir, options.pane);

  const queue = openShippingQueue(config);
  const slabs = new SlabPool();
  const chunker = new OutputChunker(spool.nextPosition, { slabs });
  let ended = false;
  let lastInputMs = 0;
  let failure: unknown;
  let timer: NodeJS.Timeout | undefined;
  const fail = (error: unknown) => {
    failure ??= error;
    stopShipping.abort();
  };
  const stopShipping = new AbortController();
  // Group commit, paced: at most one fsync started per SYNC_GAP_MS, and per STREAM_SYNC_MS
  // while output streams; a chunk is taken once synced.
  let syncTimer: NodeJS.Timeout | undefined;
  let lastSync = 0;
  const syncNow = () => {
    clearTimeout(syncTimer);
    syncTimer = undefined;
    lastSync = Date.now();
    return spool.sync();
  };
  const syncDue = () => {
    const now = Date.now();
    const streaming = !ended && now - lastInputMs < SYNC_GAP_MS;
    if (streaming && now - lastSync < STREAM_SYNC_MS) syncTimer = setTimeout(syncDue, SYNC_GAP_MS);
    else void syncNow().catch(fail);
  };
  let backlog = false;
  /** The reading was held for the spool since the ring-full count was last looked at: the likely cause if it grew. */
  let heldForSpool = false;
  const take = (chunks: ReturnType<OutputChunker["push"]>) => {
    if (chunks.length === 0) return;
    for (const chunk of chunks) spool.append(chunk);
    // Their slabs are reused once written (a failed write stops the spool, and the slabs stay).
    spool.allWritten().then(() => {
      for (const chunk of chunks) slabs.written(chunk);
    }, () => {});
    summary.spooledChunks += chunks.length;
    if (!backlog && !ended && spool.pendingBytes > MAX_UNWRITTEN_BYTES) {
      backlog = true;
      heldForSpool = true;
      const release = reader.hold();
      spool.allWritten().then(() => {
        backlog = false;
        release();
      }, fail);
    }
    if (syncTimer === undefined) syncTimer = setTimeout(syncDue, Math.max(0, lastSync + SYNC_GAP_MS - Date.now()));
  };
  const arm = () => {
    const due = chunker.dueUs;
    if (timer !== undefined || due === undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      take(chunker.due(nowUs()));
      arm();
    }, Math.max(1, Math.ceil((due - nowUs()) / 1000)));
  };

  // The reading thread found its ring full: the capture fell behind the pane, and tmux held
  // the output meanwhile. Said in the log with the likely cause, the spool waiting for the
  // disk or the capture short of CPU, at most once per BEHIND_NOTE_MS for each.
  let ringFullSeen = 0;
  const behindNotedMs = { spool: -Infinity, cpu: -Infinity };
  const behind = (waits: number) => {
    ringFullSeen = waits;
    // A hold is released before the bytes it kept back are taken, so `backlog` is false by
    // now: heldForSpool remembers it.
    const kind = heldForSpool ? "spool" : "cpu";
    heldForSpool = false;
    if (Date.now() - behindNotedMs[kind] < BEHIND_NOTE_MS) return;
    behindNotedMs[kind] = Date.now();
    const cause = kind === "spool" ? "the spool was waiting for the disk" : `the capture was short of CPU${scheduling === "SCHED_IDLE" ? " (SCHED_IDLE on a busy machine: SEALTRAIL_TMUX_CAPTURE_PRIORITY=normal)" : ""}`;
    note(`behind: the reading thread found its ring full (${waits === 1 ? "once" : `${waits} times`} so far); tmux held the pane's output meanwhile; ${cause}`);
  };
  let reader!: PipeReader | StreamReader;
  const reading = new Promise<void>((resolve) => {
    const finish = () => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      reader.stop();
      summary.reads = reader.reads;
      const last = chunker.flush(nowUs());
      if (last) take([last]);
      // The pipe is closed (detach, or pipe-pane toggled): ship what is left for a while, then
      // leave the rest in the spool and release the pane. A capture draining forever while
      // Redis is down would hold the pane lock past the next capture's wait for it, and that
      // capture, refused, would record nothing; the next capture ships this spool anyway.
      setTimeout(() => stopShipping.abort(), DRAIN_AFTER_END_MS).unref();
      syncNow().then(resolve, (error) => {
        fail(error);
        resolve();
      });
    };
    // A failed read ends the input like its end does: what was read is spooled and shipped,
    // and the capture then fails, so the failure is in its log and its exit status.
    const onEnd = (error?: Error) => {
      if (error) failure ??= new TmuxError("INPUT", `pane ${options.pane.pane}: ${error.message}`, { cause: error });
      finish();
    };
    const onData = (data: Uint8Array) => {
      if (reader instanceof PipeReader && reader.ringFullWaits > ringFullSeen) behind(reader.ringFullWaits);
      summary.readBytes += data.length;
      lastInputMs = Date.now();
      try {
        take(chunker.push(data, nowUs()));
        arm();
      } catch (error) {
        fail(error);
        finish();
      }
    };
    reader =
      typeof options.input === "number"
        ? new PipeReader(options.input, { pollMs: READ_POLL_MS, onData, onEnd })
        : new StreamReader(options.input, { onData, onEnd });
    options.stop.addEventListener("abort", () => {
      finish();
      // Stop at once: what is not shipped waits in the spool.
      stopShipping.abort();
    }, { once: true });
  });

  const state = summary as ShipperState;
  const thread = new ShipThread(config, options.pane);
  // Once the input has ended there is no pane to yield the CPU to, and the shipping thread,
  // at the lowest priority, may not even have started on a busy machine: what is left (the
  // whole output of a pane that printed and exited at once) ships from this thread, within
  // DRAIN_AFTER_END_MS.
  const send = (chunks: OutputChunk[]) => (ended ? addChunks(queue, config, options.pane, chunks) : thread.send(chunks));
  const shipping = shipPane({
    queue, send, config, serverDir: options.serverDir, spool, pane: options.pane, stop: stopShipping.signal, draining: () => ended, lastInputMs: () => lastInputMs, state,
  }).catch(fail);

  await reading;
  await shipping;
  await thread.close();
  await closeQueue(queue);
  await spool.close();
  lock.release();
  note(`end: read ${summary.readBytes} bytes in ${summary.reads} reads, spooled ${summary.spooledChunks} chunks, shipped ${summary.shippedChunks} chunks (${summary.shippedBytes} bytes) and ${summary.shippedRecords} records, ${spool.unshipped} chunks left`);
  if (failure) {
    note(`failed: ${(failure as Error).message}`);
    throw failure;
  }
  return summary;
}
