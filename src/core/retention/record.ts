/**
 * How retention is recorded in the ledger: entries of kind `retention` in the tenant's audit
 * log, resource = the log concerned (PCI DSS 10.2.1.6 / 10.5.1: what left the main tables and
 * when, and who changed how long it is kept). A run's entry names the ranges, never values.
 */
import type { EventInput } from "../entry/index.js";
import type { RetentionPolicy } from "./policy.js";

export const RETENTION_KIND = "retention";

export type RetentionRecord =
  | {
      action: "retention.policy";
      /** Who set it (the key id, cli, log create). */
      by: string;
      policy: RetentionPolicy;
      previous: RetentionPolicy | null;
    }
  | {
      action: "retention.run";
      run: string;
      at: Date;
      policy: RetentionPolicy;
      /** Entries recorded before these left the main tables / lose their clear values. */
      hotCutoff: Date;
      clearCutoff: Date;
      /** Seqs [from, to) moved to the archive, at `location`; null when none were due. */
      archived: { from: number; to: number; location: string } | null;
      /** Seq ranges whose clear values were shredded, [from, to). */
      expired: { from: number; to: number }[];
      /** Entries due that legal holds kept, with the holds' ids. */
      held: { from: number; to: number; holds: string[] }[];
      message: string | null;
    };

/** The idempotency key of a run's entry for `logName`: a retried run records nothing twice. */
export function retentionRecordKey(run: string, logName: string): string {
  return `retention.run:${run}:${logName}`;
}

export function retentionEvent(logName: string, record: RetentionRecord, actor: string, idempotencyKey?: string): EventInput {
  const payload =
    record.action === "retention.policy"
      ? { by: record.by, policy: { ...record.policy }, previous: record.previous && { ...record.previous } }
      : {
          run: record.run,
          policy: { ...record.policy },
          hotCutoff: record.hotCutoff.toISOString(),
          clearCutoff: record.clearCutoff.toISOString(),
          archived: record.archived && { ...record.archived },
          expired: record.expired.map((r) => ({ ...r })),
          held: record.held.map((h) => ({ from: h.from, to: h.to, holds: [...h.holds] })),
          message: record.message,
        };
  return {
    kind: RETENTION_KIND,
    actor: record.action === "retention.policy" ? record.by : actor,
    action: record.action,
    resource: logName,
    outcome: "success",
    source: "sealtrail-retention",
    ...(record.action === "retention.run" ? { occurredAt: record.at } : {}),
    payload,
    ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
  };
}
