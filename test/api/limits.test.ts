/**
 * Hardening: depth and complexity limits, body size, production mode (no introspection, no
 * landing page), error codes without internals, timeouts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { apiKey, gql, startApi, type TestApi } from "../support/api.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
let api: TestApi;
let prod: TestApi;
let token: string;

beforeAll(async () => {
  ledger = await freshLedger("limits");
  await createLog(ledger.writer, "app", { tenant: "acme", origin: "test.example/app" });
  await new Appender(ledger.writer).append("app", Array.from({ length: 5 }, (_, i) => ({ kind: "custom", actor: "a", action: "x", resource: `r${i}` })));
  api = await startApi(ledger, { maxDepth: 5, maxComplexity: 2_000, maxBodyBytes: 4_096 });
  prod = await startApi(ledger, {}, { NODE_ENV: "production" });
  token = await apiKey(ledger, "acme");
});
afterAll(async () => {
  await api?.close();
  await prod?.close();
  await ledger?.close();
});

describe("limits", () => {
  it("refuses a selection deeper than the limit, fragments included", async () => {
    const ok = await gql(api, token, `{ events(first: 1) { edges { node { inclusionProof { treeSize } } } } }`);
    expect(ok.errors).toBeUndefined();
    const deep = await gql(api, token, `fragment F on Checkpoint { size } { events(first: 1) { edges { node { inclusionProof { checkpoint { ...F } } } } } }`);
    expect(deep.errors?.[0]?.message).toMatch(/query depth 6 exceeds the limit of 5/);
    expect(deep.status).toBe(400);
    const introspect = await gql(api, token, `{ __schema { types { fields { type { ofType { ofType { name } } } } } } }`);
    expect(introspect.errors?.[0]?.message).toMatch(/depth/);
  });

  it("answers fragments that each spread the next twice at once, without walking every path", async () => {
    const n = 40;
    const defs = Array.from({ length: n }, (_, i) => (i + 1 < n ? `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }` : `fragment F${i} on Query { logs { name } }`));
    const started = Date.now();
    const r = await gql(api, token, `query { ...F0 } ${defs.join(" ")}`);
    // 2^40 paths to one field: an answer (or a refusal) within seconds means none walks them all.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(r.status).toBeLessThan(500);
  });

  it("refuses an operation whose estimated cost is above the limit", async () => {
    const big = await gql(api, token, `{ events(first: 500) { edges { node { seq kind actor action resource payload } } } }`);
    expect(big.errors?.[0]?.extensions?.code, big.body).toBe("QUERY_TOO_COMPLEX");
    expect(big.errors?.[0]?.message).toMatch(/complexity \d+ exceeds the limit of 2000/);
    const aliased = await gql(api, token, `{ ${Array.from({ length: 60 }, (_, i) => `a${i}: events(first: 10) { edges { node { seq actor } } }`).join(" ")} }`);
    expect(aliased.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_COMPLEX");
    const small = await gql(api, token, `{ events(first: 5) { edges { node { seq } } } }`);
    expect(small.errors).toBeUndefined();
  });

  it("refuses a request body over the limit with 413", async () => {
    const res = await fetch(api.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: `{ logs { name } }`, variables: { pad: "x".repeat(5_000) } }),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("answers malformed JSON and wrong methods with 4xx and a code", async () => {
    const bad = await fetch(api.url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: "{nope" });
    expect(bad.status).toBe(400);
    const put = await fetch(api.url, { method: "PUT", headers: { authorization: `Bearer ${token}` } });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, POST");
  });

  it("cancels queries that run past the timeout with TIMEOUT", async () => {
    const slow = await startApi(ledger, { timeoutMs: 1 });
    try {
      // 1 ms of statement time is too little for a full-text scan of a cold query.
      const r = await gql(slow, token, `{ events(filter: { contains: "zzz-not-there" }, first: 10) { edges { cursor } } }`);
      expect(r.errors?.[0]?.extensions?.code, r.body).toBe("TIMEOUT");
      expect(r.body).not.toMatch(/statement|postgres|canceling/i);
    } finally {
      await slow.close();
    }
  });
});

describe("production mode", () => {
  it("turns introspection and the landing page off", async () => {
    const r = await gql(prod, token, `{ __schema { queryType { name } } }`);
    expect(r.errors?.[0]?.message).toMatch(/introspection/i);
    const dev = await gql(api, token, `{ __schema { queryType { name } } }`);
    expect(dev.data).toEqual({ __schema: { queryType: { name: "Query" } } });
    const page = await fetch(prod.url, { headers: { accept: "text/html" } });
    expect(page.status).toBe(401);
    const landing = await fetch(api.url, { headers: { accept: "text/html" } });
    expect(landing.status).toBe(200);
    expect(landing.headers.get("content-type")).toMatch(/text\/html/);
  });

  it("never shows a stack trace, SQL or an internal message", async () => {
    for (const server of [api, prod]) {
      const r = await gql(server, token, `{ event(log: "app", seq: 99999999999999999999) { seq } nope }`);
      expect(r.body).not.toMatch(/stacktrace|\.ts:|node_modules|select /i);
      const unknown = await gql(server, token, `{ event(log: "nope", seq: 0) { seq } }`);
      expect(unknown.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      expect(unknown.body).not.toMatch(/stacktrace/);
    }
  });
});
