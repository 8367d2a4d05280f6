/** Appending the ledger's own records (erasures, requests, refusals, holds) to a log. */
import type { LedgerStore, Log } from "../store.js";
import { LedgerError } from "../errors.js";

/** The source of every record the ledger writes about itself. */
export const RECORD_SOURCE = "sealtrail";

/** Appends one record and returns its seq. */
export async function appendRecord(store: LedgerStore, log: Log, kind: string, action: string, actor: string, payload: Record<string, unknown>): Promise<number> {
  const [receipt] = await store.appender().append(log.name, [{ kind, action, actor, resource: log.name, source: RECORD_SOURCE, payload }]);
  if (!receipt) throw new LedgerError("DATABASE", `recording ${kind} in ${log.name}: nothing appended`);
  return receipt.seq;
}
