/**
 * The binary COPY of a log's entries in seq order that the verifier and the pack builder
 * stream, and the position of each column in its rows.
 */
import { LedgerError } from "../errors.js";

export { ACTION, ACTOR, CHAIN_HASH, ENTRY_COLUMNS, KIND, LEAF_HASH, OCCURRED_AT, OUTCOME, PAYLOAD, PAYLOAD_HASH, RECORDED_AT, RESOURCE, SEQ, SOURCE, TAGS } from "../raw-rows.js";

/** `copy … to stdout (format binary)` of entries [from, to) of log `logId`. */
export function entryRangeCopy(logId: number, from: number, to: number): string {
  // COPY takes no bind parameters: the bounds must be integers, checked here.
  if (![logId, from, to].every(Number.isSafeInteger)) throw new LedgerError("INVALID_INPUT", "entry range: want integers");
  return `copy (select seq, kind, actor, action, resource, outcome, source, occurred_at, recorded_at, tags,
               payload, payload_hash, leaf_hash, chain_hash
             from entries where log_id = ${logId} and seq >= ${from} and seq < ${to} order by seq)
       to stdout (format binary)`;
}
