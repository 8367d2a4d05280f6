/**
 * The real `sealtrail worker --only integrity` process: with a signing key, a witness
 * directory, a sweep every second and a webhook, it signs and witnesses a checkpoint of a new
 * log, sweeps it, records the sweep, alerts the webhook once the log is tampered with, and
 * stops on SIGTERM. Queues of the test's own; the schedulers go with them.
 */
import { type ChildProcess } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAlertQueue } from "../../src/integrity/alert-queue.js";
import { openSweepQueue } from "../../src/integrity/sweep-queue.js";
import { DirectoryWitness } from "../../src/integrity/witness-directory.js";
import { lastSweepRecord } from "../../src/ledger/postgres/sweep-records.js";
import { REDIS_URL, until } from "../support/ingest.js";
import { type Receiver, startReceiver } from "../support/integrity.js";
import { testKey } from "../support/keys.js";
import { asAttacker, freshLedger, type TestLedger } from "../support/ledger.js";
import { seedLog } from "../support/tamper.js";
import { spawnJsonLines } from "../support/cli.js";

const SECRET = "process-secret";
const dir = mkdtempSync(join(tmpdir(), "sealtrail-integrity-proc-"));
const name = `test-${randomUUID()}`;
let ledger: TestLedger;
let receiver: Receiver;
let child: ChildProcess | undefined;

beforeAll(async () => {
  ledger = await freshLedger("integrity_proc");
  receiver = await startReceiver();
});
afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const queue of [openSweepQueue(REDIS_URL, { name: `${name}-sweep` }), openAlertQueue(REDIS_URL, { name: `${name}-alerts` })]) {
    await queue.obliterate({ force: true });
    await queue.close();
  }
  await receiver?.close();
  await ledger?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("sealtrail worker --only integrity", () => {
  it("checkpoints, witnesses, sweeps, records and alerts, then stops on SIGTERM", async () => {
    const key = testKey();
    writeFileSync(join(dir, "signing-key.pem"), key.pem, { mode: 0o600 });
    const log = await seedLog(ledger.writer, "watched", 50, { tenant: "acme" });
    const env = {
      PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema, REDIS_URL,
      SEALTRAIL_SIGNING_KEY: join(dir, "signing-key.pem"), SEALTRAIL_WITNESS_DIR: join(dir, "witness"),
      SEALTRAIL_SWEEP_QUEUE: `${name}-sweep`, SEALTRAIL_ALERT_QUEUE: `${name}-alerts`,
      SEALTRAIL_SWEEP_CRON: "* * * * * *", SEALTRAIL_SWEEP_INCREMENTAL_CRON: "off", SEALTRAIL_CHECKPOINT_INTERVAL: "1",
      SEALTRAIL_ALERT_WEBHOOKS: receiver.url, SEALTRAIL_ALERT_SECRET: SECRET,
    };
    const spawned = spawnJsonLines(["worker", "--only", "integrity"], env, "integrity worker");
    child = spawned.child;
    const { lines, exited } = spawned;

    await until("the worker to be ready", () => lines.some((l) => l.event === "ready") || child!.exitCode !== null, 30_000);
    expect(lines[0]).toMatchObject({ event: "ready", queue: `${name}-sweep`, schedulers: { full: "* * * * * *", incremental: null }, webhooks: 1 });
    const witness = new DirectoryWitness(join(dir, "witness"));
    await until("a witnessed checkpoint at 50", async () => (await witness.sizes(log.origin)).includes(50), 30_000);
    await until("a verified sweep of the log", async () => (await lastSweepRecord(ledger.admin, "sealtrail.audit.acme", "watched"))?.result === "verified", 30_000);

    await asAttacker(ledger.admin, (tx) => tx`update entries set actor = 'mallory' where log_id = ${log.id} and seq = 7`);
    await until("the alert", () => receiver.acknowledged().some((d) => d.alert.log === "watched"), 30_000);
    const delivery = receiver.acknowledged().find((d) => d.alert.log === "watched")!;
    expect(delivery.alert).toMatchObject({ type: "sweep.tampered", tamperClass: "metadata_edited", firstBadSeq: 7 });
    const timestamp = String(delivery.headers["x-sealtrail-timestamp"]);
    expect(delivery.headers["x-sealtrail-signature"]).toBe(`sha256=${createHmac("sha256", SECRET).update(`${timestamp}.${delivery.body}`).digest("hex")}`);
    await until("the worker's line for the delivery", () => lines.some((l) => l.event === "alert delivered" && l.log === "watched"), 10_000);

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 90_000);
});
