/**
 * Protection in depth of the ledger schema (schema/migrations/0001_protection.sql): grants,
 * append-only triggers, row-level security for readers, migrations safe to run concurrently
 * (the appender surfacing what the server refuses is in appender-refusal.test.ts). Every
 * refusal is asserted by SQLSTATE and by the stored rows being unchanged afterwards.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { connect, type Sql } from "../../src/ledger/postgres/db.js";
import { createLog, type Log } from "../../src/ledger/postgres/logs.js";
import { migrateLedger, migrationsFolder } from "../../src/ledger/postgres/migrate.js";
import { dropDeployment, freshLedger, TEST_DATABASE_URL, type TestLedger } from "../support/ledger.js";

const INSUFFICIENT_PRIVILEGE = "42501";
const TABLES = ["logs", "entries", "merkle_nodes", "checkpoints"] as const;
type Table = (typeof TABLES)[number];

// One UPDATE and one DELETE per table, each touching the rows of log $1.
const TAMPER: Record<Table, { update: string; delete: string }> = {
  logs: { update: "update logs set tenant = 'mallory' where id = $1", delete: "delete from logs where id = $1" },
  entries: { update: "update entries set actor = 'mallory' where log_id = $1", delete: "delete from entries where log_id = $1" },
  merkle_nodes: { update: "update merkle_nodes set hash = sha256(hash) where log_id = $1", delete: "delete from merkle_nodes where log_id = $1" },
  checkpoints: { update: "update checkpoints set note = 'forged' where log_id = $1", delete: "delete from checkpoints where log_id = $1" },
};

let ledger: TestLedger;
let guarded: Log;
beforeAll(async () => {
  ledger = await freshLedger("protection");
  guarded = await createLog(ledger.writer, "guarded", { origin: "test.example/guarded" });
  // 16 entries: the first stored Merkle node (level 4) is complete.
  await new Appender(ledger.writer).append("guarded", Array.from({ length: 16 }, (_, i) => event(["alice", "bob", "carol"][i % 3]!, i)));
  await insertCheckpoint(ledger.writer, guarded.id, 16);
});
afterAll(async () => ledger?.close());

function event(actor: string, i: number) {
  return { kind: "deploy", actor, action: "deploy.start", resource: `service/${i}`, payload: { i } };
}

/** A checkpoint row with a dummy root: these tests exercise grants and policies, not signatures. */
async function insertCheckpoint(sql: Sql, logId: number, size: number): Promise<void> {
  await sql`insert into checkpoints (log_id, size, root, note, key_id)
    values (${logId}, ${size}, ${Buffer.alloc(32, size)}, ${`test.example checkpoint ${size}`}, ${"test-key"})`;
}

/** Every row of the four ledger tables, as the superuser sees them, in a stable order. */
async function snapshot(): Promise<string> {
  const [row] = await ledger.admin`select
    (select json_agg(t order by id) from logs t) as logs,
    (select json_agg(t order by log_id, seq) from entries t) as entries,
    (select json_agg(t order by log_id, level, idx) from merkle_nodes t) as merkle_nodes,
    (select json_agg(t order by log_id, size) from checkpoints t) as checkpoints`;
  return JSON.stringify(row);
}

/** The error a statement fails with; its result when it wrongly succeeds (so code is absent). */
function failure(statement: PromiseLike<unknown>): Promise<unknown> {
  return Promise.resolve(statement).catch((error: unknown) => error);
}

const ROLLBACK = new Error("rollback");

/** Run `fn` in a transaction that is always rolled back: nothing it did survives. */
async function rolledBack(sql: Sql, fn: (tx: Sql) => Promise<void>): Promise<void> {
  await sql
    .begin(async (tx) => {
      await fn(tx as unknown as Sql);
      throw ROLLBACK;
    })
    .catch((error: unknown) => {
      if (error !== ROLLBACK) throw error;
    });
}

describe("as the writer role", () => {
  it("appends through the Appender and reads back what it wrote", async () => {
    const log = await createLog(ledger.writer, "writer-ok", { origin: "test.example/writer-ok" });
    const actors = Array.from({ length: 16 }, (_, i) => (i % 2 ? "bob" : "alice"));
    const receipts = await new Appender(ledger.writer).append("writer-ok", actors.map((a, i) => event(a, i)));
    expect(receipts.map((r) => r.seq)).toEqual(actors.map((_, i) => i));
    const rows = await ledger.writer<{ seq: number; actor: string }[]>`
      select seq, actor from entries where log_id = ${log.id} order by seq`;
    expect(rows.map((r) => [r.seq, r.actor])).toEqual(actors.map((a, i) => [i, a]));
    const [nodes] = await ledger.writer<{ count: number }[]>`select count(*)::int as count from merkle_nodes where log_id = ${log.id}`;
    expect(nodes!.count).toBe(1);
  });

  it("has rows in every table to protect", async () => {
    const counts = await ledger.admin<{ n: number }[]>`
      select count(*)::int as n from logs where id = ${guarded.id}
      union all select count(*)::int from entries where log_id = ${guarded.id}
      union all select count(*)::int from merkle_nodes where log_id = ${guarded.id}
      union all select count(*)::int from checkpoints where log_id = ${guarded.id}`;
    expect(counts.map((c) => c.n)).toEqual([1, 16, 1, 1]);
  });

  it.each(TABLES)("is refused UPDATE, DELETE, TRUNCATE on %s (42501)", async (table) => {
    const before = await snapshot();
    for (const statement of [TAMPER[table].update, TAMPER[table].delete]) {
      expect(await failure(ledger.writer.unsafe(statement, [guarded.id])), statement).toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
    }
    expect(await failure(ledger.writer.unsafe(`truncate ${table}`)), `truncate ${table}`).toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
    expect(await snapshot()).toBe(before);
  });

  it("is refused an upsert (ON CONFLICT DO UPDATE needs UPDATE)", async () => {
    const before = await snapshot();
    const upsert = ledger.writer`insert into logs (name, tenant, origin) values ('guarded', 'mallory', 'test.example/elsewhere')
      on conflict (name) do update set tenant = excluded.tenant`;
    expect(await failure(upsert)).toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
    expect(await snapshot()).toBe(before);
  });

  // The triggers refuse with the same SQLSTATE, so with them on, a missing REVOKE would go
  // unnoticed: here they are off (as the superuser, before switching role) and the grants
  // alone must refuse.
  it.each(TABLES)("is refused UPDATE, DELETE, TRUNCATE on %s by the grants alone, triggers off", async (table) => {
    const before = await snapshot();
    for (const statement of [TAMPER[table].update, TAMPER[table].delete, `truncate ${table}`]) {
      await rolledBack(ledger.admin, async (tx) => {
        await tx`set local session_replication_role = replica`;
        await tx.unsafe(`set local role "${ledger.roles.writer}"`);
        const params = statement.includes("$1") ? [guarded.id] : [];
        expect(await failure(tx.unsafe(statement, params)), statement).toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
      });
    }
    expect(await snapshot()).toBe(before);
  });
});

// Both roles hold every privilege on the tables (the owner owns them): only the triggers stand
// in the way.
describe.each([
  { who: "the superuser", role: undefined },
  { who: "the owner role", role: "owner" as const },
])("as $who, with triggers enabled", ({ role }) => {
  let sql: Sql;
  beforeAll(() => {
    sql = role ? connect({ url: ledger.url, schema: ledger.schema, role, max: 1 }) : ledger.admin;
  });
  afterAll(async () => {
    if (role) await sql.end();
  });

  it.each(TABLES)("UPDATE and DELETE on %s are refused by the trigger and change nothing", async (table) => {
    const before = await snapshot();
    for (const statement of [TAMPER[table].update, TAMPER[table].delete]) {
      expect(await failure(sql.unsafe(statement, [guarded.id])), statement).toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
    }
    expect(await snapshot()).toBe(before);
  });

  // TRUNCATE checks foreign keys before it fires triggers, so logs is truncated with CASCADE;
  // the other tables' truncate triggers are switched off for that one statement, so the table
  // named is the one whose trigger must refuse.
  it.each(TABLES)("TRUNCATE on %s is refused by its trigger and changes nothing", async (table) => {
    const before = await snapshot();
    await rolledBack(sql, async (tx) => {
      for (const other of TABLES.filter((t) => t !== table)) await tx.unsafe(`alter table ${other} disable trigger ${other}_no_truncate`);
      expect(await failure(tx.unsafe(`truncate ${table} cascade`))).toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
    });
    expect(await failure(sql.unsafe(`truncate ${table} cascade`))).toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
    expect(await snapshot()).toBe(before);
  });
});

describe("row-level security for the reader role", () => {
  const ids: Record<"acme" | "globex", number[]> = { acme: [], globex: [] };
  let reader: Sql;

  beforeAll(async () => {
    const appender = new Appender(ledger.writer);
    for (const [name, tenant, n] of [["acme-1", "acme", 17], ["acme-2", "acme", 16], ["globex-1", "globex", 20]] as const) {
      const log = await createLog(ledger.writer, name, { tenant, origin: `test.example/${name}` });
      await appender.append(name, Array.from({ length: n }, (_, i) => event(`${tenant}-user`, i)));
      await insertCheckpoint(ledger.writer, log.id, n);
      ids[tenant].push(log.id);
    }
    // One connection, so the tenant-less queries below reuse a session that had a tenant set.
    reader = connect({ url: ledger.url, schema: ledger.schema, role: "reader", max: 1 });
  });
  afterAll(async () => reader?.end());

  /** Run `fn` as a request does: in a transaction, with the tenant set for it alone. */
  function asTenant<T>(tenant: string | null, fn: (tx: Sql) => Promise<T>, sql = reader): Promise<T> {
    return sql.begin(async (tx) => {
      if (tenant !== null) await tx`select set_config('sealtrail.tenant', ${tenant}, true)`;
      return fn(tx as unknown as Sql);
    }) as Promise<T>;
  }

  /** Row counts per table, restricted to `logIds`, as the superuser sees them. */
  async function countsFor(logIds: number[]) {
    const [row] = await ledger.admin<{ logs: number; entries: number; merkle_nodes: number; checkpoints: number }[]>`select
      (select count(*)::int from logs where id = any(${logIds})) as logs,
      (select count(*)::int from entries where log_id = any(${logIds})) as entries,
      (select count(*)::int from merkle_nodes where log_id = any(${logIds})) as merkle_nodes,
      (select count(*)::int from checkpoints where log_id = any(${logIds})) as checkpoints`;
    return row!;
  }

  async function visibleCounts(tx: Sql) {
    const [row] = await tx<{ logs: number; entries: number; merkle_nodes: number; checkpoints: number }[]>`select
      (select count(*)::int from logs) as logs,
      (select count(*)::int from entries) as entries,
      (select count(*)::int from merkle_nodes) as merkle_nodes,
      (select count(*)::int from checkpoints) as checkpoints`;
    return row!;
  }

  it.each([
    { tenant: "acme", other: "globex" },
    { tenant: "globex", other: "acme" },
  ] as const)("shows $tenant only its own logs, entries, nodes and checkpoints, whatever the query", async ({ tenant, other }) => {
    const own = await countsFor(ids[tenant]);
    expect(own.entries).toBeGreaterThan(0);
    expect(own.merkle_nodes).toBeGreaterThan(0);
    await asTenant(tenant, async (tx) => {
      const logs = await tx<{ id: number; tenant: string }[]>`select * from logs order by id`;
      expect(logs.map((l) => l.id)).toEqual(ids[tenant]);
      expect(new Set(logs.map((l) => l.tenant))).toEqual(new Set([tenant]));

      for (const table of ["entries", "merkle_nodes", "checkpoints"] as const) {
        const rows = await tx.unsafe<{ log_id: number }[]>(`select * from ${table}`);
        expect(rows, table).toHaveLength(own[table]);
        expect(rows.every((r) => ids[tenant].includes(r.log_id)), table).toBe(true);
        const named = await tx.unsafe(`select * from ${table} where log_id = any($1)`, [ids[other]]);
        expect(named, `${table} of ${other}, named`).toHaveLength(0);
      }
      const named = await tx`select * from logs where id = any(${ids[other]}) or tenant = ${other}`;
      expect(named).toHaveLength(0);

      expect(await visibleCounts(tx)).toEqual(own);
      const joined = await tx<{ tenant: string; entries: number }[]>`
        select l.tenant, count(*)::int as entries from entries e join logs l on l.id = e.log_id group by l.tenant`;
      expect(joined).toEqual([{ tenant, entries: own.entries }]);
      // Joined the other way round, entries of other tenants' logs stay hidden too.
      const [unjoined] = await tx<{ count: number }[]>`
        select count(*)::int as count from entries e left join logs l on l.id = e.log_id where l.id is null`;
      expect(unjoined!.count).toBe(0);
    });
  });

  it("shows nothing when no tenant is set, on a fresh session and on a reused one", async () => {
    const fresh = connect({ url: ledger.url, schema: ledger.schema, role: "reader", max: 1 });
    try {
      const none = { logs: 0, entries: 0, merkle_nodes: 0, checkpoints: 0 };
      expect(await asTenant(null, visibleCounts, fresh)).toEqual(none);
      // After SET LOCAL ends, current_setting() is '' rather than NULL on that session.
      expect((await asTenant("acme", visibleCounts)).logs).toBe(ids.acme.length);
      expect(await asTenant(null, visibleCounts)).toEqual(none);
      expect(await visibleCounts(reader)).toEqual(none);
    } finally {
      await fresh.end();
    }
  });

  it("refuses the reader INSERT, UPDATE, DELETE and TRUNCATE (42501)", async () => {
    const before = await snapshot();
    const statements = [
      `insert into logs (name, tenant, origin) values ('acme-3', 'acme', 'test.example/acme-3')`,
      `insert into entries (log_id) values (${ids.acme[0]})`,
      `insert into merkle_nodes (log_id) values (${ids.acme[0]})`,
      `insert into checkpoints (log_id) values (${ids.acme[0]})`,
      ...TABLES.flatMap((t) => [TAMPER[t].update.replace("$1", String(ids.acme[0])), TAMPER[t].delete.replace("$1", String(ids.acme[0])), `truncate ${t}`]),
    ];
    for (const statement of statements) {
      const error = await failure(asTenant("acme", (tx) => tx.unsafe(statement)));
      expect(error, statement).toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
    }
    expect(await snapshot()).toBe(before);
  });
});

/** Append-only with the tenant's row-level security: no UPDATE or DELETE, no TRUNCATE. */
function appendOnly(table: string, logExists: boolean) {
  const triggers = [
    ...(logExists ? [`${table}_log_exists:sealtrail_check_log_ids`] : []),
    `${table}_no_change:sealtrail_forbid_change`,
    `${table}_no_truncate:sealtrail_forbid_change`,
  ];
  return { secured: true, policies: 1, triggers: triggers.join(",") };
}

const EXPECTED_GUARDS: Record<string, { secured: boolean; policies: number; triggers: string }> = {
  // The migration journal belongs to the owner role alone; no other role is granted it.
  __sealtrail_migrations: { secured: false, policies: 0, triggers: "" },
  // Keys are read before a tenant is known (bearer lookup); rows may only be revoked, never removed.
  api_keys: { secured: false, policies: 0, triggers: "api_keys_no_truncate:sealtrail_forbid_change,api_keys_revoke_only:sealtrail_api_key_revoke_only" },
  checkpoint_cosignatures: appendOnly("checkpoint_cosignatures", true),
  checkpoint_timestamps: appendOnly("checkpoint_timestamps", true),
  checkpoints: appendOnly("checkpoints", false),
  // Rows leave only as archived ranges (0008): a delete is checked against archived_ranges.
  entries: { secured: true, policies: 1, triggers: "entries_delete_archived:sealtrail_check_archived,entries_log_exists:sealtrail_check_log_ids,entries_no_truncate:sealtrail_forbid_change,entries_no_update:sealtrail_forbid_change" },
  entry_removals: appendOnly("entry_removals", true),
  // Clear values and salts of v2 logs: deleted by crypto-shredding, never updated.
  entry_secrets: { secured: true, policies: 1, triggers: "entry_secrets_log_exists:sealtrail_check_log_ids,entry_secrets_no_truncate:sealtrail_forbid_change,entry_secrets_no_update:sealtrail_forbid_change" },
  // Derived data rebuilt by the indexer: its owner may truncate it; an erasure may blank a
  // row's values, nothing else; rows of archived ranges stay, so that searches find them (0011).
  entry_search: { secured: true, policies: 1, triggers: "entry_search_log_exists:sealtrail_check_log_ids,entry_search_no_delete:sealtrail_forbid_change,entry_search_scrub_only:sealtrail_search_scrub_only" },
  archived_ranges: appendOnly("archived_ranges", true),
  // Attested files, by tenant (no log id): read by the tenant's reader only, never changed.
  attestation_files: appendOnly("attestation_files", false),
  retention_policies: appendOnly("retention_policies", true),
  log_visibility: appendOnly("log_visibility", true),
  logs: appendOnly("logs", false),
  merkle_nodes: appendOnly("merkle_nodes", true),
};

describe("migrations", () => {
  const created: string[] = [];
  const journalLength = (JSON.parse(readFileSync(join(migrationsFolder(), "meta", "_journal.json"), "utf8")) as { entries: unknown[] }).entries.length;

  afterAll(async () => {
    for (const schema of created) await dropDeployment(ledger.admin, TEST_DATABASE_URL, schema);
  });

  function newSchema(): string {
    const schema = `t_protection_mig_${randomBytes(4).toString("hex")}`;
    created.push(schema);
    return schema;
  }

  async function expectMigrated(schema: string): Promise<void> {
    const [applied] = await ledger.admin.unsafe<{ count: number }[]>(`select count(*)::int as count from "${schema}"."__sealtrail_migrations"`);
    expect(applied!.count, `${schema}: migrations applied`).toBe(journalLength);
    // Every table the migrations create, with its guards: a table added without being named here
    // (and so without a decision about its protection) fails this check, whoever adds it.
    const tables = await ledger.admin<{ name: string; secured: boolean; policies: number; triggers: string | null }[]>`
      select c.relname as name, c.relrowsecurity as secured,
        (select count(*)::int from pg_policies p where p.schemaname = ${schema} and p.tablename = c.relname) as policies,
        (select string_agg(t.tgname || ':' || f.proname, ',' order by t.tgname) from pg_trigger t join pg_proc f on f.oid = t.tgfoid
          where t.tgrelid = c.oid and not t.tgisinternal) as triggers
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${schema} and c.relkind in ('r', 'p') order by c.relname`;
    const shape = Object.fromEntries(tables.map((t) => [t.name, { secured: t.secured, policies: t.policies, triggers: t.triggers ?? "" }]));
    expect(shape, schema).toEqual(EXPECTED_GUARDS);
  }

  it("apply once when four run concurrently on one schema, and again as a no-op", async () => {
    const schema = newSchema();
    await Promise.all(Array.from({ length: 4 }, () => migrateLedger(TEST_DATABASE_URL, schema)));
    await expectMigrated(schema);
    await migrateLedger(TEST_DATABASE_URL, schema);
    await expectMigrated(schema);
  });

  it("succeed concurrently on three fresh schemas", async () => {
    const schemas = [newSchema(), newSchema(), newSchema()];
    await Promise.all(schemas.map((schema) => migrateLedger(TEST_DATABASE_URL, schema)));
    for (const schema of schemas) await expectMigrated(schema);
  });
});
