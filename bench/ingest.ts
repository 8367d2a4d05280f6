/**
 * End-to-end ingest: producers → BullMQ (Redis) → `sealtrail worker` processes → committed
 * ledger rows, against the appender alone on the same events in the same run.
 *
 *   npx tsx bench/ingest.ts [--events N] [--batch B] [--producers P] [--inflight K] [--logs L]
 *     [--workers W] [--concurrency C] [--runs R] [--indexer both|deferred|on] [--indexers K] [--url URL] [--redis URL]
 *
 * Pipeline: P producers in this process parse a batch's JSON body and call enqueueEvents
 * (validation, one job per batch of B events) round-robin over L logs, each keeping at most K jobs not yet committed (closed
 * loop: a producer that outruns the workers waits, so latency stays a latency, not a backlog).
 * W worker processes (workers/ingest.ts, the real `sealtrail worker`) with concurrency C
 * append them. Latency per event: from the moment its job is in Redis (enqueueEvents
 * resolved: accepted) to the moment this process hears of the job's completion (QueueEvents
 * `completed`: after the commit, so it slightly overstates accept→commit).
 * Baseline: the appender alone, in this process: L writers (one per log) parse and append the
 * same events in the same batches with Appender.append. Each measurement gets a fresh schema and
 * its own queue; runs alternate baseline and pipeline.
 *
 * The search indexer (issue 2: entry_search is filled after commit) is not part of the path
 * to committed ledger rows, and at these rates it cannot share 2 cores with it: its GIN
 * upkeep costs Postgres more per entry than the whole append does. So the pipeline is
 * measured twice per run: with indexing deferred (SEALTRAIL_SEARCH_INDEXER=false in the
 * measured worker: the target figure), and with the indexer running in the worker, as
 * `sealtrail worker` runs it by default, which also reports how far the index fell behind.
 *
 * Indexer rate beside the ingest rate (issue 17 item 15): after each deferred measurement, the
 * whole backlog (every event of that run, nothing indexed yet) is indexed as the worker's
 * indexer does it (runSearchIndexer, DEFAULT_SEARCH_BATCH entries per transaction, as the
 * writer role), timed to the last entry: entries/s, set beside that run's ingest rate.
 * `--indexers K` runs K at once, as SEALTRAIL_SEARCH_INDEXERS=K does in the worker (the per-log
 * lock gives each log to one).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import type { EventInput } from "../src/core/entry/index.js";
import { enqueueEvents, openIngestQueue } from "../src/ingest/index.js";
import { Appender } from "../src/ledger/postgres/appender.js";
import { createLog } from "../src/ledger/postgres/logs.js";
import { runSearchIndexer, searchLag } from "../src/ledger/postgres/search-indexer.js";
import { DEFAULT_URL, environment, freshSchema, makeEvents, median, parseFlags, postgresCpuMs, resolveUrl } from "./support.js";
import { connect } from "../src/ledger/postgres/db.js";

const flags = parseFlags(process.argv.slice(2), {
  events: 200_000, batch: 1000, producers: 4, inflight: 1, logs: 4, workers: 1, concurrency: 4, runs: 3, indexer: "both", indexers: 1,
  url: DEFAULT_URL, redis: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
});
const rawUrl = flags.url;
flags.url = resolveUrl(flags.url);
const N = Math.floor(flags.events);
const B = Math.floor(flags.batch);
const L = Math.floor(flags.logs);
const TARGET_RATE = 25_000;
const TARGET_P99_MS = 1_000;
const MAX_PAYLOAD = 1 << 20;
if (!["both", "deferred", "on"].includes(flags.indexer)) throw new Error(`--indexer: got ${flags.indexer}, want both, deferred or on`);
const WORKER = fileURLToPath(new URL("../workers/ingest.ts", import.meta.url));

/**
 * The shared realistic events as ingestion takes them (`custom` events named by their kind,
 * RFC 3339 strings), in batches of B as request bodies: JSON text, parsed by whoever sends
 * the batch, as a server parses a request. Holding a million events as objects would make
 * this process's garbage collector, not the pipeline, the figure at large --events.
 */
interface Batches {
  bodies: string[];
  events: number;
}

function ingestBatches(n: number, seed: number): Batches {
  const events = makeEvents(n, seed).map((e) => ({
    ...e,
    kind: "custom",
    action: e.kind,
    occurredAt: e.occurredAt instanceof Date ? e.occurredAt.toISOString() : e.occurredAt,
  }));
  const bodies: string[] = [];
  for (let i = 0; i < events.length; i += B) bodies.push(JSON.stringify(events.slice(i, i + B)));
  return { bodies, events: events.length };
}

interface Measurement {
  rate: number;
  p50?: number;
  p99?: number;
  load: number;
  /** CPU µs per event: this process (the appender alone; the producers in the pipeline). */
  nodeUs: number;
  /** Pipeline: the worker processes. */
  workerUs?: number;
  /** Pipeline: the Redis server (all of its clients). */
  redisUs?: number;
  /** Pipeline: the Postgres server (appends, and the worker's search indexer). */
  postgresUs?: number;
  /** Pipeline with the indexer: entries not yet in the search index when the last one committed. */
  searchBehind?: number;
  /** Pipeline, indexing deferred: entries/s at which the backlog of the run was then indexed. */
  indexerRate?: number;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** CPU ms (user + system) of a child process so far, from /proc; NaN when unreadable. */
function childCpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime; USER_HZ = 100
  } catch {
    return NaN;
  }
}

/** CPU ms of the Redis server so far (INFO cpu: used_cpu_user + used_cpu_sys). */
async function redisCpuMs(): Promise<number> {
  const client = new Redis(flags.redis, { maxRetriesPerRequest: 1 });
  const info = await client.info("cpu").finally(() => client.disconnect());
  const get = (name: string) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? NaN);
  return (get("used_cpu_user") + get("used_cpu_sys")) * 1000;
}

async function appenderAlone(batches: Batches): Promise<Measurement> {
  const db = await freshSchema(flags.url, L + 1);
  try {
    const logs = await Promise.all(Array.from({ length: L }, (_, i) => createLog(db.writer, `log-${i}`, { origin: `bench.example/${db.schema}/${i}` })));
    const appender = new Appender(db.writer, { maxPayloadBytes: MAX_PAYLOAD });
    const all = batches.bodies;
    const c0 = cpuMs();
    const t0 = performance.now();
    await Promise.all(logs.map(async (log, w) => {
      for (let j = w; j < all.length; j += L) await appender.append(log.name, JSON.parse(all[j]!) as EventInput[]);
    }));
    const seconds = (performance.now() - t0) / 1000;
    return { rate: batches.events / seconds, load: os.loadavg()[0]!, nodeUs: ((cpuMs() - c0) * 1000) / batches.events };
  } finally {
    await db.drop();
  }
}

async function startWorkers(schema: string, queue: string, indexer: boolean): Promise<ChildProcess[]> {
  const env = {
    ...process.env,
    SEALTRAIL_SEARCH_INDEXER: String(indexer),
    DATABASE_URL: rawUrl,
    SEALTRAIL_DB_SCHEMA: schema,
    REDIS_URL: flags.redis,
    SEALTRAIL_INGEST_QUEUE: queue,
    SEALTRAIL_INGEST_CONCURRENCY: String(flags.concurrency),
  };
  return Promise.all(Array.from({ length: flags.workers }, () => new Promise<ChildProcess>((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, WORKER], { env, stdio: ["ignore", "pipe", "inherit"] });
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.includes('"event":"ready"')) resolve(child);
    });
  })));
}

async function stopWorkers(children: ChildProcess[]): Promise<void> {
  await Promise.all(children.map((child) => new Promise<void>((resolve) => {
    child.removeAllListeners("exit");
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  })));
}

async function pipeline(batches: Batches, indexer: boolean): Promise<Measurement> {
  const db = await freshSchema(flags.url, 2);
  const queueName = `bench-${randomBytes(4).toString("hex")}`;
  const queue = openIngestQueue(flags.redis, { name: queueName });
  const queueEvents = new QueueEvents(queueName, { connection: { url: flags.redis } });
  let workers: ChildProcess[] = [];
  try {
    const logs = await Promise.all(Array.from({ length: L }, (_, i) => createLog(db.admin, `log-${i}`, { origin: `bench.example/${db.schema}/${i}` })));
    await Promise.all([queue.waitUntilReady(), queueEvents.waitUntilReady()]);
    workers = await startWorkers(db.schema, queueName, indexer);

    const accepted = new Map<string, number>();
    const waiting = new Map<string, () => void>();
    const early = new Map<string, number>();
    const latencies: number[] = [];
    let failure: Error | undefined;
    queueEvents.on("completed", ({ jobId }) => {
      const at = performance.now();
      const from = accepted.get(jobId);
      if (from === undefined) early.set(jobId, at);
      else latencies.push(at - from);
      waiting.get(jobId)?.();
      waiting.delete(jobId);
    });
    queueEvents.on("failed", ({ jobId, failedReason }) => {
      failure ??= new Error(`job ${jobId} failed: ${failedReason}`);
      waiting.get(jobId)?.();
    });

    const all = batches.bodies;
    let next = 0;
    const c0 = cpuMs();
    const w0 = workers.reduce((sum, w) => sum + childCpuMs(w.pid), 0);
    const r0 = await redisCpuMs();
    const p0 = await postgresCpuMs(db.admin);
    const t0 = performance.now();
    await Promise.all(Array.from({ length: flags.producers }, async () => {
      const inflight = new Set<Promise<void>>();
      for (let j = next++; j < all.length && !failure; j = next++) {
        const jobId = `b${j}`;
        const done = new Promise<void>((resolve) => waiting.set(jobId, resolve));
        const { receipts } = await enqueueEvents(queue, logs[j % L]!.name, JSON.parse(all[j]!) as unknown[], { maxPayloadBytes: MAX_PAYLOAD, maxBatchEvents: B, jobId });
        const at = performance.now();
        accepted.set(jobId, at);
        const came = early.get(jobId);
        if (came !== undefined) latencies.push(came - at);
        if (receipts.some((r) => r.status !== "accepted")) throw new Error(`batch ${j}: an event was refused: ${JSON.stringify(receipts.find((r) => r.status !== "accepted"))}`);
        const tracked = done.then(() => void inflight.delete(tracked));
        inflight.add(tracked);
        if (inflight.size >= flags.inflight) await Promise.race(inflight);
      }
      await Promise.all(inflight);
    }));
    const seconds = (performance.now() - t0) / 1000;
    const perEvent = (ms: number) => (ms * 1000) / batches.events;
    const cpu = { nodeUs: perEvent(cpuMs() - c0), workerUs: perEvent(workers.reduce((sum, w) => sum + childCpuMs(w.pid), 0) - w0), redisUs: perEvent((await redisCpuMs()) - r0), postgresUs: perEvent((await postgresCpuMs(db.admin)) - p0) };
    if (failure) throw failure;
    const lag = await searchLag(db.admin);
    const searchBehind = lag.reduce((n, log) => n + log.size - log.indexed, 0);
    const [row] = await db.admin<{ n: number }[]>`select count(*)::int as n from entries`;
    if (row!.n !== batches.events) throw new Error(`committed ${row!.n} entries, want ${batches.events}`);
    const sorted = latencies.sort((a, b) => a - b);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
    await stopWorkers(workers);
    workers = [];
    const indexerRate = indexer ? undefined : await drainIndex(db.schema, searchBehind);
    return { rate: batches.events / seconds, p50: pct(50), p99: pct(99), load: os.loadavg()[0]!, ...cpu, ...(indexer ? { searchBehind } : { indexerRate }) };
  } finally {
    await stopWorkers(workers);
    await queueEvents.close();
    await queue.obliterate({ force: true });
    await queue.close();
    await db.drop();
  }
}

/** Index a backlog of `entries` with the worker's indexers (runSearchIndexer, --indexers of them at once, SEALTRAIL_SEARCH_INDEXERS); entries/s. */
async function drainIndex(schema: string, entries: number): Promise<number> {
  const sql = connect({ url: flags.url, schema, role: "writer", max: flags.indexers, applicationName: "sealtrail-bench-indexer" });
  const stop = new AbortController();
  let failure: unknown;
  let seconds = 0;
  try {
    const t0 = performance.now();
    await runSearchIndexer(sql, {
      intervalMs: 20, indexers: flags.indexers, signal: stop.signal,
      onSkipped: (e) => (failure ??= new Error(`indexer skipped log ${e.logId} seq ${e.seq}: ${e.reason}`)),
      onError: (e) => (failure ??= e),
      // The backlog is fixed: the first pass that finds nothing behind ends the run.
      onPass: (pass) => {
        if (pass.behind > 0 || stop.signal.aborted) return;
        seconds = (performance.now() - t0) / 1000;
        stop.abort();
      },
    });
    if (failure) throw failure;
    const left = (await searchLag(sql)).reduce((n, log) => n + log.size - log.indexed, 0);
    if (left !== 0) throw new Error(`indexer left ${left} entries`);
    return entries / seconds;
  } finally {
    await sql.end();
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

async function main(): Promise<void> {
  const probe = await freshSchema(flags.url, 1);
  const env = await environment(probe.admin, flags.url);
  await probe.drop();
  console.log(`sealtrail ingest benchmark\n${env}`);
  console.log(
    `events    ${fmt(N)} per measurement, ${N / B} jobs of ${B}; ${L} logs; ${flags.producers} producers, ≤ ${flags.inflight} jobs in flight each; ` +
      `${flags.workers} worker process(es), concurrency ${flags.concurrency}; ${flags.runs} runs; redis ${flags.redis}`,
  );
  const events = ingestBatches(N, 42);
  const warm = ingestBatches(Math.min(N, 4 * B * L), 7);
  const kinds = flags.indexer === "both" ? [false, true] : [flags.indexer === "on"];
  await appenderAlone(warm);
  for (const indexer of kinds) await pipeline(warm, indexer);

  const base: Measurement[] = [];
  const ours = new Map<boolean, Measurement[]>(kinds.map((k) => [k, []]));
  const name = (indexer: boolean) => (indexer ? "pipeline, indexer in the worker" : "pipeline, indexing deferred");
  for (let r = 0; r < flags.runs; r++) {
    // Alternate the order: the machine drifts, and none should always go first.
    const order = r % 2 === 0 ? [undefined, ...kinds] : [...kinds].reverse().concat([undefined as never]);
    const got = new Map<boolean | undefined, Measurement>();
    for (const which of order) got.set(which, which === undefined ? await appenderAlone(events) : await pipeline(events, which));
    const alone = got.get(undefined)!;
    base.push(alone);
    const lines = [`run ${r + 1}: appender alone ${fmt(alone.rate)} events/s (Node ${alone.nodeUs.toFixed(1)} µs/event)`];
    for (const indexer of kinds) {
      const m = got.get(indexer)!;
      ours.get(indexer)!.push(m);
      lines.push(
        `       ${name(indexer)}: ${fmt(m.rate)} events/s, accept→commit p50 ${m.p50!.toFixed(0)} ms p99 ${m.p99!.toFixed(0)} ms; ratio ${(m.rate / alone.rate).toFixed(2)}× (load ${m.load.toFixed(2)})` +
          (m.searchBehind !== undefined ? `; search index ${fmt(m.searchBehind)} entries behind at the end` : "") +
          (m.indexerRate !== undefined ? `\n         search indexer (${flags.indexers} at once) over that run's entries: ${fmt(m.indexerRate)} entries/s, ${(m.indexerRate / m.rate).toFixed(2)}× the ingest rate` : "") +
          `\n         CPU µs/event: producers ${m.nodeUs.toFixed(1)}, worker ${m.workerUs!.toFixed(1)}, redis ${m.redisUs!.toFixed(1)}, postgres ${m.postgresUs!.toFixed(1)} (whole servers)`,
      );
    }
    console.log(lines.join("\n"));
  }
  const baseRate = median(base.map((m) => m.rate));
  const med = (f: (m: Measurement) => number, ms: Measurement[]) => median(ms.map(f)).toFixed(1);
  console.log(`\nmedians of ${flags.runs} runs: appender alone ${fmt(baseRate)} events/s (Node ${med((m) => m.nodeUs, base)} µs/event)`);
  for (const indexer of kinds) {
    const ms = ours.get(indexer)!;
    const rate = median(ms.map((m) => m.rate));
    const p99 = median(ms.map((m) => m.p99!));
    const ratio = median(ms.map((m, i) => m.rate / base[i]!.rate));
    console.log(
      `${name(indexer)}: ${fmt(rate)} events/s, p50 ${median(ms.map((m) => m.p50!)).toFixed(0)} ms, p99 ${p99.toFixed(0)} ms; ratio ${ratio.toFixed(2)}× (median of per-run ratios)\n` +
        `  CPU µs/event: producers ${med((m) => m.nodeUs, ms)}, worker ${med((m) => m.workerUs!, ms)}, redis ${med((m) => m.redisUs!, ms)}, postgres ${med((m) => m.postgresUs!, ms)}` +
        (indexer ? `; search index behind at the end: ${fmt(median(ms.map((m) => m.searchBehind!)))} entries` : "") +
        (indexer ? "" : `\n  search indexer (${flags.indexers} at once): ${fmt(median(ms.map((m) => m.indexerRate!)))} entries/s, ${median(ms.map((m) => m.indexerRate! / m.rate)).toFixed(2)}× the ingest rate (median of per-run ratios)`) +
        `\n  target ≥ ${fmt(TARGET_RATE)} events/s: ${rate >= TARGET_RATE ? "met" : `not met (${((1 - rate / TARGET_RATE) * 100).toFixed(0)} % short)`}; p99 < ${TARGET_P99_MS} ms: ${p99 < TARGET_P99_MS ? "met" : "not met"}`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
