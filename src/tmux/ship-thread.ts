/**
 * The shipping thread of a capture process. Building events (base64, searchable text, JSON)
 * and talking to Redis (or the API) cost several times the CPU of reading and spooling; on a busy machine
 * they would compete with tmux itself. This thread does that work at the lowest scheduling
 * priority (nice 19, Linux applies it per thread: setpriority(2), NOTES), so the pane and
 * the capture's reading thread go first and shipping catches up when the CPU is free.
 */
import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import type { OutputChunk } from "../core/capture/index.js";
import type { CaptureConfig } from "./capture-config.js";
import { openTransport, shipChunks } from "./transport.js";
import type { PaneInfo } from "./tmux-events.js";

export interface ShipRequest {
  id: number;
  chunks: OutputChunk[];
}

export type ShipReply = { id: number; ok: boolean } | { id: number; error: string };

const { config, pane } = workerData as { config: CaptureConfig; pane: PaneInfo };
try {
  // /proc/thread-self names this thread's task id; its nice value is its own.
  setPriority(Number(readlinkSync("/proc/thread-self").split("/").at(-1)), 19);
} catch {
  // not Linux, or not allowed: ship at normal priority
}
const transport = openTransport(config);
parentPort!.on("message", async (request: ShipRequest | "close") => {
  if (request === "close") {
    await transport.close();
    parentPort!.postMessage("closed");
    parentPort!.close();
    return;
  }
  try {
    parentPort!.postMessage({ id: request.id, ok: await shipChunks(transport, config, pane, request.chunks) } satisfies ShipReply);
  } catch (error) {
    parentPort!.postMessage({ id: request.id, error: (error as Error).message } satisfies ShipReply);
  }
});
