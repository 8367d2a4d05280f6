/**
 * The scheduled sweep through BullMQ against every tamper class of the verifier, each done as
 * the Postgres superuser to a log of its own, after the `checkpoint` job (also run by its
 * scheduler) signed and witnessed every log. Each finding must be recorded in the tenant's
 * audit log as a `sweep` entry with an `integrity.alert` beside it, and its alert must reach a
 * local HTTP receiver with a valid signature, retried until the receiver acknowledges.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Job, Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signCheckpoint, ed25519Signer } from "../../src/core/note/index.js";
import { ALERT_KIND, type TamperClass } from "../../src/core/sweep/index.js";
import { startAlertWorker, startSweepWorker, type SweepJobResult } from "../../src/integrity/integrity-worker.js";
import { SCHEDULERS, SWEEP_JOB, type SweepJobData, upsertSchedulers } from "../../src/integrity/sweep-queue.js";
import { auditLogName } from "../../src/ledger/audit-log.js";
import type { Sql } from "../../src/ledger/postgres/db.js";
import { lastSweepRecord } from "../../src/ledger/postgres/sweep-records.js";
import { until } from "../support/ingest.js";
import { type IntegrityFixture, integrityFixture, type Receiver, startReceiver } from "../support/integrity.js";
import { testKey } from "../support/keys.js";
import { asAttacker, freshLedger, type TestLedger } from "../support/ledger.js";
import { insertForged, recomputeAll, type SeededLog, seedLog, swapEntries } from "../support/tamper.js";

const SIZE = 200;
const SECRET = "test-alert-secret";
const key = testKey();
let ledger: TestLedger;
let fixture: IntegrityFixture;
let receiver: Receiver;
let sweeper: Worker<SweepJobData, SweepJobResult>;
let deliverer: Worker;

type Tamper = (tx: Sql, log: SeededLog) => Promise<unknown>;

/** log name → what the attacker does → what the sweep must report first. */
const CASES: [string, Tamper, TamperClass, number | null][] = [
  ["payload", (tx, l) => tx`update entries set payload = '{"n":1}' where log_id = ${l.id} and seq = 57`, "payload_edited", 57],
  ["metadata", (tx, l) => tx`update entries set actor = 'mallory' where log_id = ${l.id} and seq = 101`, "metadata_edited", 101],
  ["deleted", (tx, l) => tx`delete from entries where log_id = ${l.id} and seq = 33`, "entry_deleted", 33],
  ["renumbered", async (tx, l) => {
    await tx`delete from entries where log_id = ${l.id} and seq = 70`;
    await tx`update entries set seq = seq + 100000 where log_id = ${l.id} and seq > 70`;
    await tx`update entries set seq = seq - 100001 where log_id = ${l.id} and seq > 100000`;
  }, "entry_deleted", 70],
  ["inserted", (tx, l) => insertForged(tx, l, 90), "entry_inserted", 90],
  ["reordered", (tx, l) => swapEntries(tx, l.id, 20, 150), "entries_reordered", 20],
  ["chain", (tx, l) => tx`update entries set chain_hash = ${Buffer.alloc(32, 7)} where log_id = ${l.id} and seq = 44`, "chain_broken", 44],
  ["node", (tx, l) => tx`update merkle_nodes set hash = ${Buffer.alloc(32, 9)} where log_id = ${l.id} and level = 4 and idx = 2`, "merkle_node_mismatch", 32],
  ["truncated", (tx, l) => tx`delete from entries where log_id = ${l.id} and seq >= 180`, "tail_truncated", 180],
  ["forged", async (tx, l) => {
    const note = signCheckpoint({ origin: l.origin, size: SIZE, root: (await tx<{ root: Buffer }[]>`select root from checkpoints where log_id = ${l.id}`)[0]!.root }, ed25519Signer(l.origin, testKey().privateKey));
    await tx`update checkpoints set note = ${note} where log_id = ${l.id}`;
  }, "checkpoint_forged", null],
  ["rewritten", async (tx, l) => {
    await tx`update entries set payload = '{"n":-1}', actor = 'mallory' where log_id = ${l.id} and seq = 120`;
    await recomputeAll(tx, l.id, l.origin);
    await tx`delete from checkpoints where log_id = ${l.id}`;
  }, "history_rewritten", 0],
  ["unwitnessed", (tx, l) => tx`delete from checkpoints where log_id = ${l.id}`, "checkpoint_missing", null],
];

const logs = new Map<string, SeededLog>();

beforeAll(async () => {
  ledger = await freshLedger("sweep_schedule");
  fixture = await integrityFixture(ledger, key.publicKey);
  receiver = await startReceiver({ refuse: 2 });
  for (const [name] of [["clean"], ...CASES] as const) logs.set(name, await seedLog(ledger.writer, name, SIZE, { tenant: "acme" }));
  const deps = fixture.deps(ledger.writer, [receiver.url]);
  sweeper = startSweepWorker({
    redisUrl: process.env.REDIS_URL ?? "redis://127.0.0.1:6379", sweepQueueName: fixture.sweepQueue.name, sweepQueue: fixture.sweepQueue, sweep: deps,
    checkpoint: { store: ledger.store, key: key.privateKey, policy: { every: 1, intervalMs: 1 }, witness: fixture.witness, originPrefix: "test.example", alerts: deps.alerts },
    alertSecret: SECRET, alertTimeoutMs: 2_000,
  });
  deliverer = startAlertWorker({ redisUrl: process.env.REDIS_URL ?? "redis://127.0.0.1:6379", alertQueueName: fixture.alertQueue.name, alertSecret: SECRET, alertTimeoutMs: 2_000 });
}, 60_000);

afterAll(async () => {
  await Promise.all([sweeper?.close(), deliverer?.close()]);
  await fixture?.close();
  await receiver?.close();
  await ledger?.close();
});

function validSignature(d: { headers: Record<string, unknown>; body: string }): boolean {
  const timestamp = String(d.headers["x-sealtrail-timestamp"]);
  const want = Buffer.from(`sha256=${createHmac("sha256", SECRET).update(`${timestamp}.${d.body}`).digest("hex")}`);
  const got = Buffer.from(String(d.headers["x-sealtrail-signature"]));
  return got.length === want.length && timingSafeEqual(got, want) && Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
}

describe("the scheduled integrity sweep", () => {
  it("signs and witnesses a checkpoint of every log from the checkpoint scheduler", async () => {
    await upsertSchedulers(fixture.sweepQueue, { fullCron: null, incrementalCron: null, checkpointEveryMs: 300 });
    await until("every log witnessed at its size", async () => {
      for (const log of logs.values()) if ((await fixture.witness.sizes(log.origin)).at(-1) !== SIZE) return false;
      return true;
    }, 30_000);
    await fixture.sweepQueue.removeJobScheduler(SCHEDULERS.checkpoint);
    const stored = await ledger.admin<{ n: number }[]>`select count(*)::int as n from checkpoints where size = ${SIZE}`;
    expect(stored[0]!.n).toBe(logs.size);
  }, 40_000);

  it("catches every tamper class, records it, and alerts the webhook with a valid signature", async () => {
    for (const [name, tamper] of CASES) await asAttacker(ledger.admin, (tx) => tamper(tx, logs.get(name)!));

    const finished = new Promise<Job<SweepJobData, SweepJobResult>>((resolve) => {
      const onCompleted = (job: Job<SweepJobData, SweepJobResult>) => {
        if (job.name !== SWEEP_JOB) return;
        sweeper.off("completed", onCompleted);
        resolve(job);
      };
      sweeper.on("completed", onCompleted);
    });
    // A cron pattern with seconds, so the test need not wait for 02:00.
    await upsertSchedulers(fixture.sweepQueue, { fullCron: "* * * * * *", incrementalCron: null, checkpointEveryMs: null });
    const job = await finished;
    await fixture.sweepQueue.removeJobScheduler(SCHEDULERS.full);
    expect(job.id).toMatch(/^repeat:integrity-sweep:/);
    expect(job.returnvalue, JSON.stringify(job.returnvalue)).toMatchObject({ swept: logs.size });

    const audit = auditLogName("acme");
    const clean = await lastSweepRecord(ledger.admin, audit, "clean");
    expect(clean).toMatchObject({ result: "verified", mode: "full", fromSeq: 0, toSize: SIZE, firstBadSeq: null, tamperClass: null });
    for (const [name, , tamperClass, firstBadSeq] of CASES) {
      const record = await lastSweepRecord(ledger.admin, audit, name);
      expect({ name, result: record?.result, tamperClass: record?.tamperClass }).toEqual({ name, result: "tampered", tamperClass });
      if (name === "rewritten") expect(record!.firstBadSeq).toBeLessThanOrEqual(120);
      else expect({ name, firstBadSeq: record!.firstBadSeq }).toEqual({ name, firstBadSeq });
    }
    // The alerts of this run: on a slow machine the every-second schedule can start a second
    // sweep before it is removed, and that run alerts again under its own run id.
    const alertEntries = await ledger.admin<{ resource: string; action: string }[]>`
      select resource, action from entries where log_id = (select id from logs where name = ${audit}) and kind = ${ALERT_KIND}
        and payload::jsonb ->> 'run' = ${job.id!} order by resource`;
    expect(alertEntries.map((e) => e.resource)).toEqual(CASES.map(([name]) => name).sort());
    expect(new Set(alertEntries.map((e) => e.action))).toEqual(new Set(["sweep.tampered"]));

    // Delivered until acknowledged: the receiver refused the first two attempts.
    const ofRun = () => receiver.acknowledged().filter((d) => d.alert.run === job.id);
    await until("every alert of the run acknowledged", () => new Set(ofRun().map((d) => d.alert.log)).size === CASES.length, 30_000);
    expect(receiver.deliveries.filter((d) => d.status === 503)).toHaveLength(2);
    for (const d of receiver.deliveries) {
      expect(validSignature(d), `signature of the alert for ${d.alert.log}`).toBe(true);
      expect(d.headers["content-type"]).toBe("application/json");
      expect(d.headers["x-sealtrail-alert-id"]).toBe(d.alert.id);
    }
    const byLog = new Map(ofRun().map((d) => [d.alert.log, d.alert]));
    for (const [name, , tamperClass, firstBadSeq] of CASES) {
      expect(byLog.get(name)).toMatchObject({ type: "sweep.tampered", tenant: "acme", tamperClass, run: job.id });
      if (name !== "rewritten") expect(byLog.get(name)!.firstBadSeq).toBe(firstBadSeq);
    }
    // A body altered in transit no longer matches its signature.
    const first = receiver.deliveries[0]!;
    expect(validSignature({ headers: first.headers, body: first.body.replace(/"log":"/, '"log":"x') })).toBe(false);
  }, 60_000);
});
