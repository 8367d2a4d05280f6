import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { checkSchemaName, splitSocketDir } from "./db.js";

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

/**
 * Apply the ledger migrations to `schema`. drizzle's migrate() takes no lock, so concurrent
 * starts would race (STACK.md): this runs on its own single connection holding a session
 * advisory lock, under READ COMMITTED, until done. Roles are cluster-wide and created once.
 */
export async function migrateLedger(url: string, schema: string): Promise<void> {
  checkSchemaName(schema);
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
      await sql.unsafe(`create schema if not exists "${schema}"`);
      await migrate(drizzle(sql), {
        migrationsFolder: migrationsFolder(),
        migrationsSchema: schema,
        migrationsTable: "__sealtrail_migrations",
      });
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`;
    }
  } finally {
    await sql.end();
  }
}
