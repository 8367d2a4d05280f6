import { parseArgs } from "node:util";
import { flushSpools } from "../../tmux/flush.js";
import { parseCount, parseOrUsage } from "../args.js";
import { EXIT_ERROR } from "../cli-error.js";
import { type Cli, json } from "../context.js";

const COMMAND = "tmux flush";

/** sealtrail tmux flush [--timeout SECONDS]: ships every spool no capture process is shipping. */
export async function tmuxFlushCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage(COMMAND, () => parseArgs({ args, options: { timeout: { type: "string" } }, strict: true }));
  const seconds = values.timeout === undefined ? 60 : parseCount(COMMAND, "timeout", values.timeout);
  const flushed = await flushSpools(cli.config.spoolDir, seconds * 1000);
  cli.stdout(json(flushed));
  return flushed.left > 0 ? EXIT_ERROR : 0;
}
