/**
 * Ships one pane spool, and the server run's record spool beside it, until told to stop or,
 * when draining, until nothing is left. Runs beside the capture's reading in the same
 * process but never in its way: it only reads the spool files, and waits on Redis
 * asynchronously.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CaptureConfig } from "./capture-config.js";
import type { PaneSpool } from "./pane-spool.js";
import { pendingRecords, removeRecords } from "./record-spool.js";
import type { OutputChunk } from "../core/capture/index.js";
import { Backoff, BATCH_BYTES, BATCH_CHUNKS, sleep, unlessAborted } from "./shipper.js";
import { type EventTransport, shipChunks } from "./transport.js";
import type { PaneInfo } from "./tmux-events.js";
import { TmuxError } from "./tmux-error.js";

const PANE_FILE = "pane.json";
/**
 * While a pane streams output (a read within the last DEFER_IDLE_MS), shipping waits, up to
 * DEFER_MAX_CHUNKS spooled chunks (256 MiB): building and sending events costs several
 * times the CPU of spooling them, and on a busy machine that CPU would come out of tmux's
 * share. The chunks are durable in the spool meanwhile; an interactive pane pauses all the
 * time, so its output ships within a fraction of a second.
 */
const DEFER_IDLE_MS = 100;
const DEFER_MAX_CHUNKS = 4096;
/** How often an idle shipper looks for lifecycle records left by hooks. */
const RECORD_SWEEP_MS = 1_000;

export function writePaneInfo(paneDir: string, pane: PaneInfo): void {
  writeFileSync(join(paneDir, PANE_FILE), JSON.stringify(pane), { mode: 0o600 });
}

export function readPaneInfo(paneDir: string): PaneInfo {
  try {
    return JSON.parse(readFileSync(join(paneDir, PANE_FILE), "utf8")) as PaneInfo;
  } catch (error) {
    throw new TmuxError("SPOOL", `spool ${paneDir}: ${PANE_FILE}: ${(error as Error).message}`, { cause: error });
  }
}

export interface ShipperState {
  /** Chunks the queue accepted in this run. */
  shippedChunks: number;
  shippedBytes: number;
  shippedRecords: number;
  /** Failed attempts (queue unavailable). */
  retries: number;
}

export interface ShipOptions {
  /** Redis's ingest queue or the API (transport.ts). */
  transport: EventTransport;
  /** Sends a batch of chunks (in the shipping thread); default: built and added here. */
  send?: (chunks: OutputChunk[]) => Promise<boolean>;
  config: CaptureConfig;
  serverDir: string;
  spool: PaneSpool;
  pane: PaneInfo;
  /** Stops at once (what is not shipped stays in the spool). */
  stop: AbortSignal;
  /** Once set, the shipper returns when the spool is empty. */
  draining: () => boolean;
  /** When the pane last printed (ms, Date.now()); shipping defers while it streams (see DEFER_*). */
  lastInputMs?: () => number;
  state: ShipperState;
}

export async function shipPane(options: ShipOptions): Promise<void> {
  const { transport, config, spool, pane, stop, state } = options;
  const backoff = new Backoff();
  let lastSweep = 0;
  while (!stop.aborted) {
    const quietFor = options.lastInputMs ? Date.now() - options.lastInputMs() : Infinity;
    if (quietFor < DEFER_IDLE_MS && spool.unshipped < DEFER_MAX_CHUNKS && !options.draining()) {
      await sleep(DEFER_IDLE_MS - quietFor, stop);
      continue;
    }
    const chunks = spool.peek(BATCH_CHUNKS, BATCH_BYTES);
    if (chunks.length > 0) {
      const sent = await unlessAborted(options.send ? options.send(chunks) : shipChunks(transport, config, pane, chunks), stop);
      if (sent === undefined) return;
      if (sent) {
        const last = chunks.at(-1)!;
        spool.ack({ seq: last.seq + 1, offset: last.offset + last.data.length });
        state.shippedChunks += chunks.length;
        state.shippedBytes += chunks.reduce((n, c) => n + c.data.length, 0);
        backoff.reset();
      } else {
        state.retries++;
        await backoff.wait(stop);
      }
      continue;
    }
    if (Date.now() - lastSweep >= RECORD_SWEEP_MS) {
      lastSweep = Date.now();
      const shipped = await unlessAborted(shipRecords(transport, options.serverDir), stop);
      if (shipped === undefined) return;
      if (shipped === false) {
        state.retries++;
        await backoff.wait(stop);
        continue;
      }
      state.shippedRecords += shipped;
      if (shipped > 0) continue;
    }
    if (options.draining() && spool.unshipped === 0) return;
    const woken = new AbortController();
    const onStop = () => woken.abort();
    stop.addEventListener("abort", onStop, { once: true });
    await Promise.race([spool.waitForDurable(woken.signal), sleep(RECORD_SWEEP_MS, woken.signal)]);
    woken.abort();
    stop.removeEventListener("abort", onStop);
  }
}

/** Ships the record spool; the number shipped, or false when the queue is unavailable. */
export async function shipRecords(transport: EventTransport, serverDir: string): Promise<number | false> {
  let shipped = 0;
  for (;;) {
    const records = pendingRecords(serverDir, 500);
    if (records.length === 0) return shipped;
    if (!(await transport.send(records.map((r) => r.event)))) return false;
    removeRecords(serverDir, records.map((r) => r.name));
    shipped += records.length;
  }
}
