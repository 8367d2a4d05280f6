/**
 * The values of a v2 range (docs/leaf-format.md): each salt and value in entry_secrets against
 * the commitment its entry holds, SHA-256(salt ‖ value); each committed field with no value is
 * reported absent, for the verifier to match against the log's erasure and expiry records.
 */
import { createHash } from "node:crypto";
import { COMMITTED_FIELDS, SALT_SIZE } from "../core/entry/index.js";
import { HASH_SIZE } from "../core/encoding/index.js";
import type { RemovalIndex } from "../core/erasure/index.js";
import type { RangeCheck } from "../core/sweep/index.js";
import { ACTOR, int8At, PAYLOAD_HASH, RESOURCE, SEQ, type LedgerStore } from "../ledger/index.js";

const FIELDS = COMMITTED_FIELDS.length;

/** The commitments of a range's entries as read from their rows: [seq][field] → 32 bytes. */
export class RangeCommitments {
  readonly bytes: Uint8Array;
  /** Per seq and field: 1 when the row held a well-formed commitment, 2 once its value was seen. */
  readonly state: Uint8Array;

  constructor(
    readonly start: number,
    readonly end: number,
  ) {
    this.bytes = new Uint8Array((end - start) * FIELDS * HASH_SIZE);
    this.state = new Uint8Array((end - start) * FIELDS);
  }

  /** The commitments of one entries row (columns as raw-rows.ts numbers them). */
  take(row: Buffer, f: Int32Array): void {
    const seq = int8At(row, f[2 * SEQ]!);
    if (!(seq >= this.start && seq < this.end)) return;
    const i = (seq - this.start) * FIELDS;
    this.hex(row, f[2 * ACTOR]!, f[2 * ACTOR + 1]!, i);
    this.hex(row, f[2 * RESOURCE]!, f[2 * RESOURCE + 1]!, i + 1);
    if (f[2 * PAYLOAD_HASH + 1] === HASH_SIZE) {
      this.bytes.set(row.subarray(f[2 * PAYLOAD_HASH]!, f[2 * PAYLOAD_HASH]! + HASH_SIZE), (i + 2) * HASH_SIZE);
      this.state[i + 2] = 1;
    }
  }

  /**
   * The commitments of an entry read from the archive (its rows file holds them as the
   * entries row does): the values of archived entries stay in entry_secrets until erased or
   * expired, and are checked as the main tables' are.
   */
  takeEntry(e: { seq: number; actor: string; resource: string; payloadHash: Uint8Array }): void {
    if (!(e.seq >= this.start && e.seq < this.end)) return;
    const i = (e.seq - this.start) * FIELDS;
    for (const [text, slot] of [[e.actor, i], [e.resource, i + 1]] as const) {
      if (!/^[0-9a-f]{64}$/.test(text)) continue;
      this.bytes.set(Buffer.from(text, "hex"), slot * HASH_SIZE);
      this.state[slot] = 1;
    }
    if (e.payloadHash.length === HASH_SIZE) {
      this.bytes.set(e.payloadHash, (i + 2) * HASH_SIZE);
      this.state[i + 2] = 1;
    }
  }

  /** A commitment stored as 64 lowercase hex digits; anything else fails the leaf check already. */
  private hex(row: Buffer, at: number, length: number, slot: number): void {
    if (length !== 2 * HASH_SIZE) return;
    const text = row.toString("latin1", at, at + length);
    if (!/^[0-9a-f]{64}$/.test(text)) return;
    this.bytes.set(Buffer.from(text, "hex"), slot * HASH_SIZE);
    this.state[slot] = 1;
  }
}

/** Reads the range's salts and values and reports what does not match or is missing. */
export async function checkValues(store: LedgerStore, logId: number, c: RangeCommitments, check: RangeCheck, removals: RemovalIndex, erased: Map<number, number>): Promise<void> {
  await store.scanSecrets(logId, c.start, c.end, (row, f, count) => {
    const seq = count === 4 && f[1] === 8 ? int8At(row, f[0]!) : Number.NaN;
    const field = count === 4 && f[3] === 2 ? row.readInt16BE(f[2]!) : -1;
    if (!(seq >= c.start && seq < c.end) || field < 0 || field >= FIELDS) return; // Outside the shape the table's checks allow.
    const slot = (seq - c.start) * FIELDS + field;
    if (c.state[slot] === 0) return; // No commitment to check against: the entry's leaf check reports it.
    c.state[slot] = 2;
    const saltOk = f[5] === SALT_SIZE && f[7]! >= 0;
    const digest = saltOk ? createHash("sha256").update(row.subarray(f[4]!, f[4]! + SALT_SIZE)).update(row.subarray(f[6]!, f[6]! + f[7]!)).digest() : null;
    if (!digest || !digest.equals(c.bytes.subarray(slot * HASH_SIZE, (slot + 1) * HASH_SIZE))) {
      check.addValueFinding({ type: "value", seq, field: COMMITTED_FIELDS[field]! });
    }
  });
  for (let slot = 0; slot < c.state.length; slot++) {
    if (c.state[slot] !== 1) continue;
    const seq = c.start + Math.floor(slot / FIELDS);
    const field = COMMITTED_FIELDS[slot % FIELDS]!;
    const record = removals.cover(seq, field);
    if (record === undefined) check.addValueFinding({ type: "absent", seq, field });
    else erased.set(record, (erased.get(record) ?? 0) + 1);
  }
}
