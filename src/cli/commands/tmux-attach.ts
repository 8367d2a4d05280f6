import { parseArgs } from "node:util";
import { attachSession } from "../../tmux/attach.js";
import { parseOrUsage } from "../args.js";
import { type Cli, json } from "../context.js";
import { selfInvocation, TMUX_SERVER_OPTIONS, tmuxTarget } from "./tmux-options.js";

const COMMAND = "tmux attach";

/** sealtrail tmux attach [-t SESSION] [-L NAME | -S PATH] [--log NAME] */
export async function tmuxAttachCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage(COMMAND, () =>
    parseArgs({ args, options: { target: { type: "string", short: "t" }, log: { type: "string" }, ...TMUX_SERVER_OPTIONS }, strict: true }),
  );
  const ingest = cli.config.ingest;
  const attached = await attachSession({
    target: tmuxTarget(values),
    ...(values.target ? { session: values.target } : {}),
    log: values.log || "tmux",
    spoolRoot: cli.config.spoolDir,
    redisUrl: cli.config.redisUrl,
    queue: ingest.queue,
    ...(cli.config.captureApi ? { api: cli.config.captureApi } : {}),
    maxPayloadBytes: cli.config.maxPayloadBytes,
    capturePriority: cli.config.capturePriority,
    invocation: selfInvocation(),
  });
  cli.stdout(json({ session: attached.session.name, sessionId: attached.session.id, server: attached.session.server, spool: attached.dir, panes: attached.panes, alreadyPiped: attached.piped }));
  return 0;
}
