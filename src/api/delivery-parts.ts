/**
 * A subscription's deliveries are recorded while it is open, not only when it ends: every
 * SEALTRAIL_API_SUBSCRIPTION_RECORD_MS in which it delivered entries, a part of its record is
 * written with the rows delivered since the part before (PCI DSS 10.2.1.3). A subscription can
 * stay open for days; were its only record written at its end, a process that is killed,
 * crashes or loses its database first would leave every entry it delivered unrecorded.
 */
import type { ReadRecord } from "./read-record.js";

/** What a live operation's parts have recorded so far. */
export interface DeliveryParts {
  /** Parts written while it was open. */
  written: number;
  /** Rows those parts recorded. */
  rows: number;
  timer?: NodeJS.Timeout;
}

/**
 * Every `everyMs`, calls `write` with the rows delivered since the last part (when there are
 * any) and the part's number. The timer never keeps the process up.
 */
export function recordPartsEvery(parts: DeliveryParts, everyMs: number, delivered: () => number, write: (rows: number, part: number) => void): void {
  parts.timer = setInterval(() => {
    const rows = delivered() - parts.rows;
    if (rows <= 0) return;
    parts.written++;
    parts.rows += rows;
    write(rows, parts.written);
  }, everyMs);
  parts.timer.unref();
}

/** The last part, when the operation ends: the rows not yet recorded, numbered after the parts written (none: no number). */
export function finalPart(parts: DeliveryParts, delivered: () => number): Pick<ReadRecord, "rows" | "part"> {
  clearInterval(parts.timer);
  const rows = Math.max(0, delivered() - parts.rows);
  return parts.written === 0 ? { rows } : { rows, part: { n: parts.written + 1, open: false } };
}
