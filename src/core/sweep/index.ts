/**
 * Sweeps: the pure half of verifying a log. RangeCheck recomputes a range's leaf and chain
 * hashes from stored rows and reports what does not add up; findings are classified into
 * tamper classes; a sweep's record and its alerts are events of the ledger's own logs.
 */
export { type Alert, ALERT_ID_HEADER, ALERT_KIND, alertEvent, alertId, alertSignature, type AlertType, SIGNATURE_HEADER, TIMESTAMP_HEADER } from "./alert.js";
export { classifyEntryFindings } from "./classify.js";
export { RangeCheck, type RawFinding, type StoredEntry, type StoredRow } from "./range-check.js";
export { storedSweep, SWEEP_KIND, sweepEvent, type SweepRecord, sweepRecordKey, sweepSucceeded, type SweepWitnesses } from "./record.js";
export { CHECKPOINT_TICK_MS, DEFAULT_FULL_SWEEP_CRON, DEFAULT_INCREMENTAL_SWEEP_CRON, type SweepMode } from "./schedule.js";
export { compareFindings, type Finding, type TamperClass } from "./tamper.js";
