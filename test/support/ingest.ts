/**
 * Ingestion tests: a queue of the test's own (`test-<uuid>`) on the real Redis, and events to
 * put on it. Queues are obliterated afterwards, so tests run in parallel and re-run cleanly.
 */
import { randomUUID } from "node:crypto";
import { QueueEvents } from "bullmq";
import { openIngestQueue, type IngestQueue } from "../../src/ingest/index.js";
import { APPEND_LOCK_NAMESPACE } from "../../src/ledger/postgres/appender.js";
import type { Sql } from "../../src/ledger/postgres/db.js";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * The environment of a `sealtrail worker` process for a test: its ledger's schema, its own
 * queue, concurrency 2, and nothing else inherited but PATH and HOME; `extra` on top.
 */
export function workerEnv(ledger: { url: string; schema: string }, queue: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: ledger.url,
    SEALTRAIL_DB_SCHEMA: ledger.schema,
    REDIS_URL,
    SEALTRAIL_INGEST_QUEUE: queue,
    SEALTRAIL_INGEST_CONCURRENCY: "2",
    ...extra,
  };
}

export interface TestQueue {
  name: string;
  queue: IngestQueue;
  events: QueueEvents;
  close(): Promise<void>;
}

export async function testQueue(): Promise<TestQueue> {
  const name = `test-${randomUUID()}`;
  const queue = openIngestQueue(REDIS_URL, { name });
  const events = new QueueEvents(name, { connection: { url: REDIS_URL } });
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  return {
    name,
    queue,
    events,
    async close() {
      await events.close();
      await queue.obliterate({ force: true });
      await queue.close();
    },
  };
}

/** A valid deploy event; `n` makes it distinct. */
export function deployEvent(n: number, extra: Record<string, unknown> = {}) {
  return {
    kind: "deploy",
    actor: "ci-bot",
    action: "deploy.finish",
    resource: "service/api",
    outcome: "success",
    source: "github-actions",
    occurredAt: "2024-05-01T12:00:00.000Z",
    payload: { version: `1.0.${n}` },
    ...extra,
  };
}

/**
 * Holds a log's append lock, as an append in progress would: appends to it wait until
 * release(). Lets a test stop a worker while it certainly has a batch in hand.
 */
export async function holdAppendLock(sql: Sql, logId: number): Promise<{ release(): Promise<void> }> {
  const connection = await sql.reserve();
  await connection`select pg_advisory_lock(${APPEND_LOCK_NAMESPACE} # 'logs'::regclass::oid::int4, ${logId})`;
  return {
    async release() {
      await connection`select pg_advisory_unlock(${APPEND_LOCK_NAMESPACE} # 'logs'::regclass::oid::int4, ${logId})`;
      connection.release();
    },
  };
}

export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
