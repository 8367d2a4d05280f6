/**
 * The roles the services act as (the writer; a request's reader) own nothing: they cannot
 * switch the ledger's triggers off, nor delete, update or truncate ledger rows, nor become the
 * owner (docs/security.md, "Who can still change the ledger"). Checked over every table of the
 * schema, so a table added later is covered without being named here. The grants they do hold
 * (the writer's DELETE on entry_secrets for crypto-shredding, its UPDATE of entry_search's
 * blanked columns) stay guarded by triggers, tested in protection.test.ts and the erasure tests.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Appender } from "../../src/ledger/postgres/appender.js";
import type { Sql } from "../../src/ledger/postgres/db.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

const INSUFFICIENT_PRIVILEGE = "42501";
let ledger: TestLedger;
let tables: string[];
/** Each table's first column, to write an UPDATE that names a column it has. */
const firstColumn = new Map<string, string>();

beforeAll(async () => {
  ledger = await freshLedger("runtime_roles");
  await createLog(ledger.writer, "guarded", { tenant: "acme", origin: "test.example/guarded" });
  await new Appender(ledger.writer).append("guarded", Array.from({ length: 20 }, (_, i) => ({ kind: "deploy", actor: "alice", action: "deploy.start", resource: `service/${i}`, payload: { i } })));
  const rows = await ledger.admin<{ name: string }[]>`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${ledger.schema} and c.relkind in ('r', 'p') order by 1`;
  tables = rows.map((r) => r.name);
  for (const { table, column } of await ledger.admin<{ table: string; column: string }[]>`select table_name as table, column_name as column
    from information_schema.columns where table_schema = ${ledger.schema} and ordinal_position = 1`) firstColumn.set(table, column);
});
afterAll(async () => ledger?.close());

/** Runs `statement` as `role` in a transaction that is rolled back; the error, or "succeeded". */
async function as(role: string, statement: string): Promise<unknown> {
  const ROLLBACK = new Error("rollback");
  const outcome = await ledger.admin
    .begin(async (tx) => {
      await tx.unsafe(`set local role "${role}"`);
      await tx.unsafe(statement);
      throw ROLLBACK;
    })
    .catch((error: unknown) => error);
  return outcome === ROLLBACK ? "succeeded" : outcome;
}

async function snapshot(sql: Sql): Promise<string> {
  const counts = [];
  for (const t of tables) counts.push(`${t}:${(await sql.unsafe<{ n: number }[]>(`select count(*)::int as n from "${t}"`))[0]!.n}`);
  return counts.join(",");
}

describe.each(["writer", "reader"] as const)("as the %s role", (kind) => {
  it("has rows to protect, and is no member of the owner role nor may create in the schema", async () => {
    expect(tables).toContain("entries");
    const role = ledger.roles[kind];
    const [row] = await ledger.admin<{ member: boolean; create: boolean; superuser: boolean }[]>`
      select pg_has_role(${role}, ${ledger.roles.owner}, 'MEMBER') as member,
             has_schema_privilege(${role}, ${ledger.schema}, 'CREATE') as create,
             (select rolsuper from pg_roles where rolname = ${role}) as superuser`;
    expect(row).toEqual({ member: false, create: false, superuser: false });
  });

  it("cannot disable a trigger, truncate, or delete and update rows of any ledger table", async () => {
    const role = ledger.roles[kind];
    const before = await snapshot(ledger.admin);
    for (const table of tables) {
      // ALTER TABLE needs ownership (42501 "must be owner"), whichever trigger is named.
      for (const statement of [`alter table "${table}" disable trigger all`, `alter table "${table}" disable trigger user`, `alter table "${table}" owner to "${role}"`, `truncate "${table}" cascade`]) {
        expect(await as(role, statement), `${role}: ${statement}`).toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
      }
      // Granted only where the ledger needs it, and guarded there by triggers: with rows present,
      // the guard refuses with the same SQLSTATE.
      // entry_secrets: the writer's DELETE is the crypto-shredding of clear values (docs/erasure.md),
      // which the verifier reports when no erasure or expiry record authorizes it.
      const deletes = kind === "writer" && table === "entry_secrets" ? [] : [`delete from "${table}"`];
      for (const statement of [...deletes, `update "${table}" set "${firstColumn.get(table)}" = "${firstColumn.get(table)}"`]) {
        const outcome = await as(role, statement);
        expect(outcome, `${role}: ${statement}`).toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
      }
    }
    // The session_replication_role that turns every trigger off is a superuser's setting.
    expect(await as(role, "set session_replication_role = replica")).toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
    expect(await snapshot(ledger.admin)).toBe(before);
  });
});
