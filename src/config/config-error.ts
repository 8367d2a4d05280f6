import { SealtrailError } from "../core/errors.js";

export type ConfigErrorCode =
  /** An environment variable is malformed, missing where required, or contradicts another. */
  | "ENV_INVALID"
  /** A file an environment variable names cannot be read. */
  | "FILE";

/** A configuration the process cannot start with. */
export class ConfigError extends SealtrailError<ConfigErrorCode> {}
