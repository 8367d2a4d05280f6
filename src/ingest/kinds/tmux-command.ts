/**
 * kind `tmux.command`: one command line a shell ran, recorded by the optional shell hook
 * (`sealtrail tmux shell-hook`). actor: the user; resource: the host; outcome: failure when
 * the exit status is not 0. The command line is what the user typed, as the shell's history
 * holds it: it may carry secrets typed on the command line, like the pane output does.
 */
import { z } from "zod";
import type { KindSchema } from "./kind-schema.js";
import { actions, text } from "./fields.js";
import { host, paneId, serverRun, sessionId } from "./tmux-fields.js";

export const TMUX_COMMAND_ACTIONS = ["command.run"] as const;

const payload = z.looseObject({
  command: z.string().min(1).max(65_536),
  exitCode: z.number().int().min(0).max(255),
  cwd: z.string().min(1).max(4096),
  shell: z.enum(["bash", "zsh"]),
  host,
  session: text(256).optional(),
  sessionId: sessionId.optional(),
  server: serverRun.optional(),
  pane: paneId.optional(),
  timeUs: z.number().int().nonnegative().optional(),
});

export const tmuxCommand: KindSchema = {
  kind: "tmux.command",
  action: actions(TMUX_COMMAND_ACTIONS),
  payload: () => payload,
};
