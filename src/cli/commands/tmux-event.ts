import { parseArgs } from "node:util";
import { nowUs } from "../../tmux/capture-clock.js";
import { readCaptureConfig } from "../../tmux/capture-config.js";
import { type LifecycleAction, recordLifecycle } from "../../tmux/lifecycle.js";
import { shipRecordsOnce } from "../../tmux/flush.js";
import { parseChoice, parseOrUsage, required } from "../args.js";
import type { Cli } from "../context.js";
import { paneFields } from "./tmux-pane-fields.js";

const COMMAND = "tmux event";
const ACTIONS: readonly LifecycleAction[] = ["session.create", "session.close", "client.attach", "client.detach", "window.create", "pane.create", "pane.exit", "capture.start", "capture.stop"];

/**
 * sealtrail tmux event --dir DIR --action A [--session S] [--session-id $N] [--window @N]
 *   [--pane %N] [--client C] [--size WxH] [--at-ns NANOSECONDS]
 * Run by the hooks attach installs: spools one lifecycle record (fsynced), then tries once to
 * ship the server run's records; what cannot be shipped now the capture processes ship later.
 */
export async function tmuxEventCommand(args: string[], _cli: Cli): Promise<number> {
  const { values } = parseOrUsage(COMMAND, () =>
    parseArgs({
      args,
      options: {
        dir: { type: "string" }, action: { type: "string" }, session: { type: "string" }, "session-id": { type: "string" },
        window: { type: "string" }, pane: { type: "string" }, client: { type: "string" }, size: { type: "string" }, "at-ns": { type: "string" },
      },
      strict: true,
    }),
  );
  const dir = required(COMMAND, "dir", values.dir);
  const action = parseChoice(COMMAND, "action", required(COMMAND, "action", values.action), ACTIONS);
  const fields = paneFields(COMMAND, values);
  // The hook's `date +%s%N`; a date without %N (BSD) prints something else: then now.
  const atNs = values["at-ns"];
  const timeUs = atNs && /^\d{16,20}$/.test(atNs) ? Number(BigInt(atNs) / 1000n) : nowUs();
  const config = readCaptureConfig(dir);
  recordLifecycle(dir, config, action, { ...fields, session: fields.session || "(unknown)", ...(values.client ? { client: values.client } : {}) }, timeUs);
  await shipRecordsOnce(dir, config, 3_000);
  return 0;
}
