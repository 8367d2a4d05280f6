/**
 * The audit record keeps what was asked, whatever the text around it (security review, item
 * 9): a query padded with a 4 KB comment first hid its filter past the record's 4,096
 * characters. The record now holds the normalized operation (comments and insignificant
 * whitespace stripped), the variables, and each root field as it ran with its arguments
 * resolved — all bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { RECORD_LIMITS } from "../../src/api/read-record.js";
import { apiKey, gql, startApi, type TestApi } from "../support/api.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
let api: TestApi;
let token: string;

beforeAll(async () => {
  ledger = await freshLedger("readlognorm");
  await createLog(ledger.writer, "hr", { tenant: "acme", origin: "test.example/hr" });
  await new Appender(ledger.writer).append("hr", Array.from({ length: 5 }, (_, i) => ({ kind: "custom", actor: i === 2 ? "ceo" : "a", action: "x", resource: `salary/${i}` })));
  api = await startApi(ledger, { readLogFlushMs: 20 });
  token = await apiKey(ledger, "acme");
});
afterAll(async () => {
  await api?.close();
  await ledger?.close();
});

async function recordOf(requestMarker: string): Promise<any> {
  await api.server.recorder.flush();
  const rows = await ledger.admin<{ payload: string }[]>`
    select payload from entries where log_id = (select id from logs where name = 'sealtrail.audit.acme') and kind = 'ledger.read' order by seq`;
  const found = rows.map((r) => JSON.parse(r.payload)).filter((p) => JSON.stringify(p).includes(requestMarker));
  expect(found, `a record naming ${requestMarker}`).toHaveLength(1);
  return found[0];
}

describe("the audit record of a padded query", () => {
  it("keeps the filter of a query behind a 4 KB comment, with the comment stripped", async () => {
    const query = `# ${"x".repeat(4096)}\n# more padding\nquery Padded {\n\n   events(first: 5, filter: { actor: "ceo", logs: ["hr"] })   { edges { node { seq resource } } }\n}`;
    const r = await gql(api, token, query);
    expect(r.errors, r.body).toBeUndefined();
    const p = await recordOf('\\"ceo\\"');
    expect(p.query).toBe(`query Padded{events(first:5 filter:{actor:"ceo" logs:["hr"]}){edges{node{seq resource}}}}`);
    expect(p.queryTruncated).toBe(false);
    expect(p.query).not.toContain("xxxx");
    expect(JSON.parse(p.calls)).toEqual([{ field: "events", args: { first: 5, filter: { actor: "ceo", logs: ["hr"] } } }]);
  });

  it("keeps the filter sent in variables, and the arguments as they ran when the text itself is past the bound", async () => {
    // 4 KB of significant padding (aliases) before the read: the text is cut, the calls are not.
    const padding = Array.from({ length: 400 }, (_, i) => `p${i}: __typename`).join(" ");
    const query = `query Hidden($who: String) { ${padding} events(first: 5, filter: { actor: $who }) { edges { node { seq } } } }`;
    const r = await gql(api, token, query, { who: "ceo-variable" });
    expect(r.errors, r.body).toBeUndefined();
    const p = await recordOf("ceo-variable");
    expect(p.queryTruncated).toBe(true);
    expect(p.query.length).toBeLessThanOrEqual(RECORD_LIMITS.queryChars + 1);
    expect(JSON.parse(p.variables)).toEqual({ who: "ceo-variable" });
    expect(JSON.parse(p.calls)).toEqual([{ field: "events", args: { first: 5, filter: { actor: "ceo-variable" } } }]);
  });

  it("names aliased root fields and bounds their number and size", async () => {
    const aliases = Array.from({ length: 40 }, (_, i) => `e${i}: event(log: "hr", seq: ${i % 5}) { seq }`).join(" ");
    const r = await gql(api, token, `query Many { ${aliases} }`);
    expect(r.errors, r.body).toBeUndefined();
    const p = await recordOf("query Many");
    // 32 calls fit the bound; the 8 more are counted as cut.
    const calls = JSON.parse(p.calls);
    expect(calls).toHaveLength(32);
    expect(calls[0]).toMatchObject({ field: "e0: event", args: { log: "hr" } });
    expect(String(calls[0].args.seq)).toBe("0");
    expect(p.callsTruncated).toBe(true);
  });
});
