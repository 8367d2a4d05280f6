/**
 * The ingest pipeline in one process: producer → real Redis (a queue per test) → worker →
 * real Postgres (a schema for this file). Crash and shutdown of the real worker process are
 * in worker-process.test.ts.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { derivedKey, enqueueEvents, eventResults, INGEST_JOB, INGEST_RULES_VERSION, type IngestJobResult, IngestError, openIngestQueue, processIngestJob, startIngestWorker, type IngestWorker } from "../../src/ingest/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { connect, type Sql } from "../../src/ledger/postgres/db.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { verifyLog } from "../../src/integrity/verify-log.js";
import { deployEvent, REDIS_URL, testQueue, type TestQueue, until } from "../support/ingest.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { PostgresLedgerStore } from "../../src/ledger/postgres/postgres-store.js";

const MAX_PAYLOAD = 64 * 1024;
let ledger: TestLedger;
const cleanup: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  ledger = await freshLedger("ingest");
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});
afterAll(async () => {
  await ledger?.close();
});

async function setup(log: string, workers = 1, sql: Sql = ledger.writer): Promise<TestQueue & { workers: IngestWorker[] }> {
  await createLog(ledger.admin, log, { origin: `test.example/${log}` });
  const q = await testQueue();
  cleanup.push(() => q.close());
  const started = Array.from({ length: workers }, () =>
    startIngestWorker({ store: new PostgresLedgerStore(sql, ledger.schema), redisUrl: REDIS_URL, queueName: q.name, concurrency: 4, maxPayloadBytes: MAX_PAYLOAD, lockDurationMs: 5_000, stalledIntervalMs: 2_000 }),
  );
  cleanup.push(() => Promise.all(started.map((w) => w.close())));
  return { ...q, workers: started };
}

async function rows(log: string) {
  return ledger.admin<{ seq: number; key: string; actor: string }[]>`
    select e.seq, e.idempotency_key as key, e.actor from entries e join logs l on l.id = e.log_id where l.name = ${log} order by e.seq`;
}

const wait = (q: TestQueue) => ({ queueEvents: q.events, timeoutMs: 20_000 });

describe("ingest pipeline", () => {
  it("appends a batch end to end: valid events committed in order, invalid ones refused with reasons and never queued", async () => {
    const q = await setup("e2e");
    const events = [deployEvent(0), deployEvent(1, { actor: undefined }), deployEvent(2, { idempotencyKey: "release-1.0.2" }), { kind: "sweep" }];
    const { jobId, receipts } = await enqueueEvents(q.queue, "e2e", events, { maxPayloadBytes: MAX_PAYLOAD, wait: wait(q) });
    expect(receipts).toEqual([
      { index: 0, idempotencyKey: derivedKey(jobId!, 0), status: "accepted", seq: 0, leafHash: expect.stringMatching(/^[0-9a-f]{64}$/), duplicate: false },
      { index: 1, idempotencyKey: derivedKey(jobId!, 1), status: "rejected", reason: { index: 1, code: "MISSING_FIELD", message: "actor: missing" } },
      { index: 2, idempotencyKey: "release-1.0.2", status: "accepted", seq: 1, leafHash: expect.stringMatching(/^[0-9a-f]{64}$/), duplicate: false },
      { index: 3, idempotencyKey: derivedKey(jobId!, 3), status: "rejected", reason: expect.objectContaining({ index: 3, code: "UNKNOWN_KIND" }) },
    ]);
    expect(await rows("e2e")).toEqual([
      { seq: 0, key: derivedKey(jobId!, 0), actor: "ci-bot" },
      { seq: 1, key: "release-1.0.2", actor: "ci-bot" },
    ]);
    // The job carried only the accepted events; its return value reports each of them.
    const job = await q.queue.getJob(jobId!);
    expect(job!.name).toBe(INGEST_JOB);
    expect(job!.data.events).toHaveLength(2);
    expect(job!.returnvalue).toMatchObject({ log: "e2e", appended: 2, duplicates: 0, rejected: 0 });
  });

  it("appends nothing for events sent again: same seqs, marked duplicate", async () => {
    const q = await setup("dup");
    const events = [0, 1, 2].map((n) => deployEvent(n, { idempotencyKey: `deploy-${n}` }));
    const first = await enqueueEvents(q.queue, "dup", events, { maxPayloadBytes: MAX_PAYLOAD, wait: wait(q) });
    const again = await enqueueEvents(q.queue, "dup", [...events, deployEvent(3, { idempotencyKey: "deploy-3" })], { maxPayloadBytes: MAX_PAYLOAD, wait: wait(q) });
    expect(first.receipts.map((r) => [r.seq, r.duplicate])).toEqual([[0, false], [1, false], [2, false]]);
    expect(again.receipts.map((r) => [r.seq, r.duplicate])).toEqual([[0, true], [1, true], [2, true], [3, false]]);
    expect((await rows("dup")).map((r) => r.key)).toEqual(["deploy-0", "deploy-1", "deploy-2", "deploy-3"]);
  });

  it("derives keys from the job id, so a job run again appends nothing twice", async () => {
    await createLog(ledger.admin, "rerun", { origin: "test.example/rerun" });
    const deps = { appender: new Appender(ledger.writer), maxPayloadBytes: MAX_PAYLOAD };
    const job = { id: "job-7", data: { log: "rerun", events: [deployEvent(0), deployEvent(1), { kind: "deploy" }] } };
    const first = await processIngestJob(deps, job);
    const second = await processIngestJob({ ...deps, appender: new Appender(ledger.writer) }, job);
    expect(first).toMatchObject({ appended: 2, duplicates: 0, rejected: 1 });
    expect(second).toMatchObject({ appended: 0, duplicates: 2, rejected: 1 });
    const [firstEvents, secondEvents] = [eventResults(first), eventResults(second)];
    expect(secondEvents[0]).toEqual({ index: 0, status: "appended", seq: 0, leafHash: (firstEvents[0] as { leafHash: string }).leafHash, duplicate: true });
    expect(secondEvents[2]).toEqual({ index: 2, status: "rejected", idempotencyKey: "ingest:job-7:2", reason: { index: 2, code: "MISSING_FIELD", message: "actor: missing" } });
    expect(second).toMatchObject({ seqs: [[0, 2]], duplicateIndexes: [0, 1] });
    expect(await rows("rerun")).toHaveLength(2);
  });

  it("completes a job whose events are all invalid, appending nothing; fails a job that cannot succeed without retrying it", async () => {
    const q = await setup("bad-jobs");
    const invalid = await q.queue.add(INGEST_JOB, { log: "bad-jobs", events: [{ kind: "deploy" }, "x"] as never }, { attempts: 5 });
    const result = (await invalid.waitUntilFinished(q.events, 20_000)) as IngestJobResult;
    expect(result).toMatchObject({ appended: 0, rejected: 2, rejections: [{ status: "rejected", reason: { code: "MISSING_FIELD" } }, { status: "rejected", reason: { code: "NOT_AN_OBJECT" } }] });
    expect(await rows("bad-jobs")).toEqual([]);

    const cannot: [unknown, RegExp][] = [
      [{ log: "no-such-log", events: [deployEvent(0)] }, /LOG_NOT_FOUND/],
      [{ log: 5, events: [] }, /JOB_INVALID/],
      // A job for an audit log, however it got into the queue.
      [{ log: "sealtrail.audit.acme", events: [deployEvent(0)] }, /JOB_INVALID: .*kept by the ledger/],
    ];
    for (const [data, reason] of cannot) {
      const job = await q.queue.add(INGEST_JOB, data as never, { attempts: 5, backoff: { type: "fixed", delay: 10 } });
      await expect(job.waitUntilFinished(q.events, 20_000)).rejects.toThrow(reason);
      const failed = await q.queue.getJob(job.id!);
      expect({ state: await failed!.getState(), attempts: failed!.attemptsMade }).toEqual({ state: "failed", attempts: 1 });
    }
  });

  it("runs a failed job again when its job id is sent again, instead of acknowledging it and appending nothing", async () => {
    const q = await setup("late-log-source");
    // The job fails for good: its log does not exist yet.
    const first = await enqueueEvents(q.queue, "late-log", [deployEvent(0), deployEvent(1)], { maxPayloadBytes: MAX_PAYLOAD, jobId: "hook.ci.delivery-1" });
    await until("the job failed", async () => (await q.queue.getJobState(first.jobId!)) === "failed");
    await createLog(ledger.admin, "late-log", { origin: "test.example/late-log" });
    // The source delivers again under the same id: the job runs, and its events are appended once.
    const again = await enqueueEvents(q.queue, "late-log", [deployEvent(0), deployEvent(1)], { maxPayloadBytes: MAX_PAYLOAD, jobId: "hook.ci.delivery-1", wait: wait(q) });
    expect(again.receipts.map((r) => [r.status, r.seq, r.duplicate])).toEqual([["accepted", 0, false], ["accepted", 1, false]]);
    expect((await rows("late-log")).map((r) => r.key)).toEqual(["ingest:hook.ci.delivery-1:0", "ingest:hook.ci.delivery-1:1"]);
  });

  it("validates again unless a producer of this release prepared the events under a limit no larger than the worker's; a false claim fails the job, appending nothing", async () => {
    const q = await setup("checked");
    const nul = deployEvent(0, { actor: "a\u0000b" });
    const claim = (version: string, maxPayloadBytes: number) => ({ version, maxPayloadBytes });
    // No claim, a claim made with a larger limit, or one of another release: the event is
    // refused in the result, the others appended. Another release's prepared payloads (JSON
    // text) are read back as the values they stand for, and validated as such.
    const preparedByOther = { ...deployEvent(1), payload: JSON.stringify(deployEvent(1).payload), idempotencyKey: "from-other-release" };
    for (const prepared of [undefined, claim(INGEST_RULES_VERSION, MAX_PAYLOAD * 2), claim("0.0.0-other", MAX_PAYLOAD)]) {
      const events = [nul, prepared?.version === "0.0.0-other" ? preparedByOther : deployEvent(1)];
      const job = await q.queue.add(INGEST_JOB, { log: "checked", events, ...(prepared ? { prepared } : {}) } as never);
      const result = (await job.waitUntilFinished(q.events, 20_000)) as IngestJobResult;
      expect(eventResults(result)).toMatchObject([{ status: "rejected", reason: { code: "INVALID_FIELD" } }, { status: "appended", duplicate: false }]);
    }
    const [stored] = await ledger.admin<{ payload: string }[]>`select payload from entries where idempotency_key = 'from-other-release'`;
    expect(stored!.payload).toBe('{"version":"1.0.1"}');
    // A job claiming checks its events never passed: the appender refuses it whole, for good.
    // A NUL, a timestamp not in canonical form, tags out of order: each is found without the claim's help.
    const good = { ...deployEvent(2), payload: "{}", tags: [], source: "ci", outcome: "success", occurredAt: "2026-11-22T10:00:00.000Z", idempotencyKey: "forged" };
    for (const forgery of [{ ...good, actor: "a\u0000b" }, { ...good, occurredAt: "2026-11-22T11:00:00+01:00" }, { ...good, tags: ["z", "a"] }]) {
      const forged = await q.queue.add(INGEST_JOB, { log: "checked", events: [good, forgery], prepared: claim(INGEST_RULES_VERSION, MAX_PAYLOAD) } as never, { attempts: 5 });
      await expect(forged.waitUntilFinished(q.events, 20_000)).rejects.toThrow(/LEDGER_REFUSED/);
      expect(await (await q.queue.getJob(forged.id!))!.getState()).toBe("failed");
    }
    expect(await rows("checked")).toHaveLength(3);
  });

  it("refuses a whole batch only for batch-level faults, and rejects nothing into the queue", async () => {
    const q = await setup("limits");
    const tooMany = enqueueEvents(q.queue, "limits", [deployEvent(0), deployEvent(1)], { maxPayloadBytes: MAX_PAYLOAD, maxBatchEvents: 1 });
    await expect(tooMany).rejects.toMatchObject({ name: "IngestError", code: "BATCH_INVALID" });
    await expect(enqueueEvents(q.queue, "", [deployEvent(0)], { maxPayloadBytes: MAX_PAYLOAD })).rejects.toBeInstanceOf(IngestError);
    // A tenant's audit log is the ledger's own: no source writes to it, whichever way it comes.
    await expect(enqueueEvents(q.queue, "sealtrail.audit.acme", [deployEvent(0)], { maxPayloadBytes: MAX_PAYLOAD })).rejects.toMatchObject({ code: "BATCH_INVALID", message: expect.stringMatching(/kept by the ledger/) });
    await expect(enqueueEvents(q.queue, "limits", [deployEvent(0)], { maxPayloadBytes: MAX_PAYLOAD, jobId: "a:b" })).rejects.toMatchObject({ code: "BATCH_INVALID" });
    const none = await enqueueEvents(q.queue, "limits", [deployEvent(0, { payload: { version: "x".repeat(MAX_PAYLOAD) } })], { maxPayloadBytes: MAX_PAYLOAD });
    expect(none).toMatchObject({ jobId: undefined, receipts: [{ status: "rejected", reason: { code: "PAYLOAD_TOO_LARGE" } }] });
    expect(await q.queue.getJobCounts()).toMatchObject({ waiting: 0, active: 0, completed: 0 });
  });

  it("retries while the database is down, with backoff, then appends once", async () => {
    // The worker reaches Postgres through a port where nothing listens until the proxy starts.
    const port = await freePort();
    const proxied = connect({ url: ledger.url.replace("127.0.0.1:5432", `127.0.0.1:${port}`), schema: ledger.schema, role: "writer", max: 4 });
    cleanup.push(() => proxied.end({ timeout: 1 }));
    const q = await setup("db-down", 1, proxied);
    const failures: string[] = [];
    q.workers[0]!.on("failed", (_, error) => failures.push(error.message));

    const enqueued = enqueueEvents(q.queue, "db-down", [deployEvent(0), deployEvent(1)], {
      maxPayloadBytes: MAX_PAYLOAD,
      jobOptions: { attempts: 20, backoff: { type: "exponential", delay: 50 } },
      wait: wait(q),
    });
    await until("two failed attempts", () => failures.length >= 2);
    const proxy = await startProxy(port);
    cleanup.push(() => proxy.close());
    const { jobId, receipts } = await enqueued;
    expect(receipts.map((r) => [r.status, r.seq, r.duplicate])).toEqual([["accepted", 0, false], ["accepted", 1, false]]);
    expect(failures[0]).toMatch(/ECONNREFUSED|connect/i);
    const job = await q.queue.getJob(jobId!);
    expect(job!.attemptsMade).toBeGreaterThanOrEqual(2);
    expect(await rows("db-down")).toHaveLength(2);
  });

  it("commits every event of 32 concurrent producers exactly once, in one gapless, verifiable chain", async () => {
    const q = await setup("many", 2);
    const PRODUCERS = 32;
    const BATCHES = 3;
    const PER_BATCH = 20;
    const producers = Array.from({ length: PRODUCERS }, () => openIngestQueue(REDIS_URL, { name: q.name }));
    cleanup.push(() => Promise.all(producers.map((p) => p.close())));
    const receipts = await Promise.all(
      producers.map(async (producer, p) => {
        const mine = [];
        for (let b = 0; b < BATCHES; b++) {
          const events = Array.from({ length: PER_BATCH }, (_, i) => deployEvent(i, { actor: `producer-${p}`, ...(i % 2 ? { idempotencyKey: `p${p}-b${b}-e${i}` } : {}) }));
          // 32 connections opening at once on a busy machine: the test is about exactly-once, not connect time.
          const { receipts } = await enqueueEvents(producer, "many", events, { maxPayloadBytes: MAX_PAYLOAD, connectTimeoutMs: 30_000, wait: wait(q) });
          mine.push(...receipts);
        }
        return mine;
      }),
    );
    const total = PRODUCERS * BATCHES * PER_BATCH;
    const all = receipts.flat();
    expect(all.every((r) => r.status === "accepted" && r.duplicate === false)).toBe(true);
    expect(new Set(all.map((r) => r.seq)).size).toBe(total);
    const stored = await rows("many");
    expect(stored.map((r) => r.seq)).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(new Set(stored.map((r) => r.key))).toEqual(new Set(all.map((r) => r.idempotencyKey)));
    const report = await verifyLog(ledger.adminStore, "many", { url: ledger.url, schema: ledger.schema, threads: 0 });
    expect({ verified: report.verified, size: report.size }).toEqual({ verified: true, size: total });
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once("error", reject);
  });
}

/** A TCP proxy to the test Postgres on `port`. */
function startProxy(port: number): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(5432, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve) => {
    server.listen(port, "127.0.0.1", () =>
      resolve({
        close: () => new Promise<void>((done) => {
          for (const s of sockets) s.destroy();
          server.close(() => done());
        }),
      }),
    );
  });
}
