/**
 * The ingest job as a plain function of (deps, job): validate every event, append the valid
 * ones in one transaction, report each event's fate. Transport-free: the BullMQ worker
 * (ingest-worker.ts) maps its errors to retry or give up.
 */
import type { EventInput } from "../core/event.js";
import { toHex } from "../core/hash.js";
import type { Appender } from "../ledger/appender.js";
import { LedgerError } from "../ledger/errors.js";
import { derivedKey } from "./idempotency.js";
import { IngestError } from "./ingest-error.js";
import type { EventResult, IngestJobData, IngestJobResult } from "./ingest-job.js";
import { validateEvent } from "./validate-event.js";

export interface IngestDeps {
  appender: Appender;
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
  const { log, events, checked } = parseJobData(job.data);
  const skipLedgerChecks = checked !== undefined && checked.maxPayloadBytes <= deps.maxPayloadBytes;
  const results: (EventResult | undefined)[] = new Array(events.length);
  const valid: EventInput[] = [];
  const positions: number[] = [];
  for (let i = 0; i < events.length; i++) {
    const input = events[i];
    const checked = validateEvent(input, i, { maxPayloadBytes: deps.maxPayloadBytes, jobId: job.id, skipLedgerChecks });
    const given = (input as { idempotencyKey?: unknown } | null)?.idempotencyKey;
    const key = typeof given === "string" && given !== "" ? given : derivedKey(job.id, i);
    if (!checked.ok) {
      results[i] = { index: i, status: "rejected", idempotencyKey: key, reason: checked.reason };
      continue;
    }
    valid.push(checked.event.idempotencyKey === undefined ? { ...checked.event, idempotencyKey: key } : checked.event);
    positions.push(i);
  }

  if (valid.length > 0) {
    const receipts = await append(deps.appender, log, valid);
    receipts.forEach((receipt, j) => {
      const index = positions[j]!;
      results[index] = { index, status: "appended", seq: receipt.seq, leafHash: toHex(receipt.leafHash), idempotencyKey: receipt.idempotencyKey, duplicate: receipt.duplicate };
    });
  }
  const done = results as EventResult[];
  let appended = 0;
  let duplicates = 0;
  for (const r of done) {
    if (r.status === "appended") r.duplicate ? duplicates++ : appended++;
  }
  return { log, appended, duplicates, rejected: done.length - appended - duplicates, events: done };
}

async function append(appender: Appender, log: string, events: EventInput[]) {
  try {
    return await appender.append(log, events);
  } catch (error) {
    if (error instanceof LedgerError) {
      if (error.code === "LOG_NOT_FOUND") throw new IngestError("LOG_NOT_FOUND", error.message, { cause: error });
      if (error.code === "INVALID_INPUT") throw new IngestError("LEDGER_REFUSED", `the ledger refused a validated event: ${error.message}`, { cause: error });
    }
    throw new IngestError("DATABASE", `appending to ${log}: ${(error as Error).message}`, { cause: error });
  }
}

function parseJobData(data: unknown): { log: string; events: unknown[]; checked: { maxPayloadBytes: number } | undefined } {
  const { log, events, checked } = (typeof data === "object" && data !== null ? data : {}) as Partial<Record<keyof IngestJobData, unknown>>;
  if (typeof log !== "string" || log === "") throw new IngestError("JOB_INVALID", "job data: log: want a log name");
  if (!Array.isArray(events)) throw new IngestError("JOB_INVALID", "job data: events: want an array");
  const limit = (checked as { maxPayloadBytes?: unknown } | undefined)?.maxPayloadBytes;
  return { log, events, checked: typeof limit === "number" && Number.isSafeInteger(limit) && limit > 0 ? { maxPayloadBytes: limit } : undefined };
}
