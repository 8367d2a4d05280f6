/**
 * kind `tmux.session`: a terminal session's life, as tmux hooks report it (session-created,
 * session-closed, client-attached, client-detached). actor: the user; resource: the host.
 */
import { z } from "zod";
import type { KindSchema } from "./kind-schema.js";
import { actions, text } from "./fields.js";

export const TMUX_SESSION_ACTIONS = ["session.create", "session.close", "client.attach", "client.detach"] as const;

const payload = z.looseObject({
  /** Session name. */
  session: text(256),
  host: text(256),
  /** tmux's own id, `$<n>`. */
  sessionId: z.string().regex(/^\$\d+$/, "want a tmux session id like $3").optional(),
  /** The client's tty, for attach and detach. */
  client: text(256).optional(),
});

export const tmuxSession: KindSchema = {
  kind: "tmux.session",
  action: actions(TMUX_SESSION_ACTIONS),
  payload: () => payload,
};
