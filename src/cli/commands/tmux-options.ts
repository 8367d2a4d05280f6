/** Options every `sealtrail tmux` command that talks to a tmux server shares: tmux's own -L and -S. */
import { realpathSync } from "node:fs";
import type { TmuxTarget } from "../../tmux/tmux-server.js";

export const TMUX_SERVER_OPTIONS = {
  "socket-name": { type: "string", short: "L" },
  "socket-path": { type: "string", short: "S" },
} as const;

export function tmuxTarget(values: { "socket-name"?: string; "socket-path"?: string }): TmuxTarget {
  return { ...(values["socket-path"] ? { socketPath: values["socket-path"] } : {}), ...(values["socket-name"] ? { socketName: values["socket-name"] } : {}) };
}

/** How to run this same sealtrail from a tmux hook or pipe: this node, this script. */
export function selfInvocation(): string[] {
  const script = process.argv[1] ? realpathSync(process.argv[1]) : "sealtrail";
  return [process.execPath, script];
}
