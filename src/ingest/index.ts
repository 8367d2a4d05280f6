/** Ingestion: validation, the `ingest` queue, its producer API and its worker. */
export { enqueueEvents, DEFAULT_MAX_BATCH_EVENTS, type EnqueueOptions, type EnqueueReceipt, type Enqueued } from "./enqueue-events.js";
export { derivedKey, DERIVED_KEY_PREFIX } from "./idempotency.js";
export { IngestError, type IngestErrorCode } from "./ingest-error.js";
export { eventResults, INGEST_JOB, INGEST_JOB_OPTIONS, INGEST_QUEUE, INGEST_RULES_VERSION, type EventResult, type IngestJobData, type IngestJobResult } from "./ingest-job.js";
export { openIngestQueue, type IngestJobHandle, type IngestProducer, type IngestQueue, type IngestQueueOptions } from "./ingest-queue.js";
export { startIngestWorker, type IngestWorker, type IngestWorkerOptions } from "./ingest-worker.js";
export { INGEST_KINDS } from "./kinds/index.js";
export { processIngestJob, type IngestDeps } from "./process-ingest-job.js";
export type { Rejection, RejectionCode } from "./rejection.js";
export { validateEvent, type Validation } from "./validate-event.js";
