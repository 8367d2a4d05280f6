/**
 * The recordEvents mutation end to end: a real API server, a queue of this file's own on the
 * real Redis, a real ingest worker, a real Postgres schema. Receipts, rejections, wait: true,
 * scopes and tenants, re-sends, bad input, 32 concurrent producers through HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIngestWorker, type IngestWorker } from "../../src/ingest/index.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { apiKey, gql, startApi, type TestApi } from "../support/api.js";
import { deployEvent, REDIS_URL, testQueue, type TestQueue, until } from "../support/ingest.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

const MAX_PAYLOAD = 16 * 1024;
let ledger: TestLedger;
let api: TestApi;
let q: TestQueue;
let worker: IngestWorker;
let writer: string;
let reader: string;

const RECORD = `mutation Record($log: String!, $events: [EventInput!]!, $wait: Boolean) {
  recordEvents(log: $log, events: $events, wait: $wait) {
    log accepted rejected committed
    receipts { index idempotencyKey status reason { code message } seq leafHash duplicate }
  }
}`;

beforeAll(async () => {
  ledger = await freshLedger("record_events");
  for (const [name, tenant] of [["acme-prod", "acme"], ["acme-burst", "acme"], ["acme-bad", "acme"], ["acme-dup", "acme"], ["acme-late", "acme"], ["globex-prod", "globex"]] as const) {
    await createLog(ledger.admin, name, { tenant, origin: `test.example/${name}` });
  }
  q = await testQueue();
  worker = startIngestWorker({ store: ledger.store, redisUrl: REDIS_URL, queueName: q.name, concurrency: 4, maxPayloadBytes: MAX_PAYLOAD, lockDurationMs: 5_000, stalledIntervalMs: 2_000 });
  api = await startApi(ledger, { maxBodyBytes: 256 * 1024 }, {}, {
    ingest: { queue: q.queue, queueEvents: q.events, maxPayloadBytes: MAX_PAYLOAD, maxBatchEvents: 500, waitTimeoutMs: 15_000 },
  });
  writer = await apiKey(ledger, "acme", ["events:write", "events:read"]);
  reader = await apiKey(ledger, "acme", ["events:read"]);
});
afterAll(async () => {
  await api?.close();
  await worker?.close();
  await q?.close();
  await ledger?.close();
});

async function entries(log: string) {
  return ledger.admin<{ seq: number; key: string; actor: string; payload: unknown }[]>`
    select e.seq, e.idempotency_key as key, e.actor, e.payload from entries e join logs l on l.id = e.log_id where l.name = ${log} order by e.seq`;
}

describe("recordEvents", () => {
  it("answers a receipt per event: accepted with its key, rejected with the reason; only accepted events are committed", async () => {
    const events = [deployEvent(0), deployEvent(1, { action: "deploy.explode" }), deployEvent(2, { idempotencyKey: "rel-1.0.2" }), deployEvent(3, { kind: "sweep" })];
    const res = await gql(api, writer, RECORD, { log: "acme-prod", events });
    expect(res.errors).toBeUndefined();
    const out = res.data.recordEvents;
    expect(out).toMatchObject({ log: "acme-prod", accepted: 2, rejected: 2, committed: false });
    expect(out.receipts.map((r: { status: string }) => r.status)).toEqual(["ACCEPTED", "REJECTED", "ACCEPTED", "REJECTED"]);
    expect(out.receipts[0]).toMatchObject({ index: 0, idempotencyKey: expect.stringMatching(/^ingest:[0-9a-f-]{36}:0$/), reason: null, seq: null });
    expect(out.receipts[1].reason).toEqual({ code: "INVALID_FIELD", message: expect.stringContaining("action") });
    expect(out.receipts[2].idempotencyKey).toBe("rel-1.0.2");
    expect(out.receipts[3].reason.code).toBe("UNKNOWN_KIND");
    await until("two entries committed", async () => (await entries("acme-prod")).length === 2);
    expect((await entries("acme-prod")).map((e) => e.key)).toEqual([out.receipts[0].idempotencyKey, "rel-1.0.2"]);
  });

  it("with wait: true answers once committed, with seqs and leaf hashes; a re-send with the same keys appends nothing", async () => {
    const events = [0, 1, 2].map((n) => deployEvent(n, { idempotencyKey: `dup-${n}` }));
    const first = await gql(api, writer, RECORD, { log: "acme-dup", events, wait: true });
    expect(first.errors).toBeUndefined();
    const a = first.data.recordEvents;
    expect(a).toMatchObject({ accepted: 3, rejected: 0, committed: true });
    expect(a.receipts.map((r: { seq: string; duplicate: boolean }) => [r.seq, r.duplicate])).toEqual([[0, false], [1, false], [2, false]]);
    const stored = await ledger.admin<{ seq: number; leaf: Buffer }[]>`select seq, leaf_hash as leaf from entries where log_id = (select id from logs where name = 'acme-dup') order by seq`;
    expect(a.receipts.map((r: { leafHash: string }) => r.leafHash)).toEqual(stored.map((s) => s.leaf.toString("base64")));

    const again = await gql(api, writer, RECORD, { log: "acme-dup", events: [...events, deployEvent(3, { idempotencyKey: "dup-3" })], wait: true });
    const b = again.data.recordEvents;
    expect(b.receipts.map((r: { seq: string; duplicate: boolean }) => [r.seq, r.duplicate])).toEqual([[0, true], [1, true], [2, true], [3, false]]);
    expect(b.receipts[0].leafHash).toBe(a.receipts[0].leafHash);
    expect((await entries("acme-dup")).map((e) => e.key)).toEqual(["dup-0", "dup-1", "dup-2", "dup-3"]);
  });

  it("needs the events:write scope, and writes only to the key's tenant's logs, never to its audit log", async () => {
    const events = [deployEvent(9)];
    const noScope = await gql(api, reader, RECORD, { log: "acme-prod", events, wait: true });
    expect(noScope.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const noKey = await gql(api, undefined, RECORD, { log: "acme-prod", events });
    expect(noKey.status).toBe(401);
    const otherTenant = await gql(api, writer, RECORD, { log: "globex-prod", events, wait: true });
    expect(otherTenant.errors?.[0]).toMatchObject({ message: 'no log named "globex-prod"', extensions: { code: "BAD_USER_INPUT" } });
    const missing = await gql(api, writer, RECORD, { log: "nope", events, wait: true });
    expect(missing.errors?.[0]?.message).toBe('no log named "nope"');
    const audit = await gql(api, writer, RECORD, { log: "sealtrail.audit.acme", events: [deployEvent(9, { kind: "custom", action: "x.y" })], wait: true });
    expect(audit.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(await entries("globex-prod")).toHaveLength(0);
    const forged = await ledger.admin`select 1 from entries e join logs l on l.id = e.log_id where l.name = 'sealtrail.audit.acme' and e.kind <> 'ledger.read' and e.kind <> 'ledger.write'`;
    expect(forged).toHaveLength(0);
  });

  it("records each call in the tenant's audit log as ledger.write, with the events accepted", async () => {
    const res = await gql(api, writer, RECORD, { log: "acme-prod", events: [deployEvent(20), deployEvent(21)], wait: true });
    expect(res.data.recordEvents.accepted).toBe(2);
    await until("the write record", async () => {
      const rows = await ledger.admin`select 1 from entries e join logs l on l.id = e.log_id where l.name = 'sealtrail.audit.acme' and e.kind = 'ledger.write' and e.resource = 'recordEvents' and (e.payload::jsonb ->> 'rows')::int = 2`;
      return rows.length > 0;
    });
  });

  it("refuses bad input with a typed error and stores nothing: wrong types, missing fields, oversize, malformed or binary bodies, too many events", async () => {
    const before = (await entries("acme-bad")).length;
    const wrongType = await gql(api, writer, RECORD, { log: "acme-bad", events: [deployEvent(0, { actor: 5 })] });
    expect(wrongType.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const missing = await gql(api, writer, RECORD, { log: "acme-bad", events: [deployEvent(0, { source: undefined })] });
    expect(missing.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const badOutcome = await gql(api, writer, RECORD, { log: "acme-bad", events: [deployEvent(0, { outcome: "maybe" })] });
    expect(badOutcome.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const none = await gql(api, writer, RECORD, { log: "acme-bad", events: [] });
    expect(none.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const tooMany = await gql(api, writer, RECORD, { log: "acme-bad", events: Array.from({ length: 501 }, (_, i) => deployEvent(i)) });
    expect(tooMany.errors?.[0]).toMatchObject({ message: "events: got 501, want at most 500 in one request", extensions: { code: "BAD_USER_INPUT" } });

    // A payload over SEALTRAIL_MAX_PAYLOAD_BYTES is refused in its receipt; a body over the request limit by HTTP.
    const big = await gql(api, writer, RECORD, { log: "acme-bad", events: [deployEvent(0, { payload: { version: "1", blob: "x".repeat(MAX_PAYLOAD) } })], wait: true });
    expect(big.data.recordEvents).toMatchObject({ accepted: 0, rejected: 1, committed: true });
    expect(big.data.recordEvents.receipts[0].reason.code).toBe("PAYLOAD_TOO_LARGE");
    const huge = await gql(api, writer, RECORD, { log: "acme-bad", events: [deployEvent(0, { payload: { version: "1", blob: "x".repeat(300 * 1024) } })] });
    expect(huge.status).toBe(413);
    expect(huge.errors?.[0]?.extensions?.code).toBe("PAYLOAD_TOO_LARGE");

    for (const body of ['{"query": "mutation { recordEvents(', Buffer.from([0xff, 0xfe, 0x00, 0x81, 0x9c, 0x7b])]) {
      const res = await fetch(api.url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${writer}` }, body });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe("BAD_REQUEST");
    }
    // A NUL in a field is the ledger's to refuse: a receipt, not a stored event.
    const nul = await gql(api, writer, RECORD, { log: "acme-bad", events: [deployEvent(0, { actor: "a\u0000b" })], wait: true });
    expect(nul.data.recordEvents.receipts[0].reason.code).toBe("INVALID_FIELD");
    // The same rule inside the payload, at any depth (docs/security.md, the payload string rule).
    const nulPayload = await gql(api, writer, RECORD, { log: "acme-bad", events: [deployEvent(0, { payload: { version: "1", deep: [{ k: "a\u0000b" }] } })], wait: true });
    expect(nulPayload.data.recordEvents.receipts[0].reason).toMatchObject({ code: "INVALID_FIELD", message: expect.stringMatching(/^payload: a string contains NUL/) });
    expect((await entries("acme-bad")).length).toBe(before);
    expect(before).toBe(0);
  });

  it("with wait: true and no commit in time, answers the receipts uncommitted; the events stay queued and are committed later", async () => {
    const idle = await testQueue();
    const slow = await startApi(ledger, {}, {}, { ingest: { queue: idle.queue, queueEvents: idle.events, maxPayloadBytes: MAX_PAYLOAD, maxBatchEvents: 500, waitTimeoutMs: 300 } });
    try {
      const res = await gql(slow, writer, RECORD, { log: "acme-late", events: [deployEvent(0), deployEvent(1, { idempotencyKey: "late-1" })], wait: true });
      expect(res.errors).toBeUndefined();
      expect(res.data.recordEvents).toMatchObject({ accepted: 2, rejected: 0, committed: false });
      expect(res.data.recordEvents.receipts.map((r: { status: string; seq: unknown }) => [r.status, r.seq])).toEqual([["ACCEPTED", null], ["ACCEPTED", null]]);
      expect(await entries("acme-late")).toHaveLength(0);
      // A worker comes: the queued events are committed under the keys the receipts named.
      const late = startIngestWorker({ store: ledger.store, redisUrl: REDIS_URL, queueName: idle.name, concurrency: 1, maxPayloadBytes: MAX_PAYLOAD, lockDurationMs: 5_000, stalledIntervalMs: 2_000 });
      try {
        await until("the queued events committed", async () => (await entries("acme-late")).length === 2);
      } finally {
        await late.close();
      }
      expect((await entries("acme-late")).map((e) => e.key)).toEqual(res.data.recordEvents.receipts.map((r: { idempotencyKey: string }) => r.idempotencyKey));
    } finally {
      await slow.close();
      await idle.close();
    }
  });

  it("answers SERVICE_UNAVAILABLE when the queue cannot take the job, and stores nothing", async () => {
    const { openIngestQueue } = await import("../../src/ingest/index.js");
    // A port nothing listens on: the producer fails fast instead of queueing the command.
    const deadUrl = "redis://127.0.0.1:1";
    const dead = openIngestQueue(deadUrl, { name: q.name });
    dead.on("error", () => {});
    const down = await startApi(ledger, {}, {}, { ingest: { queue: dead, queueEvents: q.events, maxPayloadBytes: MAX_PAYLOAD, maxBatchEvents: 500, waitTimeoutMs: 5_000 } });
    try {
      const res = await gql(down, writer, RECORD, { log: "acme-bad", events: [deployEvent(0)] });
      expect(res.errors?.[0]).toMatchObject({ message: "the ingest queue is unavailable; nothing was queued, send again", extensions: { code: "SERVICE_UNAVAILABLE" } });
      // Nothing was taken: the HTTP status says so (503), not 200 beside an error.
      expect(res.status).toBe(503);
      expect(res.data ?? null).toBeNull();
      // Its write record names the code the client got, and no other.
      await down.server.recorder.flush();
      const keyId = writer.slice(10, 26);
      const [record] = await ledger.admin<{ payload: string; outcome: string }[]>`
        select payload, outcome from entries where log_id = (select id from logs where name = 'sealtrail.audit.acme') and actor = ${`api_key:${keyId}`}
        and payload like '%SERVICE_UNAVAILABLE%' order by seq desc limit 1`;
      expect(record!.outcome).toBe("failure");
      expect(JSON.parse(record!.payload)).toMatchObject({ errors: ["SERVICE_UNAVAILABLE"] });
    } finally {
      await down.close();
      await dead.close();
    }
    expect(await entries("acme-bad")).toHaveLength(0);
  });

  it("takes 32 concurrent producers through HTTP: every event committed exactly once, in a gapless log", async () => {
    const producers = 32;
    const batches = 5;
    const perBatch = 20;
    await Promise.all(
      Array.from({ length: producers }, async (_, p) => {
        for (let b = 0; b < batches; b++) {
          const events = Array.from({ length: perBatch }, (_, i) => deployEvent(i, { idempotencyKey: `p${p}-b${b}-e${i}`, actor: `producer-${p}` }));
          const res = await gql(api, writer, RECORD, { log: "acme-burst", events, wait: b === batches - 1 });
          expect(res.errors).toBeUndefined();
          expect(res.data.recordEvents.accepted).toBe(perBatch);
        }
      }),
    );
    const total = producers * batches * perBatch;
    await until("every event committed", async () => (await entries("acme-burst")).length >= total, 60_000);
    const rows = await entries("acme-burst");
    expect(rows).toHaveLength(total);
    expect(new Set(rows.map((r) => r.key)).size).toBe(total);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: total }, (_, i) => i));
  });
});
