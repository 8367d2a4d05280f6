/**
 * A fresh, migrated ledger in a schema of its own for one test file, so files run in
 * parallel and re-run without interfering. `admin` is the Postgres superuser (it can
 * disable triggers and tamper); `writer` acts as the deployment's writer role, as the appender
 * does. Each schema has roles of its own (src/ledger/postgres/roles.ts), dropped with it.
 */
import { randomBytes } from "node:crypto";
import { connect, type LedgerRoles, ledgerRoles, type Sql } from "../../src/ledger/postgres/db.js";
import { migrateLedger } from "../../src/ledger/postgres/migrate.js";
import { PostgresLedgerStore } from "../../src/ledger/postgres/postgres-store.js";

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface TestLedger {
  url: string;
  schema: string;
  /** The schema's role names. */
  roles: LedgerRoles;
  admin: Sql;
  writer: Sql;
  /** The ledger store over `writer`, as the services use it. */
  store: PostgresLedgerStore;
  /** The ledger store over `admin`. */
  adminStore: PostgresLedgerStore;
  close(): Promise<void>;
}

export async function freshLedger(label: string): Promise<TestLedger> {
  const schema = `t_${label.replace(/[^a-z0-9]/g, "_").slice(0, 30)}_${randomBytes(4).toString("hex")}`;
  await migrateLedger(TEST_DATABASE_URL, schema);
  const admin = connect({ url: TEST_DATABASE_URL, schema, max: 2 });
  const writer = connect({ url: TEST_DATABASE_URL, schema, role: "writer", max: 8 });
  return {
    url: TEST_DATABASE_URL,
    schema,
    roles: ledgerRoles(TEST_DATABASE_URL, schema),
    admin,
    writer,
    store: new PostgresLedgerStore(writer, schema),
    adminStore: new PostgresLedgerStore(admin, schema),
    async close() {
      await writer.end();
      await dropDeployment(admin, TEST_DATABASE_URL, schema);
      await admin.end();
    },
  };
}

/**
 * Drops a test schema and its roles: roles are cluster-wide and would outlive the schema. A
 * role still in use (a connection of another file acting as it) is left for the next run.
 */
export async function dropDeployment(admin: Sql, url: string, schema: string): Promise<void> {
  await admin.unsafe(`drop schema if exists "${schema}" cascade`);
  const roles = ledgerRoles(url, schema);
  for (const role of [roles.reader, roles.writer, roles.owner]) await admin.unsafe(`drop role if exists "${role}"`).catch(() => {});
}

/** Run `fn` as the superuser with every trigger off, as an attacker with full access would. */
export async function asAttacker(admin: Sql, fn: (sql: Sql) => Promise<unknown>): Promise<void> {
  await admin.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    await fn(tx as unknown as Sql);
  });
}
