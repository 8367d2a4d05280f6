import { SealtrailError } from "../core/errors.js";

/** The one error type of verification runs: why a verification could not be carried out. */
export type VerifyErrorCode =
  /** A checkpoint file was given but no trusted key to check it with. */
  | "NO_VERIFIER_KEY"
  /** The checkpoint file is not a checkpoint of this log signed by the trusted key. */
  | "CHECKPOINT_FILE_INVALID";

export class VerifyError extends SealtrailError<VerifyErrorCode> {}
