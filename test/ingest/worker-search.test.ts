/**
 * The search indexer inside the real `sealtrail worker` process: events ingested through the
 * queue are found by full-text search as soon as their job completes, and again once the
 * indexer has stored their words; SEALTRAIL_SEARCH_INDEXER=false leaves the index alone (search
 * still finds everything); a malformed setting stops the worker with a one-line error.
 */
import { type ChildProcess, spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { enqueueEvents } from "../../src/ingest/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { connect, type Sql } from "../../src/ledger/postgres/db.js";
import { findEntries } from "../../src/ledger/postgres/event-query.js";
import { createLog, type Log } from "../../src/ledger/postgres/logs.js";
import { deployEvent, testQueue, type TestQueue, until, workerEnv } from "../support/ingest.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { spawnJsonLines } from "../support/cli.js";

const BIN = join(fileURLToPath(new URL("../../", import.meta.url)), "bin", "sealtrail.js");
let ledger: TestLedger;
let reader: Sql;
const children: ChildProcess[] = [];
const queues: TestQueue[] = [];

beforeAll(async () => {
  ledger = await freshLedger("worker_search");
  reader = connect({ url: ledger.url, schema: ledger.schema, role: "reader", max: 1 });
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const q of queues.splice(0)) await q.close();
});
afterAll(async () => {
  await reader?.end();
  await ledger?.close();
});

function env(queue: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  return workerEnv(ledger, queue, extra);
}

async function startWorker(queue: string, extra: Record<string, string>) {
  const { child, lines, exited } = spawnJsonLines(["worker"], env(queue, extra), "worker");
  children.push(child);
  await until("the worker to be ready", () => lines.some((l) => l.event === "ready") || child.exitCode !== null, 30_000);
  return { child, lines, exited };
}

/** Seqs of `log` whose payload words match `text`, as a reader of `tenant` searches. */
function search(tenant: string, log: Log, text: string): Promise<number[]> {
  return reader.begin(async (tx) => {
    await tx`select set_config('sealtrail.tenant', ${tenant}, true)`;
    return (await findEntries(tx as unknown as Sql, { logIds: [log.id], text }, 500)).map((r) => r.seq);
  }) as Promise<number[]>;
}

async function indexedRows(logId: number): Promise<number> {
  const [row] = await ledger.admin<{ n: number }[]>`select count(*)::int as n from entry_search where log_id = ${logId}`;
  return row!.n;
}

describe("sealtrail worker's search indexer", () => {
  it("indexes what the worker appends; search finds it before and after", async () => {
    const log = await createLog(ledger.admin, "indexed", { tenant: "acme", origin: "test.example/indexed" });
    await createLog(ledger.admin, "elsewhere", { tenant: "globex", origin: "test.example/elsewhere" });
    const q = await testQueue();
    queues.push(q);
    const worker = await startWorker(q.name, { SEALTRAIL_SEARCH_INDEX_INTERVAL_MS: "100", SEALTRAIL_SEARCH_INDEX_BATCH: "300" });
    expect(worker.lines[0]).toMatchObject({ event: "ready", searchIndexer: true });

    const events = Array.from({ length: 1000 }, (_, i) => deployEvent(i, { payload: { version: `1.0.${i}`, note: i % 100 === 7 ? "canary rollback" : "routine" } }));
    const { receipts } = await enqueueEvents(q.queue, "indexed", events, { maxPayloadBytes: 1 << 20 });
    expect(receipts.filter((r) => r.status === "rejected")).toEqual([]);
    await until("the job completed", () => worker.lines.some((l) => l.event === "completed"));
    const want = Array.from({ length: 10 }, (_, k) => 100 * k + 7);
    // Whatever the indexer has reached by now, search sees every entry.
    expect(await search("acme", log, "canary")).toEqual(want);
    await until("every entry indexed", async () => (await indexedRows(log.id)) === 1000);
    expect(worker.lines.filter((l) => l.event === "indexed").reduce((n, l) => n + (l.entries as number), 0)).toBeGreaterThanOrEqual(1000);
    expect(await search("acme", log, "canary")).toEqual(want);
    expect(await search("globex", log, "canary")).toEqual([]);

    worker.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
    expect(worker.lines.at(-1)).toEqual({ event: "stopped" });
  });

  it("leaves the index alone when SEALTRAIL_SEARCH_INDEXER=false, and search still finds everything", async () => {
    const log = await createLog(ledger.admin, "unindexed", { tenant: "acme", origin: "test.example/unindexed" });
    const q = await testQueue();
    queues.push(q);
    const worker = await startWorker(q.name, { SEALTRAIL_SEARCH_INDEXER: "false", SEALTRAIL_SEARCH_INDEX_INTERVAL_MS: "100" });
    expect(worker.lines[0]).toMatchObject({ event: "ready", searchIndexer: false });
    await new Appender(ledger.writer).append("unindexed", [deployEvent(1, { payload: { version: "1.0.1", note: "canary" } }), deployEvent(2)]);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // ten indexer intervals
    expect(await indexedRows(log.id)).toBe(0);
    expect(await search("acme", log, "canary")).toEqual([0]);
    worker.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
  });

  it("refuses a malformed setting with a one-line error and exit status 2", () => {
    const result = spawnSync(process.execPath, [BIN, "worker"], { env: env("unused", { SEALTRAIL_SEARCH_INDEXER: "sometimes" }), encoding: "utf8", timeout: 30_000 });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("SEALTRAIL_SEARCH_INDEXER");
  });
});
