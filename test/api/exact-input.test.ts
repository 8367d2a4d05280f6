/**
 * Input is kept exactly or refused, at every entrance of the API (docs/security.md): ill-formed
 * UTF-8 in a GraphQL request (body, query string, WebSocket frame), a number that a double
 * cannot keep (in variables, in a literal, over WebSocket), a member named twice in one object
 * (JSON.parse would keep the last alone), and timestamp digits finer than the millisecond. Each is refused with a typed error and nothing is stored; exact input is kept.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startIngestWorker, type IngestWorker } from "../../src/ingest/index.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { apiKey, gql, startApi, type TestApi } from "../support/api.js";
import { deployEvent, REDIS_URL, testQueue, type TestQueue, until } from "../support/ingest.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
let api: TestApi;
let q: TestQueue;
let worker: IngestWorker;
let writer: string;

const RECORD = `mutation Record($events: [EventInput!]!) {
  recordEvents(log: "exact", events: $events, wait: true) { accepted rejected receipts { status reason { code message } } }
}`;

beforeAll(async () => {
  ledger = await freshLedger("exact_input");
  await createLog(ledger.admin, "exact", { tenant: "acme", origin: "test.example/exact" });
  q = await testQueue();
  worker = startIngestWorker({ store: ledger.store, redisUrl: REDIS_URL, queueName: q.name, concurrency: 2, maxPayloadBytes: 1 << 16, lockDurationMs: 5_000, stalledIntervalMs: 2_000 });
  api = await startApi(ledger, {}, {}, { ingest: { queue: q.queue, queueEvents: q.events, maxPayloadBytes: 1 << 16, maxBatchEvents: 100, waitTimeoutMs: 15_000 } });
  writer = await apiKey(ledger, "acme", ["events:write", "events:read"]);
});
afterAll(async () => {
  await api?.close();
  await worker?.close();
  await q?.close();
  await ledger?.close();
});

async function stored(): Promise<unknown[]> {
  const rows = await ledger.admin<{ payload: string }[]>`select e.payload::text as payload from entries e join logs l on l.id = e.log_id where l.name = 'exact' order by e.seq`;
  return rows.map((r) => r.payload);
}

function post(body: Buffer | string): Promise<{ status: number; json: { errors?: { message: string; extensions: { code: string } }[] } }> {
  return fetch(api.url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${writer}` }, body }).then(async (res) => ({ status: res.status, json: (await res.json()) as { errors?: { message: string; extensions: { code: string } }[] } }));
}

describe("GraphQL over HTTP", () => {
  it("refuses ill-formed UTF-8 in the body (no U+FFFD stored)", async () => {
    const text = JSON.stringify({ query: RECORD, variables: { events: [deployEvent(0, { payload: { version: "1", note: "aXb" } })] } });
    const at = Buffer.from(text).indexOf("aXb") + 1;
    const body = Buffer.from(text);
    body[at] = 0xff;
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.json.errors![0]!.extensions.code).toBe("BAD_REQUEST");
    expect(res.json.errors![0]!.message).toMatch(/not UTF-8/);
    expect(await stored()).toEqual([]);
  });

  it("refuses ill-formed percent-escapes in the query string", async () => {
    const res = await fetch(`${api.url}?query=${encodeURIComponent("# note: ").replaceAll("%20", "+")}%FF%0A${encodeURIComponent("{ logs { name } }")}`, { headers: { authorization: `Bearer ${writer}`, "apollo-require-preflight": "true" } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe("BAD_REQUEST");
  });

  it("refuses a number a double cannot keep, in variables and in a literal", async () => {
    const text = JSON.stringify({ query: RECORD, variables: { events: [deployEvent(1, { payload: { version: "1", build: 0 } })] } }).replace('"build":0', '"build":12345678901234567891');
    const res = await post(text);
    expect(res.status).toBe(400);
    expect(res.json.errors![0]!.message).toMatch(/12345678901234567891 cannot be kept exactly/);

    const literal = await gql(api, writer, `mutation { recordEvents(log: "exact", wait: true, events: [{ kind: "deploy", actor: "a", action: "deploy.finish", resource: "r", outcome: success, source: "s", occurredAt: "2024-05-01T12:00:00Z", payload: { version: "1", build: 12345678901234567891 } }]) { accepted } }`);
    expect(literal.data ?? null).toBeNull();
    expect(literal.errors![0]!.message).toMatch(/12345678901234567891 cannot be kept exactly/);
    const float = await gql(api, writer, `mutation { recordEvents(log: "exact", wait: true, events: [{ kind: "deploy", actor: "a", action: "deploy.finish", resource: "r", outcome: success, source: "s", occurredAt: "2024-05-01T12:00:00Z", payload: { version: "1", ratio: 0.30000000000000000001 } }]) { accepted } }`);
    expect(float.errors![0]!.message).toMatch(/cannot be kept exactly/);
    expect(await stored()).toEqual([]);
  });

  it("refuses a member named twice in one object, in the body, in the query string and in a literal", async () => {
    const text = JSON.stringify({ query: RECORD, variables: { events: [deployEvent(6, { actor: "alice" })] } }).replace('"actor":"alice"', '"actor":"alice","actor":"mallory"');
    const res = await post(text);
    expect(res.status).toBe(400);
    expect(res.json.errors![0]!.extensions.code).toBe("BAD_REQUEST");
    expect(res.json.errors![0]!.message).toMatch(/names the member "actor" twice/);
    const viaGet = await fetch(`${api.url}?query=${encodeURIComponent("query Q($l: String!) { log(name: $l) { name } }")}&variables=${encodeURIComponent('{"l":"exact","l":"other"}')}`, { headers: { authorization: `Bearer ${writer}`, "apollo-require-preflight": "true" } });
    expect(viaGet.status).toBe(400);
    const literal = await gql(api, writer, `mutation { recordEvents(log: "exact", wait: true, events: [{ kind: "deploy", actor: "a", action: "deploy.finish", resource: "r", outcome: success, source: "s", occurredAt: "2024-05-01T12:00:00Z", payload: { version: "1", v: 1, v: 2 } }]) { accepted } }`);
    expect(literal.data ?? null).toBeNull();
    expect(await stored()).toEqual([]);
  });

  it("refuses sub-millisecond digits in occurredAt; keeps exact numbers and big ones sent as strings", async () => {
    const fine = await gql(api, writer, RECORD, { events: [deployEvent(2, { occurredAt: "2024-05-01T12:00:00.000123Z" })] });
    expect(fine.data.recordEvents).toMatchObject({ accepted: 0, rejected: 1 });
    expect(fine.data.recordEvents.receipts[0].reason).toEqual({ code: "INVALID_FIELD", message: expect.stringContaining("millisecond") });

    const text = JSON.stringify({ query: RECORD, variables: { events: [deployEvent(3, { occurredAt: "2024-05-01T12:00:00.123000Z", payload: { version: "1", big: "12345678901234567891", max: 0, ratio: 1 } })] } })
      .replace('"max":0', '"max":9007199254740991')
      .replace('"ratio":1', '"ratio":1.10');
    const ok = await post(text);
    expect(ok.status).toBe(200);
    await until("the exact event stored", async () => (await stored()).length === 1);
    expect(JSON.parse((await stored())[0] as string)).toEqual({ version: "1", big: "12345678901234567891", max: 9007199254740991, ratio: 1.1 });
    const [row] = await ledger.admin<{ at: Date }[]>`select occurred_at as at from entries e join logs l on l.id = e.log_id where l.name = 'exact'`;
    expect(row!.at.toISOString()).toBe("2024-05-01T12:00:00.123Z");
  });
});

describe("GraphQL over WebSocket", () => {
  /** A graphql-transport-ws connection, acknowledged; resolves with the code it is closed with. */
  async function openAcked(): Promise<{ ws: WebSocket; closed: Promise<{ code: number; reason: string }> }> {
    const ws = new WebSocket(api.wsUrl, "graphql-transport-ws");
    const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => ws.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${writer}` } })));
      ws.on("message", (data) => {
        if (JSON.parse(String(data)).type === "connection_ack") resolve();
      });
      ws.once("error", reject);
    });
    return { ws, closed };
  }

  it("closes with 4400 on a binary frame of ill-formed UTF-8, and on a number a double cannot keep", async () => {
    const bad = await openAcked();
    const text = JSON.stringify({ id: "1", type: "subscribe", payload: { query: RECORD, variables: { events: [deployEvent(4, { payload: { version: "1", note: "aXb" } })] } } });
    const bytes = Buffer.from(text);
    bytes[bytes.indexOf("aXb") + 1] = 0xff;
    bad.ws.send(bytes, { binary: true });
    expect(await bad.closed).toEqual({ code: 4400, reason: expect.stringContaining("not UTF-8") });

    const big = await openAcked();
    big.ws.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: RECORD, variables: { events: [deployEvent(5, { payload: { version: "1", n: 0 } })] } } }).replace('"n":0', '"n":-12345678901234567891'));
    expect(await big.closed).toEqual({ code: 4400, reason: expect.stringContaining("cannot be kept exactly") });

    const twice = await openAcked();
    twice.ws.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: RECORD, variables: { events: [deployEvent(7, { actor: "alice" })] } } }).replace('"actor":"alice"', '"actor":"alice","actor":"mallory"'));
    expect(await twice.closed).toEqual({ code: 4400, reason: expect.stringContaining("twice") });
    expect(await stored()).toHaveLength(1);
  });
});
