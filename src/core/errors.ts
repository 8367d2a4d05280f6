/**
 * The one base of every error type of sealtrail, as sigstore-js's BaseError: each boundary
 * declares its error as one line, a subclass with the union of its codes. Callers branch on
 * the class and `code`, never on the message; `cause` keeps the error underneath.
 */
export class SealtrailError<Code extends string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    // The subclass's own name (LedgerError, PackError, …), as the one-line classes declare none.
    this.name = new.target.name;
  }
}

/**
 * The one error type of the pure core. Callers branch on `code`, never on the message.
 */
export type CoreErrorCode =
  /** An argument broke a stated precondition (index >= size, size1 > size2, wrong hash length, …). */
  | "INVALID_ARGUMENT"
  /** A proof has the wrong shape: wrong number of hashes, hash of the wrong length. */
  | "PROOF_MALFORMED"
  /** A well-formed proof does not lead to the expected root. */
  | "PROOF_MISMATCH"
  /** A value cannot be expressed in RFC 8785 canonical JSON (NaN, lone surrogate, cycle, …). */
  | "CANONICAL_JSON_INVALID"
  /** A signed note or checkpoint body is not in the C2SP format. */
  | "NOTE_MALFORMED"
  /** A checkpoint body is not a C2SP tlog-checkpoint. */
  | "CHECKPOINT_MALFORMED"
  /** No signature on a note verifies with the given verifier key. */
  | "SIGNATURE_INVALID"
  /** A key (PEM, vkey, name) cannot be parsed or is of the wrong type. */
  | "KEY_INVALID"
  /** An entry's fields cannot be hashed (bad timestamp, bad seq, …). */
  | "ENTRY_INVALID"
  /** A pack's SHA256SUMS is not in the coreutils format. */
  | "MANIFEST_MALFORMED";

export class CoreError extends SealtrailError<CoreErrorCode> {}
