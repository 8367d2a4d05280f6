/**
 * Full-text search filled after commit (schema/migrations/0004_search.sql,
 * src/ledger/search-indexer.ts): an entry is found from the moment its append commits,
 * before and after the indexer reaches it, across the watermark, past the walk, under
 * row-level security; a search too far behind fails instead of missing entries; the derived
 * table is protected; concurrent indexers index each entry once.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventInput } from "../../src/core/entry/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { connect, type Sql } from "../../src/ledger/postgres/db.js";
import { LedgerError } from "../../src/ledger/errors.js";
import { type EventFilter, findEntries, findEntryRun } from "../../src/ledger/postgres/event-query.js";
import { createLog, type Log } from "../../src/ledger/postgres/logs.js";
import { indexLogRun, indexSearchOnce, searchLag } from "../../src/ledger/postgres/search-indexer.js";
import { entryWords } from "../../src/ledger/postgres/search-words.js";
import { ledgerRoles, withDeploymentRoles } from "../../src/ledger/postgres/roles.js";
import { MIGRATION_LOCK, migrateLedger, migrationsFolder } from "../../src/ledger/postgres/migrate.js";
import { dropDeployment, freshLedger, TEST_DATABASE_URL, type TestLedger } from "../support/ledger.js";

const INSUFFICIENT_PRIVILEGE = "42501";
let ledger: TestLedger;
let reader: Sql;
let appender: Appender;
const logs: Record<string, Log> = {};

beforeAll(async () => {
  ledger = await freshLedger("search_index");
  reader = connect({ url: ledger.url, schema: ledger.schema, role: "reader", max: 2 });
  for (const [name, tenant] of [["app", "acme"], ["other", "globex"], ["big", "acme"]] as const) {
    logs[name] = await createLog(ledger.writer, name, { tenant, origin: `test.example/${name}` });
  }
  appender = new Appender(ledger.writer);
});
afterAll(async () => {
  await reader?.end();
  await ledger?.close();
});

function note(i: number, text: string): EventInput {
  return { kind: "tmux.output", actor: `user${i % 7}`, action: "output", resource: `tmux/main/%${i % 3}`, source: "host-1", payload: { text, n: i } };
}

/** As a request runs: the reader role with the tenant set for the transaction. */
function asTenant<T>(tenant: string | null, fn: (tx: Sql) => Promise<T>): Promise<T> {
  return reader.begin(async (tx) => {
    if (tenant !== null) await tx`select set_config('sealtrail.tenant', ${tenant}, true)`;
    return fn(tx as unknown as Sql);
  }) as Promise<T>;
}

async function search(tenant: string, text: string, limit = 50, logNames?: string[], searchTailMax?: number): Promise<string[]> {
  return find(tenant, { text }, limit, logNames, searchTailMax);
}

async function find(tenant: string, filter: EventFilter, limit = 50, logNames?: string[], searchTailMax?: number): Promise<string[]> {
  const ids = logNames?.map((n) => logs[n]!.id);
  const rows = await asTenant(tenant, (tx) => findEntries(tx, { ...filter, ...(ids ? { logIds: ids } : {}) }, limit, undefined, searchTailMax === undefined ? {} : { searchTailMax }));
  return rows.map((r) => `${r.log}:${r.seq}`);
}

async function indexedRows(logId: number): Promise<number> {
  const [row] = await ledger.admin<{ n: number }[]>`select count(*)::int as n from entry_search where log_id = ${logId}`;
  return row!.n;
}

describe("search freshness", () => {
  it("finds an entry right after its append, after indexing, and across the watermark", async () => {
    await appender.append("app", [note(0, "kubectl rollout restart payments"), note(1, "ls -la"), note(2, "tail -f payments now")]);
    await appender.append("other", [note(0, "kubectl rollout restart payments")]);
    expect(await indexedRows(logs.app!.id)).toBe(0);
    // Nothing indexed yet: the words come from the payloads, and the tenant sees its own log only.
    expect(await search("acme", "payments")).toEqual(["app:0", "app:2"]);
    expect(await search("globex", "payments")).toEqual(["other:0"]);

    const pass = await indexSearchOnce(ledger.writer);
    expect(pass).toEqual({ indexed: 4, behind: 0, skipped: 0, failedLogs: 0 });
    expect(await indexedRows(logs.app!.id)).toBe(3);
    expect(await search("acme", "payments")).toEqual(["app:0", "app:2"]);
    expect(await search("acme", '"rollout restart" -tail')).toEqual(["app:0"]);

    // New entries past the watermark are found beside the indexed ones, in seq order.
    await appender.append("app", [note(3, "payments rollback"), note(4, "nothing here")]);
    expect(await searchLag(ledger.writer)).toContainEqual({ logId: logs.app!.id, size: 5, indexed: 3 });
    expect(await search("acme", "payments")).toEqual(["app:0", "app:2", "app:3"]);
    expect(await search("acme", "payments", 2)).toEqual(["app:0", "app:2"]);
    // Live feeds (subscriptions) match a run of just-appended entries the same way.
    const run = await asTenant("acme", (tx) => findEntryRun(tx, logs.app!.id, 0, 5, { text: "payments" }));
    expect(run.map((r) => r.seq)).toEqual([0, 2, 3]);

    await indexSearchOnce(ledger.writer);
    expect(await search("acme", "payments")).toEqual(["app:0", "app:2", "app:3"]);
  });

  it("stores the same words the unindexed search computes", async () => {
    const [row] = await ledger.admin<{ differing: number }[]>`
      select count(*)::int as differing from entry_search s join entries e using (log_id, seq)
      where s.search is distinct from ${entryWords(ledger.admin)}`;
    expect(row!.differing).toBe(0);
  });

  it("leaves a tmux.output chunk's base64 bytes out of its words, before and after indexing", async () => {
    const tty = (logs.tty = await createLog(ledger.writer, "tty", { tenant: "acme", origin: "test.example/tty" }));
    // 27 bytes: base64 without padding, "+" or "/", so the whole of it would be one word.
    const data = Buffer.from("deploy \u001b[1mfinished\u001b[0m\r\n!!").toString("base64");
    expect(data).toMatch(/^[A-Za-z0-9]+$/);
    await appender.append("tty", [{ kind: "tmux.output", actor: "alice", action: "pane.output", resource: "host-1", payload: { pane: "%1", data, text: "deploy finished\n" } }]);
    const token = data;
    expect(await search("acme", token, 50, ["tty"])).toEqual([]);
    expect(await search("acme", "finished", 50, ["tty"])).toEqual(["tty:0"]);
    while ((await indexLogRun(ledger.writer, tty.id, 100)) > 0);
    expect(await indexedRows(tty.id)).toBe(1);
    expect(await search("acme", token, 50, ["tty"])).toEqual([]);
    expect(await search("acme", "finished", 50, ["tty"])).toEqual(["tty:0"]);
    // Other kinds keep every string, whatever its key.
    await appender.append("tty", [{ kind: "custom", actor: "alice", action: "note", resource: "host-1", payload: { data: "zebracorn" } }]);
    expect(await search("acme", "zebracorn", 50, ["tty"])).toEqual(["tty:1"]);
  });

  it("finds rare words, actors and resources past the walk on both sides of the watermark, and refuses a tail too long to search", async () => {
    // 20,000 entries: the walk reads the first 16,384 seqs; the rest goes to the planner.
    const rare = new Set([100, 17_000, 19_000]);
    const events = Array.from({ length: 20_000 }, (_, i) =>
      rare.has(i) ? { ...note(i, `needle ${i}`), actor: "rare-actor", resource: `rare/${i}` } : note(i, `hay ${i % 50}`),
    );
    for (let i = 0; i < events.length; i += 5000) await appender.append("big", events.slice(i, i + 5000));
    let indexed = 0;
    while (indexed < 18_000) indexed += await indexLogRun(ledger.writer, logs.big!.id, 18_000 - indexed);
    expect(await indexedRows(logs.big!.id)).toBe(18_000);

    // 100 in the walk (indexed), 17,000 past it (indexed, through the GIN index), 19,000 past it (not indexed).
    expect(await search("acme", "needle", 50, ["big"])).toEqual(["big:100", "big:17000", "big:19000"]);
    // A tail longer than the bound is refused, not skipped...
    const error = await search("acme", "needle", 50, ["big"], 1000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LedgerError);
    expect((error as LedgerError).code).toBe("SEARCH_BEHIND");
    // ...but only when the page needs it.
    expect(await search("acme", "needle", 2, ["big"], 1000)).toEqual(["big:100", "big:17000"]);
    // Common words fill the page in the walk whatever the tail.
    expect(await search("acme", "hay", 3, ["big"], 1000)).toEqual(["big:0", "big:1", "big:2"]);
    // Actor and resource, served by entry_search below the watermark, by entries past it.
    expect(await find("acme", { actor: "rare-actor" }, 50, ["big"])).toEqual(["big:100", "big:17000", "big:19000"]);
    expect(await find("acme", { resource: "rare/17000" }, 50, ["big"])).toEqual(["big:17000"]);
    expect(await find("acme", { resource: "rare/19000" }, 50, ["big"])).toEqual(["big:19000"]);
    expect(await find("acme", { actor: "rare-actor", text: "needle -19000" }, 50, ["big"])).toEqual(["big:100", "big:17000"]);
    expect(await find("acme", { actor: "rare-actor", kinds: ["deploy"] }, 50, ["big"])).toEqual([]);
    const behind = await find("acme", { actor: "rare-actor" }, 50, ["big"], 1000).catch((e: unknown) => e);
    expect((behind as LedgerError).code).toBe("SEARCH_BEHIND");
    // Another tenant sees none of it.
    expect(await search("globex", "needle")).toEqual([]);
  });
});

describe("the search indexer", () => {
  it("indexes each entry once when several run at the same time", async () => {
    const log = await createLog(ledger.writer, "busy", { tenant: "acme", origin: "test.example/busy" });
    await appender.append("busy", Array.from({ length: 3000 }, (_, i) => note(i, `word${i % 10}`)));
    const pools = Array.from({ length: 3 }, () => connect({ url: ledger.url, schema: ledger.schema, role: "writer", max: 1 }));
    try {
      // Small runs, so that the three contend for the log many times over.
      await Promise.all(pools.map(async (sql) => {
        for (let i = 0; i < 40; i++) await indexLogRun(sql, log.id, 100);
      }));
      await indexSearchOnce(ledger.writer);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
    const [row] = await ledger.admin<{ n: number; distinct: number; max: number }[]>`
      select count(*)::int as n, count(distinct seq)::int as distinct, max(seq)::int as max from entry_search where log_id = ${log.id}`;
    expect(row).toEqual({ n: 3000, distinct: 3000, max: 2999 });
  });

  it("rebuilds the table after its owner truncates it", async () => {
    const before = await search("acme", "payments", 50, ["app"]);
    await ledger.admin`truncate entry_search`;
    expect(await search("acme", "payments", 50, ["app"])).toEqual(before); // unindexed meanwhile
    for (let pass = await indexSearchOnce(ledger.writer); pass.behind > 0; pass = await indexSearchOnce(ledger.writer));
    const lag = await searchLag(ledger.writer);
    expect(lag.every((l) => l.indexed === l.size)).toBe(true);
    expect(await search("acme", "payments", 50, ["app"])).toEqual(before);
  });
});

describe("entry_search protection", () => {
  async function failure(p: Promise<unknown>): Promise<{ code?: string }> {
    return p.then(
      () => ({ code: "no error" }),
      (e: { code?: string }) => e,
    );
  }

  // An erasure may blank a row's actor, resource and words (docs/erasure.md); nothing else changes a row.
  it("is refused UPDATE (but blanking), DELETE and TRUNCATE to the writer and the reader (42501)", async () => {
    const statements = [
      "update entry_search set search = to_tsvector('simple', 'forged')",
      "delete from entry_search",
      "truncate entry_search",
    ];
    for (const role of [ledger.roles.writer, ledger.roles.reader]) {
      for (const statement of statements) {
        const error = await failure(ledger.admin.begin(async (tx) => {
          await tx.unsafe(`set local role ${role}`);
          await tx.unsafe(statement);
        }));
        expect(error.code, `${role}: ${statement}`).toBe(INSUFFICIENT_PRIVILEGE);
      }
    }
  });

  it("refuses UPDATE and DELETE by anyone, the owner included, through its trigger", async () => {
    const [before] = await ledger.admin<{ n: number }[]>`select count(*)::int as n from entry_search`;
    // Blanking with no recorded removal (entry_removals) would hide an entry from search: refused too.
    for (const statement of ["update entry_search set search = ''::tsvector", "update entry_search set actor = ''", "update entry_search set search = to_tsvector('simple', 'forged')", "update entry_search set actor = 'forged'", "update entry_search set seq = seq + 1000", "delete from entry_search where seq = 0"]) {
      const error = await failure(ledger.admin.unsafe(statement));
      expect(error.code, statement).toBe(INSUFFICIENT_PRIVILEGE);
    }
    const [after] = await ledger.admin<{ n: number }[]>`select count(*)::int as n from entry_search`;
    expect(after!.n).toBe(before!.n);
  });

  it("refuses rows of a log that does not exist", async () => {
    const error = await failure(ledger.writer`insert into entry_search (log_id, seq, actor, resource, search) values (999999, 0, 'a', 'r', ''::tsvector)`);
    expect(error.code).toBe("23503");
  });

  it("shows a reader the words of its tenant's logs only, and none without a tenant", async () => {
    const seen = await asTenant("globex", (tx) => tx<{ log_id: number }[]>`select distinct log_id from entry_search`);
    expect(seen.map((r) => r.log_id)).toEqual([logs.other!.id]);
    const none = await asTenant(null, (tx) => tx<{ n: number }[]>`select count(*)::int as n from entry_search`);
    expect(none[0]!.n).toBe(0);
  });
});

describe("migration 0004 on a database with entries", () => {
  it("backfills entry_search for the rows present, concurrently with itself, and search finds them", async () => {
    // The ledger as the previous release left it: migrations 0000–0003 only.
    const folder = mkdtempSync(join(tmpdir(), "sealtrail-migrations-"));
    const schema = `${ledger.schema}_old`;
    try {
      cpSync(migrationsFolder(), folder, { recursive: true });
      const journalPath = join(folder, "meta", "_journal.json");
      const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { tag: string }[] };
      journal.entries = journal.entries.filter((e) => e.tag < "0004");
      writeFileSync(journalPath, JSON.stringify(journal));
      // With this deployment's role names written in, as migrateLedger does.
      for (const { tag } of journal.entries) {
        const file = join(folder, `${tag}.sql`);
        writeFileSync(file, withDeploymentRoles(readFileSync(file, "utf8"), ledgerRoles(TEST_DATABASE_URL, schema)));
      }
      await ledger.admin.unsafe(`create schema "${schema}"`);
      const old = connect({ url: TEST_DATABASE_URL, schema, max: 1 });
      // Under migrateLedger's lock, as other test files migrate at the same time (0003 alters a function of the database).
      await old`select pg_advisory_lock(${MIGRATION_LOCK})`;
      await migrate(drizzle(old), { migrationsFolder: folder, migrationsSchema: schema, migrationsTable: "__sealtrail_migrations" });
      await old`select pg_advisory_unlock(${MIGRATION_LOCK})`;
      // Today's code writes the rows of that release (a v1 log's entries are the same) but names
      // the log's leaf format (0007): the column lives only while it writes them.
      await old`alter table logs add column leaf_version smallint not null default 1`;
      const oldWriter = connect({ url: TEST_DATABASE_URL, schema, role: "writer", max: 1 });
      await createLog(oldWriter, "kept", { tenant: "acme", origin: "test.example/kept", leafVersion: 1 });
      await new Appender(oldWriter).append("kept", Array.from({ length: 300 }, (_, i) => note(i, i % 30 === 0 ? "legacy needle" : "legacy hay")));
      await oldWriter.end();
      await old`alter table logs drop column leaf_version`;
      const [{ has }] = (await old`select count(*)::int as has from information_schema.columns
        where table_schema = ${schema} and table_name = 'entries' and column_name = 'search'`) as unknown as [{ has: number }];
      expect(has).toBe(1);
      await old.end();

      await Promise.all([migrateLedger(TEST_DATABASE_URL, schema), migrateLedger(TEST_DATABASE_URL, schema)]);

      const sql = connect({ url: TEST_DATABASE_URL, schema, max: 1 });
      const oldReader = connect({ url: TEST_DATABASE_URL, schema, role: "reader", max: 1 });
      try {
        const [row] = await sql<{ n: number; distinct: number; columns: number }[]>`
          select count(*)::int as n, count(distinct seq)::int as distinct,
                 (select count(*)::int from information_schema.columns where table_schema = ${schema} and table_name = 'entries' and column_name = 'search') as columns
          from entry_search`;
        expect(row).toEqual({ n: 300, distinct: 300, columns: 0 });
        const found = await oldReader.begin(async (tx) => {
          await tx`select set_config('sealtrail.tenant', 'acme', true)`;
          return findEntries(tx as unknown as Sql, { text: "needle" }, 50);
        });
        expect(found.map((r) => r.seq)).toEqual(Array.from({ length: 10 }, (_, k) => 30 * k));
      } finally {
        await Promise.all([sql.end(), oldReader.end()]);
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
      await dropDeployment(ledger.admin, TEST_DATABASE_URL, schema);
    }
  });
});
