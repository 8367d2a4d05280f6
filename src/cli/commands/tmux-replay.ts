import { parseArgs } from "node:util";
import { chooseStream, paneStreams, replay } from "../../tmux/replay.js";
import { parseOrUsage, required } from "../args.js";
import { type Cli, withDatabase } from "../context.js";

const COMMAND = "tmux replay";

/**
 * sealtrail tmux replay --session S [--pane %N] [--log NAME] [--raw] > out.cast
 * asciicast v2 on stdout (or, with --raw, the pane's exact bytes); gaps and the panes not
 * chosen are named on stderr.
 */
export async function tmuxReplayCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage(COMMAND, () =>
    parseArgs({ args, options: { session: { type: "string" }, pane: { type: "string" }, log: { type: "string" }, raw: { type: "boolean" } }, strict: true }),
  );
  const target = { log: values.log || "tmux", session: required(COMMAND, "session", values.session), ...(values.pane ? { pane: values.pane } : {}) };
  return withDatabase(cli, "read", async (store) => {
    const streams = await paneStreams(store, target);
    const stream = chooseStream(streams, target);
    const others = streams.filter((s) => s !== stream).map((s) => s.pane);
    if (!target.pane && others.length > 0) process.stderr.write(`sealtrail: replaying pane ${stream.pane}; also recorded: ${[...new Set(others)].join(" ")} (--pane)\n`);
    const report = await replay(store, target.log, stream, values.raw ? "raw" : "asciicast", (data) => void process.stdout.write(data));
    for (const [from, to] of report.gaps) process.stderr.write(`sealtrail: chunks ${from}–${to} of pane ${stream.pane} are missing from the log\n`);
    return 0;
  });
}
