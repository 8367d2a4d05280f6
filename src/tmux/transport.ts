/**
 * How a capture ships its events: into the ingest queue in Redis (the default), or to the API
 * over HTTP(S) with an events:write key (SEALTRAIL_API_URL), so a recorded host holds no Redis
 * credentials. Either way a batch leaves the spool only once the other side has accepted it,
 * and the events carry the same idempotency keys, so a batch sent twice is recorded once.
 */
import type { OutputChunk } from "../core/capture/index.js";
import { ApiTransport } from "./api-transport.js";
import type { CaptureConfig } from "./capture-config.js";
import { addBatch, closeQueue, openShippingQueue, sendBatch } from "./shipper.js";
import { chunkEvent, type PaneInfo } from "./tmux-events.js";
import type { EventTransport } from "./event-transport.js";

export type { EventTransport } from "./event-transport.js";

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
