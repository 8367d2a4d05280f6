import { Queue } from "bullmq";
import { INGEST_JOB, INGEST_JOB_OPTIONS, INGEST_QUEUE, type IngestJobData, type IngestJobResult } from "./ingest-job.js";
import { producerConnection } from "../redis/connection.js";

export type IngestQueue = Queue<IngestJobData, IngestJobResult, typeof INGEST_JOB>;

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
