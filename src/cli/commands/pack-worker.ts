import { parseArgs } from "node:util";
import { runEvidenceWorker } from "../../processes/run-evidence-worker.js";
import { parseCount, parseOrUsage } from "../args.js";
import { CliError } from "../cli-error.js";
import { type Cli, databaseConfig } from "../context.js";

/** sealtrail pack-worker [--concurrency N]: the evidence worker, until SIGTERM or SIGINT. */
export async function packWorkerCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage("pack-worker", () => parseArgs({ args, options: { concurrency: { type: "string" } }, strict: true }));
  databaseConfig(cli);
  const packs = cli.config.packs;
  const concurrency = values.concurrency === undefined ? packs.concurrency : parseCount("pack-worker", "concurrency", values.concurrency);
  if (concurrency === 0) throw new CliError("USAGE", "pack-worker: --concurrency: got 0, want at least 1");
  if (!cli.config.packKeyPath) throw new CliError("NO_PACK_KEY", "pack-worker: no key to sign packs: set SEALTRAIL_PACK_KEY or SEALTRAIL_SIGNING_KEY");
  await runEvidenceWorker(cli.config, { concurrency });
  return 0;
}
