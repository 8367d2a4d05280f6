/**
 * The `sweep` queue and its job schedulers (BullMQ 6 job schedulers, docs.bullmq.io
 * "Job Schedulers"): `integrity-sweep` runs the full sweep on a cron pattern (nightly at 02:00
 * UTC by default), `integrity-sweep-incremental` the incremental one (every 5 minutes), and
 * `checkpoint` the checkpoint tick. Upserting a scheduler by its id replaces it, so every
 * worker upserts them at start and restarts never add a second one; each run is one job, taken
 * by one worker. `record-sweep` jobs carry the records of a run the database was down for.
 */
import { type JobsOptions, Queue } from "bullmq";
import type { SweepMode } from "../core/sweep/index.js";
import { RETRY_UNTIL_DONE } from "./alert-queue.js";
import type { UnrunSweep } from "./sweep-run.js";

export const SWEEP_QUEUE = "sweep";
export const SWEEP_JOB = "integrity-sweep";
export const CHECKPOINT_JOB = "checkpoint";
export const RECORD_JOB = "record-sweep";
/** Retention policies applied (retention-run.ts), daily by default. */
export const RETENTION_JOB = "retention";

export const SCHEDULERS = {
  full: "integrity-sweep",
  incremental: "integrity-sweep-incremental",
  checkpoint: "checkpoint",
  retention: "retention",
} as const;

export type SweepJobData = { mode: SweepMode } | Record<string, never> | UnrunSweep;
export type SweepQueue = Queue<SweepJobData, unknown, string>;

export interface SweepSchedule {
  /** Cron pattern (UTC) of the full sweep; null: no scheduled full sweep. */
  fullCron: string | null;
  /** Cron pattern (UTC) of the incremental sweep; null: none. */
  incrementalCron: string | null;
  /**
   * Milliseconds between checkpoint ticks; null: this worker has no signing key. Its scheduler
   * is then left as it is: another worker of the deployment may hold the key.
   */
  checkpointEveryMs: number | null;
  /** Cron pattern (UTC) of the retention run; null: none; absent: its scheduler is left as it is. */
  retentionCron?: string | null;
}

/** Scheduled jobs are kept a while for inspection; the ledger holds what they found. */
const SCHEDULED_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: "exponential", delay: 5_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 1_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
} as const satisfies JobsOptions;

export function openSweepQueue(redisUrl: string, options: { name?: string; prefix?: string } = {}): SweepQueue {
  return new Queue<SweepJobData, unknown, string>(options.name ?? SWEEP_QUEUE, {
    connection: { url: redisUrl, maxRetriesPerRequest: null },
    ...(options.prefix ? { prefix: options.prefix } : {}),
  });
}

export async function upsertSchedulers(queue: SweepQueue, schedule: SweepSchedule): Promise<void> {
  const upsert = async (id: string, repeat: { pattern: string; tz: string } | { every: number } | null, name: string, data: SweepJobData) => {
    if (repeat === null) await queue.removeJobScheduler(id);
    else await queue.upsertJobScheduler(id, repeat, { name, data, opts: SCHEDULED_JOB_OPTIONS });
  };
  await upsert(SCHEDULERS.full, schedule.fullCron === null ? null : { pattern: schedule.fullCron, tz: "UTC" }, SWEEP_JOB, { mode: "full" });
  await upsert(SCHEDULERS.incremental, schedule.incrementalCron === null ? null : { pattern: schedule.incrementalCron, tz: "UTC" }, SWEEP_JOB, { mode: "incremental" });
  if (schedule.checkpointEveryMs !== null) await upsert(SCHEDULERS.checkpoint, { every: schedule.checkpointEveryMs }, CHECKPOINT_JOB, {});
  if (schedule.retentionCron !== undefined) await upsert(SCHEDULERS.retention, schedule.retentionCron === null ? null : { pattern: schedule.retentionCron, tz: "UTC" }, RETENTION_JOB, {});
}

/** Queues the records of a run that could not be written; one job per run and log. */
export async function queueUnrunRecord(queue: SweepQueue, unrun: UnrunSweep): Promise<void> {
  const id = `record-${Buffer.from(`${unrun.run}\n${unrun.log ?? "*"}`).toString("base64url")}`;
  await queue.add(RECORD_JOB, unrun, { ...RETRY_UNTIL_DONE, jobId: id, removeOnComplete: { age: 7 * 24 * 3600 }, removeOnFail: false });
}
