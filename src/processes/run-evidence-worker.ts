/**
 * The evidence worker process, as `sealtrail pack-worker` and workers/evidence.ts run it.
 * Thin: configuration, keys, connections, signals and one JSON line per job on stdout; the
 * work is in src/packs/. SIGTERM or SIGINT stops taking jobs and finishes the builds in hand.
 */
import type { Config } from "../config/index.js";
import { PostgresLedgerStore } from "../ledger/postgres/postgres-store.js";
import { loadSigningKey } from "../ledger/index.js";
import { timeStamp } from "../integrity/time-stamp-checkpoint.js";
import { startEvidenceWorker } from "../packs/evidence-worker.js";
import { loadExporters } from "../packs/exporters.js";
import { packageVersion } from "../version.js";
import { STDIO, type WorkerOutput } from "./worker-output.js";

/** Runs until SIGTERM or SIGINT; resolves once the builds in hand are finished and connections closed. */
export async function runEvidenceWorker(config: Config, overrides: { concurrency?: number } = {}, out: WorkerOutput = STDIO): Promise<void> {
  const packs = config.packs;
  const concurrency = overrides.concurrency ?? packs.concurrency;
  const packKey = await loadSigningKey(config.packKeyPath);
  const checkpointKey = config.signingKeyPath ? await loadSigningKey(config.signingKeyPath) : undefined;
  const exporters = await loadExporters(config.packExporters);
  const store = PostgresLedgerStore.open({ url: config.databaseUrl, schema: config.schema, rolePrefix: config.rolePrefix, role: "writer", max: concurrency + 1, applicationName: "sealtrail-evidence" });
  const worker = startEvidenceWorker({
    store, redisUrl: config.redisUrl, queueName: packs.queue, concurrency, packDir: packs.dir, packKey,
    ...(checkpointKey ? { checkpointKey } : {}), ...packTimeStamp(config.integrity.tsaUrl), exporters, originPrefix: config.originPrefix, generator: { name: "sealtrail", version: packageVersion() },
  });
  const line = (value: object) => out.stdout(JSON.stringify(value));
  worker.on("completed", (job, result) => line({ event: "completed", job: job.id, packId: result.packId, archive: result.archive, bytes: result.bytes }));
  worker.on("failed", (job, error) => out.stderr(`sealtrail pack-worker: job ${job?.id} attempt ${job?.attemptsMade}: ${error.message}`));
  worker.on("error", (error) => out.stderr(`sealtrail pack-worker: ${error.message}`));
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(130);
      stopping = true;
      line({ event: "stopping", signal });
      void worker.close().then(resolve, (error: Error) => {
        out.stderr(`sealtrail pack-worker: closing: ${error.message}`);
        resolve();
      });
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
  await worker.waitUntilReady();
  line({ event: "ready", queue: packs.queue, concurrency, dir: packs.dir });
  await stopped;
  await store.close(5);
  line({ event: "stopped" });
}

/** With SEALTRAIL_TSA_URL, each pack's SHA256SUMS is time-stamped by that TSA (RFC 3161). */
export function packTimeStamp(tsaUrl: string | undefined): { timeStamp?: (data: string) => Promise<Uint8Array> } {
  return tsaUrl ? { timeStamp: (data) => timeStamp(tsaUrl, data) } : {};
}
