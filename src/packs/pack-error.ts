import { SealtrailError } from "../core/errors.js";

/** The one error type of pack building and loading exporters. */
export type PackErrorCode =
  /** The request is malformed: unknown framework, bad period, bad option. */
  | "INVALID_REQUEST"
  /** An exporter module cannot be loaded or does not declare a valid exporter. */
  | "EXPORTER_INVALID"
  /** No signed checkpoint covers the period and none can be signed (no signing key). */
  | "NO_CHECKPOINT"
  /** No sampling seed the company could not have chosen exists yet (sampling.ts), and the auditor gave none. */
  | "NO_SEED"
  /** The ledger does not agree with itself or its checkpoint: the log needs verifying. */
  | "INCONSISTENT"
  /** The output path exists already: packs are never overwritten. */
  | "OUTPUT_EXISTS"
  /** A file of the pack could not be written or read. */
  | "FILE"
  /** The time-stamping authority (SEALTRAIL_TSA_URL) did not stamp the pack's SHA256SUMS. */
  | "TIME_STAMP"
  /** An attestation names a control its framework does not have (sealtrail attest); nothing is stored. */
  | "UNKNOWN_CONTROL"
  /** A file to attest is empty or larger than MAX_ATTESTATION_BYTES; nothing is stored. */
  | "FILE_TOO_LARGE"
  /** A file attested in the ledger is not in the store, or not the bytes the ledger recorded. */
  | "ATTESTATION_FILE";

export class PackError extends SealtrailError<PackErrorCode> {}
