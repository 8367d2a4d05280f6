import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/postgres-js";
import { readMigrationFiles } from "drizzle-orm/migrator";
import postgres from "postgres";
import { LedgerError } from "../errors.js";
import { checkSchemaName, splitSocketDir } from "./db.js";
import { ledgerRoles, type LedgerRoles, withDeploymentRoles } from "./roles.js";

/** Advisory lock key serialising every sealtrail migration in a database ("sealtrail.migrate"). */
export const MIGRATION_LOCK = 0x5ea17a11;

/** schema/migrations of this package, found from this file whether run from src/ or dist/. */
export function migrationsFolder(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "schema", "migrations");
    if (existsSync(join(candidate, "meta", "_journal.json"))) return candidate;
    dir = dirname(dir);
  }
  throw new Error("schema/migrations not found beside the sealtrail package");
}

export interface MigrateOptions {
  /** SEALTRAIL_DB_ROLE_PREFIX; else derived from the database and schema (roles.ts). */
  rolePrefix?: string | undefined;
}

/**
 * Apply the ledger migrations to `schema`, with the deployment's own role names (roles.ts)
 * written in. drizzle's migrate() takes no lock, so concurrent starts would race (STACK.md):
 * this runs on its own single connection holding a session advisory lock, under READ
 * COMMITTED, until done. That lock is per database; migrations of other databases of the
 * cluster touch only roles of their own, so they never wait for each other or collide.
 */
export async function migrateLedger(url: string, schema: string, options: MigrateOptions = {}): Promise<LedgerRoles> {
  checkSchemaName(schema);
  const roles = ledgerRoles(url, schema, options.rolePrefix);
  const { url: plain, socketDir } = splitSocketDir(url);
  const sql = postgres(plain, {
    max: 1,
    onnotice: () => {},
    connection: { search_path: schema, TimeZone: "UTC" },
    ...(socketDir ? { host: socketDir } : {}),
  });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`;
    try {
      await checkOwner(sql, schema, roles);
      await sql.unsafe(`create schema if not exists "${schema}"`);
      const migrationsConfig = { migrationsFolder: migrationsFolder(), migrationsSchema: schema, migrationsTable: "__sealtrail_migrations" };
      // The hashes stay those of the files; only the statements run carry the role names.
      const migrations = readMigrationFiles(migrationsConfig).map((m) => ({ ...m, sql: m.sql.map((s) => withDeploymentRoles(s, roles)) }));
      // What drizzle's migrate() does after reading the files (drizzle-orm/postgres-js/migrator).
      const db = drizzle(sql) as unknown as { dialect: { migrate(m: typeof migrations, session: unknown, config: typeof migrationsConfig): Promise<void> }; session: unknown };
      await db.dialect.migrate(migrations, db.session, migrationsConfig);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`;
    }
  } finally {
    await sql.end();
  }
  return roles;
}

/**
 * A schema migrated before under other role names (the shared `sealtrail_*` roles of earlier
 * releases, or another prefix) is refused, not re-owned silently: its services connect as
 * those roles until the operator names the prefix.
 */
async function checkOwner(sql: postgres.Sql, schema: string, roles: LedgerRoles): Promise<void> {
  const [row] = await sql<{ owner: string }[]>`select tableowner as owner from pg_tables where schemaname = ${schema} and tablename = 'logs'`;
  if (!row || row.owner === roles.owner) return;
  const hint = row.owner.endsWith("_owner") ? `set SEALTRAIL_DB_ROLE_PREFIX=${row.owner.slice(0, -"_owner".length)} for every sealtrail process of this deployment` : "name its prefix in SEALTRAIL_DB_ROLE_PREFIX";
  throw new LedgerError("INVALID_INPUT", `schema ${schema} is owned by the role ${row.owner}, not ${roles.owner}: ${hint}`);
}
