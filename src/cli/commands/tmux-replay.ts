import { parseArgs } from "node:util";
import { chooseStream, erasedMarker, paneStreams, replay } from "../../tmux/replay.js";
import { TmuxError } from "../../tmux/tmux-error.js";
import { parseOrUsage, required } from "../args.js";
import { type Cli, withDatabase } from "../context.js";

const COMMAND = "tmux replay";

/**
 * sealtrail tmux replay --session S [--pane %N] [--log NAME] [--raw] > out.cast
 * asciicast v2 on stdout (or, with --raw, the pane's exact bytes); gaps and the panes not
 * chosen are named on stderr. Erased or expired output is marked where it was (in the cast,
 * and on stderr) with the records that removed it.
 */
export async function tmuxReplayCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage(COMMAND, () =>
    parseArgs({ args, options: { session: { type: "string" }, pane: { type: "string" }, log: { type: "string" }, raw: { type: "boolean" } }, strict: true }),
  );
  const target = { log: values.log || "tmux", session: required(COMMAND, "session", values.session), ...(values.pane ? { pane: values.pane } : {}) };
  return withDatabase(cli, "read", async (store) => {
    const streams = await paneStreams(store, target);
    if (streams.length === 0) {
      // Erased output no longer says which session it was of: say that there is some.
      const erased = await store.erasedOutput(target.log, 0, Number.MAX_SAFE_INTEGER).catch(() => []);
      if (erased.length > 0) {
        const records = [...new Set(erased.map((e) => e.recordSeq))].map((r) => `#${r}`).join(", ");
        throw new TmuxError("NOT_FOUND", `no output recorded for session ${JSON.stringify(target.session)}${target.pane ? ` pane ${target.pane}` : ""} in log ${target.log}; ${erased.length} chunks of the log's terminal output were erased or expired (records ${records}), and an erased chunk no longer names its session`);
      }
    }
    const stream = chooseStream(streams, target);
    const others = streams.filter((s) => s !== stream).map((s) => s.pane);
    if (!target.pane && others.length > 0) process.stderr.write(`sealtrail: replaying pane ${stream.pane}; also recorded: ${[...new Set(others)].join(" ")} (--pane)\n`);
    const report = await replay(store, target.log, stream, values.raw ? "raw" : "asciicast", (data) => void process.stdout.write(data));
    for (const [from, to] of report.gaps) process.stderr.write(`sealtrail: chunks ${from}–${to} of pane ${stream.pane} are missing from the log\n`);
    for (const gap of report.erased) process.stderr.write(`sealtrail: ${erasedMarker(gap)}\n`);
    return 0;
  });
}
