import { SealtrailError } from "../core/errors.js";

/** The one error type of the Postgres ledger adapter. */
export type LedgerErrorCode =
  /** No log of that name (or not visible to this tenant). */
  | "LOG_NOT_FOUND"
  /** Something other than a log (an API key, an entry) does not exist. */
  | "NOT_FOUND"
  /** A log of that name or origin exists already. */
  | "LOG_EXISTS"
  /** An event or argument was rejected before anything was stored. */
  | "INVALID_INPUT"
  /** A tree size, seq or range beyond the log. */
  | "OUT_OF_RANGE"
  /** Stored data does not add up (a missing node or row): the log needs verifying. */
  | "INCONSISTENT"
  /** No signing key is configured, or it cannot be used. */
  | "KEY_UNAVAILABLE"
  /** The full-text search index is too far behind the log to search the rest unindexed. */
  | "SEARCH_BEHIND"
  /** An erasure (or expiry) would touch entries under a legal hold: refused, and the refusal recorded. */
  | "LEGAL_HOLD"
  /** A four-eyes approval refused: the requester approving their own request, or a request already carried out. */
  | "APPROVAL_REFUSED"
  /** The database could not be reached or refused the statement. */
  | "DATABASE";

export class LedgerError extends SealtrailError<LedgerErrorCode> {}
