/**
 * How a capture ships its events: into the ingest queue in Redis (the default), or to the API
 * over HTTP(S) with an events:write key (SEALTRAIL_API_URL), so a recorded host holds no Redis
 * credentials. Either way a batch leaves the spool only once the other side has accepted it,
 * and the events carry the same idempotency keys, so a batch sent twice is recorded once.
 */
import type { EventInput } from "../core/entry/index.js";
import type { OutputChunk } from "../core/capture/index.js";
import { ApiTransport } from "./api-transport.js";
import type { CaptureConfig } from "./capture-config.js";
import { addBatch, closeQueue, openShippingQueue, sendBatch } from "./shipper.js";
import { chunkEvent, type PaneInfo } from "./tmux-events.js";

export interface EventTransport {
  /**
   * Events the capture built itself (tmux-events.ts): only the first is validated here, the
   * receiver validates them all (shipper.ts, addBatch). False: the other side is unavailable,
   * send again later. Throws TmuxError CONFIG when they are refused.
   */
  sendBuilt(events: EventInput[]): Promise<boolean>;
  /** Events from the record spool, each checked by the receiver; as sendBuilt otherwise. */
  send(events: EventInput[]): Promise<boolean>;
  /** Closes the connection, giving up after `ms`. */
  close(ms?: number): Promise<void>;
}

export function openTransport(config: CaptureConfig): EventTransport {
  if (config.api) return new ApiTransport(config.api, config.log);
  const queue = openShippingQueue(config);
  return {
    sendBuilt: (events) => addBatch(queue, config, events),
    send: (events) => sendBatch(queue, config, events),
    close: (ms) => closeQueue(queue, ms),
  };
}

/** Builds the chunks' events and sends them. */
export function shipChunks(transport: EventTransport, config: CaptureConfig, pane: PaneInfo, chunks: readonly OutputChunk[]): Promise<boolean> {
  return transport.sendBuilt(chunks.map((chunk) => chunkEvent(config, pane, chunk)));
}
