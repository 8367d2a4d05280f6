/**
 * kind `tmux.output`: a chunk of what a pane printed (pipe-pane). actor: the user; resource:
 * the host. `offset` is the chunk's byte offset in the pane's stream, so a reader can order
 * chunks and see a gap; the chunk's size is bounded by SEALTRAIL_MAX_PAYLOAD_BYTES.
 */
import { z } from "zod";
import type { KindSchema } from "./kind-schema.js";
import { actions, text } from "./fields.js";

export const TMUX_OUTPUT_ACTIONS = ["pane.output"] as const;

const payload = z.looseObject({
  session: text(256),
  /** tmux's pane id, `%<n>`. */
  pane: z.string().regex(/^%\d+$/, "want a tmux pane id like %1"),
  data: z.string().min(1),
  offset: z.number().int().nonnegative().optional(),
});

export const tmuxOutput: KindSchema = {
  kind: "tmux.output",
  action: actions(TMUX_OUTPUT_ACTIONS),
  payload: () => payload,
};
