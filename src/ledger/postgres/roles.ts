/**
 * The database roles of one deployment. Roles are cluster-wide in PostgreSQL while a ledger
 * lives in one schema of one database, so each deployment (database + schema) gets roles of
 * its own: two deployments, or a test run beside a deployment, on one cluster never alter the
 * same role (docs/security.md, "What a migration changes outside its schema").
 *
 * The migration files name the roles `sealtrail_owner`, `sealtrail_writer` and
 * `sealtrail_reader`; the migrator writes this deployment's names in their place
 * (migrate.ts), so the files stay as they were applied.
 */
import { createHash } from "node:crypto";
import { LedgerError } from "../errors.js";
import { splitSocketDir } from "./db-url.js";

/** What each role is for: owner (owns the objects, NOLOGIN), writer (the services), reader (a tenant's requests). */
export type LedgerRole = "owner" | "writer" | "reader";

export type LedgerRoles = Record<LedgerRole, string>;

/** The names the migration files use for the three roles. */
export const MIGRATION_ROLE_NAMES: LedgerRoles = { owner: "sealtrail_owner", writer: "sealtrail_writer", reader: "sealtrail_reader" };

const PREFIX = /^[a-z_][a-z0-9_]{0,48}$/;

/** A configured role prefix (SEALTRAIL_DB_ROLE_PREFIX), safe to write as an identifier. */
export function checkRolePrefix(prefix: string): string {
  if (!PREFIX.test(prefix)) {
    throw new LedgerError("INVALID_INPUT", `role prefix: got ${JSON.stringify(prefix)}, want lower-case letters, digits and _, at most 49, not starting with a digit`);
  }
  return prefix;
}

/** The database a URL names; PostgreSQL's default is the user's name. */
export function databaseOf(url: string): string {
  const parsed = new URL(splitSocketDir(url).url);
  const path = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  return path || decodeURIComponent(parsed.username) || "postgres";
}

/**
 * The prefix of a deployment's roles: the one configured, else `<database>_<schema>` when
 * that is a plain identifier of at most 49 characters, else its first 40 characters (made
 * plain) and 8 hex digits of SHA-256 of the database and schema, so distinct deployments never
 * share a prefix. Names stay within PostgreSQL's 63 bytes with `_writer` appended.
 */
export function rolePrefix(url: string, schema: string, configured?: string): string {
  if (configured) return checkRolePrefix(configured);
  const database = databaseOf(url);
  const plain = `${database}_${schema}`;
  if (PREFIX.test(plain)) return plain;
  const digest = createHash("sha256").update(`${database}\0${schema}`).digest("hex").slice(0, 8);
  const head = plain.toLowerCase().replace(/[^a-z0-9_]/g, "_").replace(/^[^a-z_]/, "_").slice(0, 40);
  return `${head}_${digest}`;
}

/** The three role names of a deployment. */
export function ledgerRoles(url: string, schema: string, configured?: string): LedgerRoles {
  const prefix = rolePrefix(url, schema, configured);
  return { owner: `${prefix}_owner`, writer: `${prefix}_writer`, reader: `${prefix}_reader` };
}

/** The migration files' SQL with this deployment's role names written in. */
export function withDeploymentRoles(sql: string, roles: LedgerRoles): string {
  return sql.replace(/\bsealtrail_(owner|writer|reader)\b/g, (_, kind: LedgerRole) => roles[kind]);
}
