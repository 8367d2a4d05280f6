/**
 * A fresh, migrated ledger in a schema of its own for one test file, so files run in
 * parallel and re-run without interfering. `admin` is the Postgres superuser (it can
 * disable triggers and tamper); `writer` acts as sealtrail_writer, as the appender does.
 */
import { randomBytes } from "node:crypto";
import { connect, type Sql } from "../../src/ledger/postgres/db.js";
import { migrateLedger } from "../../src/ledger/postgres/migrate.js";
import { PostgresLedgerStore } from "../../src/ledger/postgres/postgres-store.js";

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface TestLedger {
  url: string;
  schema: string;
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
  const writer = connect({ url: TEST_DATABASE_URL, schema, role: "sealtrail_writer", max: 8 });
  return {
    url: TEST_DATABASE_URL,
    schema,
    admin,
    writer,
    store: new PostgresLedgerStore(writer, schema),
    adminStore: new PostgresLedgerStore(admin, schema),
    async close() {
      await writer.end();
      await admin.unsafe(`drop schema if exists "${schema}" cascade`);
      await admin.end();
    },
  };
}

/** Run `fn` as the superuser with every trigger off, as an attacker with full access would. */
export async function asAttacker(admin: Sql, fn: (sql: Sql) => Promise<unknown>): Promise<void> {
  await admin.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    await fn(tx as unknown as Sql);
  });
}
