/**
 * The real `sealtrail worker` process: killed with SIGKILL while it has batches in hand, and
 * stopped with SIGTERM. Lock and stall checks are tuned down (2 s, 1 s) so a dead worker's
 * jobs come back in seconds, not BullMQ's default minute.
 */
import { type ChildProcess } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { enqueueEvents } from "../../src/ingest/index.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { deployEvent, holdAppendLock, testQueue, type TestQueue, until, workerEnv } from "../support/ingest.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { spawnJsonLines } from "../support/cli.js";

const MAX_PAYLOAD = 1 << 20;
let ledger: TestLedger;
const children: ChildProcess[] = [];
const queues: TestQueue[] = [];

beforeAll(async () => {
  ledger = await freshLedger("ingest_proc");
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const q of queues.splice(0)) await q.close();
});
afterAll(async () => {
  await ledger?.close();
});

interface Worker {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
}

async function startWorker(queue: string): Promise<Worker> {
  const env = workerEnv(ledger, queue, {
    SEALTRAIL_INGEST_LOCK_MS: "2000",
    SEALTRAIL_INGEST_STALLED_INTERVAL_MS: "1000",
    // The search indexer the worker also runs has tests of its own (worker-search.test.ts).
    SEALTRAIL_SEARCH_INDEXER: "false",
  });
  const { child, lines, exited } = spawnJsonLines(["worker"], env, "worker");
  children.push(child);
  await until("the worker to be ready", () => lines.some((l) => l.event === "ready") || child.exitCode !== null, 30_000);
  expect(lines[0]).toMatchObject({ event: "ready", queue, concurrency: 2 });
  return { child, lines, exited };
}

async function logWithQueue(name: string) {
  const log = await createLog(ledger.admin, name, { origin: `test.example/${name}` });
  const q = await testQueue();
  queues.push(q);
  return { log, q };
}

async function counts(logId: number) {
  const [row] = await ledger.admin<{ rows: number; keys: number; maxSeq: number | null }[]>`
    select count(*)::int as rows, count(distinct idempotency_key)::int as keys, max(seq) as "maxSeq" from entries where log_id = ${logId}`;
  return row!;
}

describe("sealtrail worker", () => {
  it("loses and duplicates nothing when killed with SIGKILL mid-batch: another worker recovers the stalled jobs", async () => {
    const { log, q } = await logWithQueue("crash");
    const JOBS = 12;
    const PER_JOB = 500;
    // The first jobs go to a worker that will die; appends wait on the held lock, so both of
    // its jobs are certainly in hand (mid-transaction) when it is killed.
    const lock = await holdAppendLock(ledger.admin, log.id);
    const first = await startWorker(q.name);
    for (let j = 0; j < JOBS; j++) {
      // No idempotency keys given: the keys come from the job id, which a recovered job keeps.
      const events = Array.from({ length: PER_JOB }, (_, i) => deployEvent(j * PER_JOB + i));
      await enqueueEvents(q.queue, "crash", events, { maxPayloadBytes: MAX_PAYLOAD });
    }
    await until("two jobs in hand", async () => (await q.queue.getActiveCount()) === 2);
    first.child.kill("SIGKILL");
    await first.exited;
    await lock.release();

    const second = await startWorker(q.name);
    await until("every job completed", async () => (await q.queue.getCompletedCount()) === JOBS, 40_000);
    expect(await counts(log.id)).toEqual({ rows: JOBS * PER_JOB, keys: JOBS * PER_JOB, maxSeq: JOBS * PER_JOB - 1 });
    // The killed worker's two jobs were recovered as stalled, not failed.
    const jobs = await q.queue.getJobs(["completed"]);
    expect(jobs.filter((job) => job.attemptsStarted > 1)).toHaveLength(2);
    expect(jobs.every((job) => (job.returnvalue as { appended: number }).appended === PER_JOB)).toBe(true);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });

  it("finishes the batch in hand on SIGTERM, then exits 0", async () => {
    const { log, q } = await logWithQueue("graceful");
    const worker = await startWorker(q.name);
    const lock = await holdAppendLock(ledger.admin, log.id);
    const events = Array.from({ length: 2000 }, (_, i) => deployEvent(i));
    const { jobId } = await enqueueEvents(q.queue, "graceful", events, { maxPayloadBytes: MAX_PAYLOAD });
    await until("the job in hand", async () => (await q.queue.getActiveCount()) === 1);

    worker.child.kill("SIGTERM");
    await until("the worker to notice", () => worker.lines.some((l) => l.event === "stopping"));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(worker.child.exitCode).toBeNull(); // still busy with the batch
    await lock.release();

    expect(await worker.exited).toBe(0);
    expect(worker.lines.map((l) => l.event)).toEqual(["ready", "stopping", "completed", "stopped"]);
    expect(worker.lines[2]).toMatchObject({ job: jobId, log: "graceful", appended: 2000, duplicates: 0, rejected: 0 });
    expect(await (await q.queue.getJob(jobId!))!.getState()).toBe("completed");
    expect(await counts(log.id)).toEqual({ rows: 2000, keys: 2000, maxSeq: 1999 });
  });
});
