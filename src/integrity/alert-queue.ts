/**
 * The `alerts` queue: one job per alert and webhook, kept in Redis until the webhook
 * acknowledges it (any 2xx), so that delivery survives worker restarts and receiver outages.
 * Retries back off exponentially from 1 s up to 10 minutes between attempts, for 10,000
 * attempts (about 69 days); a job that exhausts them stays in the failed set. The job id is
 * the alert id and a digest of the URL: an alert raised again (a retried sweep) is not
 * queued twice while its job is kept (BullMQ ignores an add with the id of a job it holds).
 */
import { type JobsOptions, Queue } from "bullmq";
import type { Alert } from "../core/sweep/index.js";
import { sha256, toHex } from "../core/encoding/index.js";
import { producerConnection } from "../redis/connection.js";
import type { AlertSink } from "./alert-sink.js";

export const ALERT_QUEUE = "alerts";
export const ALERT_JOB = "deliver-alert";

export interface AlertJobData {
  alert: Alert;
  url: string;
}

/** Name of the backoff strategy the integrity workers register (BullMQ "custom backoff"). */
export const CAPPED_BACKOFF = "capped-exponential";
const MAX_BACKOFF_MS = 10 * 60_000;

/** Delay before retry `attemptsMade` (1, 2, …): 2^(n−1) × delay, at most 10 minutes. */
export function cappedBackoff(attemptsMade: number, delayMs = 1_000): number {
  return Math.min(MAX_BACKOFF_MS, 2 ** Math.min(30, Math.max(0, attemptsMade - 1)) * delayMs);
}

export const RETRY_UNTIL_DONE = {
  attempts: 10_000,
  backoff: { type: CAPPED_BACKOFF, delay: 1_000 },
} as const satisfies JobsOptions;

export const ALERT_JOB_OPTIONS = {
  ...RETRY_UNTIL_DONE,
  removeOnComplete: { age: 30 * 24 * 3600 },
  removeOnFail: false,
} as const satisfies JobsOptions;

export type AlertQueue = Queue<AlertJobData, void, typeof ALERT_JOB>;

export function openAlertQueue(redisUrl: string, options: { name?: string; prefix?: string } = {}): AlertQueue {
  return new Queue<AlertJobData, void, typeof ALERT_JOB>(options.name ?? ALERT_QUEUE, {
    // Producers here are workers: they wait out a Redis outage rather than drop an alert.
    connection: { url: redisUrl, maxRetriesPerRequest: null },
    ...(options.prefix ? { prefix: options.prefix } : {}),
    defaultJobOptions: ALERT_JOB_OPTIONS,
  });
}

/** Raises alerts by queueing one delivery per webhook; no webhook, no delivery (the ledger entry remains). */
export class QueueAlertSink implements AlertSink {
  constructor(
    private readonly queue: AlertQueue,
    private readonly webhooks: readonly string[],
  ) {}

  async raise(alert: Alert): Promise<void> {
    if (this.webhooks.length === 0) return;
    await this.queue.addBulk(
      this.webhooks.map((url) => ({ name: ALERT_JOB, data: { alert, url }, opts: { ...ALERT_JOB_OPTIONS, jobId: `${alert.id}-${toHex(sha256(url)).slice(0, 16)}` } })),
    );
  }
}

/** producerConnection, for a command that must not hang when Redis is away. */
export function openAlertQueueForCommand(redisUrl: string, name?: string): AlertQueue {
  return new Queue<AlertJobData, void, typeof ALERT_JOB>(name ?? ALERT_QUEUE, { connection: producerConnection(redisUrl), defaultJobOptions: ALERT_JOB_OPTIONS });
}
