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
import { MAX_CHUNK_BYTES, MAX_FRAMES, type OutputChunk } from "../core/capture/index.js";
import { DEFAULT_CAPTURE_PRIORITY } from "../config/index.js";
import { CaptureIntake, type CaptureSummary } from "./capture-intake.js";
import { type CaptureConfig, readCaptureConfig } from "./capture-config.js";
import { applyCapturePriority } from "./capture-priority.js";
import { lockPane, type PaneLock } from "./pane-lock.js";
import { shipPane, type ShipperState, writePaneInfo } from "./pane-shipper.js";
import { PaneSpool } from "./pane-spool.js";
import { ShipThread } from "./ship-thread-client.js";
import { openTransport, shipChunks } from "./transport.js";
import { type PaneInfo, worstChunkPayloadBytes } from "./tmux-events.js";
import { TmuxError } from "./tmux-error.js";

export type { CaptureSummary } from "./capture-intake.js";

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

export function paneDir(serverDir: string, pane: string): string {
  return join(serverDir, `pane-${pane.replace(/^%/, "")}`);
}

/** Its phases: open the pane's spool under its lock, take the input while shipping beside it, close. */
export async function runCapture(options: CaptureOptions): Promise<CaptureSummary> {
  const config = readCaptureConfig(options.serverDir);
  const { lock, spool, note, summary, scheduling } = await openCapture(options, config);
  const transport = openTransport(config);
  const intake = new CaptureIntake(spool, summary, { pane: options.pane.pane, input: options.input, stop: options.stop, scheduling, note });

  const state = summary as ShipperState;
  const thread = new ShipThread(config, options.pane);
  // Once the input has ended there is no pane to yield the CPU to, and the shipping thread,
  // at the lowest priority, may not even have started on a busy machine: what is left (the
  // whole output of a pane that printed and exited at once) ships from this thread, within
  // DRAIN_AFTER_END_MS (capture-intake.ts).
  const send = (chunks: OutputChunk[]) => (intake.ended ? shipChunks(transport, config, options.pane, chunks) : thread.send(chunks));
  const shipping = shipPane({
    transport, send, config, serverDir: options.serverDir, spool, pane: options.pane, stop: intake.stopShipping.signal, draining: () => intake.ended, lastInputMs: () => intake.lastInputMs, state,
  }).catch(intake.fail);

  await intake.reading;
  await shipping;
  // Shipping has stopped, so nothing touches the spool any more: close it and free the pane
  // before the slow part. Closing the shipping thread and the transport can take seconds while
  // the queue is away (a send in flight, a reconnect), and the pane's next capture waits only
  // 10 s for the lock; a send still in flight is one of chunks the spool keeps unacknowledged,
  // which the next capture ships again under the same idempotency keys.
  const unshipped = spool.unshipped;
  await spool.close();
  lock.release();
  await thread.close();
  await transport.close();
  note(`end: read ${summary.readBytes} bytes in ${summary.reads} reads, spooled ${summary.spooledChunks} chunks, shipped ${summary.shippedChunks} chunks (${summary.shippedBytes} bytes) and ${summary.shippedRecords} records, ${unshipped} chunks left`);
  if (intake.failure) {
    note(`failed: ${(intake.failure as Error).message}`);
    throw intake.failure;
  }
  return summary;
}

interface OpenCapture {
  lock: PaneLock;
  spool: PaneSpool;
  note: (text: string) => void;
  summary: CaptureSummary;
  scheduling: string;
}

/** The pane's lock and spool (its torn tail dropped), the capture's scheduling class, and its start in capture.log. */
async function openCapture(options: CaptureOptions, config: CaptureConfig): Promise<OpenCapture> {
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
  return { lock, spool, note, summary, scheduling };
}
