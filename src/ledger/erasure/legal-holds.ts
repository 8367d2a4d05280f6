/**
 * Legal holds (docs/erasure.md): created and released by recording them in the log they
 * concern, so that the hold, its release and every erasure it blocked are in the log's signed
 * history. The active holds of a log are its hold records without a release record.
 */
import { randomUUID } from "node:crypto";
import { checkHoldScope, HOLD_KIND, HOLD_RELEASE_KIND, type HoldScope, type LegalHold, parseHold, type SeqSpan } from "../../core/erasure/index.js";
import { CoreError } from "../../core/errors.js";
import { LedgerError } from "../errors.js";
import { withArchive } from "../archive/archived-store.js";
import type { LedgerStore, Log } from "../store.js";
import { archivedHeldSeqs } from "./archived-holds.js";
import { appendRecord } from "./records.js";

export interface HoldListing extends LegalHold {
  released?: { by: string; reason: string; recordSeq: number };
}

/** Every hold of the log, released ones with their release. */
export async function listHolds(store: LedgerStore, log: Log): Promise<HoldListing[]> {
  const size = await store.treeSize(log.id);
  const holds = new Map<string, HoldListing>();
  for (const r of await withArchive(store).recordEntries(log.id, [HOLD_KIND, HOLD_RELEASE_KIND], size)) {
    if (r.payload === null) continue;
    if (r.kind === HOLD_KIND) {
      const hold = parseHold(r.payload, r.seq);
      if (hold && !holds.has(hold.id)) holds.set(hold.id, hold);
      continue;
    }
    const o = JSON.parse(r.payload) as { hold?: string; released_by?: string; reason?: string };
    const hold = typeof o.hold === "string" ? holds.get(o.hold) : undefined;
    if (hold && !hold.released) hold.released = { by: String(o.released_by), reason: String(o.reason), recordSeq: r.seq };
  }
  return [...holds.values()];
}

export async function activeHolds(store: LedgerStore, log: Log): Promise<LegalHold[]> {
  return (await listHolds(store, log)).filter((h) => !h.released);
}

export async function createHold(store: LedgerStore, o: { log: string; scope: HoldScope; reason: string; matter?: string; createdBy: string }): Promise<LegalHold> {
  const log = await store.findLog(o.log);
  let scope: HoldScope;
  try {
    scope = checkHoldScope(o.scope);
  } catch (error) {
    throw new LedgerError("INVALID_INPUT", (error as CoreError).message, { cause: error });
  }
  if (!o.reason.trim()) throw new LedgerError("INVALID_INPUT", "a legal hold needs a reason");
  const id = randomUUID();
  const payload = { hold: id, scope, reason: o.reason, created_by: o.createdBy, ...(o.matter ? { matter: o.matter } : {}) };
  // Under the removal lock: an erasure or expiry under way finishes first, and the next one sees this hold.
  const recordSeq = await store.withRemovalLock(log.id, () => appendRecord(store, log, HOLD_KIND, "legal_hold.create", o.createdBy, payload));
  return { id, scope, reason: o.reason, ...(o.matter ? { matter: o.matter } : {}), createdBy: o.createdBy, recordSeq };
}

export async function releaseHold(store: LedgerStore, o: { log: string; hold: string; reason: string; releasedBy: string }): Promise<{ hold: string; recordSeq: number }> {
  const log = await store.findLog(o.log);
  if (!o.reason.trim()) throw new LedgerError("INVALID_INPUT", "releasing a legal hold needs a reason");
  return store.withRemovalLock(log.id, async () => {
    const hold = (await listHolds(store, log)).find((h) => h.id === o.hold);
    if (!hold) throw new LedgerError("NOT_FOUND", `no legal hold ${o.hold} on log ${o.log}`);
    if (hold.released) throw new LedgerError("INVALID_INPUT", `legal hold ${o.hold} was released already (seq ${hold.released.recordSeq})`);
    const recordSeq = await appendRecord(store, log, HOLD_RELEASE_KIND, "legal_hold.release", o.releasedBy, { hold: o.hold, reason: o.reason, released_by: o.releasedBy });
    return { hold: o.hold, recordSeq };
  });
}

/**
 * The seqs of `spans` that an active hold of the log covers, with the holds that cover them:
 * what an erasure or an expiry must leave alone. Empty when nothing is held.
 */
export async function heldEntries(store: LedgerStore, log: Log, spans: readonly SeqSpan[]): Promise<{ seqs: number[]; holds: string[] }> {
  const active = await activeHolds(store, log);
  if (active.length === 0) return { seqs: [], holds: [] };
  // Archived entries are no longer in the main tables the hold query reads: matched apart.
  const archived = await store.archivedTo(log.id);
  const ranges = spans.filter(([, to]) => to > archived).map(([from, to]) => ({ from: Math.max(from, archived), to }));
  const old = spans.filter(([from]) => from < archived).map(([from, to]): SeqSpan => [from, Math.min(to, archived)]);
  const fromArchive = old.length > 0 ? await archivedHeldSeqs(withArchive(store), log, old, active) : new Map<string, number[]>();
  const seqs = new Set<number>();
  const holds: string[] = [];
  for (const hold of active) {
    const held = [...(fromArchive.get(hold.id) ?? []), ...(ranges.length > 0 ? await store.heldSeqs(log.id, ranges, hold.scope) : [])];
    if (held.length === 0) continue;
    holds.push(hold.id);
    for (const s of held) seqs.add(s);
  }
  return { seqs: [...seqs].sort((a, b) => a - b), holds };
}
