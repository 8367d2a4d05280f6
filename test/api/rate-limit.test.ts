/**
 * A rate per key (token bucket: SEALTRAIL_API_RATE_PER_KEY, SEALTRAIL_API_RATE_BURST) over HTTP
 * and WebSocket operations, refused as RATE_LIMITED with HTTP 429 and Retry-After, and recorded
 * in the tenant's audit log (a flood counted, not one record per refusal); and a tenant's share
 * of the database pool, so that one tenant flooding never holds every connection.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyRateLimiter } from "../../src/api/rate-limiter.js";
import { apiTokenId } from "../../src/core/token/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { apiKey, gql, startApi, wsClient } from "../support/api.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;

beforeAll(async () => {
  ledger = await freshLedger("ratelimit");
  await createLog(ledger.writer, "a1", { tenant: "acme", origin: "test.example/a1" });
  await createLog(ledger.writer, "g1", { tenant: "globex", origin: "test.example/g1" });
  await new Appender(ledger.writer).append("a1", Array.from({ length: 5 }, (_, i) => ({ kind: "custom", actor: "a", action: "x", resource: `r${i}` })));
});
afterAll(async () => {
  await ledger?.close();
});

async function refusalRecords(keyId: string): Promise<{ outcome: string; p: { errors?: string[]; refused?: number } }[]> {
  const rows = await ledger.admin<{ outcome: string; payload: string }[]>`
    select outcome, payload from entries where log_id = (select id from logs where name = 'sealtrail.audit.acme')
    and kind = 'ledger.read' and actor = ${`api_key:${keyId}`} and payload like '%RATE_LIMITED%' order by seq`;
  return rows.map((r) => ({ outcome: r.outcome, p: JSON.parse(r.payload) }));
}

describe("token bucket", () => {
  it("admits a burst, then one request per 1/rate seconds, and says how long to wait", () => {
    const bucket = new KeyRateLimiter({ perSecond: 2, burst: 3 });
    expect([0, 0, 0].map(() => bucket.take("k", 1_000))).toEqual([0, 0, 0]);
    expect(bucket.take("k", 1_000)).toBe(500);
    expect(bucket.take("other", 1_000)).toBe(0);
    expect(bucket.take("k", 1_500)).toBe(0);
    expect(bucket.take("k", 1_600)).toBe(400);
    // Idle long enough, a bucket is full again, never fuller.
    expect([0, 0, 0, 0].map(() => bucket.take("k", 60_000))).toEqual([0, 0, 0, 500]);
  });
});

describe("rate per key", () => {
  it("refuses a key past its burst with 429 RATE_LIMITED and Retry-After, over HTTP and WebSocket, and records the refusals", { timeout: 60_000 }, async () => {
    const api = await startApi(ledger, { ratePerKey: 1, rateBurst: 3 });
    const token = await apiKey(ledger, "acme");
    const keyId = apiTokenId(token)!;
    const client = wsClient(api, token);
    try {
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await fetch(api.url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ query: "{ logs { name } }" }) }));
      const statuses = answers.map((r) => r.status);
      // The burst passes; the requests after it (faster than one a second) are refused.
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
      const refused = answers.find((r) => r.status === 429)!;
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(((await refused.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe("RATE_LIMITED");
      // Another key, of the same tenant or another, has a bucket of its own.
      expect((await gql(api, await apiKey(ledger, "acme"), `{ logs { name } }`)).status).toBe(200);
      expect((await gql(api, await apiKey(ledger, "globex"), `{ logs { name } }`)).status).toBe(200);
      // The same key over WebSocket draws on the same bucket: of a few operations in a row, some are refused.
      const ws: string[] = [];
      for (let i = 0; i < 5; i++) {
        ws.push(await new Promise<string>((resolve) => {
          client.subscribe({ query: "{ logs { name } }" }, { next: (r) => resolve(JSON.stringify(r)), error: (e) => resolve(JSON.stringify(e)), complete: () => {} });
        }));
      }
      const wsRefused = ws.filter((w) => w.includes("RATE_LIMITED")).length;
      expect(wsRefused).toBeGreaterThanOrEqual(1);
      // Recorded as failed reads: the first refusal on its own, the rest of the flood counted.
      await expect.poll(async () => {
        await api.server.recorder.flush();
        const records = await refusalRecords(keyId);
        return records.reduce((n, r) => n + (r.p.refused ?? 0), 0);
      }, { timeout: 20_000 }).toBe(statuses.filter((s) => s === 429).length + wsRefused);
      const records = await refusalRecords(keyId);
      expect(records.every((r) => r.outcome === "failure" && r.p.errors?.includes("RATE_LIMITED"))).toBe(true);
      // Fewer records than refusals once a flood is counted together (one per key a second, and the first).
      expect(records.length).toBeLessThan(statuses.filter((s) => s === 429).length + wsRefused + 1);
    } finally {
      await client.dispose();
      await api.close();
    }
  });
});

describe("a tenant's share of the database pool", () => {
  it("answers tenant B while tenant A floods, however high A's in-flight bounds", { timeout: 90_000 }, async () => {
    // Four connections, at most three of them a tenant's; the in-flight bounds far above the pool.
    const api = await startApi(ledger, { dbPool: 4, dbPoolPerTenant: 3, maxConcurrentPerKey: 64, maxConcurrentPerTenant: 64, concurrencyWaitMs: 60_000, timeoutMs: 60_000, requestTimeoutMs: 60_000 });
    const a = await apiKey(ledger, "acme");
    const b = await apiKey(ledger, "globex");
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await new Promise<void>((ready) => {
      void ledger.admin.begin(async (tx) => {
        await tx`lock table entries in access exclusive mode`;
        ready();
        await held;
      });
    });
    try {
      const flood = Array.from({ length: 12 }, () => gql(api, a, `{ events(first: 5, filter: { logs: ["a1"] }) { edges { node { seq } } } }`));
      await expect.poll(async () => (await ledger.admin`select count(*)::int as n from pg_locks where relation = 'entries'::regclass and not granted`)[0]!.n, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
      const started = Date.now();
      const r = await gql(api, b, `{ logs { name } }`);
      expect(r.errors, r.body).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(5_000);
      release();
      const answered = await Promise.all(flood);
      expect(answered.map((x) => x.status)).toEqual(answered.map(() => 200));
    } finally {
      release();
      await api.close();
    }
  });
});
