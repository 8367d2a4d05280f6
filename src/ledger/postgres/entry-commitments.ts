/**
 * Leaf format v2 at append time (docs/leaf-format.md): each committed field (actor, resource,
 * payload) gets a fresh random 32-byte salt; the entry row keeps only the commitments
 * (actor and resource as lowercase hex in their columns, the payload's in payload_hash, the
 * payload column NULL), and the salts with the clear values go to entry_secrets, whose rows an
 * erasure or an expiry deletes.
 */
import { randomFillSync } from "node:crypto";
import { type NormalizedEvent, SALT_SIZE, valueCommitment } from "../../core/entry/index.js";
import { toHex } from "../../core/encoding/index.js";

/** An event as a v2 entry row stores it: commitments in place of the values. */
export type CommittedEvent = Omit<NormalizedEvent, "payload"> & { payload: string | null };

/** Salts drawn at a time: one call into the CSPRNG per 256 entries. */
const SALT_POOL = 3 * SALT_SIZE * 256;

export class EntryCommitments {
  // Columns of the entry_secrets rows, inserted with one unnest statement after the entries'
  // COPY: a second COPY in the transaction would meet the first one's closing CopyFail, which
  // postgres.js sends when its stream is destroyed after CopyDone.
  readonly seqs: number[] = [];
  readonly fields: number[] = [];
  readonly salts: Buffer[] = [];
  readonly values: string[] = [];
  private pool = new Uint8Array(0);
  private at = 0;

  /** The v2 form of `e` at `seq`; its salts and values are written to `rows`. */
  commit(e: NormalizedEvent, seq: number): CommittedEvent {
    const actor = this.secret(seq, 0, e.actor);
    const resource = this.secret(seq, 1, e.resource);
    const payload = this.secret(seq, 2, e.payload);
    return { ...e, actor: toHex(actor), resource: toHex(resource), payload: null, payloadHash: payload };
  }

  private secret(seq: number, field: number, value: string): Uint8Array {
    const salt = this.salt();
    this.seqs.push(seq);
    this.fields.push(field);
    this.salts.push(Buffer.from(salt));
    this.values.push(value);
    return valueCommitment(salt, value);
  }

  private salt(): Uint8Array {
    if (this.at + SALT_SIZE > this.pool.length) {
      this.pool = randomFillSync(new Uint8Array(SALT_POOL));
      this.at = 0;
    }
    const salt = this.pool.subarray(this.at, this.at + SALT_SIZE);
    this.at += SALT_SIZE;
    return salt;
  }
}
