/**
 * One request must not silence a tenant's audit log (security review): variables nested
 * 200,000 deep overflowed the recorder's JSON.stringify, and the tenant's whole batch then
 * failed on every retry. What the recorder serializes is bounded; a record that cannot be
 * written as it is is written in a reduced form, counted and reported; the others go on.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { apiKey, gql, startApi, type TestApi } from "../support/api.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
let api: TestApi;
const logged: string[] = [];

beforeAll(async () => {
  ledger = await freshLedger("readpoison");
  await createLog(ledger.writer, "app", { tenant: "acme", origin: "test.example/app" });
  await new Appender(ledger.writer).append("app", [{ kind: "custom", actor: "a", action: "x", resource: "r" }]);
  api = await startApi(ledger, { readLogFlushMs: 20 }, {}, {}, (m) => logged.push(m));
});
afterAll(async () => {
  await api?.close();
  await ledger?.close();
});

type Row = { payload: Record<string, unknown> };

async function recordsOf(token: string): Promise<Row[]> {
  await api.server.recorder.flush();
  const keyId = token.slice(10, 26);
  const rows = await ledger.admin<{ payload: string }[]>`
    select payload from entries where log_id = (select id from logs where name = 'sealtrail.audit.acme') and actor = ${`api_key:${keyId}`} order by seq`;
  return rows.map((r) => ({ payload: JSON.parse(r.payload) as Record<string, unknown> }));
}

function nested(depth: number): string {
  return `${"[".repeat(depth)}${"]".repeat(depth)}`;
}

describe("read log under hostile variables", () => {
  it("records a read whose variables are nested 200,000 deep, and the tenant's reads after it", async () => {
    const token = await apiKey(ledger, "acme", ["events:read"]);
    const body = `{"query":"{ logs { name } }","variables":{"j":${nested(200_000)}}}`;
    const res = await fetch(api.url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body });
    expect(res.status).toBe(200);
    const after = await gql(api, token, `query After { logs { name } }`);
    expect(after.errors).toBeUndefined();
    await expect.poll(async () => (await recordsOf(token)).length, { timeout: 10_000 }).toBe(2);
    const [deep, next] = await recordsOf(token);
    // The variables are kept as far as the bound, and say they were cut.
    expect(deep!.payload.variablesTruncated).toBe(true);
    expect(String(deep!.payload.variables).length).toBeLessThanOrEqual(4200);
    expect(next!.payload.operation).toBe("After");
    expect(api.server.recorder.pendingCount).toBe(0);
  });

  it("writes a record that cannot be written as it is in a reduced form, counts it and says so", async () => {
    const token = await apiKey(ledger, "acme", ["events:read"]);
    const before = api.server.recorder.metrics.reduced;
    const r = await gql(api, token, `query Many { a: logs { name } b: logs { name } }`);
    expect(r.errors).toBeUndefined();
    const { recorder } = api.server;
    // A record the ledger cannot take as it is (a time that is no time), as a defect would make one.
    recorder.record({
      requestId: "00000000-0000-4000-8000-000000000001",
      principal: { keyId: token.slice(10, 26), keyName: "k", tenant: "acme", scopes: ["events:read"] },
      at: new Date(Number.NaN), operation: null, fields: ["logs"], query: "{ logs { name } }", variables: null, rows: 1, outcome: "success", transport: "http",
    });
    const ok = await gql(api, token, `query Later { logs { name } }`);
    expect(ok.errors).toBeUndefined();
    await expect.poll(async () => (await recordsOf(token)).map((r) => r.payload.operation ?? r.payload.recordError), { timeout: 10_000 })
      .toEqual(["Many", expect.stringMatching(/occurredAt|time/i), "Later"]);
    expect(recorder.metrics.reduced).toBe(before + 1);
    expect(logged.some((m) => /00000000-0000-4000-8000-000000000001/.test(m))).toBe(true);
    expect(recorder.pendingCount).toBe(0);
  });

  it("writes the others when the database refuses one record of a batch, and that one reduced", async () => {
    const token = await apiKey(ledger, "acme", ["events:read"]);
    const before = api.server.recorder.metrics.reduced;
    // The database refuses any entry that holds the marker: only the record that carries it in
    // its variables fails, inside a batch of good ones.
    await ledger.admin.unsafe(`alter table entries add constraint refuse_marker check (payload is null or payload not like '%refuse-me%') not valid`);
    try {
      const results = await Promise.all([
        gql(api, token, `query P1 { logs { name } }`),
        gql(api, token, `query P2($x: String!) { log(name: $x) { name } }`, { x: "refuse-me" }),
        gql(api, token, `query P3 { logs { name } }`),
      ]);
      expect(results.every((x) => x.errors === undefined)).toBe(true);
      await expect.poll(async () => (await recordsOf(token)).map((r) => r.payload.operation ?? "(reduced)").sort(), { timeout: 20_000 }).toEqual(["(reduced)", "P1", "P3"]);
    } finally {
      await ledger.admin.unsafe(`alter table entries drop constraint refuse_marker`);
    }
    const reduced = (await recordsOf(token)).find((r) => r.payload.operation === undefined)!;
    expect(reduced.payload.recordError).toMatch(/could not be written: .*refused/);
    expect(api.server.recorder.metrics.reduced).toBe(before + 1);
  });
});
