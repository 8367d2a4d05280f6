/**
 * Full-text search filled after commit (schema/migrations/0004_search.sql,
 * src/ledger/search-indexer.ts): an entry is found from the moment its append commits,
 * before and after the indexer reaches it, across the watermark, past the walk, under
 * row-level security; a search too far behind fails instead of missing entries; the derived
 * table is protected; concurrent indexers index each entry once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventInput } from "../../src/core/event.js";
import { Appender } from "../../src/ledger/appender.js";
import { connect, type Sql } from "../../src/ledger/db.js";
import { LedgerError } from "../../src/ledger/errors.js";
import { findEntries, findEntryRun } from "../../src/ledger/event-query.js";
import { createLog, type Log } from "../../src/ledger/logs.js";
import { indexLogRun, indexSearchOnce, searchLag } from "../../src/ledger/search-indexer.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

const INSUFFICIENT_PRIVILEGE = "42501";
let ledger: TestLedger;
let reader: Sql;
let appender: Appender;
const logs: Record<string, Log> = {};

beforeAll(async () => {
  ledger = await freshLedger("search_index");
  reader = connect({ url: ledger.url, schema: ledger.schema, role: "sealtrail_reader", max: 2 });
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
  const ids = logNames?.map((n) => logs[n]!.id);
  const rows = await asTenant(tenant, (tx) => findEntries(tx, { text, ...(ids ? { logIds: ids } : {}) }, limit, undefined, searchTailMax === undefined ? {} : { searchTailMax }));
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
    expect(pass).toEqual({ indexed: 4, behind: 0 });
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
      where s.search is distinct from jsonb_to_tsvector('simple'::regconfig, coalesce(e.payload, 'null')::jsonb, '["string"]'::jsonb)`;
    expect(row!.differing).toBe(0);
  });

  it("finds rare words past the walk on both sides of the watermark, and refuses a tail too long to search", async () => {
    // 20,000 entries: the walk reads the first 16,384 seqs; the rest goes to the planner.
    const events = Array.from({ length: 20_000 }, (_, i) => note(i, i === 100 || i === 17_000 || i === 19_000 ? `needle ${i}` : `hay ${i % 50}`));
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
    // Another tenant sees none of it.
    expect(await search("globex", "needle")).toEqual([]);
  });
});

describe("the search indexer", () => {
  it("indexes each entry once when several run at the same time", async () => {
    const log = await createLog(ledger.writer, "busy", { tenant: "acme", origin: "test.example/busy" });
    await appender.append("busy", Array.from({ length: 3000 }, (_, i) => note(i, `word${i % 10}`)));
    const pools = Array.from({ length: 3 }, () => connect({ url: ledger.url, schema: ledger.schema, role: "sealtrail_writer", max: 1 }));
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

  it("is refused UPDATE, DELETE and TRUNCATE to the writer and the reader (42501)", async () => {
    const statements = [
      "update entry_search set search = ''::tsvector",
      "delete from entry_search",
      "truncate entry_search",
    ];
    for (const role of ["sealtrail_writer", "sealtrail_reader"]) {
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
    for (const statement of ["update entry_search set search = ''::tsvector", "delete from entry_search where seq = 0"]) {
      const error = await failure(ledger.admin.unsafe(statement));
      expect(error.code, statement).toBe(INSUFFICIENT_PRIVILEGE);
    }
    const [after] = await ledger.admin<{ n: number }[]>`select count(*)::int as n from entry_search`;
    expect(after!.n).toBe(before!.n);
  });

  it("refuses rows of a log that does not exist", async () => {
    const error = await failure(ledger.writer`insert into entry_search (log_id, seq, search) values (999999, 0, ''::tsvector)`);
    expect(error.code).toBe("23503");
  });

  it("shows a reader the words of its tenant's logs only, and none without a tenant", async () => {
    const seen = await asTenant("globex", (tx) => tx<{ log_id: number }[]>`select distinct log_id from entry_search`);
    expect(seen.map((r) => r.log_id)).toEqual([logs.other!.id]);
    const none = await asTenant(null, (tx) => tx<{ n: number }[]>`select count(*)::int as n from entry_search`);
    expect(none[0]!.n).toBe(0);
  });
});
