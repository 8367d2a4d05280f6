/**
 * Faults while a pane produces output, each ending with a count check: every byte the pane
 * printed is in the ledger once (chunks 0..n-1, one row each, the bytes equal), nothing
 * lost and nothing duplicated. Real tmux, real capture processes, real Redis (a private
 * redis-server where it must go down), real Postgres.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startIngestWorker, type IngestWorker } from "../../src/ingest/index.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { attachSession, detachSession } from "../../src/tmux/attach.js";
import { paneDir } from "../../src/tmux/capture.js";
import { openIngestQueue } from "../../src/ingest/index.js";
import { REDIS_URL, testQueue, type TestQueue, until } from "../support/ingest.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import {
  ackedOffset, BIN, capturePids, catPaneCommand, INVOCATION, joined, ledgerChunks, privateRedis, type PrivateRedis, spooledBytes, testTmux, type TestTmux, untilLedgerHas,
} from "../support/tmux.js";

let ledger: TestLedger;
const tmuxes: TestTmux[] = [];
const queues: TestQueue[] = [];
const workers: IngestWorker[] = [];
const redises: PrivateRedis[] = [];

beforeAll(async () => {
  ledger = await freshLedger("tmux_faults");
  await createLog(ledger.admin, "tmux", { origin: "test.example/tmux" });
});
afterEach(async () => {
  for (const w of workers.splice(0)) await w.close(true);
  for (const t of tmuxes.splice(0)) t.close();
  for (const q of queues.splice(0)) await q.close().catch(() => {});
  for (const r of redises.splice(0)) await r.stop();
});
afterAll(async () => {
  await ledger?.close();
});

function worker(redisUrl: string, queue: string): IngestWorker {
  const w = startIngestWorker({ store: ledger.store, redisUrl, queueName: queue, concurrency: 2, maxPayloadBytes: 1 << 20, lockDurationMs: 5_000, stalledIntervalMs: 2_000 });
  w.on("error", () => {});
  workers.push(w);
  return w;
}

/** Printable but varied output: lines of base64 of random bytes. */
function output(bytes: number): Buffer {
  return Buffer.from(randomBytes(Math.ceil((bytes * 3) / 4)).toString("base64").replace(/(.{100})/g, "$1\n").slice(0, bytes), "latin1");
}

/** A session whose only pane prints `parts` one by one, each on a key press. */
function paneSession(t: TestTmux, parts: Buffer[]): void {
  const files = parts.map((part, i) => {
    const file = join(t.dir, `part-${i}`);
    writeFileSync(file, part);
    return file;
  });
  t.run("new-session", "-d", "-s", "work", "-x", "120", "-y", "40", catPaneCommand(...files));
}

async function attach(t: TestTmux, redisUrl: string, queue: string) {
  // The normal scheduling class: these tests are about faults, and at SCHED_IDLE (the default,
  // tested in capture.test.ts) a capture on a machine the test run itself keeps busy could
  // wait for CPU past their timeouts.
  const attached = await attachSession({ target: { socketName: t.socket }, session: "work", log: "tmux", spoolRoot: t.spool, redisUrl, queue, maxPayloadBytes: 1 << 20, capturePriority: "normal", invocation: INVOCATION });
  const pane = attached.panes[0]!;
  const dir = paneDir(attached.dir, pane);
  // The capture process is up once it holds the spool.
  await until("the capture process", () => capturePids(t.spool).filter(alive).length === 1, 20_000);
  return { ...attached, pane, paneDir: dir };
}

async function expectExactlyOnce(server: string, pane: string, want: Buffer): Promise<void> {
  const chunks = await untilLedgerHas(ledger.admin, server, pane, want.length);
  // Let any late re-send arrive before counting.
  await new Promise((r) => setTimeout(r, 1000));
  const again = await ledgerChunks(ledger.admin, server, pane);
  expect(again.length).toBe(chunks.length);
  expect(new Set(again.map((c) => c.key)).size).toBe(again.length);
  const bytes = joined(again);
  expect(bytes.length).toBe(want.length);
  expect(bytes.equals(want)).toBe(true);
}

describe("tmux capture under faults", () => {
  it("worker down: the output waits in the queue and is appended once the worker starts", async () => {
    const t = testTmux();
    tmuxes.push(t);
    const q = await testQueue();
    queues.push(q);
    const part = output(600_000);
    paneSession(t, [part]);
    const a = await attach(t, REDIS_URL, q.name);
    t.run("send-keys", "-t", a.pane, "x");
    await until("every byte accepted by the queue", () => ackedOffset(a.paneDir) === part.length, 30_000);
    expect(await ledgerChunks(ledger.admin, a.session.server, a.pane)).toEqual([]);
    worker(REDIS_URL, q.name);
    await expectExactlyOnce(a.session.server, a.pane, part);
  });

  it("Redis stopped and restarted: the pane keeps printing into the spool, which ships when Redis is back", async () => {
    const t = testTmux();
    tmuxes.push(t);
    const redis = await privateRedis(t.dir);
    redises.push(redis);
    const queue = `test-${randomBytes(6).toString("hex")}`;
    worker(redis.url, queue);
    const parts = [output(200_000), output(400_000)];
    paneSession(t, parts);
    const a = await attach(t, redis.url, queue);
    t.run("send-keys", "-t", a.pane, "x");
    await untilLedgerHas(ledger.admin, a.session.server, a.pane, parts[0]!.length);

    await redis.stop();
    t.run("send-keys", "-t", a.pane, "x");
    // Redis is away, yet the capture reads and spools the whole second part.
    await until("the second part spooled", () => spooledBytes(a.paneDir) === parts[0]!.length + parts[1]!.length, 20_000);
    expect(ackedOffset(a.paneDir)).toBe(parts[0]!.length);
    await new Promise((r) => setTimeout(r, 1000));
    await redis.start();
    await expectExactlyOnce(a.session.server, a.pane, Buffer.concat(parts));
    const q = openIngestQueue(redis.url, { name: queue });
    await q.obliterate({ force: true });
    await q.close();
  });

  it("capture killed with SIGKILL: a new capture re-sends from the spool without duplicates, also when the ack was lost", async () => {
    const t = testTmux();
    tmuxes.push(t);
    const q = await testQueue();
    queues.push(q);
    worker(REDIS_URL, q.name);
    const parts = [output(300_000), output(300_000), output(100_000)];
    paneSession(t, parts);
    // First capture: Redis unreachable (a closed port), so everything stays in the spool.
    const first = await attach(t, "redis://127.0.0.1:1", q.name);
    t.run("send-keys", "-t", first.pane, "x");
    await until("the first part spooled", () => spooledBytes(first.paneDir) === parts[0]!.length, 20_000);
    process.kill(capturePids(t.spool)[0]!, "SIGKILL");
    await until("the capture gone", () => capturePids(t.spool).every((pid) => !alive(pid)));
    await detachSession({ target: { socketName: t.socket }, session: "work", spoolRoot: t.spool });

    // Second capture, Redis reachable: it ships what the killed one spooled, then continues.
    const second = await attach(t, REDIS_URL, q.name);
    t.run("send-keys", "-t", second.pane, "x");
    await expectExactlyOnce(second.session.server, second.pane, Buffer.concat(parts.slice(0, 2)));
    const rows = (await ledgerChunks(ledger.admin, second.session.server, second.pane)).length;

    // Killed after shipping but before its ack reached the disk: the next capture sends
    // everything again and the ledger's keys absorb it.
    await until("all acknowledged", () => ackedOffset(second.paneDir) === parts[0]!.length + parts[1]!.length);
    process.kill(capturePids(t.spool)[0]!, "SIGKILL");
    await until("the capture gone", () => capturePids(t.spool).every((pid) => !alive(pid)));
    rmSync(join(second.paneDir, "acked"));
    await detachSession({ target: { socketName: t.socket }, session: "work", spoolRoot: t.spool });
    const completedBefore = (await q.queue.getJobs(["completed"])).length;
    const third = await attach(t, REDIS_URL, q.name);
    await until("the re-sent chunks processed", async () => {
      const jobs = await q.queue.getJobs(["completed"]);
      return jobs.length > completedBefore && jobs.reduce((n, j) => n + ((j.returnvalue as { duplicates?: number } | undefined)?.duplicates ?? 0), 0) >= rows;
    }, 30_000);
    t.run("send-keys", "-t", third.pane, "x");
    await expectExactlyOnce(third.session.server, third.pane, Buffer.concat(parts));
  });

  it("sealtrail tmux flush ships a spool whose capture died while Redis was down", async () => {
    const t = testTmux();
    tmuxes.push(t);
    const redis = await privateRedis(t.dir);
    redises.push(redis);
    const queue = `test-${randomBytes(6).toString("hex")}`;
    await redis.stop();
    const part = output(300_000);
    paneSession(t, [part]);
    const a = await attach(t, redis.url, queue);
    t.run("send-keys", "-t", a.pane, "x");
    await until("the output spooled", () => spooledBytes(a.paneDir) === part.length, 20_000);
    // The machine goes down with the capture; Redis comes back first.
    process.kill(capturePids(t.spool)[0]!, "SIGKILL");
    await until("the capture gone", () => capturePids(t.spool).every((pid) => !alive(pid)));
    await redis.start();
    worker(redis.url, queue);

    const flushed = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [BIN, "tmux", "flush", "--timeout", "60"], { env: { PATH: process.env.PATH, HOME: process.env.HOME, SEALTRAIL_SPOOL_DIR: t.spool } }, (error, stdout) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
      );
    });
    expect(flushed.code).toBe(0);
    expect(JSON.parse(flushed.stdout)).toMatchObject({ panes: 1, busy: 0, left: 0, shippedBytes: part.length });
    await expectExactlyOnce(a.session.server, a.pane, part);
    const q = openIngestQueue(redis.url, { name: queue });
    await q.obliterate({ force: true });
    await q.close();
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
