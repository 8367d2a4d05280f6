/**
 * How an integrity sweep is recorded in the ledger: a `sweep` entry in the tenant's audit log,
 * resource = the swept log's name (PCI DSS 10.7.2: control failures are recorded). Writers
 * (the sweep worker) and readers (the API, packs) share this shape.
 */
import type { EventInput } from "../entry/index.js";
import type { SweepMode } from "./schedule.js";

export const SWEEP_KIND = "sweep";
export const SWEEP_RESULTS = ["verified", "tampered", "error"] as const;
export type SweepResult = (typeof SWEEP_RESULTS)[number];

export interface SweepRecord {
  result: SweepResult;
  at: Date;
  fromSeq: number | null;
  toSize: number | null;
  durationMs: number | null;
  firstBadSeq: number | null;
  tamperClass: string | null;
  /** Full, or incremental (only what followed the last verified checkpoint); null when unknown. */
  mode: SweepMode | null;
  /** Why a sweep could not run, or what it found, in words. */
  message: string | null;
  /** The witness policy held against the newest checkpoint's cosignatures; null when none is configured or the log has no checkpoint. */
  witnesses: SweepWitnesses | null;
}

/**
 * Whether a quorum of the configured witnesses (SEALTRAIL_WITNESSES, SEALTRAIL_WITNESS_QUORUM)
 * cosigned the log's newest checkpoint (C2SP tlog-cosignature), each witness named as cosigned,
 * missing (no line stored) or invalid (a stored line that does not verify).
 */
export interface SweepWitnesses {
  /** The checkpoint's tree size. */
  size: number;
  quorum: number;
  met: boolean;
  cosigned: string[];
  missing: string[];
  invalid: string[];
}

/** The idempotency key of the sweep record of `logName` in run `run`: a re-run records nothing twice. */
export function sweepRecordKey(run: string, logName: string): string {
  return `integrity.sweep:${run}:${logName}`;
}

/** A sweep to record; mode, message and witnesses may be left out. */
export type SweepRecordInput = Omit<SweepRecord, "mode" | "message" | "witnesses"> & Partial<Pick<SweepRecord, "mode" | "message" | "witnesses">>;

/** A sweep that verified the log and, with a witness policy, found it met. */
export const sweepSucceeded = (sweep: SweepRecordInput): boolean => sweep.result === "verified" && (sweep.witnesses?.met ?? true);

export function sweepEvent(logName: string, sweep: SweepRecordInput, actor: string, idempotencyKey?: string): EventInput {
  return {
    kind: SWEEP_KIND,
    actor,
    action: "integrity.sweep",
    resource: logName,
    outcome: sweepSucceeded(sweep) ? "success" : "failure",
    source: "sealtrail-sweep",
    occurredAt: sweep.at,
    payload: {
      result: sweep.result,
      fromSeq: sweep.fromSeq,
      toSize: sweep.toSize,
      durationMs: sweep.durationMs,
      firstBadSeq: sweep.firstBadSeq,
      tamperClass: sweep.tamperClass,
      mode: sweep.mode ?? null,
      message: sweep.message ?? null,
      ...(sweep.witnesses ? { witnesses: sweep.witnesses } : {}),
    },
    ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
  };
}

const numberOrNull = (v: unknown): number | null => (typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : null);

/** A sweep entry as stored: its payload column (JSON text, or null) and its time. */
export function storedSweep(payload: string | null, at: Date): SweepRecord {
  return parseSweepPayload(payload === null ? null : JSON.parse(payload), at);
}

/** A stored sweep entry's payload read back; a record of another shape reads as `error`. */
export function parseSweepPayload(payload: unknown, at: Date): SweepRecord {
  const p = (typeof payload === "object" && payload !== null ? payload : {}) as Record<string, unknown>;
  const result = (SWEEP_RESULTS as readonly unknown[]).includes(p.result) ? (p.result as SweepResult) : "error";
  return {
    result,
    at,
    fromSeq: numberOrNull(p.fromSeq),
    toSize: numberOrNull(p.toSize),
    durationMs: numberOrNull(p.durationMs),
    firstBadSeq: numberOrNull(p.firstBadSeq),
    tamperClass: typeof p.tamperClass === "string" ? p.tamperClass : null,
    mode: p.mode === "full" || p.mode === "incremental" ? p.mode : null,
    message: typeof p.message === "string" ? p.message : null,
    witnesses: parseWitnesses(p.witnesses),
  };
}

const names = (v: unknown): string[] | null => (Array.isArray(v) && v.every((n) => typeof n === "string") ? (v as string[]) : null);

function parseWitnesses(v: unknown): SweepWitnesses | null {
  if (typeof v !== "object" || v === null) return null;
  const w = v as Record<string, unknown>;
  const size = numberOrNull(w.size), quorum = numberOrNull(w.quorum);
  const cosigned = names(w.cosigned), missing = names(w.missing), invalid = names(w.invalid);
  if (size === null || quorum === null || typeof w.met !== "boolean" || !cosigned || !missing || !invalid) return null;
  return { size, quorum, met: w.met, cosigned, missing, invalid };
}
