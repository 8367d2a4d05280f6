/**
 * The BullMQ worker of the `ingest` queue around processIngestJob. Permanent failures become
 * UnrecoverableError (failed at once, never retried); anything else is retried with the
 * job's backoff. A worker that dies holding a job loses its lock after `lockDurationMs`, and
 * the stalled-job check of any live worker (every `stalledIntervalMs`) puts the job back:
 * keys make the re-run append nothing twice.
 */
import { type Job, UnrecoverableError, Worker } from "bullmq";
import type { LedgerStore } from "../ledger/index.js";
import { IngestError } from "./ingest-error.js";
import { INGEST_QUEUE, type IngestJobData, type IngestJobResult } from "./ingest-job.js";
import { processIngestJob } from "./process-ingest-job.js";
import { workerConnection } from "../redis/connection.js";

export interface IngestWorkerOptions {
  store: LedgerStore;
  redisUrl: string;
  /** Default INGEST_QUEUE. */
  queueName?: string;
  /** Redis key prefix (BullMQ's default `bull`). */
  prefix?: string;
  /** Jobs in hand at once; appends to one log still take turns under its lock. */
  concurrency: number;
  maxPayloadBytes: number;
  /** How long a job stays locked to a worker that stopped renewing it (BullMQ default 30 s). */
  lockDurationMs: number;
  /** How often stalled jobs are looked for (BullMQ default 30 s). */
  stalledIntervalMs: number;
  /** Times a job may stall before it fails (a job that keeps killing workers). */
  maxStalledCount?: number;
}

export type IngestWorker = Worker<IngestJobData, IngestJobResult>;

export function startIngestWorker(options: IngestWorkerOptions): IngestWorker {
  const deps = { appender: options.store.appender({ maxPayloadBytes: options.maxPayloadBytes }), maxPayloadBytes: options.maxPayloadBytes };
  const processor = async (job: Job<IngestJobData, IngestJobResult>): Promise<IngestJobResult> => {
    try {
      return await processIngestJob(deps, { id: job.id!, data: job.data });
    } catch (error) {
      if (error instanceof IngestError && error.permanent) throw new UnrecoverableError(`${error.code}: ${error.message}`);
      throw error;
    }
  };
  return new Worker<IngestJobData, IngestJobResult>(options.queueName ?? INGEST_QUEUE, processor, {
    connection: workerConnection(options.redisUrl),
    ...(options.prefix ? { prefix: options.prefix } : {}),
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs,
    stalledInterval: options.stalledIntervalMs,
    maxStalledCount: options.maxStalledCount ?? 2,
  });
}
