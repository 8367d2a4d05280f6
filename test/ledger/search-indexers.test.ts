/**
 * Several search indexers in one process (SEALTRAIL_SEARCH_INDEXERS): run at once they index
 * every entry of every log exactly once, and a log whose run is stuck (here: a row of its
 * next seq held by an open transaction) does not stop the other logs from being indexed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSearchConfig } from "../../src/config/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { connect, type Sql } from "../../src/ledger/postgres/db.js";
import { createLog, type Log } from "../../src/ledger/postgres/logs.js";
import { runSearchIndexer, searchLag } from "../../src/ledger/postgres/search-indexer.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
let indexerSql: Sql;
const logs: Log[] = [];

beforeAll(async () => {
  ledger = await freshLedger("search_indexers");
  indexerSql = connect({ url: ledger.url, schema: ledger.schema, role: "writer", max: 2 });
  const appender = new Appender(ledger.writer);
  for (const [i, tenant] of ["acme", "globex", "initech"].entries()) {
    logs.push(await createLog(ledger.writer, `l${i}`, { tenant, origin: `test.example/l${i}` }));
    await appender.append(`l${i}`, Array.from({ length: 300 }, (_, n) => ({ kind: "custom", actor: `a${n}`, action: "x", resource: `r${n}`, payload: { note: `word${n}` } })));
  }
});
afterAll(async () => {
  await indexerSql?.end();
  await ledger?.close();
});

const indexed = async (log: Log) => (await ledger.admin<{ n: number }[]>`select count(*)::int as n from entry_search where log_id = ${log.id}`)[0]!.n;

describe("several search indexers", () => {
  it("defaults to two per worker process", () => {
    expect(loadSearchConfig({}).indexers).toBe(2);
    expect(loadSearchConfig({ SEALTRAIL_SEARCH_INDEXERS: "4" }).indexers).toBe(4);
    expect(() => loadSearchConfig({ SEALTRAIL_SEARCH_INDEXERS: "0" })).toThrow(/SEALTRAIL_SEARCH_INDEXERS/);
  });

  it("index the other logs while one log's run is stuck, and every entry once when it frees", { timeout: 60_000 }, async () => {
    // An open transaction holds the first row of log l0's index: its indexer waits on it.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const holding = new Promise<void>((ready) => {
      void ledger.admin
        .begin(async (tx) => {
          await tx`insert into entry_search (log_id, seq, actor, resource, search) values (${logs[0]!.id}, 0, '', '', ''::tsvector)`;
          ready();
          await held;
          throw new Error("rolled back");
        })
        .catch(() => {});
    });
    await holding;
    const stop = new AbortController();
    const errors: unknown[] = [];
    const running = runSearchIndexer(indexerSql, { intervalMs: 50, batch: 100, indexers: 2, signal: stop.signal, onError: (e) => errors.push(e) });
    try {
      // One indexer waits on l0; the other indexes l1 and l2 meanwhile.
      await expect.poll(async () => [await indexed(logs[1]!), await indexed(logs[2]!)], { timeout: 30_000 }).toEqual([300, 300]);
      expect(await indexed(logs[0]!)).toBe(0);
      release();
      await expect.poll(async () => (await searchLag(ledger.admin)).every((l) => l.indexed === l.size), { timeout: 30_000 }).toBe(true);
      const [dupes] = await ledger.admin<{ n: number }[]>`select count(*)::int as n from (select log_id, seq from entry_search group by 1, 2 having count(*) > 1) d`;
      expect(dupes!.n).toBe(0);
      for (const log of logs) expect(await indexed(log)).toBe(300);
      expect(errors).toEqual([]);
    } finally {
      release();
      stop.abort();
      await running;
    }
  });
});
