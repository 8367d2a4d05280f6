/**
 * Each deployment's own roles (src/ledger/postgres/roles.ts; docs/security.md, "What a
 * migration changes outside its schema"): migrations of several schemas and databases of one
 * cluster run at once, each creating and granting only roles of its own.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { connect, ledgerRoles, type Sql } from "../../src/ledger/postgres/db.js";
import { migrateLedger, migrationsFolder } from "../../src/ledger/postgres/migrate.js";
import { dropDeployment, TEST_DATABASE_URL } from "../support/ledger.js";

const admin: Sql = connect({ url: TEST_DATABASE_URL, schema: "public", max: 1 });
const created: string[] = [];
const databases: string[] = [];
const journalLength = (JSON.parse(readFileSync(join(migrationsFolder(), "meta", "_journal.json"), "utf8")) as { entries: unknown[] }).entries.length;

afterAll(async () => {
  for (const schema of created) await dropDeployment(admin, TEST_DATABASE_URL, schema);
  for (const database of databases) {
    await admin.unsafe(`drop database if exists "${database}" with (force)`);
    const roles = ledgerRoles(urlOf(database), "sealtrail");
    for (const role of [roles.reader, roles.writer, roles.owner]) await admin.unsafe(`drop role if exists "${role}"`);
  }
  await admin.end();
});

function newSchema(): string {
  const schema = `t_roles_${randomBytes(4).toString("hex")}`;
  created.push(schema);
  return schema;
}

/** TEST_DATABASE_URL with another database. */
function urlOf(database: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function expectMigrated(sql: Sql, schema: string, owner: string): Promise<void> {
  const [row] = await sql.unsafe<{ applied: number; owner: string }[]>(`select (select count(*)::int from "${schema}"."__sealtrail_migrations") as applied,
    (select tableowner from pg_tables where schemaname = '${schema}' and tablename = 'entries') as owner`);
  expect(row, schema).toEqual({ applied: journalLength, owner });
}

describe("migrations on one cluster", () => {
  // Roles are cluster-wide: each deployment (database and schema) must get its own, or two
  // migrations ALTER the same role at once ("tuple concurrently updated") and each deployment's
  // grants reach into the other's.
  it("succeed concurrently on three fresh schemas and two other databases, each with roles of its own", async () => {
    const schemas = [newSchema(), newSchema(), newSchema()];
    const others = [`t_protection_db_${randomBytes(4).toString("hex")}`, `t_protection_db_${randomBytes(4).toString("hex")}`];
    for (const database of others) {
      databases.push(database);
      await admin.unsafe(`create database "${database}"`);
    }
    const results = await Promise.all([
      ...schemas.map((schema) => migrateLedger(TEST_DATABASE_URL, schema)),
      ...others.map((database) => migrateLedger(urlOf(database), "sealtrail")),
      // The same deployment twice at once: one waits for the other, then has nothing to do.
      ...others.map((database) => migrateLedger(urlOf(database), "sealtrail")),
    ]);
    for (const [i, schema] of schemas.entries()) await expectMigrated(admin, schema, results[i]!.owner);
    for (const database of others) {
      const there = connect({ url: urlOf(database), schema: "sealtrail", max: 1 });
      try {
        await expectMigrated(there, "sealtrail", `${database}_sealtrail_owner`);
      } finally {
        await there.end();
      }
    }
    const names = results.flatMap((roles) => [roles.owner, roles.writer, roles.reader]);
    expect(new Set(names).size).toBe(3 * (schemas.length + others.length));
    const existing = await admin<{ rolname: string; rolcanlogin: boolean; rolbypassrls: boolean }[]>`
      select rolname, rolcanlogin, rolbypassrls from pg_roles where rolname in ${admin(names)}`;
    expect(existing).toHaveLength(new Set(names).size);
    expect(existing.every((r) => !r.rolcanlogin)).toBe(true);
    expect(existing.filter((r) => r.rolbypassrls).map((r) => r.rolname).sort()).toEqual(results.map((r) => r.writer).filter((n, i, a) => a.indexOf(n) === i).sort());
    // Each schema's objects are granted to its own roles only.
    for (const [i, schema] of schemas.entries()) {
      const [row] = await admin<{ mine: boolean; theirs: boolean }[]>`
        select has_table_privilege(${results[i]!.writer}, ${`"${schema}".entries`}, 'INSERT') as mine,
               has_table_privilege(${results[(i + 1) % schemas.length]!.writer}, ${`"${schema}".entries`}, 'INSERT') as theirs`;
      expect(row).toEqual({ mine: true, theirs: false });
    }
  }, 180_000);

  it("refuse a schema migrated under other role names, saying which prefix to set", async () => {
    const schema = newSchema();
    await migrateLedger(TEST_DATABASE_URL, schema);
    const error = await migrateLedger(TEST_DATABASE_URL, schema, { rolePrefix: "elsewhere" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "INVALID_INPUT" });
    expect((error as Error).message).toContain(`SEALTRAIL_DB_ROLE_PREFIX=${ledgerRoles(TEST_DATABASE_URL, schema).owner.replace(/_owner$/, "")}`);
  });
});
