/**
 * Integrity alerts (PCI DSS 10.3.4: change detection on logs, with alerts; 10.7.2: failures
 * of critical security controls detected and alerted). An alert is delivered as JSON to each
 * configured webhook, signed with HMAC-SHA256 over `<timestamp>.<body>` (the receiver checks
 * the signature and that the timestamp is recent, which stops replays), and is recorded in
 * the ledger as an `integrity.alert` entry.
 */
import { createHmac } from "node:crypto";
import type { EventInput } from "../entry/index.js";
import { sha256, toHex } from "../encoding/index.js";

export const ALERT_KIND = "integrity.alert";

export const ALERT_TYPES = [
  /** A sweep found the log tampered with. */
  "sweep.tampered",
  /** A sweep could not run (the database unreachable, …): the control itself failed. */
  "sweep.error",
  /** A checkpoint was refused: the tree no longer extends the signed or witnessed history. */
  "checkpoint.refused",
  /** The witness store could not be written: checkpoints are not being copied out. */
  "witness.error",
  /**
   * A cosigning witness (C2SP tlog-witness) refused a checkpoint: it holds another root at
   * that size (a split view), a larger size (a rollback), or the proof failed.
   */
  "witness.refused",
  /**
   * A newest checkpoint has fewer valid witness cosignatures than the policy's quorum
   * (SEALTRAIL_WITNESS_QUORUM): found by the checkpoint job, or by a sweep (missing or invalid lines).
   */
  "witness.quorum",
  /**
   * The API refused to serve a row, checkpoint or proof that does not match what the log
   * committed to (a verified read found it changed in the database).
   */
  "read.inconsistent",
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

export interface Alert {
  /** Stable for one event: a retried job raises the same alert, which is delivered once. */
  id: string;
  type: AlertType;
  /** The log concerned; `*` when a sweep of every log could not start. */
  log: string;
  tenant: string | null;
  at: string;
  message: string;
  tamperClass: string | null;
  firstBadSeq: number | null;
  fromSeq: number | null;
  toSize: number | null;
  /** The sweep run or checkpoint that raised it. */
  run: string;
}

/** The alert id of `type` for `log` in run `run`: 32 hex digits (usable as a queue job id). */
export function alertId(type: AlertType, log: string, run: string): string {
  return toHex(sha256(`${type}\n${log}\n${run}`)).slice(0, 32);
}

export const SIGNATURE_HEADER = "x-sealtrail-signature";
export const TIMESTAMP_HEADER = "x-sealtrail-timestamp";
export const ALERT_ID_HEADER = "x-sealtrail-alert-id";

/** `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`, the signature header's value. */
export function alertSignature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** The alert as a ledger entry of the tenant's audit log. */
export function alertEvent(alert: Alert, actor: string): EventInput {
  return {
    kind: ALERT_KIND,
    actor,
    action: alert.type,
    resource: alert.log,
    outcome: "failure",
    source: "sealtrail-sweep",
    occurredAt: alert.at,
    payload: {
      alertId: alert.id,
      message: alert.message,
      tamperClass: alert.tamperClass,
      firstBadSeq: alert.firstBadSeq,
      fromSeq: alert.fromSeq,
      toSize: alert.toSize,
      run: alert.run,
    },
    idempotencyKey: `integrity.alert:${alert.id}`,
  };
}
