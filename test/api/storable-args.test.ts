/**
 * Text arguments are storable text or refused, for every field (security review: a log name
 * holding NUL reached PostgreSQL and was answered INTERNAL_SERVER_ERROR; a lone surrogate was
 * sent as U+FFFD, a lookup of another name than the one asked). Refused as BAD_USER_INPUT, the
 * refusal recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { apiKey, gql, startApi, type TestApi } from "../support/api.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
let api: TestApi;

beforeAll(async () => {
  ledger = await freshLedger("storargs");
  await createLog(ledger.writer, "app", { tenant: "acme", origin: "test.example/app" });
  await new Appender(ledger.writer).append("app", [{ kind: "custom", actor: "a", action: "x", resource: "r" }]);
  api = await startApi(ledger);
});
afterAll(async () => {
  await api?.close();
  await ledger?.close();
});

const QUERIES: Record<string, string> = {
  log: `query($v: String!) { log(name: $v) { name } }`,
  event: `query($v: String!) { event(log: $v, seq: 0) { seq } }`,
  latestCheckpoint: `query($v: String!) { latestCheckpoint(log: $v) { size } }`,
  eventsPerDay: `query($v: String!) { eventsPerDay(log: $v, days: 2) { count } }`,
  sweeps: `query($v: String!) { sweeps(log: $v) { result } }`,
  paneRecording: `query($v: String!) { paneRecording(log: "app", pane: $v, server: "s") { pane } }`,
  legalHolds: `query($v: String!) { legalHolds(log: $v) { id } }`,
  releaseLegalHold: `mutation($v: String!) { releaseLegalHold(log: "app", id: $v, reason: "r") { id } }`,
};

describe("text arguments", () => {
  for (const [label, value] of [["NUL", "app\u0000x"], ["a lone surrogate", "app\ud800"]] as const) {
    it(`holding ${label} are refused as BAD_USER_INPUT by every field, and recorded`, async () => {
      const token = await apiKey(ledger, "acme", ["events:read", "proofs:read", "admin"]);
      for (const [field, query] of Object.entries(QUERIES)) {
        const r = await gql(api, token, query, { v: value });
        expect({ field, status: r.status, codes: r.errors?.map((e) => e.extensions?.code) }).toEqual({ field, status: 400, codes: ["BAD_USER_INPUT"] });
        expect(r.errors![0]!.message).toMatch(/contains NUL \(U\+0000\) or a lone surrogate/);
      }
      await api.server.recorder.flush();
      const rows = await ledger.admin<{ resource: string; outcome: string; payload: string }[]>`
        select resource, outcome, payload from entries
        where log_id = (select id from logs where name = 'sealtrail.audit.acme') and actor = ${`api_key:${token.slice(10, 26)}`} order by seq`;
      expect(rows.map((r) => [r.resource, r.outcome, (JSON.parse(r.payload) as { errors: string[] }).errors])).toEqual(Object.keys(QUERIES).map((f) => [f, "failure", ["BAD_USER_INPUT"]]));
    });
  }

  it("in a tiles path, a log's name holding NUL or a lone surrogate names no log (404, as one that does not exist)", async () => {
    const token = await apiKey(ledger, "acme");
    for (const path of ["/logs/app%00/checkpoint", "/logs/app%00/tile/0/000", "/logs/app%ED%A0%80/checkpoint", "/logs/nope/checkpoint"]) {
      const res = await fetch(`${api.base}${path}`, { headers: { authorization: `Bearer ${token}` } });
      expect({ path, status: res.status, body: await res.json() }).toEqual({ path, status: 404, body: { error: "NOT_FOUND", message: "no such log" } });
    }
  });

  it("holding other text (U+2028, astral characters) are taken as sent", async () => {
    const token = await apiKey(ledger, "acme");
    const r = await gql(api, token, QUERIES.log!, { v: "a\u2028\u{1F600}" });
    expect(r.status).toBe(200);
    expect(r.data).toEqual({ log: null });
  });
});
