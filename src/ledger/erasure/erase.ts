/**
 * Erasure requests (GDPR Art. 17; docs/erasure.md): the values of a data subject's entries,
 * or of given entries, are crypto-shredded in a v2 log (leaf-format.md). Each erasure is first
 * recorded in the log itself, naming the request, the seqs and fields, the reason and legal
 * basis and who asked and approved, never the values; then the salts and values go. Entries
 * under an active legal hold are never erased: the request is refused whole, and the refusal
 * recorded. With four-eyes, a request is recorded first and carried out when a second admin
 * approves it.
 */
import { randomUUID } from "node:crypto";
import { COMMITTED_FIELDS, type CommittedField } from "../../core/entry/index.js";
import { countSeqs, ERASURE_KIND, ERASURE_REFUSED_KIND, ERASURE_REQUEST_KIND, RECORD_KINDS, removalPayload, seqSpans, type SeqSpan } from "../../core/erasure/index.js";
import { LedgerError } from "../errors.js";
import { withArchive } from "../archive/archived-store.js";
import type { LedgerStore, Log } from "../store.js";
import { heldEntries } from "./legal-holds.js";
import { appendRecord } from "./records.js";

/** Whose or which entries: a data subject (every entry with this actor) or seqs. */
export type ErasureTarget = { actor: string } | { seqs: number[] };

export interface ErasureRequest {
  log: string;
  target: ErasureTarget;
  /** Default: every committed field (actor, resource, payload). */
  fields?: CommittedField[];
  reason: string;
  /** e.g. "GDPR Art. 17(1)(a)". */
  legalBasis: string;
  requestedBy: string;
}

export interface ErasureResult {
  request: string;
  /** Seqs of the erasure records (one per 10,000 spans). */
  recordSeqs: number[];
  seqs: SeqSpan[];
  fields: CommittedField[];
  entries: number;
  /** Values shredded now (fewer than entries × fields when some were removed before). */
  values: number;
}

/** Spans per record: keeps a record's payload far below the ledger's payload limit. */
const SPANS_PER_RECORD = 10_000;

export async function eraseValues(store: LedgerStore, request: ErasureRequest & { approvedBy?: string; id?: string }): Promise<ErasureResult> {
  const log = await store.findLog(request.log);
  return store.withRemovalLock(log.id, () => eraseLocked(store, request));
}

/** eraseValues under the log's removal lock, taken by the caller. */
async function eraseLocked(store: LedgerStore, request: ErasureRequest & { approvedBy?: string; id?: string }): Promise<ErasureResult> {
  const { log, fields, spans } = await resolve(store, request);
  const id = request.id ?? randomUUID();
  await refuseIfHeld(store, log, id, spans, request.requestedBy);
  const recordSeqs: number[] = [];
  let values = 0;
  for (let i = 0; i < Math.max(1, spans.length); i += SPANS_PER_RECORD) {
    const part = spans.slice(i, i + SPANS_PER_RECORD);
    if (part.length === 0) break;
    // The record first: a removal without one is what the verifier reports as tampering.
    const recordSeq = await appendRecord(store, log, ERASURE_KIND, "erasure.execute", request.approvedBy ?? request.requestedBy, JSON.parse(removalPayload({ seqs: part, fields }, {
      request: id, reason: request.reason, legal_basis: request.legalBasis, requested_by: request.requestedBy,
      ...(request.approvedBy ? { approved_by: request.approvedBy } : {}), entries: countSeqs(part),
    })) as Record<string, unknown>);
    recordSeqs.push(recordSeq);
    values += (await store.shredValues(log.id, part.map(([from, to]) => ({ from, to })), fields, recordSeq)).removed;
  }
  return { request: id, recordSeqs, seqs: spans, fields, entries: countSeqs(spans), values };
}

/** Four-eyes, first half: records the request (seqs resolved now, fields, reason, basis) for a second admin. */
export async function requestErasure(store: LedgerStore, request: ErasureRequest): Promise<{ request: string; recordSeq: number; seqs: SeqSpan[]; fields: CommittedField[]; entries: number }> {
  const found = await store.findLog(request.log);
  return store.withRemovalLock(found.id, () => requestLocked(store, request));
}

async function requestLocked(store: LedgerStore, request: ErasureRequest): Promise<{ request: string; recordSeq: number; seqs: SeqSpan[]; fields: CommittedField[]; entries: number }> {
  const { log, fields, spans } = await resolve(store, request);
  const id = randomUUID();
  await refuseIfHeld(store, log, id, spans, request.requestedBy);
  const payload = JSON.parse(removalPayload({ seqs: spans, fields }, { request: id, reason: request.reason, legal_basis: request.legalBasis, requested_by: request.requestedBy })) as Record<string, unknown>;
  const recordSeq = await appendRecord(store, log, ERASURE_REQUEST_KIND, "erasure.request", request.requestedBy, payload);
  return { request: id, recordSeq, seqs: spans, fields, entries: countSeqs(spans) };
}

/** An erasure request as the log's records tell it: asked for (four-eyes) and waiting, or carried out. */
export interface ErasureRequestListing {
  request: string;
  /** "pending": recorded, waiting for a second admin; "done": carried out. */
  state: "pending" | "done";
  /** The seq of its request record (four-eyes), else of its first erasure record. */
  recordSeq: number;
  seqs: SeqSpan[];
  fields: CommittedField[];
  entries: number;
  reason: string;
  legalBasis: string;
  requestedBy: string;
  approvedBy: string | null;
  /** The seqs of the erasure records that carried it out; empty while pending. */
  erasureSeqs: number[];
}

/** The erasure requests of a log, oldest first: four-eyes requests and erasures carried out, with their state. */
export async function listErasureRequests(store: LedgerStore, logName: string): Promise<ErasureRequestListing[]> {
  const log = await store.findLog(logName);
  const size = await store.treeSize(log.id);
  const out = new Map<string, ErasureRequestListing>();
  const asked = new Set<string>();
  for (const r of await withArchive(store).recordEntries(log.id, [ERASURE_REQUEST_KIND, ERASURE_KIND], size)) {
    if (r.payload === null) continue;
    const o = JSON.parse(r.payload) as Record<string, unknown>;
    const id = String(o.request);
    const seqs = (o.seqs as SeqSpan[]) ?? [];
    const known = out.get(id);
    if (r.kind === ERASURE_KIND && known) {
      // A four-eyes request names all its spans; an erasure carried out at once, over several records (one per 10,000 spans), gathers them.
      if (!asked.has(id)) {
        known.seqs.push(...seqs);
        known.entries += countSeqs(seqs);
      }
      known.state = "done";
      known.erasureSeqs.push(r.seq);
      if (typeof o.approved_by === "string") known.approvedBy = o.approved_by;
      continue;
    }
    if (known) continue;
    if (r.kind === ERASURE_REQUEST_KIND) asked.add(id);
    out.set(id, {
      request: id, state: r.kind === ERASURE_KIND ? "done" : "pending", recordSeq: r.seq, seqs: [...seqs], fields: o.fields as CommittedField[], entries: countSeqs(seqs),
      reason: String(o.reason), legalBasis: String(o.legal_basis), requestedBy: String(o.requested_by),
      approvedBy: typeof o.approved_by === "string" ? o.approved_by : null, erasureSeqs: r.kind === ERASURE_KIND ? [r.seq] : [],
    });
  }
  return [...out.values()];
}

/** Four-eyes, second half: a different admin approves, and the erasure is carried out (holds checked again). */
export async function approveErasure(store: LedgerStore, o: { log: string; request: string; approvedBy: string }): Promise<ErasureResult> {
  const log = await store.findLog(o.log);
  return store.withRemovalLock(log.id, async () => {
    const pending = (await listErasureRequests(store, o.log)).find((r) => r.request === o.request);
    if (!pending) throw new LedgerError("NOT_FOUND", `no erasure request ${o.request} in log ${o.log}`);
    const refuse = async (why: string) => {
      await appendRecord(store, log, ERASURE_REFUSED_KIND, "erasure.refuse", o.approvedBy, { request: o.request, reason: why });
      throw new LedgerError("APPROVAL_REFUSED", `erasure request ${o.request}: ${why}`);
    };
    if (pending.state === "done") await refuse("it was carried out already");
    if (pending.requestedBy === o.approvedBy) await refuse(`${o.approvedBy} asked for it and cannot also approve it (four-eyes)`);
    const seqs = pending.seqs.flatMap(([from, to]) => Array.from({ length: to - from }, (_, i) => from + i));
    return eraseLocked(store, { log: o.log, target: { seqs }, fields: pending.fields, reason: pending.reason, legalBasis: pending.legalBasis, requestedBy: pending.requestedBy, approvedBy: o.approvedBy, id: o.request });
  });
}

async function resolve(store: LedgerStore, request: ErasureRequest): Promise<{ log: Log; fields: CommittedField[]; spans: SeqSpan[] }> {
  if (!request.reason.trim()) throw new LedgerError("INVALID_INPUT", "an erasure needs a reason");
  if (!request.legalBasis.trim()) throw new LedgerError("INVALID_INPUT", "an erasure needs a legal basis");
  const fields = [...new Set(request.fields ?? COMMITTED_FIELDS)];
  for (const f of fields) if (!(COMMITTED_FIELDS as readonly string[]).includes(f)) throw new LedgerError("INVALID_INPUT", `field: got ${JSON.stringify(f)}, want one of ${COMMITTED_FIELDS.join(", ")}`);
  const found = await store.findLogWithSize(request.log);
  const { size, ...log } = found;
  if (log.leafVersion !== 2) throw new LedgerError("INVALID_INPUT", `log ${log.name} has leaf format v${log.leafVersion}: its values are committed unsalted and cannot be erased (create the log with --leaf-version 2; docs/leaf-format.md)`);
  let seqs: number[];
  if ("actor" in request.target) {
    if (!request.target.actor) throw new LedgerError("INVALID_INPUT", "an erasure by data subject needs the actor");
    seqs = await store.seqsOfActor(log.id, request.target.actor, size);
  } else {
    seqs = request.target.seqs;
    for (const s of seqs) if (!Number.isSafeInteger(s) || s < 0 || s >= size) throw new LedgerError("OUT_OF_RANGE", `seq ${s}: log ${log.name} has ${size} entries`);
  }
  // The ledger's own records (erasures, holds) are never erased: a subject's are left out, a seq named is refused.
  const records = new Set((await withArchive(store).recordEntries(log.id, RECORD_KINDS, size)).map((r) => r.seq));
  const own = seqs.filter((s) => records.has(s));
  if (own.length > 0 && !("actor" in request.target)) throw new LedgerError("INVALID_INPUT", `seq ${own[0]} is one of the ledger's own records (erasures, holds), which are not erased`);
  seqs = seqs.filter((s) => !records.has(s));
  if (seqs.length === 0) throw new LedgerError("NOT_FOUND", "no entry of the log matches the erasure request");
  return { log, fields, spans: seqSpans(seqs) };
}

/** A request touching held entries is refused whole, and the refusal recorded (naming the holds and how many entries, not which). */
async function refuseIfHeld(store: LedgerStore, log: Log, id: string, spans: SeqSpan[], by: string): Promise<void> {
  const held = await heldEntries(store, log, spans);
  if (held.seqs.length === 0) return;
  await appendRecord(store, log, ERASURE_REFUSED_KIND, "erasure.refuse", by, { request: id, reason: "legal hold", holds: held.holds, held_entries: held.seqs.length });
  throw new LedgerError("LEGAL_HOLD", `erasure ${id} refused: ${held.seqs.length} of its entries are under legal hold ${held.holds.join(", ")}`);
}
