/**
 * Full verification throughput: verifyLog over one log of N entries (seeded through the
 * Appender, with signed checkpoints, see seed.ts), with 2 worker threads (the default) and
 * with 0 (everything in this thread), against a plain read of the same rows in the same run:
 * the binary COPY query verify-range.ts sends, over the same 2^16-entry ranges, on 2
 * connections in parallel, each stream read and discarded. The ratio verify / read says how
 * close verification gets to the cost of just fetching the log.
 *
 *   npx tsx bench/verify.ts [--entries 1000000] [--runs 3] [--batch 1000] [--url URL]
 *                           [--schema NAME [--keep]] [--only all|t2|t0|read]
 *
 * Seeding 1M entries takes minutes: with --schema NAME --keep the seeded schema is kept for
 * the next invocation (which tops it up to --entries if needed, never reseeds). Without
 * --keep, a schema this invocation created is dropped at the end; a schema it found is kept.
 */
import os from "node:os";
import { performance } from "node:perf_hooks";
import { verifyLog } from "../src/integrity/verify-log.js";
import { RANGE_LEVEL } from "../src/integrity/verify-range.js";
import { connect, type Sql } from "../src/ledger/postgres/db.js";
import { openSeededLog } from "./seed.js";
import { DEFAULT_URL, environment, machineTicks, median, parseFlags, postgresCpuMs, resolveUrl, stealPercent } from "./support.js";
import { PostgresLedgerStore } from "../src/ledger/postgres/postgres-store.js";

const flags = parseFlags(process.argv.slice(2), {
  entries: 1_000_000, runs: 3, batch: 1000, url: DEFAULT_URL, schema: "", keep: false, only: "all",
});
flags.url = resolveUrl(flags.url);
const TARGET = 100_000;
const THREADS = 2;
const modes = { t2: `verify, ${THREADS} threads`, t0: "verify, 0 threads", read: "plain read, 2 conns" } as const;
type Mode = keyof typeof modes;
const chosen: Mode[] = flags.only === "all" ? ["t2", "t0", "read"] : [flags.only as Mode];
if (!chosen.every((m) => m in modes)) throw new Error(`--only: got ${flags.only}, want all, t2, t0 or read`);

interface Measurement {
  rate: number;
  seconds: number;
  /** CPU µs per entry of this process, every thread (user + system). */
  cpuUs: number;
  /** CPU µs per entry of the Postgres server (all processes; see postgresCpuMs). */
  pgUs: number;
  /** Highest RSS sampled during the measurement (MB). */
  peakRssMb: number;
  load: number;
  /** CPU time the hypervisor gave to others meanwhile, % of the machine's. */
  steal: number;
}

/** Samples this process's RSS every 20 ms (workers share it) until stopped. */
function rssSampler(): () => number {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  return () => {
    clearInterval(timer);
    return Math.max(peak, process.memoryUsage.rss()) / 2 ** 20;
  };
}

async function timed(admin: Sql, entries: number, fn: () => Promise<void>): Promise<Measurement> {
  const pg0 = await postgresCpuMs(admin);
  const m0 = machineTicks();
  const stop = rssSampler();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const peakRssMb = stop();
  const steal = stealPercent(m0, machineTicks());
  await new Promise((r) => setTimeout(r, 50)); // let the postmaster reap ended backends
  const pgUs = (1000 * ((await postgresCpuMs(admin)) - pg0)) / entries;
  return { rate: entries / seconds, seconds, cpuUs: (cpu.user + cpu.system) / entries, pgUs, peakRssMb, load: os.loadavg()[0]!, steal };
}

/** The ranges verifyLog hands its threads, and for each the query verify-range.ts streams. */
function rangeQueries(logId: number, size: number): string[] {
  const queries: string[] = [];
  for (let start = 0; start < size; start += 2 ** RANGE_LEVEL) {
    const end = Math.min(size, start + 2 ** RANGE_LEVEL);
    const from = Math.max(0, start - 1);
    // Kept identical to verifyRange's query (src/integrity/verify-range.ts).
    queries.push(
      `copy (select seq, kind, actor, action, resource, outcome, source, occurred_at, recorded_at, tags,
               payload, payload_hash, leaf_hash, chain_hash
             from entries where log_id = ${logId} and seq >= ${from} and seq < ${end} order by seq)
       to stdout (format binary)`,
    );
  }
  return queries;
}

/** Baseline: every range streamed and discarded, two at a time on two connections. */
async function plainRead(url: string, schema: string, queries: string[]): Promise<number> {
  const sql = connect({ url, schema, max: THREADS, applicationName: "sealtrail-bench-read" });
  let bytes = 0;
  try {
    const queue = [...queries];
    await Promise.all(
      Array.from({ length: THREADS }, async () => {
        for (let q = queue.shift(); q !== undefined; q = queue.shift()) {
          const stream = await sql.unsafe(q).readable();
          try {
            for await (const chunk of stream as AsyncIterable<Buffer>) bytes += chunk.length;
          } finally {
            // As readBinaryCopy does (src/ledger/copy-binary.ts): postgres.js resumes a socket it
            // paused for backpressure only from the stream's read(), so without this the
            // connection's next query hangs.
            (stream as unknown as { _read(size: number): void })._read(0);
          }
        }
      }),
    );
  } finally {
    await sql.end();
  }
  return bytes;
}

const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "-");
const pad = (s: string, w: number) => s.padStart(w);

async function main(): Promise<void> {
  const seeded = await openSeededLog({
    url: flags.url, schema: flags.schema, entries: Math.floor(flags.entries), batch: Math.floor(flags.batch),
    checkpoints: 4, max: 2, progress: (line) => console.log(line),
  });
  const { admin, log, size, schema } = seeded;
  try {
    const [{ bytes }] = await admin<[{ bytes: string }]>`
      select pg_size_pretty(pg_total_relation_size('entries')) as bytes`;
    console.log(`\nsealtrail verify benchmark\n${await environment(admin, flags.url)}`);
    console.log(
      `log       ${schema}.${log.name}: ${fmt(size)} entries, ${seeded.checkpoints} signed checkpoints, ` +
        `entries table ${bytes}; ${seeded.appended ? `seeded ${fmt(seeded.appended)} in ${seeded.seedSeconds.toFixed(0)} s (${fmt(seeded.appended / seeded.seedSeconds)}/s)` : "reused as is"}`,
    );
    console.log(`runs      ${flags.runs}, each: ${chosen.map((m) => modes[m]).join(" | ")} (order rotates per run)\n`);

    const queries = rangeQueries(log.id, size);
    const results: Record<Mode, Measurement[]> = { t2: [], t0: [], read: [] };
    let streamed = 0;
    const measure = async (mode: Mode): Promise<Measurement> => {
      if (mode === "read") return timed(admin, size, async () => void (streamed = await plainRead(flags.url, schema, queries)));
      return timed(admin, size, async () => {
        const report = await verifyLog(new PostgresLedgerStore(admin, schema), log.name, { url: flags.url, schema, publicKey: seeded.publicKey, threads: mode === "t2" ? THREADS : 0 });
        // A verification that failed or skipped rows would be measuring something else.
        if (!report.verified || report.entriesChecked !== size || report.checkpointsChecked !== seeded.checkpoints || !report.signaturesChecked) {
          throw new Error(`verifyLog did not verify the whole log: ${JSON.stringify({ ...report, findings: report.findings.slice(0, 3) })}`);
        }
      });
    };
    // One unmeasured pass of the plain read: the table in the OS page cache for everyone alike.
    await plainRead(flags.url, schema, queries);
    for (let run = 1; run <= flags.runs; run++) {
      const order = chosen.map((_, i) => chosen[(i + run - 1) % chosen.length]!);
      for (const mode of order) {
        const m = await measure(mode);
        results[mode].push(m);
        console.log(
          `  run ${run}  ${modes[mode].padEnd(20)} ${pad(fmt(m.rate), 9)} entries/s  ${m.seconds.toFixed(2).padStart(6)} s` +
            `  cpu µs/entry: node ${m.cpuUs.toFixed(1).padStart(4)}, postgres ${m.pgUs.toFixed(1).padStart(4)}  peak rss ${m.peakRssMb.toFixed(0).padStart(4)} MB  load ${m.load.toFixed(2)}  steal ${m.steal.toFixed(1)}%`,
        );
      }
    }
    console.log(`  (plain read streams ${(streamed / 2 ** 20).toFixed(0)} MB of COPY data per pass)`);

    const med = (mode: Mode, f: (m: Measurement) => number) => (results[mode].length ? median(results[mode].map(f)) : NaN);
    const read = med("read", (m) => m.rate);
    console.log(`\n${"median".padEnd(22)} ${pad("entries/s", 10)} ${pad("vs read", 8)} ${pad("node µs/e", 10)} ${pad("pg µs/e", 8)} ${pad("peak rss", 9)}`);
    for (const mode of chosen) {
      const rate = med(mode, (m) => m.rate);
      console.log(
        `${modes[mode].padEnd(22)} ${pad(fmt(rate), 10)} ${pad(Number.isFinite(read) ? (rate / read).toFixed(2) + "×" : "-", 8)} ` +
          `${pad(med(mode, (m) => m.cpuUs).toFixed(1), 10)} ${pad(med(mode, (m) => m.pgUs).toFixed(1), 8)} ${pad(med(mode, (m) => m.peakRssMb).toFixed(0) + " MB", 9)}`,
      );
    }
    console.log(`\nprocess peak RSS (maxRSS, whole invocation${seeded.appended ? ", seeding included" : ""}): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
    console.log(`load average now: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
    const t2 = med("t2", (m) => m.rate);
    if (Number.isFinite(t2)) {
      const verdict = t2 >= TARGET ? "PASS" : `FAIL (${((100 * (TARGET - t2)) / TARGET).toFixed(0)}% short)`;
      console.log(`target: verify (default ${THREADS} threads) ≥ ${fmt(TARGET)} entries/s at ${fmt(size)} entries: ${fmt(t2)} ${verdict}`);
    }
  } finally {
    const drop = seeded.created && !flags.keep;
    await seeded.close(drop);
    console.log(drop ? `dropped schema ${schema}` : `kept schema ${schema} (reuse: --schema ${schema})`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
