import { parseArgs } from "node:util";
import { runIngestWorker } from "../../processes/run-ingest-worker.js";
import { runIntegrityWorker } from "../../processes/run-integrity-worker.js";
import { parseCount, parseOrUsage } from "../args.js";
import { CliError } from "../cli-error.js";
import { type Cli, databaseConfig } from "../context.js";

/**
 * sealtrail worker [--concurrency N] [--only ingest|integrity]: the ingest worker with the
 * search indexer, and the integrity worker (checkpoints, witness copies, sweeps, alerts), until
 * SIGTERM or SIGINT.
 * Without any key configured, the integrity worker cannot check anything: it is left out with
 * a warning, unless it was asked for alone.
 */
export async function workerCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage("worker", () => parseArgs({ args, options: { concurrency: { type: "string" }, only: { type: "string" } }, strict: true }));
  databaseConfig(cli);
  if (values.only !== undefined && values.only !== "ingest" && values.only !== "integrity") {
    throw new CliError("USAGE", `worker: --only: got ${JSON.stringify(values.only)}, want ingest or integrity`);
  }
  const ingest = cli.config.ingest;
  // Read now: a malformed variable stops the command before any worker starts.
  if (values.only !== "ingest") void cli.config.integrity;
  const search = cli.config.search;
  const concurrency = values.concurrency === undefined ? ingest.concurrency : parseCount("worker", "concurrency", values.concurrency);
  if (concurrency === 0) throw new CliError("USAGE", "worker: --concurrency: got 0, want at least 1");
  const keyed = cli.config.signingKeyPath !== undefined || cli.config.verifierKey !== undefined;
  if (values.only === "integrity" && !keyed) {
    throw new CliError("NO_VERIFIER_KEY", "worker: the integrity worker needs SEALTRAIL_SIGNING_KEY (to sign checkpoints) or SEALTRAIL_VERIFIER_KEY (to sweep)");
  }
  const runs: Promise<void>[] = [];
  if (values.only !== "integrity") runs.push(runIngestWorker(cli.config, { concurrency, search }));
  if (values.only !== "ingest") {
    if (keyed) runs.push(runIntegrityWorker(cli.config));
    else process.stderr.write("sealtrail worker: no SEALTRAIL_SIGNING_KEY or SEALTRAIL_VERIFIER_KEY: no checkpoints, sweeps or alerts\n");
  }
  await Promise.all(runs);
  return 0;
}
