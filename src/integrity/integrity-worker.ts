/**
 * The BullMQ workers of the integrity jobs: the `sweep` queue (scheduled sweeps, checkpoint
 * ticks, records of runs the database was down for) and the `alerts` queue (webhook
 * deliveries). Sweeps are heavy (the verifier has threads of its own): one at a time per
 * worker process. Infrastructure failures are retried with the job's backoff; a sweep that
 * finds tampering is a result, not a failure.
 */
import { type Job, Worker } from "bullmq";
import { workerConnection } from "../redis/connection.js";
import { ALERT_QUEUE, type AlertJobData, cappedBackoff } from "./alert-queue.js";
import { deliverAlert } from "./alert-delivery.js";
import { type CheckpointDeps, checkpointTick } from "./checkpoint-tick.js";
import type { ArchiveStore } from "../ledger/index.js";
import { retainAllLogs } from "./retention-run.js";
import { CHECKPOINT_JOB, queueUnrunRecord, RECORD_JOB, RETENTION_JOB, SWEEP_JOB, SWEEP_QUEUE, type SweepJobData, type SweepQueue } from "./sweep-queue.js";
import type { SweepDeps } from "./sweep-log.js";
import { recordUnrunSweep, sweepAllLogs, type UnrunSweep } from "./sweep-run.js";

export interface IntegrityWorkerOptions {
  redisUrl: string;
  prefix?: string;
  sweepQueueName?: string;
  alertQueueName?: string;
  /** Where record-sweep jobs are queued (the sweep queue). */
  sweepQueue: SweepQueue;
  sweep: SweepDeps;
  /** Absent: this worker signs no checkpoints (no signing key). */
  checkpoint: CheckpointDeps | undefined;
  /** Where retention moves entries past their hot window; absent: this worker runs no retention. */
  archive?: ArchiveStore;
  alertSecret: string;
  alertTimeoutMs: number;
  /** How long a job stays locked to a worker that stopped renewing it. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export interface SweepJobResult {
  mode?: string;
  swept?: number;
  tampered?: { log: string; tamperClass: string | null; firstBadSeq: number | null }[];
  unrun?: string;
  signed?: number;
  witnessed?: number;
  refused?: string[];
  recorded?: number;
  archived?: { log: string; from: number; to: number }[];
  failed?: { log: string; message: string }[];
}

const settings = { backoffStrategy: (attemptsMade: number) => cappedBackoff(attemptsMade) };

export function startSweepWorker(options: IntegrityWorkerOptions): Worker<SweepJobData, SweepJobResult> {
  const processor = async (job: Job<SweepJobData, SweepJobResult>): Promise<SweepJobResult> => {
    switch (job.name) {
      case SWEEP_JOB: {
        const mode = (job.data as { mode?: unknown }).mode === "incremental" ? "incremental" : "full";
        const { outcomes, unrun } = await sweepAllLogs(options.sweep, { id: job.id!, mode, at: new Date(job.timestamp) });
        if (unrun) await queueUnrunRecord(options.sweepQueue, unrun);
        return {
          mode,
          swept: outcomes.length,
          tampered: outcomes.filter((o) => o.record.result === "tampered").map((o) => ({ log: o.log, tamperClass: o.record.tamperClass, firstBadSeq: o.record.firstBadSeq })),
          ...(unrun ? { unrun: unrun.message } : {}),
        };
      }
      case CHECKPOINT_JOB: {
        // A worker without the signing key must not swallow a tick: failing it leaves the
        // next ticks to a worker that has the key, and shows in the queue's failed set.
        if (!options.checkpoint) throw new Error("this worker has no signing key (SEALTRAIL_SIGNING_KEY): checkpoint ticks are for a worker that has it");
        const r = await checkpointTick(options.checkpoint);
        return { signed: r.signed.length, witnessed: r.witnessed.reduce((n, w) => n + w.sizes.length, 0), refused: r.refused.map((x) => x.log) };
      }
      case RETENTION_JOB: {
        if (!options.archive) throw new Error("this worker has no archive (SEALTRAIL_ARCHIVE_DIR)");
        const { outcomes, failed } = await retainAllLogs({ ...options.sweep, archive: options.archive }, { id: job.id!, at: new Date(job.timestamp) });
        // A log that could not be done is retried with the job; the others' runs are recorded and stay done.
        if (failed.length > 0) throw new Error(`retention: ${failed.map((f) => `${f.log}: ${f.message}`).join("; ")}`);
        return { archived: outcomes.flatMap((o) => (o.record.archived ? [{ log: o.log, from: o.record.archived.from, to: o.record.archived.to }] : [])) };
      }
      case RECORD_JOB:
        return { recorded: await recordUnrunSweep(options.sweep, job.data as UnrunSweep) };
      default:
        throw new Error(`unknown job ${job.name}`);
    }
  };
  return new Worker<SweepJobData, SweepJobResult>(options.sweepQueueName ?? SWEEP_QUEUE, processor, {
    connection: workerConnection(options.redisUrl),
    ...(options.prefix ? { prefix: options.prefix } : {}),
    concurrency: 1,
    settings,
    ...(options.lockDurationMs ? { lockDuration: options.lockDurationMs } : {}),
    ...(options.stalledIntervalMs ? { stalledInterval: options.stalledIntervalMs } : {}),
  });
}

export function startAlertWorker(options: Pick<IntegrityWorkerOptions, "redisUrl" | "prefix" | "alertQueueName" | "alertSecret" | "alertTimeoutMs">): Worker<AlertJobData, number> {
  return new Worker<AlertJobData, number>(options.alertQueueName ?? ALERT_QUEUE, (job) => deliverAlert(job.data, options.alertSecret, options.alertTimeoutMs), {
    connection: workerConnection(options.redisUrl),
    ...(options.prefix ? { prefix: options.prefix } : {}),
    concurrency: 8,
    settings,
  });
}


