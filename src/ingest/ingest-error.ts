import { SealtrailError } from "../core/errors.js";
import type { EnqueueReceipt } from "./enqueue-receipt.js";

/** The one error type of ingestion (queue, producer and worker); per-event refusals are Rejections. */
export type IngestErrorCode =
  /** The batch as a whole cannot be queued: no log name, not an array, too many events. */
  | "BATCH_INVALID"
  /** A job's data is not `{ log, events }`: it can never succeed. */
  | "JOB_INVALID"
  /** The job names a log that does not exist. */
  | "LOG_NOT_FOUND"
  /** The ledger refused events that validation accepted: the two disagree, retrying cannot help. */
  | "LEDGER_REFUSED"
  /** The database could not be reached or failed the transaction: the job is retried. */
  | "DATABASE"
  /** Redis refused or could not take the job. */
  | "QUEUE_UNAVAILABLE"
  /** A job waited for failed for good. */
  | "JOB_FAILED"
  /** A job waited for did not finish in time (it may still finish later). */
  | "TIMEOUT";

/** Codes that retrying the same job cannot fix. */
const PERMANENT: ReadonlySet<IngestErrorCode> = new Set(["JOB_INVALID", "LOG_NOT_FOUND", "LEDGER_REFUSED"]);

export class IngestError extends SealtrailError<IngestErrorCode> {
  /**
   * TIMEOUT and JOB_FAILED while waiting: the job that was queued and its receipts as they
   * stood (accepted, no seqs), so a caller still learns the idempotency keys to re-send with.
   */
  readonly queued: { jobId: string; receipts: EnqueueReceipt[] } | undefined;
  constructor(code: IngestErrorCode, message: string, options?: { cause?: unknown; queued?: { jobId: string; receipts: EnqueueReceipt[] } }) {
    super(code, message, options);
    this.queued = options?.queued;
  }

  /** True when a retry of the same job would fail the same way. */
  get permanent(): boolean {
    return PERMANENT.has(this.code);
  }
}
