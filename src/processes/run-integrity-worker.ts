/**
 * The integrity worker process, as `sealtrail worker` (beside the ingest worker) and
 * workers/integrity.ts run it. Thin: configuration, connections, schedulers, signals and one
 * JSON line per job on stdout; the work is in src/integrity/. SIGTERM or SIGINT stops taking
 * jobs and finishes the ones in hand.
 */
import type { Config } from "../config/index.js";
import { rawPublicKey } from "../core/note/index.js";
import { openAlertQueue, QueueAlertSink } from "../integrity/alert-queue.js";
import { startAlertWorker, startSweepWorker } from "../integrity/integrity-worker.js";
import { openSweepQueue, upsertSchedulers } from "../integrity/sweep-queue.js";
import { sweepWitnessPolicy } from "../integrity/sweep-log.js";
import { DirectoryWitness } from "../integrity/witness-directory.js";
import { PostgresLedgerStore } from "../ledger/postgres/postgres-store.js";
import { DirectoryArchive, LedgerError, loadSigningKey, loadTrustedPublicKey } from "../ledger/index.js";
import { CHECKPOINT_TICK_MS } from "../core/sweep/index.js";
import { STDIO, type WorkerOutput } from "./worker-output.js";

/** Runs until SIGTERM or SIGINT; resolves once the jobs in hand are finished and connections closed. */
export async function runIntegrityWorker(config: Config, out: WorkerOutput = STDIO): Promise<void> {
  const integrity = config.integrity;
  const key = config.signingKeyPath ? await loadSigningKey(config.signingKeyPath) : undefined;
  const publicKey = config.verifierKey ? await loadTrustedPublicKey(config.verifierKey) : key && rawPublicKey(key);
  if (!publicKey) throw new LedgerError("KEY_UNAVAILABLE", "sweeps need the trusted key: set SEALTRAIL_SIGNING_KEY or SEALTRAIL_VERIFIER_KEY");
  const line = (value: object) => out.stdout(JSON.stringify(value));
  if (!integrity.witnessDir) out.stderr("sealtrail worker: SEALTRAIL_WITNESS_DIR is not set: checkpoints are not copied outside the database");
  if (integrity.alertWebhooks.length === 0) out.stderr("sealtrail worker: SEALTRAIL_ALERT_WEBHOOKS is not set: alerts are recorded in the ledger only");

  const store = PostgresLedgerStore.open({ url: config.databaseUrl, schema: config.schema, rolePrefix: config.rolePrefix, role: "writer", max: 4, applicationName: "sealtrail-integrity" });
  const sweepQueue = openSweepQueue(config.redisUrl, { name: integrity.sweepQueue });
  const alertQueue = openAlertQueue(config.redisUrl, { name: integrity.alertQueue });
  const alerts = new QueueAlertSink(alertQueue, integrity.alertWebhooks);
  const witness = integrity.witnessDir ? new DirectoryWitness(integrity.witnessDir) : undefined;
  await upsertSchedulers(sweepQueue, {
    fullCron: integrity.fullSweepCron,
    incrementalCron: integrity.incrementalSweepCron,
    checkpointEveryMs: key ? Math.min(CHECKPOINT_TICK_MS, integrity.checkpointIntervalMs) : null,
    retentionCron: integrity.retentionCron,
  });
  const sweeper = startSweepWorker({
    redisUrl: config.redisUrl,
    sweepQueueName: integrity.sweepQueue,
    sweepQueue,
    sweep: { store, url: config.databaseUrl, schema: config.schema, rolePrefix: config.rolePrefix, publicKey, witness, witnessPolicy: sweepWitnessPolicy(integrity.witnesses, integrity.witnessQuorum), originPrefix: config.originPrefix, alerts, threads: integrity.sweepThreads },
    checkpoint: key && { store, key, policy: { every: integrity.checkpointEvery, intervalMs: integrity.checkpointIntervalMs }, witness, originPrefix: config.originPrefix, alerts, witnessedUpTo: new Map(), known: new Map(), cosigners: integrity.witnesses, ...(integrity.witnessQuorum ? { witnessQuorum: integrity.witnessQuorum } : {}), ...(integrity.tsaUrl ? { tsaUrl: integrity.tsaUrl } : {}) },
    archive: new DirectoryArchive(integrity.archiveDir),
    alertSecret: integrity.alertSecret ?? "",
    alertTimeoutMs: integrity.alertTimeoutMs,
  });
  const deliverer = integrity.alertWebhooks.length > 0 ? startAlertWorker({ redisUrl: config.redisUrl, alertQueueName: integrity.alertQueue, alertSecret: integrity.alertSecret!, alertTimeoutMs: integrity.alertTimeoutMs }) : undefined;

  sweeper.on("completed", (job, result) => {
    // Checkpoint ticks that did nothing are not worth a line every few seconds.
    if (job.name === "checkpoint" && !result.signed && !result.witnessed && !result.refused?.length) return;
    line({ event: "completed", job: job.id, name: job.name, ...result });
  });
  sweeper.on("failed", (job, error) => out.stderr(`sealtrail worker: ${job?.name} ${job?.id} attempt ${job?.attemptsMade}: ${error.message}`));
  sweeper.on("error", (error) => out.stderr(`sealtrail worker: ${error.message}`));
  deliverer?.on("completed", (job, status) => line({ event: "alert delivered", alert: job.data.alert.id, type: job.data.alert.type, log: job.data.alert.log, status }));
  deliverer?.on("failed", (job, error) => out.stderr(`sealtrail worker: alert ${job?.data.alert.id} attempt ${job?.attemptsMade}: ${error.message}`));
  deliverer?.on("error", (error) => out.stderr(`sealtrail worker: ${error.message}`));

  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      void Promise.allSettled([sweeper.close(), deliverer?.close()]).then(() => resolve());
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
  await Promise.all([sweeper.waitUntilReady(), deliverer?.waitUntilReady()]);
  line({ event: "ready", queue: integrity.sweepQueue, schedulers: { full: integrity.fullSweepCron, incremental: integrity.incrementalSweepCron, retention: integrity.retentionCron }, archive: integrity.archiveDir, witness: integrity.witnessDir ?? null, webhooks: integrity.alertWebhooks.length });
  await stopped;
  await Promise.allSettled([sweepQueue.close(), alertQueue.close()]);
  await store.close(5);
}
