/**
 * Erased values in a pack (docs/packs.md, "Erased values"). A format-2 entry's line shows each
 * committed field (actor, resource, payload) either opened — its value with its salt, which
 * must give the commitment the leaf holds — or erased, naming the erasure or expiry entry of
 * the same log that removed it. Those entries travel in the section's records file, each with
 * its opened payload and an inclusion proof in the section's checkpoint, so the authority for
 * every value gone is checked against the log's key, not taken from the pack's word. A value
 * gone without such a record is tampering. The builder and verify-pack both run this tally, so
 * erasures.json follows from the checked entries and is re-derived byte for byte. Pure.
 */
import { digestEqual, fromHex } from "../core/encoding/index.js";
import { COMMITTED_FIELDS, type CommittedField, SALT_SIZE, valueCommitment } from "../core/entry/index.js";
import { EXPIRY_KIND, parseRemovalRecord, REMOVAL_KINDS, type SeqSpan } from "../core/erasure/index.js";
import type { PackEntry } from "../core/pack/index.js";

/** The pack's account of what was erased, and under which records. */
export const ERASURES_FILE = "erasures.json";
/** In a section: the removal records its erased values name, each with its inclusion proof. */
export const ERASURE_RECORDS_NAME = "erasure-records.json";

/** A removal record as erasures.json states it: what the record says (never a value), and what it removed from this pack's entries. */
export interface PackRemovalRecord {
  log: string;
  seq: number;
  kind: "erasure" | "expiry";
  /** The erasure request's id (an expiry: the retention run's). */
  request: string | null;
  reason: string | null;
  legalBasis: string | null;
  requestedBy: string | null;
  approvedBy: string | null;
  recordedAt: string;
  /** Every seq and field the record names, in or out of the period. */
  seqs: SeqSpan[];
  fields: CommittedField[];
  /** The file its entry and inclusion proof are in. */
  file: string;
  /** Of this pack's entries: how many it removed values from, and how many values. */
  entries: number;
  values: number;
}

export interface ErasureSummary {
  /** Entries with at least one value erased or expired, values erased or expired, over all sections. */
  entries: number;
  values: number;
  records: PackRemovalRecord[];
}

const text = (v: unknown): string | null => (typeof v === "string" ? v : null);
const key = (log: string, seq: number) => `${log}\n${seq}`;

/** The records and markers of a pack's sections, in the order the builder writes them. */
export class ErasureTally {
  private readonly records = new Map<string, PackRemovalRecord>();
  /** Format-2 entries seen: a pack with none has no erasures.json. */
  v2 = 0;
  private entries = 0;
  private values = 0;

  /**
   * A removal record of log `log`, already checked (its leaf, its payload against its
   * commitment, its inclusion proof); throws when its payload is not a removal record.
   */
  addRecord(log: string, file: string, e: PackEntry): void {
    if (!(REMOVAL_KINDS as readonly string[]).includes(e.kind)) throw new Error(`seq ${e.seq}: kind ${e.kind} is not an erasure or expiry`);
    if (e.payload === null) throw new Error(`seq ${e.seq}: the record's payload is not shown`);
    const { seqs, fields } = parseRemovalRecord(e.payload);
    const o = JSON.parse(e.payload) as Record<string, unknown>;
    this.records.set(key(log, e.seq), {
      log, seq: e.seq, kind: e.kind === EXPIRY_KIND ? "expiry" : "erasure",
      request: text(o.request), reason: text(o.reason), legalBasis: text(o.legal_basis), requestedBy: text(o.requested_by), approvedBy: text(o.approved_by),
      recordedAt: e.recordedAt, seqs, fields, file, entries: 0, values: 0,
    });
  }

  hasRecord(log: string, seq: number): boolean {
    return this.records.has(key(log, seq));
  }

  /**
   * Checks one entry's values and markers and counts its erased values; the problem, or
   * undefined. A withheld payload (secrets.ts) is null with neither salt nor marker: that is
   * withheld.json's to list, not an erasure.
   */
  entry(log: string, e: PackEntry): string | undefined {
    if (e.v !== 2) return e.values || e.erased ? "a format-1 entry carries values or erased markers" : undefined;
    this.v2++;
    if (!e.values) return "a format-2 entry shows neither its values nor their erasure";
    const erased = e.erased ?? {};
    const commitments: Record<CommittedField, Uint8Array | undefined> = { actor: fromHex(e.actor), resource: fromHex(e.resource), payload: e.payloadHash };
    let removed = 0;
    for (const field of COMMITTED_FIELDS) {
      const opened = e.values[field];
      const record = erased[field];
      if (opened && record !== undefined) return `its ${field} is shown and marked erased`;
      if (opened) {
        const value = field === "payload" ? e.payload : (opened as { value: string }).value;
        const salt = fromHex(opened.salt);
        const commitment = commitments[field];
        if (value === null || !salt || salt.length !== SALT_SIZE || !commitment || !digestEqual(valueCommitment(salt, value), commitment)) return `its ${field} does not open its commitment`;
        continue;
      }
      if (field === "payload" && e.payload !== null) return "its payload is shown without its salt";
      if (record === undefined) {
        if (field === "payload") continue;
        return `its ${field} was removed without an erasure or expiry record (value_removed)`;
      }
      const r = this.records.get(key(log, record));
      if (!r) return `its ${field} is marked erased by seq ${record}, which is no erasure or expiry record checked in the pack`;
      if (!(e.seq < r.seq && r.fields.includes(field) && r.seqs.some(([a, b]) => e.seq >= a && e.seq < b))) return `its ${field} is marked erased by record ${record}, which does not name seq ${e.seq} and field ${field} (value_removed)`;
      r.values++;
      removed++;
    }
    if (removed > 0) {
      this.entries++;
      this.values += removed;
      // An entry counts once per record that removed any of its values.
      for (const seq of new Set(Object.values(erased))) this.records.get(key(log, seq))!.entries++;
    }
    return undefined;
  }

  /**
   * The entry as populations, samples, exceptions and the report read it: a format-2 entry's
   * clear actor and resource, or, erased, the words naming the record. Its line keeps the
   * commitments, which its leaf hashes.
   */
  readable(log: string, e: PackEntry): PackEntry {
    if (e.v !== 2 || !e.values) return e;
    const shown = (field: "actor" | "resource"): string => {
      const opened = e.values![field];
      if (opened) return opened.value;
      const seq = e.erased?.[field];
      const r = seq === undefined ? undefined : this.records.get(key(log, seq));
      return r ? erasedWords(r) : e[field];
    };
    return { ...e, actor: shown("actor"), resource: shown("resource") };
  }

  /** The summary for erasures.json and pack.json; undefined when no entry is of format 2. */
  finish(): ErasureSummary | undefined {
    if (this.v2 === 0) return undefined;
    return { entries: this.entries, values: this.values, records: [...this.records.values()] };
  }
}

/** An erased value in a population file, a sample or the report: what removed it, never what it was. */
export function erasedWords(r: Pick<PackRemovalRecord, "kind" | "seq" | "request">): string {
  return r.kind === "expiry" ? `[expired: record ${r.seq}, run ${r.request ?? "unnamed"}]` : `[erased: record ${r.seq}, request ${r.request ?? "unnamed"}]`;
}
