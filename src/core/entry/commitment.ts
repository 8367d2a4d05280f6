/**
 * Salted commitments of leaf format v2 (docs/leaf-format.md): commitment = SHA-256(salt ‖
 * UTF-8(value)) with a random 32-byte salt per entry and field. The leaf commits to the
 * commitment; the salt and the value are stored apart, in rows that can be deleted. Once the
 * salt is gone the commitment is a hash of 256 unknown random bits and the value: no guess of
 * the value can be confirmed against it (hiding), while the value, if kept, still cannot be
 * swapped for another (binding, from SHA-256's collision resistance). Unsalted, a hash of a
 * short value (`{"i":2}`, an e-mail address) is confirmed by hashing candidates.
 */
import { createHash } from "node:crypto";
import { CoreError } from "../errors.js";
import { HASH_SIZE } from "../encoding/index.js";

/** Bytes of a salt: as many as the digest, so guessing the salt is as hard as inverting SHA-256. */
export const SALT_SIZE = 32;

/**
 * The fields a v2 leaf commits to by salted commitment: those that can identify a person.
 * `actor` names the person acting; `resource` often names one too (a home directory, a
 * customer record, a mailbox); the payload carries anything. kind, action, outcome, source,
 * tags and the timestamps stay in clear: they are the log's vocabulary (what kind of thing
 * happened, where and when), needed to read the trail after an erasure, and are not meant to
 * hold personal data.
 */
export const COMMITTED_FIELDS = ["actor", "resource", "payload"] as const;
export type CommittedField = (typeof COMMITTED_FIELDS)[number];

/** A field's number where it is stored (entry_secrets.field): its index in COMMITTED_FIELDS. */
export function fieldNumber(field: CommittedField): number {
  return COMMITTED_FIELDS.indexOf(field);
}

export function isCommittedField(name: string): name is CommittedField {
  return (COMMITTED_FIELDS as readonly string[]).includes(name);
}

/** SHA-256(salt ‖ UTF-8(value)). */
export function valueCommitment(salt: Uint8Array, value: string | Uint8Array): Uint8Array {
  if (salt.length !== SALT_SIZE) throw new CoreError("INVALID_ARGUMENT", `salt: got ${salt.length} bytes, want ${SALT_SIZE}`);
  const h = createHash("sha256").update(salt).update(value);
  const digest = new Uint8Array(h.digest());
  if (digest.length !== HASH_SIZE) throw new CoreError("INVALID_ARGUMENT", "commitment: unexpected digest size");
  return digest;
}
