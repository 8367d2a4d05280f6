/**
 * A v2 entry's clear values as a reader shows them (docs/erasure.md): each committed field is
 * either its value, opened against the commitment the leaf holds, or erased / expired under a
 * record of the log, named with the record's seq and request. A value that is missing without
 * a record, or that does not open its commitment, is not shown either way: it is reported, for
 * the reader to refuse the entry (the log needs verifying).
 */
import { digestEqual, fromHex } from "../encoding/index.js";
import { COMMITTED_FIELDS, type CommittedField, SALT_SIZE, valueCommitment } from "../entry/index.js";
import { EXPIRY_KIND } from "./records.js";

export type RemovalKindName = "erasure" | "expiry";

/** A value removed under a record, as shown in its place. */
export interface ErasedValue {
  field: CommittedField;
  kind: RemovalKindName;
  /** Seq of the erasure or expiry entry in the same log. */
  recordSeq: number;
  /** The erasure request (an expiry: the retention run), when the record names one. */
  request: string | null;
}

export interface OpenedValues {
  /** actor, resource, payload: the clear value, or null when erased (see `erased`) or broken (see `broken`). */
  values: [string | null, string | null, string | null];
  erased: ErasedValue[];
  /** Fields whose value is missing without a record or does not open its commitment. */
  broken: { field: CommittedField; problem: "removed" | "mismatch" }[];
}

/** What kind of removal a record is: its entry's kind, or (archived, the entry not at hand) what its payload says. */
export function removalKind(recordKind: string | null, recordPayload: string | null): RemovalKindName {
  if (recordKind !== null) return recordKind === EXPIRY_KIND ? "expiry" : "erasure";
  // An erasure names its legal basis (GDPR Art. 17); an expiry its retention policy.
  return recordPayload !== null && recordPayload.includes('"legal_basis":') ? "erasure" : "expiry";
}

/** The request a removal record names, or null. */
export function removalRequest(recordPayload: string | null): string | null {
  if (recordPayload === null) return null;
  try {
    const request = (JSON.parse(recordPayload) as { request?: unknown }).request;
    return typeof request === "string" ? request : null;
  } catch {
    return null;
  }
}

/**
 * Opens the committed fields of one v2 entry. `commitments`: actor, resource, payload (32 bytes
 * each, or undefined when the row does not hold one); `values`: the entry's salts (hex) and
 * values; `removals`: its removal marks with their records.
 */
export function openValues(
  commitments: readonly (Uint8Array | undefined)[],
  values: readonly { field: number; salt: string; value: string }[],
  removals: readonly { field: number; recordSeq: number; recordKind: string | null; recordPayload: string | null }[],
): OpenedValues {
  const out: OpenedValues = { values: [null, null, null], erased: [], broken: [] };
  COMMITTED_FIELDS.forEach((field, n) => {
    const stored = values.find((v) => v.field === n);
    if (stored) {
      const salt = fromHex(stored.salt);
      const commitment = commitments[n];
      if (salt?.length === SALT_SIZE && commitment && digestEqual(valueCommitment(salt, stored.value), commitment)) out.values[n] = stored.value;
      else out.broken.push({ field, problem: "mismatch" });
      return;
    }
    const removal = removals.find((r) => r.field === n);
    if (removal) out.erased.push({ field, kind: removalKind(removal.recordKind, removal.recordPayload), recordSeq: removal.recordSeq, request: removalRequest(removal.recordPayload) });
    else out.broken.push({ field, problem: "removed" });
  });
  return out;
}
