import { parseArgs } from "node:util";
import { detachSession } from "../../tmux/attach.js";
import { parseOrUsage } from "../args.js";
import { type Cli, json } from "../context.js";
import { TMUX_SERVER_OPTIONS, tmuxTarget } from "./tmux-options.js";

const COMMAND = "tmux detach";

/** sealtrail tmux detach [-t SESSION] [-L NAME | -S PATH] */
export async function tmuxDetachCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage(COMMAND, () => parseArgs({ args, options: { target: { type: "string", short: "t" }, ...TMUX_SERVER_OPTIONS }, strict: true }));
  const detached = await detachSession({ target: tmuxTarget(values), ...(values.target ? { session: values.target } : {}), spoolRoot: cli.config.spoolDir });
  cli.stdout(json({ session: detached.session.name, sessionId: detached.session.id, server: detached.session.server, closed: detached.panes }));
  return 0;
}
