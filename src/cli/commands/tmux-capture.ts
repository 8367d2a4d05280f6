import { fstatSync } from "node:fs";
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
  const summary = await runCapture({ serverDir: dir, pane: { ...fields, pane: fields.pane, session: fields.session ?? "" }, input: readsInPlace(0) ? 0 : process.stdin, stop: stop.signal });
  cli.stdout(json(summary));
  return 0;
}

/** A pipe or socket on `fd` can be read into buffers of the capture's choosing (net.Socket's onread); a file or tty is read as a stream. */
function readsInPlace(fd: number): boolean {
  try {
    const stat = fstatSync(fd);
    return stat.isFIFO() || stat.isSocket();
  } catch {
    return false;
  }
}
