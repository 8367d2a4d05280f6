/**
 * Time and fairness limits of the security review's item 5 that the cost estimate does not
 * give: a wall-clock limit per request (TIMEOUT, with what was read before still recorded),
 * WebSocket operations counted in the per-key and per-tenant bounds, and one tenant's costly
 * aliased requests held in flight while another tenant's simple query is answered.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadApiConfig } from "../../src/config/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { apiKey, gql, startApi, wsClient, type TestApi } from "../support/api.js";
import { holdTable } from "../support/held-table.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;

beforeAll(async () => {
  ledger = await freshLedger("reqlimits");
  await createLog(ledger.writer, "a1", { tenant: "acme", origin: "test.example/a1" });
  await createLog(ledger.writer, "g1", { tenant: "globex", origin: "test.example/g1" });
  await new Appender(ledger.writer).append("a1", Array.from({ length: 20 }, (_, i) => ({ kind: "custom", actor: "a", action: "x", resource: `r${i}` })));
});
afterAll(async () => {
  await ledger?.close();
});

async function readRecords(api: TestApi, tenant: string): Promise<any[]> {
  await api.server.recorder.flush();
  const rows = await ledger.admin<{ payload: string; outcome: string }[]>`
    select payload, outcome from entries where log_id = (select id from logs where name = ${`sealtrail.audit.${tenant}`}) and kind = 'ledger.read' order by seq`;
  return rows.map((r) => ({ ...JSON.parse(r.payload), outcome: r.outcome }));
}

describe("the wall-clock limit of a request", () => {
  it("is SEALTRAIL_API_REQUEST_TIMEOUT_MS, 10 s by default", () => {
    expect(loadApiConfig({}).requestTimeoutMs).toBe(10_000);
    expect(loadApiConfig({ SEALTRAIL_API_REQUEST_TIMEOUT_MS: "2500" }).requestTimeoutMs).toBe(2_500);
  });

  it("starts no read past it: the fields left answer TIMEOUT, and the request is recorded with what it read", { timeout: 60_000 }, async () => {
    const api = await startApi(ledger, { requestTimeoutMs: 1, maxComplexity: 1_000_000 });
    try {
      const token = await apiKey(ledger, "acme");
      // 300 aliased logs, each with its size: a second wave of queries after the first.
      const query = `query Slow { ${Array.from({ length: 300 }, (_, i) => `l${i}: logs { name size }`).join(" ")} }`;
      const started = Date.now();
      const r = await gql(api, token, query);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(r.errors?.some((e) => e.extensions?.code === "TIMEOUT"), r.body.slice(0, 500)).toBe(true);
      expect(r.errors?.find((e) => e.extensions?.code === "TIMEOUT")?.message).toMatch(/time limit of 1 ms \(SEALTRAIL_API_REQUEST_TIMEOUT_MS\)/);
      const served = Object.values((r.data ?? {}) as Record<string, { name: string }[] | null>).filter((v) => v !== null).reduce((n, v) => n + v!.length, 0);
      const record = (await readRecords(api, "acme")).find((p) => p.operation === "Slow");
      expect(record).toMatchObject({ outcome: "failure", fields: ["logs"] });
      expect(record.errors).toContain("TIMEOUT");
      expect(record.rows).toBeGreaterThanOrEqual(served);
    } finally {
      await api.close();
    }
  });
});

describe("WebSocket operations in the concurrency bounds", () => {
  it("counts a key's open subscriptions: past its bound HTTP and WebSocket are refused, another tenant is not", { timeout: 60_000 }, async () => {
    const api = await startApi(ledger, { maxConcurrentPerKey: 2, maxConcurrentPerTenant: 10, concurrencyWaitMs: 300 });
    const token = await apiKey(ledger, "acme");
    const client = wsClient(api, token);
    try {
      const subscribe = () => {
        const errors: unknown[] = [];
        let seen = 0;
        const stop = client.subscribe({ query: `subscription { eventAppended { seq } }` }, { next: () => void seen++, error: (e) => errors.push(e), complete: () => {} });
        return { stop, errors, seen: () => seen };
      };
      const open = [subscribe(), subscribe()];
      // Both live before any HTTP request: one in flight while a subscription waits for its slot
      // (slow on a busy machine) would refuse that subscription, leaving a slot free. Probes are
      // appended until each has seen one.
      const appender = new Appender(ledger.writer);
      for (let i = 0; !open.every((s) => s.seen() > 0); i++) {
        expect(open.flatMap((s) => s.errors)).toEqual([]);
        if (i > 300) throw new Error("subscriptions never went live");
        await appender.append("a1", [{ kind: "custom", actor: "p", action: "x", resource: `probe-${i}` }]);
        await new Promise((r) => setTimeout(r, 100));
      }
      // Both hold their slots: the key's HTTP request is then refused.
      await expect.poll(async () => (await gql(api, token, `{ logs { name } }`)).status, { timeout: 20_000 }).toBe(429);
      const third = subscribe();
      await expect.poll(() => JSON.stringify(third.errors), { timeout: 20_000 }).toContain("RATE_LIMITED");
      expect((await gql(api, await apiKey(ledger, "globex"), `{ logs { name } }`)).status).toBe(200);
      // A subscription ended gives its slot back.
      open[0]!.stop();
      await expect.poll(async () => (await gql(api, token, `{ logs { name } }`)).status, { timeout: 20_000 }).toBe(200);
      open[1]!.stop();
    } finally {
      await client.dispose();
      await api.close();
    }
  });
});

describe("one tenant's costly requests and another's simple query", () => {
  it("answers tenant B's { logs { name } } within 5 s while tenant A's aliased requests are held in flight", { timeout: 90_000 }, async () => {
    // Pool of 6 connections, at most 3 requests of a tenant in flight.
    const api = await startApi(ledger, { dbPool: 6, maxConcurrentPerKey: 3, maxConcurrentPerTenant: 3, concurrencyWaitMs: 60_000, timeoutMs: 60_000, requestTimeoutMs: 60_000 });
    const a = await Promise.all([1, 2, 3, 4].map(() => apiKey(ledger, "acme")));
    const b = await apiKey(ledger, "globex");
    // Tenant A's reads of entries are held until released: its requests stay in flight.
    const entries = await holdTable(ledger.admin, "entries");
    try {
      const costly = `{ ${Array.from({ length: 40 }, (_, i) => `e${i}: events(first: 20, filter: { logs: ["a1"] }) { edges { node { seq payload } } }`).join(" ")} }`;
      const tenantA = Array.from({ length: 10 }, (_, i) => gql(api, a[i % 4]!, costly));
      // Saturated: three of A's requests wait on the lock, holding their connections.
      await entries.waiting(3);
      const started = Date.now();
      const r = await gql(api, b, `{ logs { name } }`);
      const took = Date.now() - started;
      expect(r.errors, r.body).toBeUndefined();
      expect(r.data.logs.map((l: { name: string }) => l.name)).toContain("g1");
      expect(took).toBeLessThan(5_000);
      entries.release();
      const answered = await Promise.all(tenantA);
      expect(answered.every((x) => x.status === 200 && !x.errors), answered.map((x) => x.body.slice(0, 200)).join("\n")).toBe(true);
    } finally {
      entries.release();
      await api.close();
    }
  });
});
