import { SealtrailError } from "../core/errors.js";

/** Errors of cosigning witnesses (C2SP tlog-witness), on either side of the protocol. */
export type CosigningErrorCode =
  /** The witness could not be reached or answered with a server error. */
  | "UNREACHABLE"
  /** The witness refused the checkpoint (403, 404, 400 or 422 of tlog-witness "add-checkpoint"). */
  | "REFUSED"
  /** The witness holds another view of the log: a larger size, or another root at this size (409). */
  | "CONFLICT"
  /** The witness answered 200 without a valid cosignature of its configured key. */
  | "BAD_RESPONSE"
  /** The witness's own configuration or state (keys, trusted logs, state directory) is unusable. */
  | "STATE";

export class CosigningError extends SealtrailError<CosigningErrorCode> {}
