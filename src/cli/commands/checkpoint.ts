import { parseArgs } from "node:util";
import { signWitnessed } from "../../integrity/known-outside.js";
import { DirectoryWitness } from "../../integrity/witness-directory.js";
import { loadSigningKey } from "../../ledger/index.js";
import { parseOrUsage, required } from "../args.js";
import { type Cli, withDatabase } from "../context.js";

/**
 * sealtrail checkpoint --log NAME: prints the signed note byte for byte, so that
 * `> file` keeps a checkpoint to verify against later (verify --checkpoint FILE). With
 * SEALTRAIL_WITNESS_DIR, as the integrity worker: the tree must extend the newest witness
 * copy (a truncated log is refused, not signed), and the new checkpoint is copied there.
 */
export async function checkpointCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage("checkpoint", () => parseArgs({ args, options: { log: { type: "string" } }, strict: true }));
  const log = required("checkpoint", "log", values.log);
  const key = await loadSigningKey(cli.config.signingKeyPath);
  const witnessDir = cli.config.integrity.witnessDir;
  const witness = witnessDir ? new DirectoryWitness(witnessDir) : undefined;
  const { checkpoint } = await withDatabase(cli, "write", (store) => signWitnessed(store, log, key, witness));
  cli.stdout(checkpoint.note);
  return 0;
}
