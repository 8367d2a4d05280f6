/**
 * POST /hooks/:source end to end: a real API server, a queue of this file's own on the real
 * Redis, a real worker, a real Postgres schema. GitHub deployment webhooks and the signed
 * format; re-deliveries; every kind of bad request, with nothing stored for any of them.
 */
import { execFile } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIngestWorker, type IngestWorker } from "../../src/ingest/index.js";
import { parseWebhookSources } from "../../src/config/index.js";
import { signature, signatureMatches } from "../../src/ingest/webhooks/index.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { startApi, type TestApi } from "../support/api.js";
import { deployEvent, REDIS_URL, testQueue, type TestQueue, until } from "../support/ingest.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

const GH_SECRET = "gh-secret-0123456789abcdef";
const OPS_SECRET = "ops-secret-0123456789abcdef";
let ledger: TestLedger;
let api: TestApi;
let q: TestQueue;
let worker: IngestWorker;

beforeAll(async () => {
  ledger = await freshLedger("webhooks");
  for (const name of ["deploys", "ops", "bad"]) await createLog(ledger.admin, name, { tenant: "acme", origin: `test.example/${name}` });
  q = await testQueue();
  worker = startIngestWorker({ store: ledger.store, redisUrl: REDIS_URL, queueName: q.name, concurrency: 2, maxPayloadBytes: 64 * 1024, lockDurationMs: 5_000, stalledIntervalMs: 2_000 });
  const webhooks = parseWebhookSources(
    JSON.stringify({
      github: { format: "github", log: "deploys", secret: GH_SECRET },
      ops: { format: "signed", log: "ops", secretEnv: "OPS_HOOK_SECRET", toleranceSeconds: 300 },
      bad: { format: "signed", log: "bad", secret: OPS_SECRET },
      rotating: { format: "signed", log: "ops", secret: ["old-secret-0123456789abcdef", "new-secret-0123456789abcdef"] },
      ghost: { format: "signed", log: "no-such-log", secret: OPS_SECRET },
    }),
    { OPS_HOOK_SECRET: OPS_SECRET },
  );
  api = await startApi(ledger, { maxBodyBytes: 128 * 1024 }, {}, {
    webhooks,
    ingest: { queue: q.queue, queueEvents: q.events, maxPayloadBytes: 64 * 1024, maxBatchEvents: 100, waitTimeoutMs: 10_000 },
  });
});
afterAll(async () => {
  await api?.close();
  await worker?.close();
  await q?.close();
  await ledger?.close();
});

async function entries(log: string) {
  return ledger.admin<{ seq: number; key: string; kind: string; action: string; actor: string; resource: string; outcome: string; source: string; occurred: Date; payload: string }[]>`
    select e.seq, e.idempotency_key as key, e.kind, e.action, e.actor, e.resource, e.outcome, e.source, e.occurred_at as occurred, e.payload
    from entries e join logs l on l.id = e.log_id where l.name = ${log} order by e.seq`;
}

interface Sent {
  status: number;
  body: any;
}

async function post(source: string, body: string | Buffer, headers: Record<string, string>, method = "POST"): Promise<Sent> {
  const res = await fetch(`${api.base}/hooks/${source}`, { method, headers: { "content-type": "application/json", ...headers }, ...(method === "POST" ? { body } : {}) });
  return { status: res.status, body: await res.json() };
}

function github(event: string, payload: unknown, delivery = randomUUID(), secret = GH_SECRET): Promise<Sent> {
  const body = JSON.stringify(payload);
  return post("github", body, { "x-github-event": event, "x-github-delivery": delivery, "x-hub-signature-256": signature(secret, body) });
}

function signed(source: string, body: string | Buffer, options: { delivery?: string; at?: number; secret?: string } = {}): Promise<Sent> {
  const delivery = options.delivery ?? randomUUID();
  const timestamp = String(options.at ?? Math.floor(Date.now() / 1000));
  return post(source, body, {
    "x-sealtrail-delivery": delivery,
    "x-sealtrail-timestamp": timestamp,
    "x-sealtrail-signature": signature(options.secret ?? OPS_SECRET, `${delivery}.${timestamp}.`, body),
  });
}

const repository = { full_name: "acme/api" };
const deployment = { id: 42, sha: "a1b2c3d4", ref: "v1.4.0", task: "deploy", environment: "production", description: null, creator: { login: "octocat" }, created_at: "2026-11-30T10:00:00Z" };

describe("GitHub deployment webhooks", () => {
  it("record deployment as deploy.start and deployment_status success/failure as deploy.finish; other events are acknowledged, not stored", async () => {
    const started = await github("deployment", { action: "created", deployment, repository, sender: { login: "octocat" } });
    expect(started).toMatchObject({ status: 202, body: { source: "github", log: "deploys", accepted: 1, rejected: 0 } });
    const finished = await github("deployment_status", {
      action: "created",
      deployment,
      deployment_status: { id: 7, state: "failure", creator: { login: "deploy-bot" }, description: "health check failed", environment: "production", target_url: null, log_url: "https://ci.example/run/7", environment_url: "", created_at: "2026-11-30T10:05:00Z", updated_at: "2026-11-30T10:05:01Z" },
      repository,
      sender: { login: "deploy-bot" },
    });
    expect(finished.status).toBe(202);
    for (const [event, state] of [["ping", undefined], ["push", undefined], ["deployment_status", "in_progress"]] as const) {
      const payload = state ? { deployment, deployment_status: { id: 8, state, created_at: "2026-11-30T10:01:00Z" }, repository, sender: { login: "x" } } : { zen: "hi", repository, sender: { login: "x" } };
      const res = await github(event, payload);
      expect(res.status, event).toBe(200);
      expect(res.body.ignored, event).toEqual(expect.any(String));
    }
    await until("two deploy entries", async () => (await entries("deploys")).length === 2);
    // Two deliveries are two jobs, appended in whichever order the worker finishes them.
    const rows = (await entries("deploys")).sort((a, b) => (a.action === b.action ? 0 : a.action === "deploy.start" ? -1 : 1));
    expect(rows.map(({ kind, action, actor, resource, outcome, source }) => ({ kind, action, actor, resource, outcome, source }))).toEqual([
      { kind: "deploy", action: "deploy.start", actor: "octocat", resource: "acme/api", outcome: "success", source: "github/github" },
      { kind: "deploy", action: "deploy.finish", actor: "deploy-bot", resource: "acme/api", outcome: "failure", source: "github/github" },
    ]);
    expect(rows[1]!.occurred.toISOString()).toBe("2026-11-30T10:05:01.000Z");
    expect(JSON.parse(rows[1]!.payload)).toMatchObject({ version: "v1.4.0", commit: "a1b2c3d4", environment: "production", deploymentId: 42, statusId: 7, state: "failure", logUrl: "https://ci.example/run/7" });
    // Nothing was queued for the ignored events.
    expect(await q.queue.getJobCounts("completed", "waiting", "active", "failed")).toMatchObject({ completed: 2, waiting: 0, active: 0, failed: 0 });
  });

  it("append nothing twice for a re-delivered webhook, whether its job is still in Redis or long gone", async () => {
    const delivery = randomUUID();
    const payload = { action: "created", deployment: { ...deployment, id: 43, ref: "v1.5.0" }, repository, sender: { login: "octocat" } };
    const first = await github("deployment", payload, delivery);
    const again = await github("deployment", payload, delivery);
    expect([first.status, again.status]).toEqual([202, 202]);
    expect(again.body.receipts[0].idempotencyKey).toBe(first.body.receipts[0].idempotencyKey);
    await until("the job done", async () => (await q.queue.getJob(first.body.jobId))?.finishedOn !== undefined);
    // Redis forgets finished jobs after a day; the ledger's key still stops a third copy.
    await (await q.queue.getJob(first.body.jobId))!.remove();
    const late = await github("deployment", payload, delivery);
    expect(late.status).toBe(202);
    await until("the late job done", async () => (await q.queue.getJob(first.body.jobId))?.returnvalue != null);
    expect((await q.queue.getJob(first.body.jobId))!.returnvalue).toMatchObject({ appended: 0, duplicates: 1 });
    // The same signed body replayed under a new delivery id (GitHub does not sign that header)
    // is the same delivery; and a signed deployment_status body relabelled "deployment" is refused.
    const replay = await github("deployment", payload, randomUUID());
    expect(replay.status).toBe(202);
    expect(replay.body.jobId).toBe(first.body.jobId);
    const status = { deployment: { ...deployment, id: 43 }, deployment_status: { id: 9, state: "success", created_at: "2026-11-30T10:09:00Z" }, repository, sender: { login: "x" } };
    const relabelled = await github("deployment", status);
    expect([relabelled.status, relabelled.body.error?.code]).toEqual([400, "PAYLOAD_INVALID"]);
    const rows = (await entries("deploys")).filter((r) => JSON.parse(r.payload).deploymentId === 43);
    expect(rows).toHaveLength(1);
    // A GitHub delivery is identified by its body (GitHub signs the body, not the delivery id).
    expect(rows[0]!.key).toBe(`ingest:hook.github.${createHash("sha256").update(JSON.stringify(payload)).digest("hex").slice(0, 32)}:0`);
  });
});

describe("signed webhooks", () => {
  it("record the events of a signed request; the same delivery sent twice is recorded once", async () => {
    const delivery = `ops-${randomUUID()}`;
    const body = JSON.stringify({ events: [deployEvent(1), deployEvent(2, { idempotencyKey: "ops-own-key" })] });
    const first = await signed("ops", body, { delivery });
    expect(first).toMatchObject({ status: 202, body: { accepted: 2, rejected: 0, log: "ops" } });
    const again = await signed("ops", body, { delivery });
    expect(again.status).toBe(202);
    const single = await signed("ops", JSON.stringify(deployEvent(3)));
    expect(single.body.accepted).toBe(1);
    // While a secret is rotated, either signs; any other does not.
    const oldKey = await signed("rotating", JSON.stringify(deployEvent(4)), { secret: "old-secret-0123456789abcdef" });
    const newKey = await signed("rotating", JSON.stringify(deployEvent(5)), { secret: "new-secret-0123456789abcdef" });
    const otherKey = await signed("rotating", JSON.stringify(deployEvent(6)), { secret: OPS_SECRET });
    expect([oldKey.status, newKey.status, otherKey.status, otherKey.body.error.code]).toEqual([202, 202, 401, "SIGNATURE_INVALID"]);
    await until("five entries", async () => (await entries("ops")).length === 5);
    // Every job done (none waiting or running): the delivery sent twice added nothing more.
    await until("the queue drained", async () => {
      const counts = await q.queue.getJobCounts("waiting", "active", "delayed", "prioritized");
      return Object.values(counts).every((n) => n === 0);
    });
    const keys = (await entries("ops")).map((r) => r.key);
    // Deliveries are jobs the worker runs two at a time, appended in whichever order they finish;
    // a delivery's own events keep their order.
    expect([...keys].sort()).toEqual([
      `ingest:hook.ops.${delivery}:0`, "ops-own-key", `ingest:hook.ops.${single.body.delivery}:0`,
      `ingest:hook.rotating.${oldKey.body.delivery}:0`, `ingest:hook.rotating.${newKey.body.delivery}:0`,
    ].sort());
    expect(keys.indexOf(`ingest:hook.ops.${delivery}:0`)).toBe(keys.indexOf("ops-own-key") - 1);
  });

  it("refuse bad requests with a typed status and JSON error, storing nothing", async () => {
    const good = JSON.stringify({ events: [deployEvent(0)] });
    const now = Math.floor(Date.now() / 1000);
    const delivery = randomUUID();
    const cases: [string, Promise<Sent>, number, string][] = [
      ["unknown source", signed("nope", good), 404, "UNKNOWN_SOURCE"],
      ["GET", post("bad", "", {}, "GET"), 405, "METHOD_NOT_ALLOWED"],
      ["no signature", post("bad", good, { "x-sealtrail-delivery": delivery, "x-sealtrail-timestamp": String(now) }), 401, "SIGNATURE_MISSING"],
      ["wrong secret", signed("bad", good, { secret: "another-secret-0123456789" }), 401, "SIGNATURE_INVALID"],
      ["malformed signature", post("bad", good, { "x-sealtrail-delivery": delivery, "x-sealtrail-timestamp": String(now), "x-sealtrail-signature": "sha256=zz" }), 401, "SIGNATURE_INVALID"],
      ["signature of another body", post("bad", good, { "x-sealtrail-delivery": delivery, "x-sealtrail-timestamp": String(now), "x-sealtrail-signature": signature(OPS_SECRET, `${delivery}.${now}.`, "{}") }), 401, "SIGNATURE_INVALID"],
      ["signature under another delivery id", post("bad", good, { "x-sealtrail-delivery": "other", "x-sealtrail-timestamp": String(now), "x-sealtrail-signature": signature(OPS_SECRET, `${delivery}.${now}.`, good) }), 401, "SIGNATURE_INVALID"],
      ["stale timestamp", signed("bad", good, { at: now - 301 }), 401, "TIMESTAMP_STALE"],
      ["future timestamp", signed("bad", good, { at: now + 400 }), 401, "TIMESTAMP_STALE"],
      ["malformed timestamp", post("bad", good, { "x-sealtrail-delivery": delivery, "x-sealtrail-timestamp": "yesterday", "x-sealtrail-signature": signature(OPS_SECRET, `${delivery}.yesterday.`, good) }), 401, "TIMESTAMP_INVALID"],
      ["malformed delivery id", signed("bad", good, { delivery: "../../etc" }), 400, "DELIVERY_INVALID"],
      ["malformed JSON", signed("bad", '{"events": [', {}), 400, "MALFORMED_JSON"],
      ["binary garbage", signed("bad", Buffer.from([0xff, 0x00, 0xfe, 0x81, 0x9c, 0x7b])), 400, "MALFORMED_JSON"],
      ["not an object", signed("bad", "[1,2]"), 400, "PAYLOAD_INVALID"],
      ["events not an array", signed("bad", '{"events": {"kind": "deploy"}}'), 400, "PAYLOAD_INVALID"],
      ["too many events", signed("bad", JSON.stringify({ events: Array.from({ length: 101 }, (_, i) => deployEvent(i)) })), 400, "PAYLOAD_INVALID"],
      ["wrong types", signed("bad", JSON.stringify({ events: [deployEvent(0, { actor: 5 }), deployEvent(1, { occurredAt: "last tuesday" }), deployEvent(2, { payload: { version: ["1"] } })] })), 422, "EVENTS_REJECTED"],
      ["NUL in a payload string", signed("bad", JSON.stringify({ events: [deployEvent(0, { payload: { version: "1", note: "a\u0000b" } })] })), 422, "EVENTS_REJECTED"],
      ["a number a double cannot keep", signed("bad", JSON.stringify({ events: [deployEvent(0, { payload: { version: "1", build: 0 } })] }).replace('"build":0', '"build":12345678901234567891')), 400, "PAYLOAD_INVALID"],
      ["a member named twice", signed("bad", JSON.stringify({ events: [deployEvent(0, { actor: "alice" })] }).replace('"actor":"alice"', '"actor":"alice","actor":"mallory"')), 400, "PAYLOAD_INVALID"],
      ["sub-millisecond occurredAt", signed("bad", JSON.stringify({ events: [deployEvent(0, { occurredAt: "2024-05-01T12:00:00.000123Z" })] })), 422, "EVENTS_REJECTED"],
      ["huge payload", signed("bad", JSON.stringify({ events: [deployEvent(0, { payload: { version: "1", blob: "x".repeat(200 * 1024) } })] })), 413, "PAYLOAD_TOO_LARGE"],
      ["log missing", signed("ghost", good), 500, "SOURCE_MISCONFIGURED"],
      ["GitHub without signature", post("github", good, { "x-github-event": "deployment", "x-github-delivery": delivery }), 401, "SIGNATURE_MISSING"],
      ["GitHub bad signature", github("deployment", { deployment, repository, sender: { login: "x" } }, delivery, "not-the-github-secret"), 401, "SIGNATURE_INVALID"],
      ["GitHub payload without deployment", github("deployment", { repository, sender: { login: "x" } }), 400, "PAYLOAD_INVALID"],
      ["GitHub deployment with wrong types", github("deployment", { deployment: { ...deployment, id: "42" }, repository, sender: { login: "x" } }), 400, "PAYLOAD_INVALID"],
    ];
    const before = (await entries("deploys")).length;
    for (const [label, sent, status, code] of cases) {
      const res = await sent;
      expect({ label, status: res.status, code: res.body.error?.code }).toEqual({ label, status, code });
      expect(res.body.error.message, label).toEqual(expect.any(String));
    }
    const rejected = await cases.find(([label]) => label === "wrong types")![1];
    expect(rejected.body.receipts.map((r: { reason: { code: string } }) => r.reason.code)).toEqual(["INVALID_FIELD", "INVALID_FIELD", "INVALID_FIELD"]);
    // Whatever was queued has run (none waiting or running) before the logs are looked at.
    await until("the queue drained", async () => {
      const counts = await q.queue.getJobCounts("waiting", "active", "delayed", "prioritized");
      return Object.values(counts).every((n) => n === 0);
    });
    expect(await entries("bad")).toHaveLength(0);
    expect((await entries("deploys")).length).toBe(before);
  });
});

describe("webhook signatures and sources", () => {
  it("compare HMAC-SHA256 digests, refusing malformed values without throwing", () => {
    const secret = Buffer.from(OPS_SECRET);
    const good = signature(secret, "a.", "b");
    expect(signatureMatches(secret, good, "a.b")).toBe(true);
    expect(signatureMatches(secret, good.toUpperCase().replace("SHA256", "sha256"), "a.b")).toBe(true);
    for (const bad of ["", "sha256=", good.slice(0, -2), `${good}00`, good.replace("sha256=", "sha1="), `sha256=${"g".repeat(64)}`]) {
      expect(signatureMatches(secret, bad, "a.b"), bad).toBe(false);
    }
    expect(signatureMatches(Buffer.from("another-secret-000000"), good, "a.b")).toBe(false);
  });

  it("refuse a malformed configuration, naming the field", () => {
    const bad: [unknown, RegExp][] = [
      ["{", /not valid JSON/],
      [[], /want a JSON object/],
      [{ "Bad Name": {} }, /want a name/],
      [{ a: { format: "gitlab", log: "x", secret: GH_SECRET } }, /format/],
      [{ a: { format: "github", secret: GH_SECRET } }, /log/],
      [{ a: { format: "github", log: "x" } }, /exactly one of secret and secretEnv/],
      [{ a: { format: "github", log: "sealtrail.audit.acme", secret: GH_SECRET } }, /kept by the ledger/],
      [{ a: { format: "github", log: "x", secret: "short" } }, /at least 16/],
      [{ a: { format: "github", log: "x", secretEnv: "UNSET_VAR" } }, /UNSET_VAR is not set/],
      [{ a: { format: "github", log: "x", secret: [] } }, /want at least one/],
      [{ a: { format: "github", log: "x", secret: [GH_SECRET, "short"] } }, /at least 16/],
      [{ a: { format: "github", log: "x", secret: GH_SECRET, toleranceSeconds: 60 } }, /signed format only/],
      [{ a: { format: "signed", log: "x", secret: GH_SECRET, toleranceSeconds: 0 } }, /1–3600/],
      [{ a: { format: "signed", log: "x", secret: GH_SECRET, extra: 1 } }, /unknown field "extra"/],
    ];
    for (const [value, message] of bad) {
      expect(() => parseWebhookSources(typeof value === "string" ? value : JSON.stringify(value), {})).toThrow(message);
    }
    expect(parseWebhookSources(undefined, {}).size).toBe(0);
  });

  it("keep `serve` from starting when malformed: one line, exit 2", async () => {
    const bin = fileURLToPath(new URL("../../bin/sealtrail.js", import.meta.url));
    const env = { PATH: process.env.PATH!, DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema, SEALTRAIL_WEBHOOK_SOURCES: JSON.stringify({ gh: { format: "github", log: "x", secret: "short" } }) };
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, [bin, "serve", "--port", "0"], { env, timeout: 30_000 }, (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr })),
    );
    expect(run).toEqual({ code: 2, stdout: "", stderr: 'sealtrail: SEALTRAIL_WEBHOOK_SOURCES: source "gh": secret: want at least 16 characters\n' });
  });
});
