import { ConfigError, type IngestConfig } from "../../config.js";
import { CliError } from "../cli-error.js";
import type { Cli } from "../context.js";

/** The ingest settings, a malformed variable being a CONFIG error of the command line. */
export function ingestConfig(cli: Cli): IngestConfig {
  try {
    return cli.config.ingest;
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError("CONFIG", error.message, { cause: error });
    throw error;
  }
}
