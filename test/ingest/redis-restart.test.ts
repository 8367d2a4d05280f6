/**
 * Redis killed (SIGKILL) and restarted while producers keep sending and a worker keeps
 * appending: a private redis-server on a free port (never the shared one), with its
 * append-only file fsynced on every write, as the README asks of production. Producers retry
 * each batch under the same job id until Redis takes it; the count check at the end wants
 * every event exactly once: none lost, none duplicated, the log gapless.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueEvents, IngestError, openIngestQueue, startIngestWorker } from "../../src/ingest/index.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { freePort } from "../../src/platform/processes.js";
import { deployEvent, until } from "../support/ingest.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
let dir: string;
let port: number;
let redis: ChildProcess | undefined;


function answers(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.write("PING\r\n");
      socket.once("data", (data) => {
        socket.destroy();
        resolve(data.toString().startsWith("+PONG"));
      });
    });
    socket.once("error", () => resolve(false));
  });
}

async function startRedis(): Promise<void> {
  redis = spawn("redis-server", [
    "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "",
    "--appendonly", "yes", "--appendfsync", "always", "--maxmemory-policy", "noeviction",
  ], { stdio: "ignore" });
  await until("the private redis-server", answers, 10_000);
}

async function killRedis(): Promise<void> {
  const child = redis!;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

beforeAll(async () => {
  ledger = await freshLedger("redis_restart");
  dir = mkdtempSync(join(tmpdir(), "sealtrail-redis-"));
  port = await freePort();
  await startRedis();
});
afterAll(async () => {
  if (redis && redis.exitCode === null) await killRedis();
  rmSync(dir, { recursive: true, force: true });
  await ledger?.close();
});

describe("Redis restarted mid-stream", () => {
  it("loses and duplicates nothing: producers retry, the worker reconnects, stalled jobs re-run idempotently", async () => {
    const url = `redis://127.0.0.1:${port}`;
    const queueName = "restart";
    await createLog(ledger.admin, "restart", { origin: "test.example/restart" });
    const worker = startIngestWorker({ store: ledger.store, redisUrl: url, queueName, concurrency: 4, maxPayloadBytes: 64 * 1024, lockDurationMs: 3_000, stalledIntervalMs: 1_000 });
    worker.on("error", () => {});
    const producers = 8;
    const batches = 40;
    const perBatch = 10;
    let retries = 0;
    let sent = 0;

    const produce = async (p: number) => {
      const queue = openIngestQueue(url, { name: queueName });
      queue.on("error", () => {});
      try {
        for (let b = 0; b < batches; b++) {
          const events = Array.from({ length: perBatch }, (_, i) => deployEvent(i, { actor: `producer-${p}` }));
          // The same job id on every try: a retry after a reply that was lost queues nothing new.
          for (;;) {
            try {
              await enqueueEvents(queue, "restart", events, { maxPayloadBytes: 64 * 1024, jobId: `p${p}-b${b}`, connectTimeoutMs: 500 });
              sent++;
              break;
            } catch (error) {
              if (!(error instanceof IngestError && error.code === "QUEUE_UNAVAILABLE")) throw error;
              retries++;
              await new Promise((r) => setTimeout(r, 100));
            }
          }
          await new Promise((r) => setTimeout(r, 25));
        }
      } finally {
        await queue.close();
      }
    };

    const sending = Promise.all(Array.from({ length: producers }, (_, p) => produce(p)));
    const restart = (async () => {
      // A fifth of the stream sent: the rest is still to come while Redis is away, however
      // fast or slow this machine is today.
      await until("a fifth of the batches sent", () => sent >= (producers * batches) / 5);
      await killRedis();
      await new Promise((r) => setTimeout(r, 1_000));
      await startRedis();
    })();
    await Promise.all([sending, restart]);
    // Producers really hit the outage; otherwise the test proved nothing.
    expect(retries).toBeGreaterThan(0);

    const total = producers * batches * perBatch;
    const count = async () => (await ledger.admin<{ n: number }[]>`select count(*)::int as n from entries e join logs l on l.id = e.log_id where l.name = 'restart'`)[0]!.n;
    await until("every event committed", async () => (await count()) >= total, 90_000);
    // Time for a straggler (a stalled job re-run) to show up if keys failed to stop it.
    await new Promise((r) => setTimeout(r, 3_000));
    await worker.close();
    const rows = await ledger.admin<{ seq: number; key: string }[]>`
      select e.seq, e.idempotency_key as key from entries e join logs l on l.id = e.log_id where l.name = 'restart' order by e.seq`;
    expect(rows).toHaveLength(total);
    const expected = new Set(Array.from({ length: producers * batches }, (_, j) => Array.from({ length: perBatch }, (_, i) => `ingest:p${Math.floor(j / batches)}-b${j % batches}:${i}`)).flat());
    expect(new Set(rows.map((r) => r.key))).toEqual(expected);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: total }, (_, i) => i));
  }, 180_000);
});
