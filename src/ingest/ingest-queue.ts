import { type JobsOptions, Queue, type QueueEvents } from "bullmq";
import { INGEST_JOB, INGEST_JOB_OPTIONS, INGEST_QUEUE, type IngestJobData, type IngestJobResult } from "./ingest-job.js";
import { producerConnection } from "../redis/connection.js";

export type IngestQueue = Queue<IngestJobData, IngestJobResult, typeof INGEST_JOB>;

/**
 * What producers use of the ingest queue: BullMQ's Queue (IngestQueue) has this shape, and so
 * has the in-process queue of `sealtrail up` without Redis (src/platform/in-process-queues.ts).
 */
export interface IngestProducer {
  waitUntilReady(): Promise<unknown>;
  add(name: typeof INGEST_JOB, data: IngestJobData, options: { jobId: string } & Pick<JobsOptions, "attempts" | "backoff">): Promise<IngestJobHandle>;
}

/** A queued ingest job, as enqueueEvents follows it. */
export interface IngestJobHandle {
  getState(): Promise<string>;
  retry(state: "failed"): Promise<void>;
  /** `queueEvents` is undefined for the in-process queue, whose jobs are finished once added. */
  waitUntilFinished(queueEvents: QueueEvents | undefined): Promise<IngestJobResult>;
}

export interface IngestQueueOptions {
  /** Default INGEST_QUEUE; tests use a queue of their own. */
  name?: string;
  /** Redis key prefix (BullMQ's default `bull`). */
  prefix?: string;
}

/** The producer's side of the `ingest` queue, with the retry policy of INGEST_JOB_OPTIONS. */
export function openIngestQueue(redisUrl: string, options: IngestQueueOptions = {}): IngestQueue {
  return new Queue<IngestJobData, IngestJobResult, typeof INGEST_JOB>(options.name ?? INGEST_QUEUE, {
    connection: producerConnection(redisUrl),
    ...(options.prefix ? { prefix: options.prefix } : {}),
    defaultJobOptions: INGEST_JOB_OPTIONS,
  });
}
