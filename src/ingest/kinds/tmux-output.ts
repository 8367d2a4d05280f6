/**
 * kind `tmux.output`: a chunk of what a pane printed, as `sealtrail tmux capture` spooled it.
 * actor: the user; resource: the host. `data` holds the exact bytes (RFC 4648 base64), `text`
 * a searchable form derived from them (core/capture/terminal-text.ts). `seq` numbers the chunks of
 * one pane stream (server run + pane) from 0 without gaps and `offset` is the chunk's first
 * byte in that stream, so a reader orders chunks and sees any gap. `frames` keeps the timing
 * of reads within the chunk: [byte offset in the chunk, microseconds after occurredAt].
 */
import { z } from "zod";
import type { KindSchema } from "./kind-schema.js";
import { actions, text } from "./fields.js";
import { cells, host, paneId, serverRun, sessionId, windowId } from "./tmux-fields.js";

export const TMUX_OUTPUT_ACTIONS = ["pane.output"] as const;

const payload = z.looseObject({
  server: serverRun,
  host,
  session: text(256),
  sessionId: sessionId.optional(),
  window: windowId.optional(),
  pane: paneId,
  seq: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  /** Microseconds since the Unix epoch of the chunk's first byte (occurredAt has milliseconds). */
  timeUs: z.number().int().nonnegative(),
  data: z.string().min(1).regex(/^[A-Za-z0-9+/]*={0,2}$/, "want base64 (RFC 4648 §4)"),
  text: z.string(),
  frames: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])).max(1024).optional(),
  width: cells.optional(),
  height: cells.optional(),
});

export const tmuxOutput: KindSchema = {
  kind: "tmux.output",
  action: actions(TMUX_OUTPUT_ACTIONS),
  payload: () => payload,
};
