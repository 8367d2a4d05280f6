/**
 * The removals a log's own records authorize (docs/erasure.md): its erasure and expiry
 * entries, read with their payloads. Only entries of the log itself count, so a verifier holding
 * the log's signed checkpoints sees each authority in the same history as what it removed.
 * A record whose payload is itself gone or malformed authorizes nothing (and is reported by
 * the checks of its own entry).
 */
import { EXPIRY_KIND, parseRemovalRecord, RemovalIndex, REMOVAL_KINDS } from "../core/erasure/index.js";
import type { LedgerStore, Log } from "../ledger/index.js";

export interface RemovalRecords {
  index: RemovalIndex;
  kinds: Map<number, "erasure" | "expiry">;
  /** The request id each erasure names, by record seq. */
  requests: Map<number, string>;
}

export async function loadRemovalRecords(store: LedgerStore, log: Log, size: number): Promise<RemovalRecords> {
  const index = new RemovalIndex();
  const kinds = new Map<number, "erasure" | "expiry">();
  const requests = new Map<number, string>();
  for (const r of await store.recordEntries(log.id, REMOVAL_KINDS, size)) {
    if (r.payload === null) continue;
    try {
      index.add(r.seq, parseRemovalRecord(r.payload));
      kinds.set(r.seq, r.kind === EXPIRY_KIND ? "expiry" : "erasure");
      const request = (JSON.parse(r.payload) as { request?: unknown }).request;
      if (typeof request === "string") requests.set(r.seq, request);
    } catch {
      // Not a removal record's shape: it authorizes nothing.
    }
  }
  return { index, kinds, requests };
}
