import { parseArgs } from "node:util";
import { runIngestWorker } from "../../../workers/ingest.js";
import { ConfigError, type IngestConfig, type SearchConfig } from "../../config.js";
import { parseCount, parseOrUsage } from "../args.js";
import { CliError } from "../cli-error.js";
import { type Cli, databaseConfig } from "../context.js";

/** sealtrail worker [--concurrency N]: the ingest worker and the search indexer, until SIGTERM or SIGINT. */
export async function workerCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage("worker", () => parseArgs({ args, options: { concurrency: { type: "string" } }, strict: true }));
  databaseConfig(cli);
  let ingest: IngestConfig;
  let search: SearchConfig;
  try {
    ingest = cli.config.ingest;
    search = cli.config.search;
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError("CONFIG", error.message, { cause: error });
    throw error;
  }
  const concurrency = values.concurrency === undefined ? ingest.concurrency : parseCount("worker", "concurrency", values.concurrency);
  if (concurrency === 0) throw new CliError("USAGE", "worker: --concurrency: got 0, want at least 1");
  await runIngestWorker(cli.config, { concurrency, search });
  return 0;
}
