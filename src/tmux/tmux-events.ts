/**
 * Ledger events of a tmux server run: output chunks, lifecycle records and command records,
 * with their idempotency keys. A chunk's key is its pane stream and seq, so a chunk re-sent
 * from the spool after any failure appends nothing twice.
 */
import { sha256, toHex } from "../core/encoding/index.js";
import type { EventInput } from "../core/entry/index.js";
import { type OutputChunk, terminalText } from "../core/capture/index.js";
import type { CaptureConfig } from "./capture-config.js";

export const SOURCE = "tmux";

/** The pane a capture reads, as tmux's formats named it when the pipe opened. */
export interface PaneInfo {
  pane: string;
  session: string;
  sessionId?: string;
  window?: string;
  width?: number;
  height?: number;
}

/** The host in a key: itself when short, else its hash, so every key fits LIMITS.idempotencyKey. */
function hostKey(host: string): string {
  return host.length <= 100 && !host.includes(":") ? host : `h${toHex(sha256(host)).slice(0, 32)}`;
}

export function chunkKey(config: Pick<CaptureConfig, "host" | "server">, pane: string, seq: number): string {
  return `tmux:${hostKey(config.host)}:${config.server}:${pane}:${seq}`;
}

export function recordKey(config: Pick<CaptureConfig, "host" | "server">, name: string): string {
  return `tmux:${hostKey(config.host)}:${config.server}:${name}`;
}

export function isoFromUs(timeUs: number): string {
  return new Date(Math.floor(timeUs / 1000)).toISOString();
}

export function chunkEvent(config: CaptureConfig, pane: PaneInfo, chunk: OutputChunk): EventInput {
  const data = Buffer.from(chunk.data.buffer, chunk.data.byteOffset, chunk.data.byteLength);
  return {
    kind: "tmux.output",
    actor: config.user,
    action: "pane.output",
    resource: config.host,
    outcome: "success",
    source: SOURCE,
    occurredAt: isoFromUs(chunk.timeUs),
    idempotencyKey: chunkKey(config, pane.pane, chunk.seq),
    payload: {
      server: config.server,
      host: config.host,
      session: pane.session,
      ...(pane.sessionId ? { sessionId: pane.sessionId } : {}),
      ...(pane.window ? { window: pane.window } : {}),
      pane: pane.pane,
      seq: chunk.seq,
      offset: chunk.offset,
      timeUs: chunk.timeUs,
      data: data.toString("base64"),
      text: terminalText(data),
      ...(chunk.frames.length > 1 ? { frames: chunk.frames.map((f) => [f.at, f.afterUs]) } : {}),
      ...(pane.width ? { width: pane.width } : {}),
      ...(pane.height ? { height: pane.height } : {}),
    },
  };
}

/**
 * The largest canonical payload a chunk event can have: base64 of MAX_CHUNK_BYTES, its text
 * with every byte a newline or quote (escaped to two), frames and the fixed fields. The
 * capture refuses to start under a smaller SEALTRAIL_MAX_PAYLOAD_BYTES rather than spool
 * chunks the ingest worker would refuse.
 */
export function worstChunkPayloadBytes(maxChunkBytes: number, maxFrames: number): number {
  return Math.ceil(maxChunkBytes / 3) * 4 + 2 * maxChunkBytes + maxFrames * 24 + 4096;
}
