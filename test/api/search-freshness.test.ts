/**
 * Search freshness over the real API: an entry is found by `text`, `actor` and `resource`
 * right after its append (before the search indexer stored it) and after; another tenant
 * finds none of it; a search that would read more unindexed entries than
 * SEALTRAIL_API_SEARCH_TAIL_MAX allows fails with SERVICE_UNAVAILABLE instead of missing
 * entries, and succeeds once the indexer has caught up.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventInput } from "../../src/core/entry/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { indexSearchOnce } from "../../src/ledger/postgres/search-indexer.js";
import { apiKey, gql, startApi, type TestApi } from "../support/api.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

const TAIL_MAX = 500;
let ledger: TestLedger;
let api: TestApi;
let acme: string;
let globex: string;
let appender: Appender;

beforeAll(async () => {
  ledger = await freshLedger("search_fresh");
  await createLog(ledger.writer, "ops", { tenant: "acme", origin: "test.example/ops" });
  await createLog(ledger.writer, "theirs", { tenant: "globex", origin: "test.example/theirs" });
  appender = new Appender(ledger.writer);
  api = await startApi(ledger, { searchTailMax: TAIL_MAX });
  acme = await apiKey(ledger, "acme");
  globex = await apiKey(ledger, "globex");
});
afterAll(async () => {
  await api?.close();
  await ledger?.close();
});

const EVENTS = `query($filter: EventFilter) { events(filter: $filter, first: 50) { edges { node { log seq actor } } } }`;

async function seqs(token: string, filter: Record<string, unknown>): Promise<string[]> {
  const r = await gql<{ events: { edges: { node: { log: string; seq: number } }[] } }>(api, token, EVENTS, { filter });
  expect(r.errors, r.body).toBeUndefined();
  return r.data!.events.edges.map((e) => `${e.node.log}:${e.node.seq}`);
}

function line(i: number, text: string, actor = `user${i % 5}`): EventInput {
  return { kind: "tmux.output", actor, action: "output", resource: `tmux/ops/%${i}`, source: "host-2", payload: { text } };
}

describe("search freshness over the API", () => {
  it("finds an entry the moment its append commits, and after it is indexed", async () => {
    await appender.append("ops", [line(0, "systemctl restart nginx"), line(1, "uptime")]);
    await appender.append("theirs", [line(0, "systemctl restart nginx")]);
    // The tenant's audit log records these reads, search words included: look in ops only.
    expect(await seqs(acme, { logs: ["ops"], text: "nginx" })).toEqual(["ops:0"]);
    expect(await seqs(acme, { resource: "tmux/ops/%1" })).toEqual(["ops:1"]);
    expect(await seqs(globex, { text: "nginx" })).toEqual(["theirs:0"]);
    await indexSearchOnce(ledger.writer);
    await appender.append("ops", [line(2, "nginx -t")]);
    // ops:0 from entry_search, ops:2 read directly.
    expect(await seqs(acme, { logs: ["ops"], text: "nginx" })).toEqual(["ops:0", "ops:2"]);
    expect(await seqs(acme, { actor: "user0" })).toEqual(["ops:0"]);
  });

  it("fails with SERVICE_UNAVAILABLE when too many entries are unindexed, and finds them once indexed", async () => {
    // Past the walk (16,384 seqs), rare matches come from the index; the rest must be read.
    const events = Array.from({ length: 17_500 }, (_, i) => line(i, i === 17_400 ? "kernel panic" : "routine", i === 17_400 ? "rare-actor" : undefined));
    for (let i = 0; i < events.length; i += 5000) await appender.append("ops", events.slice(i, i + 5000));
    for (const filter of [{ text: "panic" }, { actor: "rare-actor" }]) {
      const r = await gql(api, acme, EVENTS, { filter: { logs: ["ops"], ...filter } });
      expect(r.errors?.[0]?.extensions?.code, r.body).toBe("SERVICE_UNAVAILABLE");
      expect(r.errors?.[0]?.message).toMatch(/entries of log ops are not indexed yet/);
    }
    // Filters entry_search does not serve are unaffected.
    expect(await seqs(acme, { logs: ["ops"], kinds: ["tmux.output"] })).toHaveLength(50);

    for (let pass = await indexSearchOnce(ledger.writer); pass.behind > 0; pass = await indexSearchOnce(ledger.writer));
    expect(await seqs(acme, { logs: ["ops"], text: "panic" })).toEqual([`ops:${3 + 17_400}`]);
    expect(await seqs(acme, { logs: ["ops"], actor: "rare-actor" })).toEqual([`ops:${3 + 17_400}`]);
    expect(await seqs(globex, { text: "panic" })).toEqual([]);
  });
});
