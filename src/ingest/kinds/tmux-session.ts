/**
 * kind `tmux.session`: a terminal session's life, as the tmux hooks that `sealtrail tmux
 * attach` installs report it, and the start and stop of its capture (PCI DSS 10.2.1.6: start
 * and stop of audit logging). actor: the user; resource: the host.
 */
import { z } from "zod";
import type { KindSchema } from "./kind-schema.js";
import { actions, text } from "./fields.js";
import { cells, host, paneId, serverRun, sessionId, windowId } from "./tmux-fields.js";

export const TMUX_SESSION_ACTIONS = [
  "session.create",
  "session.close",
  "client.attach",
  "client.detach",
  "window.create",
  "pane.create",
  "pane.exit",
  "capture.start",
  "capture.stop",
] as const;

const payload = z.looseObject({
  /** Session name. */
  session: text(256),
  host,
  /** tmux's own id, `$<n>`. */
  sessionId: sessionId.optional(),
  server: serverRun.optional(),
  window: windowId.optional(),
  pane: paneId.optional(),
  /** The client's name or tty, for attach and detach. */
  client: text(256).optional(),
  width: cells.optional(),
  height: cells.optional(),
  /** Microseconds since the Unix epoch (occurredAt has milliseconds). */
  timeUs: z.number().int().nonnegative().optional(),
});

export const tmuxSession: KindSchema = {
  kind: "tmux.session",
  action: actions(TMUX_SESSION_ACTIONS),
  payload: () => payload,
};
