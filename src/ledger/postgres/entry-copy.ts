/**
 * The binary COPY of a log's entries in seq order that the verifier and the pack builder
 * stream, and the position of each column in its rows.
 */
import { LedgerError } from "../errors.js";

export const SEQ = 0, KIND = 1, ACTOR = 2, ACTION = 3, RESOURCE = 4, OUTCOME = 5, SOURCE = 6;
export const OCCURRED_AT = 7, RECORDED_AT = 8, TAGS = 9, PAYLOAD = 10, PAYLOAD_HASH = 11, LEAF_HASH = 12, CHAIN_HASH = 13;
export const ENTRY_COLUMNS = 14;

/** `copy … to stdout (format binary)` of entries [from, to) of log `logId`. */
export function entryRangeCopy(logId: number, from: number, to: number): string {
  // COPY takes no bind parameters: the bounds must be integers, checked here.
  if (![logId, from, to].every(Number.isSafeInteger)) throw new LedgerError("INVALID_INPUT", "entry range: want integers");
  return `copy (select seq, kind, actor, action, resource, outcome, source, occurred_at, recorded_at, tags,
               payload, payload_hash, leaf_hash, chain_hash
             from entries where log_id = ${logId} and seq >= ${from} and seq < ${to} order by seq)
       to stdout (format binary)`;
}
