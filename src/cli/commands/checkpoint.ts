import { parseArgs } from "node:util";
import { checkpointLog, loadSigningKey } from "../../ledger/index.js";
import { parseOrUsage, required } from "../args.js";
import { type Cli, withDatabase } from "../context.js";

/**
 * sealtrail checkpoint --log NAME: prints the signed note byte for byte, so that
 * `> file` keeps a checkpoint to verify against later (verify --checkpoint FILE).
 */
export async function checkpointCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage("checkpoint", () => parseArgs({ args, options: { log: { type: "string" } }, strict: true }));
  const log = required("checkpoint", "log", values.log);
  const key = await loadSigningKey(cli.config.signingKeyPath);
  const { checkpoint } = await withDatabase(cli, "write", (store) => checkpointLog(store, log, key));
  cli.stdout(checkpoint.note);
  return 0;
}
