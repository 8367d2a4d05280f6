/**
 * PCI DSS 10.2.1.3: every read of the ledger through the API is itself recorded, as a
 * `ledger.read` entry in the reader's tenant's audit log, in batches, without recursion.
 */
import { stripIgnoredCharacters } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { apiKey, gql, startApi, type TestApi } from "../support/api.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
let api: TestApi;

beforeAll(async () => {
  ledger = await freshLedger("readlog");
  await createLog(ledger.writer, "app", { tenant: "acme", origin: "test.example/app" });
  await createLog(ledger.writer, "gx", { tenant: "globex", origin: "test.example/gx" });
  const appender = new Appender(ledger.writer);
  await appender.append("app", Array.from({ length: 30 }, (_, i) => ({ kind: "custom", actor: "a", action: "x", resource: `r${i}` })));
  await appender.append("gx", [{ kind: "custom", actor: "g", action: "x", resource: "r" }]);
  api = await startApi(ledger, { readLogFlushMs: 50 });
});
afterAll(async () => {
  await api?.close();
  await ledger?.close();
});

type ReadRow = { seq: number; actor: string; resource: string; outcome: string; source: string; payload: string; idempotencyKey: string };

async function reads(tenant: string): Promise<(ReadRow & { p: any })[]> {
  await api.server.recorder.flush();
  const rows = await ledger.admin<ReadRow[]>`
    select seq, actor, resource, outcome, source, payload, idempotency_key as "idempotencyKey" from entries
    where log_id = (select id from logs where name = ${`sealtrail.audit.${tenant}`}) and kind = 'ledger.read' order by seq`;
  return rows.map((r) => ({ ...r, p: JSON.parse(r.payload) }));
}

describe("read log", () => {
  it("records who read what and how many rows, in the reader's tenant's audit log", async () => {
    const token = await apiKey(ledger, "acme");
    const keyId = token.slice("sealtrail_".length, "sealtrail_".length + 16);
    const query = `query Recent($n: Int) { events(first: $n, filter: { logs: ["app"] }) { edges { node { seq } } } logs { name } }`;
    const r = await gql(api, token, query, { n: 7 });
    expect(r.errors).toBeUndefined();
    const rows = await reads("acme");
    const mine = rows.filter((row) => row.actor === `api_key:${keyId}`);
    expect(mine).toHaveLength(1);
    const [row] = mine;
    expect(row).toMatchObject({ resource: "events,logs", outcome: "success", source: "sealtrail-api/http" });
    // 7 events and the tenant's logs (app, and its audit log once it exists).
    // The query normalized (comments and insignificant whitespace stripped).
    expect(row!.p).toMatchObject({ operation: "Recent", fields: ["events", "logs"], query: stripIgnoredCharacters(query), variables: JSON.stringify({ n: 7 }) });
    expect(row!.p.rows).toBeGreaterThanOrEqual(8);
    expect(row!.idempotencyKey).toBe(`ledger.read:${row!.p.requestId}`);
    expect(await reads("globex")).toEqual([]);
  });

  it("records refused reads as failures, and not requests that read nothing", async () => {
    const token = await apiKey(ledger, "acme", ["events:read"]);
    const keyId = token.slice(10, 26);
    await gql(api, token, `{ latestCheckpoint(log: "app") { size } }`);
    await gql(api, token, `{ __typename }`);
    await gql(api, token, `{ nope }`);
    const mine = (await reads("acme")).filter((row) => row.actor === `api_key:${keyId}`);
    expect(mine.map((m) => [m.resource, m.outcome, m.p.errors])).toEqual([["latestCheckpoint", "failure", ["FORBIDDEN"]]]);
  });

  it("batches many concurrent reads into few appends, loses none, and does not recurse", async () => {
    const token = await apiKey(ledger, "globex");
    const keyId = token.slice(10, 26);
    const before = (await ledger.admin`select count(*)::int as n from entries where log_id = (select id from logs where name = 'gx')`)[0]!.n;
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => gql(api, token, `{ events(first: 1, filter: { logs: ["gx"] }) { edges { node { seq } } } }`, { i })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const rows = (await reads("globex")).filter((row) => row.actor === `api_key:${keyId}`);
    expect(rows).toHaveLength(60);
    expect(new Set(rows.map((r) => r.p.requestId)).size).toBe(60);
    expect(rows.every((r) => r.p.rows === 1)).toBe(true);
    // Batched: 60 records in far fewer transactions (each append is one recorded_at instant).
    const [batchCount] = await ledger.admin<{ batches: number }[]>`select count(distinct recorded_at)::int as batches from entries
      where log_id = (select id from logs where name = 'sealtrail.audit.globex') and actor = ${`api_key:${keyId}`}`;
    expect(batchCount!.batches).toBeLessThan(20);
    // Reading the audit log is recorded once per read, and recording writes only to it.
    await gql(api, token, `{ events(first: 100, filter: { logs: ["sealtrail.audit.globex"] }) { edges { node { seq } } } }`);
    const after = await reads("globex");
    expect(after.filter((r) => r.p.fields.includes("events") && r.actor === `api_key:${keyId}`)).toHaveLength(61);
    await new Promise((r) => setTimeout(r, 200));
    expect((await reads("globex")).length).toBe(after.length);
    expect((await ledger.admin`select count(*)::int as n from entries where log_id = (select id from logs where name = 'gx')`)[0]!.n).toBe(before);
  });

  it("keeps records while the database refuses them, and writes them once it accepts again", async () => {
    const token = await apiKey(ledger, "acme");
    const keyId = token.slice(10, 26);
    // The writer loses INSERT on entries: appends to the audit log fail until it is given back.
    await ledger.admin.unsafe(`revoke insert on entries from "${ledger.roles.writer}"`);
    try {
      await gql(api, token, `{ logs { name } }`);
      await expect.poll(() => api.server.recorder.pendingCount, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    } finally {
      await ledger.admin.unsafe(`grant insert on entries to "${ledger.roles.writer}"`);
    }
    await expect.poll(async () => (await reads("acme")).filter((r) => r.actor === `api_key:${keyId}`).length, { timeout: 15_000, interval: 200 }).toBe(1);
  });
});
