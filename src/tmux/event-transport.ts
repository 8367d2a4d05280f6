/**
 * What a capture ships its events through (transport.ts opens one: the ingest queue or the
 * API). Apart from both so the API transport names it without importing the opener.
 */
import type { EventInput } from "../core/entry/index.js";

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
