/**
 * Every error a command can end with, as one line for stderr and an exit status: each
 * boundary's codes are mapped here, in one place. Stack traces are never shown.
 */
import { databaseErrorOf } from "../ledger/postgres/database-error.js";
import { type Config, ConfigError, type ConfigErrorCode } from "../config/index.js";
import { CoreError, type CoreErrorCode } from "../core/errors.js";
import { IngestError, type IngestErrorCode } from "../ingest/ingest-error.js";
import { LedgerError, type LedgerErrorCode } from "../ledger/index.js";
import { VerifyError, type VerifyErrorCode } from "../integrity/verify-error.js";
import { WitnessError, type WitnessErrorCode } from "../integrity/witness.js";
import { PackError, type PackErrorCode } from "../packs/pack-error.js";
import { PlatformError, type PlatformErrorCode } from "../platform/platform-error.js";
import { TmuxError, type TmuxErrorCode } from "../tmux/tmux-error.js";
import { CosigningError, type CosigningErrorCode } from "../witness/witness-error.js";
import { CliError, EXIT_ERROR } from "./cli-error.js";

export interface Failure {
  message: string;
  exitCode: number;
}

/** Node socket errors and postgres.js connection errors: the database is not reachable. */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH",
  "CONNECT_TIMEOUT", "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED",
]);

/** Postgres SQLSTATEs meaning the schema holds no (or an older) ledger: undefined table, schema, function. */
const NOT_MIGRATED = new Set(["42P01", "3F000", "42883"]);

/** Exit status of an erasure refused (a legal hold, four-eyes): the request was valid, and the refusal is recorded. */
export const EXIT_REFUSED = 5;

function isRefusal(error: unknown): boolean {
  return error instanceof LedgerError && (error.code === "LEGAL_HOLD" || error.code === "APPROVAL_REFUSED");
}

export function describeFailure(error: unknown, config: Pick<Config, "databaseUrl" | "schema">): Failure {
  return { message: oneLine(message(error, config)), exitCode: error instanceof CliError ? error.exitCode : isRefusal(error) ? EXIT_REFUSED : EXIT_ERROR };
}

function message(error: unknown, config: Pick<Config, "databaseUrl" | "schema">): string {
  const unreachable = findCause(error, (e) => !databaseErrorOf(e) && CONNECTION_CODES.has(String((e as { code?: unknown }).code)));
  if (unreachable) return `cannot reach the database at ${databaseHost(config.databaseUrl)}: ${(unreachable as { code: string }).code}`;
  const pgCause = findCause(error, (e) => databaseErrorOf(e) !== undefined);
  const pg = pgCause === undefined ? undefined : databaseErrorOf(pgCause);
  if (pg && NOT_MIGRATED.has(pg.code)) return `schema ${config.schema} holds no sealtrail ledger (run sealtrail migrate): ${pg.message}`;

  if (error instanceof CliError) return error.message;
  if (error instanceof ConfigError) return configMessage(error.code, error.message);
  if (error instanceof LedgerError) return ledgerMessage(error.code, error.message);
  if (error instanceof VerifyError) return verifyMessage(error.code, error.message);
  if (error instanceof WitnessError) return witnessMessage(error.code, error.message);
  if (error instanceof CosigningError) return cosigningMessage(error.code, error.message);
  if (error instanceof CoreError) return coreMessage(error.code, error.message);
  if (error instanceof IngestError) return ingestMessage(error);
  if (error instanceof PackError) return packMessage(error.code, error.message);
  if (error instanceof TmuxError) return tmuxMessage(error.code, error.message);
  if (error instanceof PlatformError) return platformMessage(error.code, error.message);
  if (pg) return `database: ${pg.message}`;
  return `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
}

/** A malformed variable is the command line's CONFIG error: its message names the variable. */
function configMessage(code: ConfigErrorCode, text: string): string {
  switch (code) {
    case "ENV_INVALID":
    case "FILE":
      return text;
    default:
      return unreachableCode(code, text);
  }
}

function ledgerMessage(code: LedgerErrorCode, text: string): string {
  switch (code) {
    case "LOG_NOT_FOUND":
      return `${text} (see sealtrail log list)`;
    case "INCONSISTENT":
      return `${text}: run sealtrail verify`;
    case "LOG_EXISTS":
    case "NOT_FOUND":
    case "INVALID_INPUT":
    case "OUT_OF_RANGE":
    case "KEY_UNAVAILABLE":
      return text;
    case "SEARCH_BEHIND":
      return `${text} (is a sealtrail worker running its search indexer?)`;
    case "LEGAL_HOLD":
      return `${text} (see sealtrail hold list; the refusal is recorded in the log)`;
    case "APPROVAL_REFUSED":
      return text;
    case "DATABASE":
      return `database: ${text}`;
    default:
      return unreachableCode(code, text);
  }
}

function verifyMessage(code: VerifyErrorCode, text: string): string {
  switch (code) {
    case "NO_VERIFIER_KEY":
      return `${text} (--key, SEALTRAIL_VERIFIER_KEY or SEALTRAIL_SIGNING_KEY)`;
    case "CHECKPOINT_FILE_INVALID":
      return text;
    default:
      return unreachableCode(code, text);
  }
}

function witnessMessage(code: WitnessErrorCode, text: string): string {
  switch (code) {
    case "STORE":
      return `${text} (SEALTRAIL_WITNESS_DIR)`;
    case "CONFLICT":
    case "INCONSISTENT":
    case "SIGNATURE_INVALID":
      return `witness: ${text}`;
    default:
      return unreachableCode(code, text);
  }
}

function cosigningMessage(code: CosigningErrorCode, text: string): string {
  switch (code) {
    case "STATE":
      return `witness state: ${text}`;
    case "UNREACHABLE":
    case "REFUSED":
    case "CONFLICT":
    case "BAD_RESPONSE":
      return `cosigning: ${text}`;
    default:
      return unreachableCode(code, text);
  }
}

function coreMessage(code: CoreErrorCode, text: string): string {
  switch (code) {
    case "KEY_INVALID":
      return `key: ${text}`;
    case "NOTE_MALFORMED":
    case "CHECKPOINT_MALFORMED":
    case "SIGNATURE_INVALID":
      return `checkpoint: ${text}`;
    case "PROOF_MALFORMED":
    case "PROOF_MISMATCH":
      return `proof: ${text}`;
    case "MANIFEST_MALFORMED":
      return `pack: ${text}`;
    case "INVALID_ARGUMENT":
    case "CANONICAL_JSON_INVALID":
    case "ENTRY_INVALID":
      return text;
    default:
      return unreachableCode(code, text);
  }
}

function ingestMessage(error: IngestError): string {
  const code: IngestErrorCode = error.code;
  const key = error.queued?.receipts.find((r) => r.status === "accepted")?.idempotencyKey;
  switch (code) {
    case "TIMEOUT":
      return `${error.message}${key ? ` (idempotency key ${key}: sending it again is safe)` : ""}`;
    case "JOB_FAILED":
      return `${error.message} (nothing was appended)`;
    case "QUEUE_UNAVAILABLE":
      return `the ingest queue is unavailable, nothing was queued: ${error.message}`;
    case "BATCH_INVALID":
    case "JOB_INVALID":
    case "LOG_NOT_FOUND":
    case "LEDGER_REFUSED":
    case "DATABASE":
      return error.message;
    default:
      return unreachableCode(code, error.message);
  }
}

function packMessage(code: PackErrorCode, text: string): string {
  switch (code) {
    case "INVALID_REQUEST":
    case "EXPORTER_INVALID":
    case "NO_CHECKPOINT":
    case "NO_SEED":
    case "INCONSISTENT":
    case "OUTPUT_EXISTS":
      return `pack: ${text}`;
    case "FILE":
      return `pack file: ${text}`;
    case "TIME_STAMP":
      return `pack time-stamp: ${text}`;
    case "UNKNOWN_CONTROL":
    case "FILE_TOO_LARGE":
      return `attest: ${text}`;
    case "ATTESTATION_FILE":
      return `pack attestation: ${text}`;
    default:
      return unreachableCode(code, text);
  }
}

function tmuxMessage(code: TmuxErrorCode, text: string): string {
  switch (code) {
    case "NOT_FOUND":
    case "TMUX":
      return text;
    case "SPOOL":
    case "CONFIG":
    case "INPUT":
      return `capture: ${text}`;
    default:
      return unreachableCode(code, text);
  }
}

/** Compile-time exhaustiveness; at run time, a code added later still prints its message. */
function unreachableCode(code: never, text: string): string {
  void code;
  return text;
}

function findCause(error: unknown, match: (e: unknown) => boolean): unknown {
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (match(e)) return e;
  }
  return undefined;
}

function databaseHost(url: string): string {
  try {
    const u = new URL(url);
    const socket = u.searchParams.get("host");
    if (socket) return socket;
    return `${u.hostname || "localhost"}:${u.port || 5432}`;
  } catch {
    return "DATABASE_URL";
  }
}

function platformMessage(code: PlatformErrorCode, text: string): string {
  switch (code) {
    case "NO_POSTGRES_BINARIES":
    case "STATE_DIR":
    case "ALREADY_RUNNING":
      return text;
    case "POSTGRES_FAILED":
      return `embedded PostgreSQL: ${text}`;
    case "REDIS_FAILED":
      return `private redis-server: ${text} (or set REDIS_URL)`;
    case "NOT_RUNNING":
      return `${text} (start it with: npx sealtrail up)`;
    default:
      return unreachableCode(code, text);
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}
