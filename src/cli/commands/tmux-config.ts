import { type Config, ConfigError, type IngestConfig } from "../../config.js";
import { CliError } from "../cli-error.js";
import type { Cli } from "../context.js";

/** The ingest settings, a malformed variable being a CONFIG error of the command line. */
export function ingestConfig(cli: Cli): IngestConfig {
  return lazy(cli, (config) => config.ingest);
}

/** The captures' scheduling (SEALTRAIL_TMUX_CAPTURE_PRIORITY), likewise. */
export function capturePriority(cli: Cli): Config["capturePriority"] {
  return lazy(cli, (config) => config.capturePriority);
}

function lazy<T>(cli: Cli, read: (config: Config) => T): T {
  try {
    return read(cli.config);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError("CONFIG", error.message, { cause: error });
    throw error;
  }
}
