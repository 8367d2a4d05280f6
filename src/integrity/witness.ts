/**
 * A store of checkpoint copies outside the database (DESIGN.md "Checkpoints"). Copies are
 * write-once: a size is written at most once and never overwritten, so that whoever controls
 * the database cannot make the store vouch for a rewritten history. The directory store is
 * witness-directory.ts; an S3 bucket with Object Lock fits the same interface (docs/ledger.md,
 * "Witness copies").
 */
import { SealtrailError } from "../core/errors.js";

export interface Witness {
  /** Where the copies are, for messages. */
  readonly location: string;
  /** Tree sizes of the log's copies, ascending. */
  sizes(origin: string): Promise<number[]>;
  /** The signed note witnessed at `size`. */
  read(origin: string, size: number): Promise<string>;
  /**
   * Writes the copy of the checkpoint at `size`, durably, before resolving. The same note
   * again is `present`; another note at a size already witnessed is WitnessError CONFLICT.
   */
  put(origin: string, size: number, note: string): Promise<"written" | "present">;
}

export type WitnessErrorCode =
  /** A different checkpoint was witnessed at this size already: never overwritten. */
  | "CONFLICT"
  /** The new checkpoint does not extend the witnessed history (RFC 9162 §2.1.4). */
  | "INCONSISTENT"
  /** A checkpoint (stored or witnessed) does not verify with the trusted key. */
  | "SIGNATURE_INVALID"
  /** The store cannot be read or written. */
  | "STORE";

export class WitnessError extends SealtrailError<WitnessErrorCode> {}
