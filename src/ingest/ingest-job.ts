/**
 * The `ingest` queue's one job: a batch of events for one log, as one request brought them.
 * Idempotent by construction: every event carries an idempotency key (the source's, or one
 * made from the job id and its index), and the ledger appends a key at most once per log.
 */
import type { JobsOptions } from "bullmq";
import type { EventInput, PreparedEvent } from "../core/entry/index.js";
import { packageVersion } from "../version.js";
import type { Rejection } from "./rejection.js";

export const INGEST_QUEUE = "ingest";
export const INGEST_JOB = "append-events";

export interface IngestJobData {
  log: string;
  /** As the source sent them, or in prepared form when `prepared` says so. */
  events: (EventInput | PreparedEvent)[];
  /**
   * Set by enqueueEvents: every event passed validateEvent (its kind's schema and the ledger's
   * checks, with this payload limit, under the rules of release `version`) and is in the form
   * core prepareEvent gives (canonical payload text, canonical timestamp, sorted tags, its
   * idempotency key). A worker of the same release with a limit at least as large appends them
   * as they are (Appender.appendPrepared, which still checks all but the payload's canonical
   * form; a job that claims this falsely fails as LEDGER_REFUSED and stays in the failed set).
   * Any other worker turns the payloads back into JSON values and validates from scratch.
   */
  prepared?: { version: string; maxPayloadBytes: number };
}

/** The rules a producer's `prepared` claim is made under: this release's. */
export const INGEST_RULES_VERSION = packageVersion();

export interface AppendedEvent {
  index: number;
  status: "appended";
  seq: number;
  /** RFC 6962 leaf hash of the entry, hex: what an inclusion proof proves. */
  leafHash: string;
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

/**
 * The job's return value. BullMQ keeps it in the job and sends it, as JSON, to every listener
 * of the queue's events, for every job: so it is columnar, ~70 bytes an event, not an object
 * per event (which cost more CPU in the worker, Redis and every listener than the append did).
 * eventResults() gives one result per event.
 */
export interface IngestJobResult {
  log: string;
  appended: number;
  duplicates: number;
  rejected: number;
  /** Seqs of the events not rejected, in batch order, as runs [first seq, count]: a batch appended whole is one run. */
  seqs: [number, number][];
  /** Their leaf hashes, in the same order: hex, 64 characters each, one after another. */
  leafHashes: string;
  /** Batch indexes of those whose key was in the log already (AppendedEvent.duplicate). */
  duplicateIndexes: number[];
  /** The events refused, in batch order. */
  rejections: RejectedEvent[];
}

/** One result per event of the batch, in its order. */
export function eventResults(result: IngestJobResult): EventResult[] {
  const out: EventResult[] = [];
  const duplicates = new Set(result.duplicateIndexes);
  let rejection = 0;
  let run = 0;
  let inRun = 0;
  let appended = 0;
  const total = result.rejections.length + result.leafHashes.length / 64;
  for (let index = 0; index < total; index++) {
    const refused = result.rejections[rejection];
    if (refused?.index === index) {
      out.push(refused);
      rejection++;
      continue;
    }
    const [first, count] = result.seqs[run]!;
    const seq = first + inRun;
    if (++inRun === count) [run, inRun] = [run + 1, 0];
    const leafHash = result.leafHashes.slice(64 * appended, 64 * ++appended);
    out.push({ index, status: "appended", seq, leafHash, duplicate: duplicates.has(index) });
  }
  return out;
}

/** Seqs in order as runs [first, count] of consecutive seqs. */
export function seqRuns(seqs: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const seq of seqs) {
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] === seq) last[1]++;
    else runs.push([seq, 1]);
  }
  return runs;
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
