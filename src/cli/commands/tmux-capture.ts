import { fstatSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { runCapture } from "../../tmux/capture.js";
import { parseOrUsage, required } from "../args.js";
import { CliError } from "../cli-error.js";
import { type Cli, json } from "../context.js";
import { paneFields } from "./tmux-pane-fields.js";

const COMMAND = "tmux capture";

/**
 * sealtrail tmux capture --dir DIR --pane %N [--session S] [--session-id $N] [--window @N] [--size WxH]
 * Run by `pipe-pane -O` (attach installs it): the pane's output on stdin.
 */
export async function tmuxCaptureCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage(COMMAND, () =>
    parseArgs({
      args,
      options: { dir: { type: "string" }, pane: { type: "string" }, session: { type: "string" }, "session-id": { type: "string" }, window: { type: "string" }, size: { type: "string" } },
      strict: true,
    }),
  );
  const dir = required(COMMAND, "dir", values.dir);
  const fields = paneFields(COMMAND, values);
  if (!fields.pane) throw new CliError("USAGE", `${COMMAND}: missing required option --pane`);
  const stop = new AbortController();
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.once(signal, () => stop.abort());
  const summary = await runCapture({ serverDir: dir, pane: { ...fields, pane: fields.pane, session: fields.session ?? "" }, input: blockingPipe(0) ? 0 : process.stdin, stop: stop.signal });
  cli.stdout(json(summary));
  return 0;
}

/**
 * A blocking pipe or socket on `fd` (pipe-pane's socket pair) is read by the capture's own
 * thread; anything else (a file, a tty, a descriptor made non-blocking) as a stream.
 * O_NONBLOCK is 04000 in the octal flags of /proc/self/fdinfo (proc(5)).
 */
function blockingPipe(fd: number): boolean {
  try {
    const stat = fstatSync(fd);
    if (!stat.isFIFO() && !stat.isSocket()) return false;
    const flags = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, "utf8"));
    return flags !== null && (parseInt(flags[1]!, 8) & 0o4000) === 0;
  } catch {
    return false;
  }
}
