/**
 * An error PostgreSQL itself sent (postgres.js's PostgresError), for the boundaries that map
 * them (api/api-error.ts, cli/report-error.ts) without knowing the driver: its SQLSTATE code
 * (PostgreSQL docs, Appendix A) and message, or undefined for any other error.
 */
import postgres from "postgres";

export interface DatabaseError {
  /** SQLSTATE, e.g. 57014 query_canceled, 42P01 undefined_table. */
  code: string;
  message: string;
}

export function databaseErrorOf(error: unknown): DatabaseError | undefined {
  return error instanceof postgres.PostgresError ? { code: error.code, message: error.message } : undefined;
}
