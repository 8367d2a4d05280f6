/**
 * Legal holds over archived entries (docs/erasure.md): entries past the hot window have left
 * the main tables, where the hold query runs (heldSeqs), but their clear values stay in
 * entry_secrets until erased or expired, so a hold must still keep them. Their clear fields are
 * read through the archive (a store wrapped by withArchive) and the scope matched in memory.
 */
import { holdCovers, type LegalHold, type SeqSpan } from "../../core/erasure/index.js";
import { LedgerError } from "../errors.js";
import { int8At } from "../raw-rows.js";
import type { LedgerStore, Log } from "../store.js";

/** For each hold, the seqs of `spans` (all below the archived prefix's end) that it covers. */
export async function archivedHeldSeqs(store: LedgerStore, log: Log, spans: readonly SeqSpan[], holds: readonly LegalHold[]): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  if (holds.length === 0) return out;
  const needValues = holds.some((h) => h.scope.actors !== undefined || h.scope.resource !== undefined);
  for (const [from, to] of spans) {
    const values = new Map<number, { actor?: string; resource?: string }>();
    if (needValues) {
      await store.scanSecrets(log.id, from, to, (row, f, count) => {
        if (count !== 4 || f[7]! < 0) return;
        const field = row.readInt16BE(f[2]!);
        if (field > 1) return;
        const seq = int8At(row, f[0]!);
        const v = values.get(seq) ?? {};
        v[field === 0 ? "actor" : "resource"] = row.toString("utf8", f[6]!, f[6]! + f[7]!);
        values.set(seq, v);
      });
    }
    let next = from;
    for await (const batch of store.streamEntries(log.id, log.origin, from, to)) {
      for (const e of batch) {
        if (e.seq !== next) break;
        next++;
        const subject = { occurredAt: e.occurredAt, kind: e.kind, action: e.action, source: e.source, tags: e.tags, ...values.get(e.seq) };
        for (const hold of holds) {
          if (!holdCovers(hold.scope, subject)) continue;
          let list = out.get(hold.id);
          if (!list) out.set(hold.id, (list = []));
          list.push(e.seq);
        }
      }
    }
    // Entries the store could not read cannot be shown free of holds: refuse rather than guess.
    if (next !== to) throw new LedgerError("INCONSISTENT", `log ${log.name}: entries ${next}..${to - 1} are archived and were not read; legal holds over them are checked through the archive (withArchive)`);
  }
  return out;
}
