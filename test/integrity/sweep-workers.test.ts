/**
 * The integrity workers as a deployment runs them: restarts that upsert the schedulers again
 * without adding any, two workers on one queue that never run a sweep twice, alerts that wait
 * in Redis for a worker, and a sweep the database was down for, alerted at once and recorded
 * once it is back (through a TCP proxy to the real Postgres, stopped and started again).
 */
import { randomUUID } from "node:crypto";
import net from "node:net";
import type { Job, Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Alert } from "../../src/core/sweep/index.js";
import { QueueAlertSink } from "../../src/integrity/alert-queue.js";
import type { SweepDeps } from "../../src/integrity/sweep-log.js";
import { startAlertWorker, startSweepWorker, type SweepJobResult } from "../../src/integrity/integrity-worker.js";
import { RECORD_JOB, SCHEDULERS, SWEEP_JOB, type SweepJobData, upsertSchedulers } from "../../src/integrity/sweep-queue.js";
import { auditLogName } from "../../src/ledger/audit-log.js";
import { connect, type Sql } from "../../src/ledger/postgres/db.js";
import { lastSweepRecord } from "../../src/ledger/postgres/sweep-records.js";
import { REDIS_URL, until } from "../support/ingest.js";
import { type IntegrityFixture, integrityFixture, type Receiver, startReceiver } from "../support/integrity.js";
import { testKey } from "../support/keys.js";
import { freshLedger, TEST_DATABASE_URL, type TestLedger } from "../support/ledger.js";
import { seedLog } from "../support/tamper.js";

const SECRET = "s3cret";
const key = testKey();
let ledger: TestLedger;
const workers: Worker[] = [];
const fixtures: IntegrityFixture[] = [];

beforeAll(async () => {
  ledger = await freshLedger("sweep_workers");
  await seedLog(ledger.writer, "alpha", 40, { tenant: "t1" });
  await seedLog(ledger.writer, "beta", 40, { tenant: "t2" });
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  for (const f of fixtures) await f.close();
  await ledger?.close();
});

async function fixture(): Promise<IntegrityFixture> {
  const f = await integrityFixture(ledger, key.publicKey);
  fixtures.push(f);
  return f;
}

function sweeper(f: IntegrityFixture, sql: Sql, webhooks: string[], sweep: Partial<SweepDeps> = {}): Worker<SweepJobData, SweepJobResult> {
  const w = startSweepWorker({
    redisUrl: REDIS_URL, sweepQueueName: f.sweepQueue.name, sweepQueue: f.sweepQueue, sweep: f.deps(sql, webhooks, sweep),
    checkpoint: undefined, alertSecret: SECRET, alertTimeoutMs: 2_000,
  });
  workers.push(w);
  return w;
}

function deliverer(f: IntegrityFixture): Worker {
  const w = startAlertWorker({ redisUrl: REDIS_URL, alertQueueName: f.alertQueue.name, alertSecret: SECRET, alertTimeoutMs: 2_000 });
  workers.push(w);
  return w;
}

const sweepCount = async (log: string, tenant: string) =>
  (await ledger.admin<{ n: number }[]>`
    select count(*)::int as n from entries where log_id = (select id from logs where name = ${auditLogName(tenant)}) and kind = 'sweep' and resource = ${log}`)[0]?.n ?? 0;

describe("integrity workers", () => {
  it("upsert their schedulers on every start without ever adding one", async () => {
    const f = await fixture();
    const schedule = { fullCron: "0 2 * * *", incrementalCron: "*/5 * * * *", checkpointEveryMs: null };
    for (let start = 0; start < 3; start++) {
      await upsertSchedulers(f.sweepQueue, schedule);
      const w = sweeper(f, ledger.writer, []);
      await w.waitUntilReady();
      await w.close();
    }
    // A deployment that changes its pattern replaces the scheduler.
    await upsertSchedulers(f.sweepQueue, { ...schedule, fullCron: "30 3 * * *" });
    const schedulers = await f.sweepQueue.getJobSchedulers();
    expect(schedulers.map((s) => [s.key, s.pattern]).sort()).toEqual([[SCHEDULERS.full, "30 3 * * *"], [SCHEDULERS.incremental, "*/5 * * * *"]]);
    expect(await f.sweepQueue.getDelayedCount()).toBe(2);

    // A worker with the signing key schedules checkpoint ticks; one started later without the
    // key (sweeps only) leaves them in place for the keyed one.
    await upsertSchedulers(f.sweepQueue, { ...schedule, checkpointEveryMs: 5_000 });
    await upsertSchedulers(f.sweepQueue, { ...schedule, checkpointEveryMs: null });
    expect((await f.sweepQueue.getJobSchedulers()).map((s) => s.key).sort()).toEqual([SCHEDULERS.checkpoint, SCHEDULERS.full, SCHEDULERS.incremental].sort());
    await f.sweepQueue.removeJobScheduler(SCHEDULERS.checkpoint);
  });

  it("run each scheduled sweep once between two workers, and record it once per log", async () => {
    const f = await fixture();
    const done: string[] = [];
    const a = sweeper(f, ledger.writer, []);
    const b = sweeper(f, connect({ url: ledger.url, schema: ledger.schema, role: "writer", max: 2 }), []);
    for (const w of [a, b]) w.on("completed", (job: Job) => void (job.name === SWEEP_JOB && done.push(job.id!)));
    const before = await sweepCount("alpha", "t1");
    await upsertSchedulers(f.sweepQueue, { fullCron: null, incrementalCron: "* * * * * *", checkpointEveryMs: null });
    await until("three scheduled sweeps", () => done.length >= 3, 20_000);
    await f.sweepQueue.removeJobScheduler(SCHEDULERS.incremental);
    await until("the sweep in hand to finish", async () => (await f.sweepQueue.getActiveCount()) === 0, 20_000);
    expect(new Set(done).size).toBe(done.length);
    expect(await sweepCount("alpha", "t1")).toBe(before + done.length);
    expect(await sweepCount("beta", "t2")).toBe(done.length);
  }, 30_000);

  it("keep alerts in Redis until a worker delivers them and the receiver acknowledges", async () => {
    const f = await fixture();
    const receiver = await startReceiver({ refuse: 1 });
    try {
      const alert: Alert = {
        id: randomUUID().replaceAll("-", ""), type: "sweep.tampered", log: "alpha", tenant: "t1", at: new Date().toISOString(), message: "test",
        tamperClass: "payload_edited", firstBadSeq: 3, fromSeq: 0, toSize: 40, run: "r",
      };
      const sink = new QueueAlertSink(f.alertQueue, [receiver.url]);
      await sink.raise(alert);
      await sink.raise(alert); // raised again by a retried job: still one delivery
      expect(await f.alertQueue.getWaitingCount()).toBe(1);
      deliverer(f);
      await until("the alert acknowledged", () => receiver.acknowledged().length === 1, 15_000);
      expect(receiver.deliveries.map((d) => d.status)).toEqual([503, 200]);
      expect(receiver.acknowledged()[0]!.alert).toEqual(alert);
    } finally {
      await receiver.close();
    }
  }, 20_000);

  it("alert at once when the database is down for a sweep, and record it when it is back", async () => {
    const f = await fixture();
    const receiver = await startReceiver();
    const proxy = await startProxy(new URL(TEST_DATABASE_URL));
    const url = `postgres://postgres@127.0.0.1:${proxy.port}${new URL(TEST_DATABASE_URL).pathname}`;
    const sql = connect({ url, schema: ledger.schema, role: "writer", max: 2 });
    try {
      deliverer(f);
      const w = sweeper(f, sql, [receiver.url], { url });
      const recorded = new Promise<Job>((resolve) => w.on("completed", (job: Job) => job.name === RECORD_JOB && resolve(job)));
      await proxy.stop();
      const job = await f.sweepQueue.add(SWEEP_JOB, { mode: "full" }, { jobId: `run-${randomUUID()}` });

      await until("the sweep.error alert", () => receiver.acknowledged().length === 1, 15_000);
      expect(receiver.acknowledged()[0]!.alert).toMatchObject({ type: "sweep.error", log: "*", run: job.id });
      expect((await lastSweepRecord(ledger.admin, auditLogName("t1"), "alpha"))?.result).not.toBe("error");

      await proxy.start();
      const record = await recorded;
      // Every log the run could not reach, the tenants' audit logs included.
      const [{ n }] = await ledger.admin<[{ n: number }]>`select count(*)::int as n from logs`;
      expect(record.returnvalue).toEqual({ recorded: n });
      for (const [log, tenant] of [["alpha", "t1"], ["beta", "t2"]]) {
        expect(await lastSweepRecord(ledger.admin, auditLogName(tenant!), log!)).toMatchObject({ result: "error", mode: "full", message: expect.stringMatching(/could not run/) });
        const alerts = await ledger.admin`select action from entries where log_id = (select id from logs where name = ${auditLogName(tenant!)}) and kind = 'integrity.alert' and action = 'sweep.error'`;
        expect(alerts).toHaveLength(1);
      }
    } finally {
      await proxy.stop();
      await sql.end({ timeout: 1 });
      await receiver.close();
    }
  }, 40_000);
});

/** A TCP proxy to the test database that can be stopped (every connection cut) and started again on its port. */
async function startProxy(target: URL): Promise<{ port: number; stop(): Promise<void>; start(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const start = async () => {
    server = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 5432), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
        s.on("error", () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server!.listen(port, "127.0.0.1", resolve));
    port = (server.address() as net.AddressInfo).port;
  };
  await start();
  return {
    port,
    start,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()));
    },
  };
}
