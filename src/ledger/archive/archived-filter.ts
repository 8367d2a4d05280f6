/**
 * The conditions of an events filter that the search index does not decide, tested on an
 * archived entry read back from the archive: the same conditions event-query.ts writes in SQL
 * for the main tables (postgres/entry-rows.ts, `conditions`), so an entry matches the same
 * before and after it is archived. `text`, `actor` and `resource` are decided by its kept
 * search row (archivedMatches), `logIds` by the caller.
 */
import type { EventFilter, ServedEntry } from "../records.js";

/** Whether `e` meets every condition of `f` but its log, text, actor and resource. */
export function meetsRest(e: ServedEntry, f: EventFilter): boolean {
  if (f.kinds && !f.kinds.includes(e.kind)) return false;
  if (f.action !== undefined && e.action !== f.action) return false;
  if (f.outcome !== undefined && e.outcome !== f.outcome) return false;
  if (f.source !== undefined && e.source !== f.source) return false;
  if (f.tags && !f.tags.every((t) => e.tags.includes(t))) return false;
  if (f.occurredFrom && e.occurredAt.getTime() < f.occurredFrom.getTime()) return false;
  if (f.occurredTo && e.occurredAt.getTime() >= f.occurredTo.getTime()) return false;
  if (f.recordedFrom && e.recordedAt.getTime() < f.recordedFrom.getTime()) return false;
  if (f.recordedTo && e.recordedAt.getTime() >= f.recordedTo.getTime()) return false;
  if (f.contains !== undefined) {
    // ILIKE '%…%' on the clear values: a v2 entry's are its kept values (entry_secrets), none once erased.
    const needle = f.contains.toLowerCase();
    const clear = e.leafVersion === 2 ? (e.values ?? []).map((v) => v.value) : [e.payload ?? "", e.resource, e.actor];
    if (!clear.some((v) => v.toLowerCase().includes(needle))) return false;
  }
  return true;
}
