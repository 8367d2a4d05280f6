/**
 * A rate per key (token bucket: SEALTRAIL_API_RATE_PER_KEY, SEALTRAIL_API_RATE_BURST) at every
 * entrance — GraphQL over HTTP and WebSocket, pack downloads, tiles of a private log, webhook
 * deliveries (a source's secret is its key) — refused as RATE_LIMITED with HTTP 429 and
 * Retry-After, and recorded in the tenant's audit log (a flood counted, not one record per
 * refusal); and a tenant's share of the database pool, so that one tenant flooding never holds
 * every connection.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyRateLimiter } from "../../src/api/rate-limiter.js";
import { parseWebhookSources } from "../../src/config/index.js";
import { apiTokenId } from "../../src/core/token/index.js";
import { signature } from "../../src/ingest/webhooks/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { openEvidenceQueue } from "../../src/packs/evidence-queue.js";
import { loadExporters } from "../../src/packs/exporters.js";
import { apiKey, gql, startApi, wsClient } from "../support/api.js";
import { deployEvent, REDIS_URL, testQueue } from "../support/ingest.js";
import { holdTable } from "../support/held-table.js";
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
    // One token per 20 s: no token comes back while the test runs, however slow the machine
    // (at one a second, six requests spread over a loaded second or two were all admitted).
    const api = await startApi(ledger, { ratePerKey: 0.05, rateBurst: 3 });
    const token = await apiKey(ledger, "acme");
    const keyId = apiTokenId(token)!;
    const client = wsClient(api, token);
    try {
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await fetch(api.url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ query: "{ logs { name } }" }) }));
      const statuses = answers.map((r) => r.status);
      // The burst passes; the requests after it (faster than one a second) are refused.
      expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
      const refused = answers.find((r) => r.status === 429)!;
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(((await refused.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe("RATE_LIMITED");
      // Another key, of the same tenant or another, has a bucket of its own.
      expect((await gql(api, await apiKey(ledger, "acme"), `{ logs { name } }`)).status).toBe(200);
      expect((await gql(api, await apiKey(ledger, "globex"), `{ logs { name } }`)).status).toBe(200);
      // The same key over WebSocket draws on the same bucket, now empty.
      const ws: string[] = [];
      for (let i = 0; i < 5; i++) {
        ws.push(await new Promise<string>((resolve) => {
          client.subscribe({ query: "{ logs { name } }" }, { next: (r) => resolve(JSON.stringify(r)), error: (e) => resolve(JSON.stringify(e)), complete: () => {} });
        }));
      }
      const wsRefused = ws.filter((w) => w.includes("RATE_LIMITED")).length;
      expect(wsRefused).toBe(5);
      // Recorded as failed reads: the first refusal on its own, the rest of the flood counted.
      await expect.poll(async () => {
        await api.server.recorder.flush();
        const records = await refusalRecords(keyId);
        return records.reduce((n, r) => n + (r.p.refused ?? 0), 0);
      }, { timeout: 20_000 }).toBe(statuses.filter((s) => s === 429).length + wsRefused);
      const records = await refusalRecords(keyId);
      expect(records.every((r) => r.outcome === "failure" && r.p.errors?.includes("RATE_LIMITED"))).toBe(true);
      // Fewer records than refusals: the flood after the first is counted together (one record per key a second).
      expect(records.length).toBeLessThan(statuses.filter((s) => s === 429).length + wsRefused);
    } finally {
      await client.dispose();
      await api.close();
    }
  });
});

async function refusalsOf(actor: string): Promise<{ kind: string; resource: string; outcome: string; p: { errors?: string[]; refused?: number; query?: string } }[]> {
  const rows = await ledger.admin<{ kind: string; resource: string; outcome: string; payload: string }[]>`
    select kind, resource, outcome, payload from entries where log_id = (select id from logs where name = 'sealtrail.audit.acme')
    and actor = ${actor} and payload like '%RATE_LIMITED%' order by seq`;
  return rows.map((r) => ({ kind: r.kind, resource: r.resource, outcome: r.outcome, p: JSON.parse(r.payload) }));
}

describe("rate per key at the other entrances", () => {
  const OPS_SECRET = "ops-secret-0123456789abcdef";
  // A burst of 2, then one token every 20 s: the requests below all fall within the burst's refill.
  const RATE = { ratePerKey: 0.05, rateBurst: 2 };

  it("refuses pack downloads and private tiles past the key's burst with 429 RATE_LIMITED and Retry-After, and records them", { timeout: 60_000 }, async () => {
    const work = mkdtempSync(join(tmpdir(), "sealtrail-rate-"));
    const queue = openEvidenceQueue(REDIS_URL, { name: `test-${randomUUID()}` });
    const api = await startApi(ledger, RATE, {}, { evidence: { queue, exporters: await loadExporters([]), packDir: join(work, "packs") } });
    try {
      const get = (path: string, token: string) => fetch(`${api.base}${path}`, { headers: { authorization: `Bearer ${token}` } });
      for (const [path, scopes, route] of [[`/packs/${randomUUID()}.tar.gz`, ["packs:create"], "evidencePackDownload"], ["/logs/a1/checkpoint", ["events:read"], "tiles"]] as const) {
        const token = await apiKey(ledger, "acme", [...scopes]);
        const answers = [];
        for (let i = 0; i < 5; i++) answers.push(await get(path, token));
        // The burst reaches the route (no such pack; no checkpoint yet), the rest is refused.
        expect(answers.map((r) => r.status), path).toEqual([404, 404, 429, 429, 429]);
        const refused = answers[2]!;
        expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
        expect(((await refused.json()) as { error: string }).error).toBe("RATE_LIMITED");
        // The same key's GraphQL requests draw on the same bucket.
        expect((await gql(api, token, `{ logs { name } }`)).status).toBe(429);
        const actor = `api_key:${apiTokenId(token)}`;
        await expect.poll(async () => {
          await api.server.recorder.flush();
          return (await refusalsOf(actor)).reduce((n, r) => n + (r.p.refused ?? 0), 0);
        }, { timeout: 20_000 }).toBe(4);
        const records = await refusalsOf(actor);
        // The first on its own, with the route; the rest counted together within the second.
        expect(records[0]).toMatchObject({ kind: "ledger.read", resource: route, outcome: "failure", p: { errors: ["RATE_LIMITED"], refused: 1, query: `GET ${path}` } });
        expect(records.length).toBeLessThan(4);
      }
    } finally {
      await api.close();
      await queue.obliterate({ force: true }).catch(() => {});
      await queue.close();
      rmSync(work, { recursive: true, force: true });
    }
  });

  it("refuses a webhook source's signed deliveries past its burst with 429 RATE_LIMITED and Retry-After, queues none of them, and records them", { timeout: 60_000 }, async () => {
    const q = await testQueue();
    const webhooks = parseWebhookSources(JSON.stringify({ ops: { format: "signed", log: "a1", secret: OPS_SECRET }, ops2: { format: "signed", log: "a1", secret: OPS_SECRET } }), {});
    const api = await startApi(ledger, RATE, {}, { webhooks, ingest: { queue: q.queue, queueEvents: q.events, maxPayloadBytes: 64 * 1024, maxBatchEvents: 100, waitTimeoutMs: 10_000 } });
    const deliver = async (source: string, secret = OPS_SECRET) => {
      const delivery = randomUUID();
      const timestamp = String(Math.floor(Date.now() / 1000));
      const body = JSON.stringify({ events: [deployEvent(Date.now())] });
      const res = await fetch(`${api.base}/hooks/${source}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-sealtrail-delivery": delivery, "x-sealtrail-timestamp": timestamp, "x-sealtrail-signature": signature(secret, `${delivery}.${timestamp}.`, body) },
        body,
      });
      return { status: res.status, retryAfter: res.headers.get("retry-after"), body: (await res.json()) as { error?: { code: string }; jobId?: string } };
    };
    try {
      // Requests without the source's secret never use up its rate.
      for (let i = 0; i < 4; i++) expect((await deliver("ops", "not-the-secret-0123456789")).status).toBe(401);
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await deliver("ops"));
      expect(answers.map((a) => a.status)).toEqual([202, 202, 429, 429, 429]);
      expect(Number(answers[2]!.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(answers[2]!.body.error?.code).toBe("RATE_LIMITED");
      // Nothing of a refused delivery was queued: the two admitted ones are the queue's only jobs.
      expect(await q.queue.getJobCountByTypes("waiting", "active", "completed", "failed", "delayed", "prioritized")).toBe(2);
      // Another source (even with the same secret and log) has a bucket of its own.
      expect((await deliver("ops2")).status).toBe(202);
      await expect.poll(async () => {
        await api.server.recorder.flush();
        return (await refusalsOf("webhook:ops")).reduce((n, r) => n + (r.p.refused ?? 0), 0);
      }, { timeout: 20_000 }).toBe(3);
      const records = await refusalsOf("webhook:ops");
      expect(records[0]).toMatchObject({ kind: "ledger.write", resource: "webhook", outcome: "failure", p: { errors: ["RATE_LIMITED"], refused: 1, query: "POST /hooks/ops" } });
      expect(records.length).toBeLessThan(3);
    } finally {
      await api.close();
      await q.close();
    }
  });
});

describe("a tenant's share of the database pool", () => {
  it("answers tenant B while tenant A floods, however high A's in-flight bounds", { timeout: 90_000 }, async () => {
    // Four connections, at most three of them a tenant's; the in-flight bounds far above the pool.
    const api = await startApi(ledger, { dbPool: 4, dbPoolPerTenant: 3, maxConcurrentPerKey: 64, maxConcurrentPerTenant: 64, concurrencyWaitMs: 60_000, timeoutMs: 60_000, requestTimeoutMs: 60_000 });
    const a = await apiKey(ledger, "acme");
    const b = await apiKey(ledger, "globex");
    const entries = await holdTable(ledger.admin, "entries");
    try {
      const flood = Array.from({ length: 12 }, () => gql(api, a, `{ events(first: 5, filter: { logs: ["a1"] }) { edges { node { seq } } } }`));
      await entries.waiting(3);
      const started = Date.now();
      const r = await gql(api, b, `{ logs { name } }`);
      expect(r.errors, r.body).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(5_000);
      entries.release();
      const answered = await Promise.all(flood);
      expect(answered.map((x) => x.status)).toEqual(answered.map(() => 200));
    } finally {
      entries.release();
      await api.close();
    }
  });
});
