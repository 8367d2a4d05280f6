/**
 * The producer API that GraphQL, webhooks and the CLI call: validate a request's events at
 * once (a caller learns of a bad event before anything is queued), queue the valid ones as
 * one job, and optionally wait for their seqs. Each receipt carries the event's idempotency
 * key, so a caller that never hears back can re-send the same events safely.
 */
import { randomUUID } from "node:crypto";
import type { JobsOptions, QueueEvents } from "bullmq";
import { type PreparedEvent, RESERVED_NAME_PREFIX } from "../core/entry/index.js";
import { eventKey, MAX_JOB_ID_LENGTH } from "./idempotency.js";
import { IngestError } from "./ingest-error.js";
import { eventResults, INGEST_JOB, INGEST_RULES_VERSION, type IngestJobResult } from "./ingest-job.js";
import type { IngestProducer } from "./ingest-queue.js";
import type { EnqueueReceipt } from "./enqueue-receipt.js";
import { validateEvent } from "./validate-event.js";

/** Events in one job by default: enough for large batches, small enough for one Redis value. */
export const DEFAULT_MAX_BATCH_EVENTS = 10_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 2_000;

export interface EnqueueOptions {
  /** SEALTRAIL_MAX_PAYLOAD_BYTES: the worker's limit too. */
  maxPayloadBytes: number;
  /** SEALTRAIL_INGEST_MAX_BATCH (default DEFAULT_MAX_BATCH_EVENTS). */
  maxBatchEvents?: number;
  /** The job id (and so the derived keys); e.g. a webhook's delivery id. Default a UUID. */
  jobId?: string;
  /** Overrides of INGEST_JOB_OPTIONS (attempts, backoff). */
  jobOptions?: Pick<JobsOptions, "attempts" | "backoff">;
  /**
   * How long to wait for a Redis connection that is not up yet (default 2000 ms). BullMQ holds
   * commands until its first connection is ready; a producer answering a request fails instead.
   */
  connectTimeoutMs?: number;
  /** Wait for the worker and fill in seqs; needs a QueueEvents of the same queue. */
  wait?: { queueEvents: QueueEvents | undefined; timeoutMs: number };
}

export type { EnqueueReceipt } from "./enqueue-receipt.js";

export interface Enqueued {
  /** Undefined when no event was valid: nothing was queued. */
  jobId: string | undefined;
  receipts: EnqueueReceipt[];
}

/**
 * Throws IngestError: BATCH_INVALID (bad log name, too many events, bad job id),
 * QUEUE_UNAVAILABLE (Redis), and when waiting JOB_FAILED or TIMEOUT (the job stays queued
 * and may still complete).
 */
export async function enqueueEvents(queue: IngestProducer, log: string, events: readonly unknown[], options: EnqueueOptions): Promise<Enqueued> {
  if (typeof log !== "string" || log === "") throw new IngestError("BATCH_INVALID", "log: want a log name");
  // The ledger's own logs (a tenant's audit log) are written by the ledger alone (logs.ts).
  if (log.startsWith(RESERVED_NAME_PREFIX)) throw new IngestError("BATCH_INVALID", `log ${JSON.stringify(log)} is kept by the ledger; sources cannot write to it`);
  if (!Array.isArray(events)) throw new IngestError("BATCH_INVALID", "events: want an array");
  const max = options.maxBatchEvents ?? DEFAULT_MAX_BATCH_EVENTS;
  if (events.length > max) throw new IngestError("BATCH_INVALID", `events: got ${events.length}, want at most ${max} in one batch`);
  const jobId = options.jobId ?? randomUUID();
  // BullMQ reads an integer id as a custom id of its own kind, and `:` separates its Redis keys.
  if (jobId.length > MAX_JOB_ID_LENGTH || jobId === "" || jobId.includes(":") || /^\d+$/.test(jobId)) {
    throw new IngestError("BATCH_INVALID", `jobId: got ${JSON.stringify(jobId)}, want at most ${MAX_JOB_ID_LENGTH} characters, no ":", not only digits`);
  }

  const receipts: EnqueueReceipt[] = [];
  const accepted: PreparedEvent[] = [];
  const positions: number[] = [];
  events.forEach((input, index) => {
    const checked = validateEvent(input, index, options);
    const idempotencyKey = eventKey(input, jobId, index);
    if (!checked.ok) {
      receipts.push({ index, idempotencyKey, status: "rejected", reason: checked.reason });
      return;
    }
    // The key goes into the job, so the worker uses the one the caller was told.
    checked.prepared.idempotencyKey = idempotencyKey;
    accepted.push(checked.prepared);
    positions.push(index);
    receipts.push({ index, idempotencyKey, status: "accepted" });
  });
  if (accepted.length === 0) return { jobId: undefined, receipts };

  let job;
  try {
    await connected(queue, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
    const prepared = { version: INGEST_RULES_VERSION, maxPayloadBytes: options.maxPayloadBytes };
    job = await queue.add(INGEST_JOB, { log, events: accepted, prepared }, { jobId, ...options.jobOptions });
    // BullMQ hands back a job id it still holds instead of queueing it again, the failed set
    // included (attempts exhausted, e.g. by a long database outage). A re-send of such a job
    // must run it again, or its events would be acknowledged and never appended.
    if (options.jobId !== undefined && (await job.getState()) === "failed") await job.retry("failed");
  } catch (error) {
    throw new IngestError("QUEUE_UNAVAILABLE", `queueing ${accepted.length} events for ${log}: ${(error as Error).message}`, { cause: error });
  }
  if (!options.wait) return { jobId, receipts };

  let result: IngestJobResult;
  try {
    result = await waitFor(job.waitUntilFinished(options.wait.queueEvents), jobId, options.wait.timeoutMs);
  } catch (error) {
    const e = error as IngestError;
    throw new IngestError(e.code, e.message, { cause: e.cause, queued: { jobId, receipts } });
  }
  for (const event of eventResults(result)) {
    const receipt = receipts[positions[event.index]!]!;
    if (event.status === "appended") Object.assign(receipt, { seq: event.seq, leafHash: event.leafHash, duplicate: event.duplicate });
    // The worker refused what this process accepted: their limits differ.
    else Object.assign(receipt, { status: "rejected", reason: { ...event.reason, index: receipt.index } });
  }
  return { jobId, receipts };
}

/** `promise`, or a rejection with `timedOut()` after `ms`; a late rejection of `promise` is ignored. */
async function within<T>(promise: Promise<T>, ms: number, timedOut: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  promise.catch(() => {});
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(timedOut()), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Resolves once the queue's Redis connection is ready. Once ready, a lost connection makes
 * commands fail at once (enableOfflineQueue: false, redis/connection.ts), so only the first
 * connection needs a deadline.
 */
function connected(queue: IngestProducer, timeoutMs: number): Promise<void> {
  return within(queue.waitUntilReady().then(() => undefined), timeoutMs, () => new Error(`no connection to Redis within ${timeoutMs} ms`));
}

async function waitFor(finished: Promise<IngestJobResult>, jobId: string, timeoutMs: number): Promise<IngestJobResult> {
  try {
    return await within(finished, timeoutMs, () => new IngestError("TIMEOUT", `job ${jobId} did not finish within ${timeoutMs} ms; it stays queued`));
  } catch (error) {
    if (error instanceof IngestError) throw error;
    throw new IngestError("JOB_FAILED", `job ${jobId} failed: ${(error as Error).message}`, { cause: error });
  }
}
