/**
 * A format-2 log through the API (docs/erasure.md): clear values opened against their
 * commitments; an erased or expired value shown as erased, with its record's seq and request,
 * in single entries and in search results alike; a value removed without a record refused as
 * LEDGER_INCONSISTENT, never shown as missing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eraseValues } from "../../src/ledger/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { indexSearchOnce } from "../../src/ledger/postgres/search-indexer.js";
import { apiKey, gql, startApi, type TestApi } from "../support/api.js";
import { asAttacker, freshLedger, type TestLedger } from "../support/ledger.js";

const SUBJECT = "gina.subject@example.com";
let ledger: TestLedger;
let api: TestApi;
let token: string;
let logId: number;
let request: string;

beforeAll(async () => {
  ledger = await freshLedger("erased_events");
  logId = (await createLog(ledger.writer, "people", { tenant: "acme", origin: "test.example/people", leafVersion: 2 })).id;
  await new Appender(ledger.writer).append("people", Array.from({ length: 9 }, (_, i) => {
    const actor = i % 3 === 0 ? SUBJECT : `staff${i % 3}@example.com`;
    return { kind: "access", actor, action: "record.read", resource: `patient/${actor}`, payload: { i, note: `chart opened by ${actor}` } };
  }));
  // Half the entries searchable through the index, the rest through the unindexed tail.
  await indexSearchOnce(ledger.writer, {});
  request = (await eraseValues(ledger.store, { log: "people", target: { actor: SUBJECT }, reason: "subject's request", legalBasis: "GDPR Art. 17(1)(a)", requestedBy: "dpo@example.com" })).request;
  api = await startApi(ledger, {});
  token = await apiKey(ledger, "acme");
}, 120_000);
afterAll(async () => {
  await api?.close();
  await ledger?.close();
});

const FIELDS = "log seq actor resource payload payloadRedacted leafVersion erased { field kind recordSeq request }";
const one = (seq: number) => gql(api, token, `query($seq: BigInt!) { event(log: "people", seq: $seq) { ${FIELDS} } }`, { seq: String(seq) });
const search = (filter: Record<string, unknown>) => gql(api, token, `query($filter: EventFilter) { events(filter: $filter, first: 50) { edges { node { ${FIELDS} } } } }`, { filter: { logs: ["people"], ...filter } });

describe("a format-2 log through the API", () => {
  it("serves a kept entry's clear values, opened against its commitments", async () => {
    const r = await one(1);
    expect(r.errors, r.body).toBeUndefined();
    expect(r.data!.event).toEqual({ log: "people", seq: 1, actor: "staff1@example.com", resource: "patient/staff1@example.com", payload: { i: 1, note: "chart opened by staff1@example.com" }, payloadRedacted: false, leafVersion: 2, erased: [] });
  });

  it("shows an erased entry's values as erased under the record, not as missing", async () => {
    const r = await one(3);
    expect(r.errors, r.body).toBeUndefined();
    const marker = (field: string) => ({ field, kind: "erasure", recordSeq: 9, request });
    expect(r.data!.event).toEqual({ log: "people", seq: 3, actor: null, resource: null, payload: null, payloadRedacted: true, leafVersion: 2, erased: [marker("actor"), marker("resource"), marker("payload")] });
    expect(r.body).not.toContain(SUBJECT);
  });

  it("search finds kept values by actor, resource, words and substring, and lists erased entries with their marker", async () => {
    const byActor = await search({ actor: "staff2@example.com" });
    expect(byActor.errors, byActor.body).toBeUndefined();
    expect(byActor.data!.events.edges.map((e: any) => e.node.seq)).toEqual([2, 5, 8]);
    const byResource = await search({ resource: "patient/staff1@example.com" });
    expect(byResource.data!.events.edges.map((e: any) => e.node.seq)).toEqual([1, 4, 7]);
    const byWords = await search({ text: "chart" });
    expect(byWords.errors, byWords.body).toBeUndefined();
    expect(byWords.data!.events.edges.map((e: any) => e.node.seq)).toEqual([1, 2, 4, 5, 7, 8]);
    const bySubstring = await search({ contains: "staff2@" });
    expect(bySubstring.data!.events.edges.map((e: any) => e.node.seq)).toEqual([2, 5, 8]);
    // The erased subject is found by nothing; the entries are listed, as erased.
    for (const filter of [{ actor: SUBJECT }, { text: "gina" }, { contains: "gina" }]) {
      const r = await search(filter);
      expect(r.errors, r.body).toBeUndefined();
      expect(r.data!.events.edges, JSON.stringify(filter)).toEqual([]);
    }
    const all = await search({ kinds: ["access"] });
    const erased = all.data!.events.edges.filter((e: any) => e.node.erased.length > 0).map((e: any) => e.node);
    expect(erased.map((n: any) => n.seq)).toEqual([0, 3, 6]);
    expect(erased.every((n: any) => n.actor === null && n.erased.every((m: any) => m.recordSeq === 9 && m.request === request))).toBe(true);
  });

  it("refuses an entry whose value was removed without a record, or edited", async () => {
    await asAttacker(ledger.admin, (tx) => tx`delete from entry_secrets where log_id = ${logId} and seq = 4 and field = 2`);
    const removed = await one(4);
    expect(removed.errors?.[0]).toMatchObject({ extensions: { code: "LEDGER_INCONSISTENT" } });
    expect(removed.errors?.[0]?.message).toContain("payload was removed without an erasure or expiry record");
    await asAttacker(ledger.admin, (tx) => tx`delete from entry_secrets where log_id = ${logId} and seq = 7 and field = 0`);
    await asAttacker(ledger.admin, (tx) => tx`insert into entry_secrets (log_id, seq, field, salt, value) values (${logId}, 7, 0, ${Buffer.alloc(32)}, 'someone@else')`);
    const edited = await one(7);
    expect(edited.errors?.[0]?.message).toContain("actor does not open its commitment");
  });
});
