import { parseArgs } from "node:util";
import { nowUs } from "../../tmux/capture-clock.js";
import { readCaptureConfig, serverDir } from "../../tmux/capture-config.js";
import { shipRecordsOnce } from "../../tmux/flush.js";
import { recordCommand } from "../../tmux/lifecycle.js";
import { HOOK_SHELLS } from "../../tmux/shell-hook.js";
import { tmux } from "../../tmux/tmux-server.js";
import { parseChoice, parseCount, parseOrUsage, required } from "../args.js";
import { CliError } from "../cli-error.js";
import type { Cli } from "../context.js";

const COMMAND = "tmux command";

/**
 * sealtrail tmux command --shell bash|zsh --exit N --cwd DIR --command LINE [--at-ns NANOSECONDS]
 * Run by the shell hook inside a pane ($TMUX, $TMUX_PANE): spools one command record for the
 * server run the pane belongs to, then tries once to ship.
 */
export async function tmuxCommandCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage(COMMAND, () =>
    parseArgs({ args, options: { shell: { type: "string" }, exit: { type: "string" }, cwd: { type: "string" }, command: { type: "string" }, "at-ns": { type: "string" } }, strict: true }),
  );
  const shell = parseChoice(COMMAND, "shell", required(COMMAND, "shell", values.shell), HOOK_SHELLS);
  const exitCode = parseCount(COMMAND, "exit", required(COMMAND, "exit", values.exit));
  if (exitCode > 255) throw new CliError("USAGE", `${COMMAND}: --exit: got ${exitCode}, want 0–255`);
  const cwd = required(COMMAND, "cwd", values.cwd);
  const command = required(COMMAND, "command", values.command);
  // The shell's `date +%s%N` at the prompt; else now (node took a while to start).
  const atNs = values["at-ns"];
  const timeUs = atNs && /^\d{16,20}$/.test(atNs) ? Number(BigInt(atNs) / 1000n) : nowUs();
  const pane = process.env.TMUX_PANE;
  if (!process.env.TMUX || !pane) throw new CliError("USAGE", `${COMMAND}: not inside a tmux pane ($TMUX, $TMUX_PANE)`);
  const out = await tmux({}, ["display-message", "-p", "-t", pane, "#{start_time}-#{pid}\t#{session_id}\t#{session_name}"]);
  const [server, sessionId, ...name] = out.replace(/\n$/, "").split("\t");
  const dir = serverDir(cli.config.spoolDir, server!);
  const config = readCaptureConfig(dir);
  recordCommand(dir, config, { command, exitCode, cwd, shell, session: name.join("\t"), ...(sessionId ? { sessionId } : {}), pane }, timeUs);
  await shipRecordsOnce(dir, config, 3_000);
  return 0;
}
