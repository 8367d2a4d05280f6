/**
 * The `ingest` queue's one job: a batch of events for one log, as one request brought them.
 * Idempotent by construction: every event carries an idempotency key (the source's, or one
 * made from the job id and its index), and the ledger appends a key at most once per log.
 */
import type { JobsOptions } from "bullmq";
import type { EventInput } from "../core/event.js";
import type { Rejection } from "./rejection.js";

export const INGEST_QUEUE = "ingest";
export const INGEST_JOB = "append-events";

export interface IngestJobData {
  log: string;
  events: EventInput[];
  /**
   * Set by enqueueEvents: every event passed the ledger's checks with this payload limit. A
   * worker with a limit at least as large skips re-running them (the appender still does; a
   * job that claims this falsely fails as LEDGER_REFUSED and stays in the failed set).
   */
  checked?: { maxPayloadBytes: number };
}

export interface AppendedEvent {
  index: number;
  status: "appended";
  seq: number;
  /** RFC 6962 leaf hash of the entry, hex: what an inclusion proof proves. */
  leafHash: string;
  idempotencyKey: string;
  /**
   * The key was in the log already: nothing was appended for it now. A job retried after its
   * commit (a worker killed before it could report) sees its own events as duplicates.
   */
  duplicate: boolean;
}

export interface RejectedEvent {
  index: number;
  status: "rejected";
  idempotencyKey: string;
  reason: Rejection;
}

export type EventResult = AppendedEvent | RejectedEvent;

/** The job's return value: one result per event, in the order of the batch. */
export interface IngestJobResult {
  log: string;
  appended: number;
  duplicates: number;
  rejected: number;
  events: EventResult[];
}

/**
 * Retries are for the infrastructure (the database down, a connection lost): exponential
 * backoff from 1 s, twelve attempts, about an hour in all. Invalid events are never retried
 * (they are results), nor are jobs that cannot succeed (UnrecoverableError). Finished jobs
 * are kept a while for whoever waits on them; the ledger, not Redis, holds what was appended.
 */
export const INGEST_JOB_OPTIONS = {
  attempts: 12,
  backoff: { type: "exponential", delay: 1_000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const satisfies JobsOptions;
