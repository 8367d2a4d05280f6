/**
 * The ingest job as a plain function of (deps, job): validate every event, append the valid
 * ones in one transaction, report each event's fate. Transport-free: the BullMQ worker
 * (ingest-worker.ts) maps its errors to retry or give up.
 */
import { type PreparedEvent, RESERVED_NAME_PREFIX } from "../core/entry/index.js";
import { type AppendReceipt, type EntryAppender, LedgerError } from "../ledger/index.js";
import { eventKey } from "./idempotency.js";
import { IngestError } from "./ingest-error.js";
import { INGEST_RULES_VERSION, type IngestJobData, type IngestJobResult, type RejectedEvent, seqRuns } from "./ingest-job.js";
import { validateEvent } from "./validate-event.js";

export interface IngestDeps {
  appender: EntryAppender;
  /** SEALTRAIL_MAX_PAYLOAD_BYTES */
  maxPayloadBytes: number;
}

export interface IngestJob {
  /** The queue's job id: keys of events without one are made from it. */
  id: string;
  data: unknown;
}

/**
 * Throws IngestError: JOB_INVALID, LOG_NOT_FOUND, LEDGER_REFUSED (permanent), DATABASE
 * (retry). Invalid events are results, not errors.
 */
export async function processIngestJob(deps: IngestDeps, job: IngestJob): Promise<IngestJobResult> {
  const { log, events, prepared } = parseJobData(job.data);
  // A producer of this release validated and prepared every event, under a limit no larger
  // than ours: validating again would only repeat its work (ingest-job.ts).
  if (prepared && prepared.version === INGEST_RULES_VERSION && prepared.maxPayloadBytes <= deps.maxPayloadBytes) {
    const receipts = await append(log, () => deps.appender.appendPrepared(log, events as PreparedEvent[]));
    return result(log, receipts, []);
  }
  const rejections: RejectedEvent[] = [];
  const valid: PreparedEvent[] = [];
  for (let i = 0; i < events.length; i++) {
    // Prepared by another release: its payloads are canonical JSON text, its rules maybe not ours.
    const input = prepared ? unprepared(events[i]) : events[i];
    const checked = validateEvent(input, i, { maxPayloadBytes: deps.maxPayloadBytes, jobId: job.id });
    const idempotencyKey = eventKey(input, job.id, i);
    if (!checked.ok) rejections.push({ index: i, status: "rejected", idempotencyKey, reason: checked.reason });
    else valid.push({ ...checked.prepared, idempotencyKey });
  }
  const receipts = valid.length === 0 ? [] : await append(log, () => deps.appender.appendPrepared(log, valid));
  return result(log, receipts, rejections);
}

/** The columnar result (ingest-job.ts) of the appender's receipts, in batch order, and the rejections. */
function result(log: string, receipts: readonly AppendReceipt[], rejections: RejectedEvent[]): IngestJobResult {
  const seqs: number[] = new Array(receipts.length);
  const hashes: Uint8Array[] = new Array(receipts.length);
  const duplicateIndexes: number[] = [];
  let r = 0;
  receipts.forEach((receipt, j) => {
    // The batch index of the j-th event not rejected.
    while (r < rejections.length && rejections[r]!.index <= j + r) r++;
    seqs[j] = receipt.seq;
    hashes[j] = receipt.leafHash;
    if (receipt.duplicate) duplicateIndexes.push(j + r);
  });
  const duplicates = duplicateIndexes.length;
  return {
    log,
    appended: receipts.length - duplicates,
    duplicates,
    rejected: rejections.length,
    seqs: seqRuns(seqs),
    leafHashes: Buffer.concat(hashes).toString("hex"),
    duplicateIndexes,
    rejections,
  };
}

/** A prepared event as a source might have sent it: its payload a JSON value again. */
function unprepared(event: unknown): unknown {
  if (typeof event !== "object" || event === null || typeof (event as { payload?: unknown }).payload !== "string") return event;
  try {
    return { ...event, payload: JSON.parse((event as { payload: string }).payload) as unknown };
  } catch {
    return event; // not JSON: validation says what is wrong with it
  }
}

async function append(log: string, appending: () => Promise<AppendReceipt[]>): Promise<AppendReceipt[]> {
  try {
    return await appending();
  } catch (error) {
    if (error instanceof LedgerError) {
      if (error.code === "LOG_NOT_FOUND") throw new IngestError("LOG_NOT_FOUND", error.message, { cause: error });
      if (error.code === "INVALID_INPUT") throw new IngestError("LEDGER_REFUSED", `the ledger refused a validated event: ${error.message}`, { cause: error });
    }
    throw new IngestError("DATABASE", `appending to ${log}: ${(error as Error).message}`, { cause: error });
  }
}

function parseJobData(data: unknown): { log: string; events: unknown[]; prepared: { version: string; maxPayloadBytes: number } | undefined } {
  const { log, events, prepared } = (typeof data === "object" && data !== null ? data : {}) as Partial<Record<keyof IngestJobData, unknown>>;
  if (typeof log !== "string" || log === "") throw new IngestError("JOB_INVALID", "job data: log: want a log name");
  if (log.startsWith(RESERVED_NAME_PREFIX)) throw new IngestError("JOB_INVALID", `job data: log ${JSON.stringify(log)} is kept by the ledger; sources cannot write to it`);
  if (!Array.isArray(events)) throw new IngestError("JOB_INVALID", "job data: events: want an array");
  const claim = (typeof prepared === "object" && prepared !== null ? prepared : {}) as { version?: unknown; maxPayloadBytes?: unknown };
  const { version, maxPayloadBytes: limit } = claim;
  const valid = typeof version === "string" && typeof limit === "number" && Number.isSafeInteger(limit) && limit > 0;
  return { log, events, prepared: valid ? { version, maxPayloadBytes: limit } : undefined };
}
