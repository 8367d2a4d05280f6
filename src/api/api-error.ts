/**
 * The API's one error type and the one place every boundary's errors become GraphQL errors
 * (STYLE.md: each domain maps its codes in one exhaustive switch). Outside development mode a
 * client never sees a stack trace, SQL text or an internal message: unknown errors become
 * INTERNAL_SERVER_ERROR with a fixed message.
 */
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { databaseErrorOf } from "../ledger/postgres/database-error.js";
import { AuthenticationError, AuthorizationError } from "type-graphql";
import { CoreError, type CoreErrorCode } from "../core/errors.js";
import { IngestError, type IngestErrorCode } from "../ingest/ingest-error.js";
import { LedgerError, type LedgerErrorCode } from "../ledger/index.js";
import { PackError, type PackErrorCode } from "../packs/pack-error.js";

export type ApiErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "BAD_USER_INPUT"
  | "NOT_FOUND"
  | "QUERY_TOO_COMPLEX"
  | "TIMEOUT"
  | "RATE_LIMITED"
  | "LEDGER_INCONSISTENT"
  | "SERVICE_UNAVAILABLE"
  | "INTERNAL_SERVER_ERROR";

const STATUS: Record<ApiErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  QUERY_TOO_COMPLEX: 400,
  TIMEOUT: 504,
  RATE_LIMITED: 429,
  LEDGER_INCONSISTENT: 500,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
};

export class ApiError extends GraphQLError {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** `extensions`: more the client is told beside the code (RATE_LIMITED's retryAfter, in seconds). */
    options: { cause?: unknown; status?: number; extensions?: Record<string, unknown> } = {},
  ) {
    super(message, { extensions: { ...options.extensions, code, http: { status: options.status ?? STATUS[code] } }, originalError: options.cause instanceof Error ? options.cause : undefined });
    this.name = "ApiError";
  }
}

/** The code and client-safe message of anything a resolver threw. */
export function classify(error: unknown): { code: ApiErrorCode; message: string } | undefined {
  if (error instanceof ApiError) return { code: error.code, message: error.message };
  if (error instanceof AuthenticationError) return { code: "UNAUTHENTICATED", message: "an API key is needed: Authorization: Bearer <token>" };
  if (error instanceof AuthorizationError) return { code: "FORBIDDEN", message: error.message };
  if (error instanceof LedgerError) return { code: ledgerCode(error.code), message: ledgerCode(error.code) === "INTERNAL_SERVER_ERROR" ? "internal error" : error.message };
  if (error instanceof CoreError) return { code: coreCode(error.code), message: error.message };
  if (error instanceof PackError) {
    const code = packCode(error.code);
    return { code, message: code === "INTERNAL_SERVER_ERROR" ? "internal error" : error.message };
  }
  if (error instanceof IngestError) {
    const code = ingestCode(error.code);
    return { code, message: code === "SERVICE_UNAVAILABLE" ? "the ingest queue is unavailable; nothing was queued, send again" : code === "INTERNAL_SERVER_ERROR" ? "internal error" : error.message };
  }
  const database = databaseErrorOf(error);
  if (database) {
    if (database.code === "57014") return { code: "TIMEOUT", message: "the query took too long and was cancelled; narrow the filter" };
    return { code: "INTERNAL_SERVER_ERROR", message: "internal error" };
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && /^(ECONN|CONNECT_TIMEOUT|CONNECTION_)/.test(code)) return { code: "SERVICE_UNAVAILABLE", message: "the ledger database is unavailable" };
  return undefined;
}

/** The code a client is sent for an error (as formatError gives it). */
export function errorCode(error: unknown): string {
  const original = (error as { originalError?: unknown } | undefined)?.originalError ?? error;
  const known = classify(original);
  if (known) return known.code;
  const code = (error as { extensions?: { code?: unknown } } | undefined)?.extensions?.code;
  return typeof code === "string" ? code : "INTERNAL_SERVER_ERROR";
}

/**
 * The HTTP status of a request whose operation failed whole (no data) on `errors`: the status
 * of the first error whose code has one other than 200, as an ApiError thrown before execution
 * gets. A domain error (the ingest queue down, the search index behind) is otherwise answered
 * 200 beside its code; a partial result stays 200 (GraphQL-over-HTTP, application/json).
 */
export function failedStatus(errors: readonly unknown[]): number | undefined {
  for (const error of errors) {
    const original = (error as { originalError?: unknown } | undefined)?.originalError ?? error;
    const known = classify(original);
    if (known && STATUS[known.code] !== 200) return (original instanceof ApiError ? statusOfApiError(original) : undefined) ?? STATUS[known.code];
  }
  return undefined;
}

function statusOfApiError(error: ApiError): number | undefined {
  return (error.extensions.http as { status?: number } | undefined)?.status;
}

/**
 * A domain error a resolver caught, as the ApiError classify makes of it, so that its HTTP
 * status travels with it (extensions.http); anything else is returned as it is.
 */
export function toApiError(error: unknown): unknown {
  if (error instanceof ApiError) return error;
  const known = classify(error);
  return known ? new ApiError(known.code, known.message, { cause: error }) : error;
}

function ledgerCode(code: LedgerErrorCode): ApiErrorCode {
  switch (code) {
    case "LOG_NOT_FOUND":
    case "INVALID_INPUT":
    case "OUT_OF_RANGE":
      return "BAD_USER_INPUT";
    case "NOT_FOUND":
      return "NOT_FOUND";
    case "INCONSISTENT":
      return "LEDGER_INCONSISTENT";
    case "LOG_EXISTS":
      return "BAD_USER_INPUT";
    case "SEARCH_BEHIND":
      return "SERVICE_UNAVAILABLE";
    case "LEGAL_HOLD":
    case "APPROVAL_REFUSED":
      return "FORBIDDEN";
    case "KEY_UNAVAILABLE":
    case "DATABASE":
      return "INTERNAL_SERVER_ERROR";
    default:
      return unreachable(code);
  }
}

function coreCode(code: CoreErrorCode): ApiErrorCode {
  switch (code) {
    case "INVALID_ARGUMENT":
    case "ENTRY_INVALID":
    case "CANONICAL_JSON_INVALID":
      return "BAD_USER_INPUT";
    case "PROOF_MALFORMED":
    case "PROOF_MISMATCH":
    case "NOTE_MALFORMED":
    case "CHECKPOINT_MALFORMED":
    case "SIGNATURE_INVALID":
      return "LEDGER_INCONSISTENT";
    case "KEY_INVALID":
    case "MANIFEST_MALFORMED":
      return "INTERNAL_SERVER_ERROR";
    default:
      return unreachable(code);
  }
}

function packCode(code: PackErrorCode): ApiErrorCode {
  switch (code) {
    case "INVALID_REQUEST":
    case "NO_SEED":
    case "UNKNOWN_CONTROL":
    case "FILE_TOO_LARGE":
      return "BAD_USER_INPUT";
    case "INCONSISTENT":
    case "ATTESTATION_FILE":
      return "LEDGER_INCONSISTENT";
    case "NO_CHECKPOINT":
    case "TIME_STAMP":
      return "SERVICE_UNAVAILABLE";
    case "EXPORTER_INVALID":
    case "OUTPUT_EXISTS":
    case "FILE":
      return "INTERNAL_SERVER_ERROR";
    default:
      return unreachable(code);
  }
}

function ingestCode(code: IngestErrorCode): ApiErrorCode {
  switch (code) {
    case "BATCH_INVALID":
    case "LOG_NOT_FOUND":
      return "BAD_USER_INPUT";
    case "QUEUE_UNAVAILABLE":
      return "SERVICE_UNAVAILABLE";
    case "TIMEOUT":
      return "TIMEOUT";
    case "JOB_INVALID":
    case "LEDGER_REFUSED":
    case "DATABASE":
    case "JOB_FAILED":
      return "INTERNAL_SERVER_ERROR";
    default:
      return unreachable(code);
  }
}

function unreachable(code: never): ApiErrorCode {
  void code;
  return "INTERNAL_SERVER_ERROR";
}

// Errors graphql-js raises itself when a literal or variable does not fit a scalar (an invalid
// DateTime, a negative size): the client's input, so BAD_USER_INPUT, not a validation failure.
const INPUT_COERCION = /^(Expected value of type|Variable "\$[^"]+" got invalid value|Int cannot represent|.* cannot represent)/;

/**
 * Apollo's formatError: keeps codes Apollo set (GRAPHQL_PARSE_FAILED, …), maps ours, and hides
 * anything unexpected. In development mode the original message and stack are left in.
 */
export function formatError(development: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = (error as { originalError?: unknown } | undefined)?.originalError ?? error;
    const known = classify(original);
    const apolloCode = formatted.extensions?.code;
    if (known) {
      return { message: known.message, ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}), extensions: { code: known.code, ...(development ? { stacktrace: formatted.extensions?.stacktrace } : {}) } };
    }
    if (apolloCode === "GRAPHQL_VALIDATION_FAILED" && INPUT_COERCION.test(formatted.message)) {
      return { ...formatted, extensions: { ...formatted.extensions, code: "BAD_USER_INPUT" } };
    }
    if (typeof apolloCode === "string" && apolloCode !== "INTERNAL_SERVER_ERROR") return development ? formatted : withoutStack(formatted);
    if (development) return formatted;
    return { message: "internal error", ...(formatted.path ? { path: formatted.path } : {}), extensions: { code: "INTERNAL_SERVER_ERROR" } };
  };
}

function withoutStack(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (!formatted.extensions || !("stacktrace" in formatted.extensions)) return formatted;
  const { stacktrace: _, ...extensions } = formatted.extensions;
  return { ...formatted, extensions };
}
