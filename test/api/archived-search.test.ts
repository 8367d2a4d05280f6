/**
 * Searching archived entries (docs/api.md, "Searching archived entries"): a retention run
 * keeps an entry's search row when it moves the entry to the archive, so `events` with `text`,
 * `actor` or `resource` finds archived entries, read back from the archive and checked as any
 * entry served; what it cannot search is named in `notSearched`, never left out silently.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eraseValues } from "../../src/ledger/index.js";
import { indexSearchOnce } from "../../src/ledger/postgres/search-indexer.js";
import { apiKey, gql, startApi, type TestApi } from "../support/api.js";
import { appendSigned, archiveLater } from "../support/archive.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

const DAY = 86_400_000;
const key = testKey();
let ledger: TestLedger;
let dir: string;
let api: TestApi;
let token: string;

// Every tenth entry is a firewall review; seq 7 an incident of another kind.
const entry = (i: number) => ({
  kind: i === 7 ? "incident" : "change",
  actor: i % 3 === 0 ? "carol@example.com" : `dev${i}@example.com`,
  action: "edit",
  resource: `fw/${i % 4}`,
  tags: i % 2 ? ["odd"] : ["even"],
  payload: { note: i % 10 === 7 ? `quarterly firewall review ${i}` : `routine change ${i}` },
});
const batch = (from: number, n: number) => Array.from({ length: n }, (_, k) => entry(from + k));

/** 70 entries under checkpoints 40 and 70, then 5 more; a run dated 200 days on archives [0, 40). */
async function archivedLog(name: string, leafVersion: 1 | 2): Promise<void> {
  await ledger.store.createLog(name, { tenant: "acme", origin: `test.example/${name}`, leafVersion });
  await appendSigned(ledger, key, name, batch);
  const outcome = await archiveLater(ledger, key, dir, name);
  expect(outcome.record.archived).toMatchObject({ from: 0, to: 40 });
}

beforeAll(async () => {
  [ledger, dir] = await Promise.all([freshLedger("archivedsearch"), mkdtemp(join(tmpdir(), "sealtrail-archsearch-"))]);
  // No search indexer runs: the retention run indexes what it archives itself.
  await archivedLog("ops", 1);
  await archivedLog("people", 2);
  await ledger.store.createLog("fresh", { tenant: "acme", origin: "test.example/fresh" });
  await ledger.store.appender().append("fresh", batch(0, 10));
  api = await startApi(ledger, {}, {}, { verifierPublicKey: key.publicKey });
  token = await apiKey(ledger, "acme");
}, 180_000);
afterAll(async () => {
  await api?.close();
  await ledger?.close();
  await rm(dir, { recursive: true, force: true });
});

const SEARCH = `query($filter: EventFilter, $first: Int, $after: String) {
  events(filter: $filter, first: $first, after: $after) {
    edges { cursor node { log seq kind actor payload idempotencyKey } }
    pageInfo { hasNextPage endCursor }
    notSearched { log from to reason }
  }
}`;
const search = (filter: Record<string, unknown>, first = 50, after?: string) => gql(api, token, SEARCH, { filter, first, ...(after ? { after } : {}) });
const seqs = (r: { data?: any }) => r.data.events.edges.map((e: { node: { log: string; seq: number } }) => `${e.node.log}/${e.node.seq}`);

describe("searching archived entries", () => {
  it("finds a word of an archived entry, read back from the archive, before the log's hot matches", async () => {
    const r = await search({ logs: ["ops"], text: "firewall" });
    expect(r.errors, r.body).toBeUndefined();
    expect(seqs(r)).toEqual(["ops/7", "ops/17", "ops/27", "ops/37", "ops/47", "ops/57", "ops/67"]);
    expect(r.data.events.edges[0].node).toEqual({ log: "ops", seq: 7, kind: "incident", actor: "dev7@example.com", payload: { note: "quarterly firewall review 7" }, idempotencyKey: null });
    expect(r.data.events.edges[4].node.idempotencyKey).toEqual(expect.any(String));
    expect(r.data.events.notSearched).toEqual([]);
  });

  it("pages across the archive's edge with cursors", async () => {
    const got: string[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const r = await search({ logs: ["ops"], text: "firewall" }, 3, after);
      expect(r.errors, r.body).toBeUndefined();
      got.push(...seqs(r));
      if (!r.data.events.pageInfo.hasNextPage) break;
      after = r.data.events.pageInfo.endCursor;
    }
    expect(got).toEqual(["ops/7", "ops/17", "ops/27", "ops/37", "ops/47", "ops/57", "ops/67"]);
  });

  it("applies the rest of the filter to archived matches as to hot ones", async () => {
    const incident = await search({ logs: ["ops"], text: "firewall", kinds: ["incident"] });
    expect(incident.errors, incident.body).toBeUndefined();
    expect(seqs(incident)).toEqual(["ops/7"]);
    const odd = await search({ logs: ["ops", "people"], text: "firewall", tags: ["odd"], contains: "review 3", recorded: { from: new Date(Date.now() - DAY).toISOString() } });
    expect(odd.errors, odd.body).toBeUndefined();
    expect(seqs(odd)).toEqual(["ops/37", "people/37"]);
  });

  it("finds archived entries by actor and resource, format 2 included, across logs in (log, seq) order", async () => {
    const r = await search({ actor: "carol@example.com", resource: "fw/1" });
    expect(r.errors, r.body).toBeUndefined();
    // i % 3 == 0 and i % 4 == 1: 9, 21, 33 archived, 45, 57, 69 hot; in each of the three logs that reach it.
    expect(seqs(r)).toEqual(["ops/9", "ops/21", "ops/33", "ops/45", "ops/57", "ops/69", "people/9", "people/21", "people/33", "people/45", "people/57", "people/69", "fresh/9"]);
    expect(r.data.events.edges[6].node.actor).toBe("carol@example.com");
  });

  it("names the archived ranges a filter without text, actor or resource does not search", async () => {
    const r = await search({ kinds: ["incident"] });
    expect(r.errors, r.body).toBeUndefined();
    // The archived incidents (ops/7, people/7) are not searched: only the hot one is found.
    expect(seqs(r)).toEqual(["fresh/7"]);
    expect(r.data.events.notSearched).toEqual([
      { log: "ops", from: 0, to: 40, reason: "filter_not_indexed" },
      { log: "people", from: 0, to: 40, reason: "filter_not_indexed" },
    ]);
    const one = await search({ logs: ["people"], contains: "firewall" });
    expect(one.data.events.notSearched).toEqual([{ log: "people", from: 0, to: 40, reason: "filter_not_indexed" }]);
  });

  it("finds no value erased after the entry was archived", async () => {
    await eraseValues(ledger.store, { log: "people", target: { actor: "carol@example.com" }, reason: "data subject request", legalBasis: "GDPR Art. 17(1)(a)", requestedBy: "dpo@example.com" });
    const r = await search({ logs: ["people"], actor: "carol@example.com" });
    expect(r.errors, r.body).toBeUndefined();
    expect(seqs(r)).toEqual([]);
    const words = await search({ logs: ["people"], text: "routine" });
    expect(words.errors, words.body).toBeUndefined();
    // carol's entries' payloads are erased too: a word they held no longer finds them, archived or not.
    expect(seqs(words).filter((s: string) => Number(s.split("/")[1]) % 3 === 0)).toEqual([]);
    expect(seqs(words)).toContain("people/1");
  });

  it("names a range whose search rows the index no longer holds, rather than return fewer entries", async () => {
    // The index rebuilt by its owner (TRUNCATE, then the indexer: docs/api.md) holds hot entries only.
    await ledger.admin`truncate entry_search`;
    await indexSearchOnce(ledger.writer);
    const r = await search({ logs: ["ops"], text: "firewall" });
    expect(r.errors, r.body).toBeUndefined();
    expect(seqs(r)).toEqual(["ops/47", "ops/57", "ops/67"]);
    expect(r.data.events.notSearched).toEqual([{ log: "ops", from: 0, to: 40, reason: "index_not_kept" }]);
  });
});
