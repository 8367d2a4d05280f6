/**
 * The search indexer handles every stored payload (security review: a NUL in a payload string,
 * `"a\u0000b"`, made jsonb refuse it, "unsupported Unicode escape sequence", and every log past
 * it stopped being indexed, for every tenant). Stored entries are append-only: the indexer
 * indexes what it can, skips what it cannot, per entry, with a count; one log's entries never
 * stop another's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { connect, type Sql } from "../../src/ledger/postgres/db.js";
import { findEntries } from "../../src/ledger/postgres/event-query.js";
import { createLog, type Log } from "../../src/ledger/postgres/logs.js";
import { indexSearchOnce } from "../../src/ledger/postgres/search-indexer.js";
import { asAttacker, freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
let reader: Sql;
const logs: Record<string, Log> = {};

beforeAll(async () => {
  ledger = await freshLedger("search_poison");
  reader = connect({ url: ledger.url, schema: ledger.schema, role: "reader", max: 2 });
  for (const [name, tenant] of [["p", "acme"], ["q", "globex"]] as const) logs[name] = await createLog(ledger.writer, name, { tenant, origin: `test.example/${name}` });
  const appender = new Appender(ledger.writer);
  await appender.append("p", ["alpha one", "beta two", "gamma three", "epsilon four"].map((text) => ({ kind: "custom", actor: "a", action: "x", resource: "r", payload: { text } })));
  await appender.append("q", ["delta five", "delta six"].map((text) => ({ kind: "custom", actor: "g", action: "x", resource: "r", payload: { text } })));
  // A payload as it may sit in a ledger written before the rule: a NUL inside a string (escaped,
  // as canonical JSON writes it), beside a literal backslash before "u0000", which is no NUL.
  await asAttacker(ledger.admin, async (sql) => {
    await sql`update entries set payload = ${'{"text":"nulword a\\u0000b \\\\u0000c"}'} where log_id = ${logs.p!.id} and seq = 1`;
  });
});
afterAll(async () => {
  await reader?.end();
  await ledger?.close();
});

async function search(tenant: string, text: string): Promise<string[]> {
  const rows = await reader.begin(async (tx) => {
    await tx`select set_config('sealtrail.tenant', ${tenant}, true)`;
    return findEntries(tx as unknown as Sql, { text }, 50);
  });
  return rows.map((r) => `${r.log}:${r.seq}`);
}

describe("search indexing of hostile stored payloads", () => {
  it("finds entries beside a NUL payload before indexing", async () => {
    expect(await search("acme", "nulword")).toEqual(["p:1"]);
    // The literal backslash before u0000 is text, as before: its word is "u0000c".
    expect(await search("acme", "u0000c")).toEqual(["p:1"]);
    expect(await search("globex", "delta")).toEqual(["q:0", "q:1"]);
  });

  it("indexes every entry of every log, skipping the words of the one it cannot read, and counts it", async () => {
    // A payload that is not JSON at all, as only someone with the database can store.
    await asAttacker(ledger.admin, (sql) => sql`update entries set payload = ${'{"text": broken'} where log_id = ${logs.p!.id} and seq = 2`);
    const skipped: unknown[] = [];
    const pass = await indexSearchOnce(ledger.writer, { onSkipped: (e) => skipped.push(e) });
    expect(pass).toMatchObject({ indexed: 6, behind: 0, skipped: 1, failedLogs: 0 });
    expect(skipped).toEqual([{ logId: logs.p!.id, seq: 2, reason: expect.stringMatching(/json/i) }]);
    const rows = await ledger.admin<{ log: number; n: number }[]>`select log_id as log, count(*)::int as n from entry_search group by log_id order by log_id`;
    expect(rows).toEqual([{ log: logs.p!.id, n: 4 }, { log: logs.q!.id, n: 2 }]);
    // The NUL's entry is indexed with its words; the others are found as before.
    expect(await search("acme", "nulword")).toEqual(["p:1"]);
    expect(await search("acme", "epsilon")).toEqual(["p:3"]);
    expect(await search("globex", "delta")).toEqual(["q:0", "q:1"]);
    expect(await search("acme", "broken")).toEqual([]);
  });
});
