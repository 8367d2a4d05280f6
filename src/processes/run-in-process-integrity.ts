/**
 * The integrity jobs of `sealtrail up` without Redis: the same functions the sweep worker runs
 * (checkpointTick, sweepAllLogs), on timers in this process instead of BullMQ's schedulers.
 * Differences, documented in docs/zero-setup.md: sweeps run at fixed intervals from the start
 * (an incremental sweep every 5 minutes, a full one and the retention run every 24 hours) rather than on the cron
 * patterns; an alert is POSTed to each webhook once, without the alert queue's retries (it is
 * in the ledger either way).
 */
import { randomUUID } from "node:crypto";
import type { Config } from "../config/index.js";
import { type Alert, CHECKPOINT_TICK_MS, type SweepMode } from "../core/sweep/index.js";
import { rawPublicKey } from "../core/note/index.js";
import { deliverAlert } from "../integrity/alert-delivery.js";
import type { AlertSink } from "../integrity/alert-sink.js";
import { checkpointTick } from "../integrity/checkpoint-tick.js";
import { retainAllLogs } from "../integrity/retention-run.js";
import { sweepAllLogs } from "../integrity/sweep-run.js";
import { DirectoryWitness } from "../integrity/witness-directory.js";
import { PostgresLedgerStore } from "../ledger/postgres/postgres-store.js";
import { DirectoryArchive, loadSigningKey } from "../ledger/index.js";
import type { WorkerOutput } from "./worker-output.js";

const INCREMENTAL_EVERY_MS = 5 * 60_000;
const FULL_EVERY_MS = 24 * 60 * 60_000;

/** Runs until `until` resolves; the job in hand is finished first. Needs SEALTRAIL_SIGNING_KEY. */
export async function runInProcessIntegrity(config: Config, until: Promise<void>, out: WorkerOutput): Promise<void> {
  const integrity = config.integrity;
  const key = await loadSigningKey(config.signingKeyPath);
  const store = PostgresLedgerStore.open({ url: config.databaseUrl, schema: config.schema, rolePrefix: config.rolePrefix, role: "writer", max: 4, applicationName: "sealtrail-integrity" });
  const witness = integrity.witnessDir ? new DirectoryWitness(integrity.witnessDir) : undefined;
  const alerts: AlertSink = {
    async raise(alert: Alert) {
      for (const url of integrity.alertWebhooks) {
        await deliverAlert({ alert, url }, integrity.alertSecret ?? "", integrity.alertTimeoutMs).catch((error: Error) => out.stderr(`sealtrail up: alert ${alert.id}: ${error.message}`));
      }
    },
  };
  const line = (value: object) => out.stdout(JSON.stringify(value));
  const checkpoint = { store, key, policy: { every: integrity.checkpointEvery, intervalMs: integrity.checkpointIntervalMs }, witness, originPrefix: config.originPrefix, alerts, witnessedUpTo: new Map<string, number>(), known: new Map() };
  const sweepDeps = { store, url: config.databaseUrl, schema: config.schema, rolePrefix: config.rolePrefix, publicKey: rawPublicKey(key), witness, originPrefix: config.originPrefix, alerts, threads: integrity.sweepThreads };

  // One job at a time, as the sweep worker's concurrency of 1.
  let chain = Promise.resolve();
  const run = (name: string, job: () => Promise<object | undefined>) => {
    chain = chain.then(async () => {
      try {
        const result = await job();
        if (result) line({ event: "completed", name, ...result });
      } catch (error) {
        out.stderr(`sealtrail up: ${name}: ${(error as Error).message}`);
      }
    });
  };
  const tick = () => run("checkpoint", async () => {
    const r = await checkpointTick(checkpoint);
    if (r.signed.length === 0 && r.witnessed.length === 0 && r.refused.length === 0) return undefined;
    return { signed: r.signed.length, witnessed: r.witnessed.reduce((n, w) => n + w.sizes.length, 0), refused: r.refused.map((x) => x.log) };
  });
  const sweep = (mode: SweepMode) => run("sweep", async () => {
    const { outcomes, unrun } = await sweepAllLogs(sweepDeps, { id: `up-${randomUUID()}`, mode, at: new Date() });
    return { mode, swept: outcomes.length, tampered: outcomes.filter((o) => o.record.result === "tampered").map((o) => o.log), ...(unrun ? { unrun: unrun.message } : {}) };
  });
  const archive = new DirectoryArchive(integrity.archiveDir);
  const retain = () => run("retention", async () => {
    const { outcomes, failed } = await retainAllLogs({ ...sweepDeps, archive }, { id: `up-${randomUUID()}`, at: new Date() });
    for (const f of failed) out.stderr(`sealtrail up: retention of ${f.log}: ${f.message}`);
    return { archived: outcomes.flatMap((o) => (o.record.archived ? [{ log: o.log, from: o.record.archived.from, to: o.record.archived.to }] : [])) };
  });
  const timers = [
    setInterval(tick, Math.min(CHECKPOINT_TICK_MS, integrity.checkpointIntervalMs)),
    ...(integrity.incrementalSweepCron ? [setInterval(() => sweep("incremental"), INCREMENTAL_EVERY_MS)] : []),
    ...(integrity.fullSweepCron ? [setInterval(() => sweep("full"), FULL_EVERY_MS)] : []),
    // Retention policies are counted in days: once a day from the start, as the full sweep.
    ...(integrity.retentionCron ? [setInterval(retain, FULL_EVERY_MS)] : []),
  ];
  tick();
  line({ event: "ready", queue: "in-process", witness: integrity.witnessDir ?? null, webhooks: integrity.alertWebhooks.length });
  await until;
  for (const timer of timers) clearInterval(timer);
  await chain;
  await store.close(5);
}
