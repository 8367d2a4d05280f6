import { SealtrailError } from "../core/errors.js";

/** The one error type of the command line: a usage or environment problem, never tampering. */
export type CliErrorCode =
  /** Unknown command, missing or malformed option. */
  | "USAGE"
  /** A file to read is missing or unreadable, or one to write cannot be created. */
  | "FILE"
  /** A key file exists already: keys are never overwritten. */
  | "FILE_EXISTS"
  /** Checkpoints need verifying but no trusted key was given. */
  | "NO_VERIFIER_KEY"
  /** A pack must be signed but no pack key is configured. */
  | "NO_PACK_KEY"
  /** The environment is unusable (DATABASE_URL, SEALTRAIL_DB_SCHEMA). */
  | "CONFIG"
  /** Redis (the ingest queue) cannot be reached. */
  | "QUEUE"
  /** Ingestion refused the event (emit --via queue): nothing was queued. */
  | "EVENT_REJECTED";

/** Exit status of usage, key and database errors; 1 is kept for "tampering found". */
export const EXIT_ERROR = 2;

export class CliError extends SealtrailError<CliErrorCode> {
  /** Process exit status (default EXIT_ERROR). */
  readonly exitCode: number;
  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(code, message, options);
    this.exitCode = options?.exitCode ?? EXIT_ERROR;
  }
}
