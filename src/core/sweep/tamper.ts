/**
 * Tamper classes: what a verification can find, named so that an operator knows what
 * happened and where. The verifier reports the first finding by seq; `seq` is the first
 * entry that is not as it was appended (null when the finding is about a checkpoint alone).
 */
export const TAMPER_CLASSES = [
  /** A payload no longer hashes to its payload_hash (v2: to its commitment). */
  "payload_edited",
  /**
   * A value (a v1 payload; a v2 actor, resource or payload, or its salt) is gone without an
   * erasure or expiry record of the log that covers it (docs/erasure.md).
   */
  "value_removed",
  /** An entry's metadata no longer hashes to its leaf hash. */
  "metadata_edited",
  /** A seq is missing: an entry was deleted (with or without renumbering the rest). */
  "entry_deleted",
  /** An entry was inserted and the entries after it renumbered. */
  "entry_inserted",
  /** Entries were moved to other seqs (e.g. two seqs swapped). */
  "entries_reordered",
  /** A chain hash does not follow from the previous one and the leaf. */
  "chain_broken",
  /** A stored Merkle node is missing or differs from the tree the entries give. */
  "merkle_node_mismatch",
  /** The log is shorter than a checkpoint says it was. */
  "tail_truncated",
  /** A checkpoint's signature does not verify with the trusted key. */
  "checkpoint_forged",
  /** A checkpoint witnessed outside the database is missing from it (deleted). */
  "checkpoint_missing",
  /** The entries verify among themselves, but not against an earlier signed checkpoint. */
  "history_rewritten",
] as const;

export type TamperClass = (typeof TAMPER_CLASSES)[number];

export interface Finding {
  class: TamperClass;
  /** First entry affected, or null for a finding about a checkpoint alone. */
  seq: number | null;
  /** For history_rewritten, the first bad seq lies in [seq, until); for a Merkle node, the leaves it covers. */
  until?: number;
  /** The checkpoint concerned, when there is one. */
  checkpointSize?: number;
  /** For a value finding, the field concerned. */
  field?: "actor" | "resource" | "payload";
  message: string;
}

/** Order of findings: by seq (checkpoint-only findings last), then by the class order above. */
export function compareFindings(a: Finding, b: Finding): number {
  const sa = a.seq ?? Number.MAX_SAFE_INTEGER;
  const sb = b.seq ?? Number.MAX_SAFE_INTEGER;
  if (sa !== sb) return sa - sb;
  return TAMPER_CLASSES.indexOf(a.class) - TAMPER_CLASSES.indexOf(b.class);
}
