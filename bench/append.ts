/**
 * Append throughput: the appender (Appender.append as sealtrail_writer, in batches) against
 * a raw COPY of the same rows into an identical fresh schema (same columns, indexes and
 * constraints, same batch size, one commit per batch; fake precomputed hashes: no hashing,
 * no Merkle nodes, no lock, no idempotency lookup). Both sequentially on one log and with
 * 4 concurrent writers on 4 logs. Every measurement gets its own fresh schema.
 *
 *   npx tsx bench/append.ts [--entries N] [--batch B] [--runs R] [--url URL] [--only all|ours|raw]
 *                           [--writers 1,4] [--drop-indexes NAME,...] [--index]
 *
 * --index: after each measurement of ours, the search indexer (what `sealtrail worker` runs
 * after commit) indexes the appended entries, timed on its own: its rate must keep up with the
 * appends over time, or searches fall back to reading unindexed entries.
 * --drop-indexes drops those indexes of entries from every fresh schema before measuring: what
 * an index costs the append is the difference with a run that keeps it.
 *
 * --url defaults to $BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test; the unix
 * socket is postgres://postgres@/test?host=/var/run/postgresql.
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { type EventInput, normalizeEvent, type NormalizedEvent } from "../src/core/entry/index.js";
import { Appender } from "../src/ledger/postgres/appender.js";
import { copyBytea, copyNullable, copyText, copyTextArray } from "../src/ledger/postgres/copy-text.js";
import type { Sql } from "../src/ledger/postgres/db.js";
import { createLog } from "../src/ledger/postgres/logs.js";
import { indexSearchOnce } from "../src/ledger/postgres/search-indexer.js";
import { backendCpuMs, DEFAULT_URL, environment, freshSchema, resolveUrl, makeEvents, median, parseFlags } from "./support.js";

const flags = parseFlags(process.argv.slice(2), { entries: 200_000, batch: 1000, runs: 3, url: DEFAULT_URL, only: "all", writers: "1,4", "drop-indexes": "", index: false });
flags.url = resolveUrl(flags.url);
const N = Math.floor(flags.entries);
const B = Math.floor(flags.batch);
const WRITERS = 4;
const TARGET_RATE = 25_000;
const TARGET_RATIO = 0.5;
if (!["all", "ours", "raw"].includes(flags.only)) throw new Error(`--only: got ${flags.only}, want all, ours or raw`);
const WRITER_COUNTS = String(flags.writers).split(",").map(Number);
if (WRITER_COUNTS.some((w) => w !== 1 && w !== WRITERS)) throw new Error(`--writers: got ${flags.writers}, want 1, ${WRITERS} or both`);
const DROPPED = String(flags["drop-indexes"]).split(",").map((s) => s.trim()).filter(Boolean);
for (const name of DROPPED) if (!/^entries_[a-z_]+$/.test(name)) throw new Error(`--drop-indexes: got ${name}, want names of entries indexes`);

const COLUMNS =
  "log_id, seq, kind, actor, action, resource, outcome, source, occurred_at, recorded_at, tags, payload, payload_hash, leaf_hash, chain_hash, idempotency_key";

interface RawRow {
  e: NormalizedEvent;
  key: string;
  payloadHash: Uint8Array;
  leafHash: Uint8Array;
  chainHash: Uint8Array;
}

/** Work for one writer: its events (ours) and the same rows normalised, with fake hashes (raw). */
interface Share {
  events: EventInput[];
  rows: RawRow[];
}

function shares(events: EventInput[], writers: number): Share[] {
  const now = new Date();
  const fake = randomBytes(32 * 3 * events.length);
  const rows: RawRow[] = events.map((ev, i) => {
    const e = normalizeEvent(ev, now);
    const h = (k: number) => fake.subarray(32 * (3 * i + k), 32 * (3 * i + k + 1));
    return { e, key: e.idempotencyKey ?? `raw-${i}`, payloadHash: h(0), leafHash: h(1), chainHash: h(2) };
  });
  const per = Math.ceil(events.length / writers);
  return Array.from({ length: writers }, (_, w) => ({
    events: events.slice(w * per, (w + 1) * per),
    rows: rows.slice(w * per, (w + 1) * per),
  }));
}

async function copyIn(sql: Sql, text: string): Promise<void> {
  const query = sql.unsafe(`copy entries (${COLUMNS}) from stdin`);
  const writable = await (query as unknown as { writable(): Promise<NodeJS.WritableStream> }).writable();
  await new Promise<void>((resolve, reject) => {
    writable.on("error", reject);
    writable.on("finish", resolve);
    writable.end(text);
  });
}

/** Raw COPY of one writer's rows, B per statement (autocommit: one commit per batch, as ours). */
async function rawWriter(sql: Sql, logId: number, rows: RawRow[]): Promise<void> {
  for (let start = 0; start < rows.length; start += B) {
    const recordedAt = new Date().toISOString();
    let text = "";
    for (let i = start; i < Math.min(start + B, rows.length); i++) {
      const { e, key, payloadHash, leafHash, chainHash } = rows[i]!;
      text +=
        `${logId}\t${i}\t${copyText(e.kind)}\t${copyText(e.actor)}\t${copyText(e.action)}\t${copyText(e.resource)}\t` +
        `${e.outcome}\t${copyText(e.source)}\t${e.occurredAt}\t${recordedAt}\t${copyTextArray(e.tags)}\t` +
        `${copyNullable(e.payload)}\t${copyBytea(payloadHash)}\t${copyBytea(leafHash)}\t${copyBytea(chainHash)}\t${copyText(key)}\n`;
    }
    await copyIn(sql, text);
  }
}

async function oursWriter(appender: Appender, log: string, events: EventInput[]): Promise<void> {
  for (let start = 0; start < events.length; start += B) {
    await appender.append(log, events.slice(start, start + B));
  }
}

type Variant = "ours" | "raw";

interface Measurement {
  rate: number;
  /** CPU µs per entry: this Node process, and the Postgres backends of the writer's connections. */
  clientUs: number;
  serverUs: number;
  /** --index: the indexer's entries/s and Postgres CPU µs per entry. */
  index?: { rate: number; serverUs: number };
}

/** One measurement in its own fresh schema: entries/s over `work.length` concurrent writers. */
async function measure(variant: Variant, work: Share[], warmup: Share): Promise<Measurement> {
  const db = await freshSchema(flags.url, WRITERS);
  try {
    for (const name of DROPPED) await db.admin.unsafe(`drop index "${name}"`);
    const names = work.map((_, w) => `${variant}-${w}`);
    const logs = await Promise.all(names.map((name) => createLog(db.writer, name, { origin: `bench.example/${name}` })));
    const warm = await createLog(db.writer, "warmup", { origin: "bench.example/warmup" });
    const appenders = work.map(() => new Appender(db.writer));
    // A couple of batches into a separate log first, so JIT and pool start-up are not timed.
    if (variant === "ours") await oursWriter(new Appender(db.writer), "warmup", warmup.events);
    else await rawWriter(db.writer, warm.id, warmup.rows);
    await Promise.all(Array.from({ length: WRITERS }, () => db.writer`select pg_sleep(0.05)`)); // open every connection
    await db.admin`checkpoint`.catch(() => {}); // start every measurement with a clean WAL state
    const server0 = await backendCpuMs(db.admin, db.appName);
    const client0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      work.map((share, w) =>
        variant === "ours" ? oursWriter(appenders[w]!, names[w]!, share.events) : rawWriter(db.writer, logs[w]!.id, share.rows),
      ),
    );
    const seconds = (performance.now() - t0) / 1000;
    const client = process.cpuUsage(client0);
    const serverMs = (await backendCpuMs(db.admin, db.appName)) - server0;
    const total = work.reduce((n, s) => n + s.events.length, 0);
    const [row] = await db.admin<{ n: number }[]>`
      select count(*)::int as n from entries where log_id = any(${logs.map((l) => l.id)}::int[])`;
    if (row!.n !== total) throw new Error(`${variant}: stored ${row!.n} entries, want ${total}`);
    const m: Measurement = { rate: total / seconds, clientUs: (client.user + client.system) / total, serverUs: (1000 * serverMs) / total };
    if (flags.index && variant === "ours") {
      // One connection, as one worker's indexer; every log, the warm-up's too (counted).
      const cpu0 = await backendCpuMs(db.admin, db.appName);
      const t1 = performance.now();
      let indexed = 0;
      for (let pass = await indexSearchOnce(db.writer); ; pass = await indexSearchOnce(db.writer)) {
        indexed += pass.indexed;
        if (pass.behind === 0) break;
      }
      const cpuMs = (await backendCpuMs(db.admin, db.appName)) - cpu0;
      m.index = { rate: indexed / ((performance.now() - t1) / 1000), serverUs: (1000 * cpuMs) / indexed };
    }
    return m;
  } finally {
    await db.drop();
  }
}

const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "-");
const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) ? (a / b).toFixed(2) + "×" : "-");
const pad = (s: string, w: number) => s.padStart(w);

async function main(): Promise<void> {
  const probe = await freshSchema(flags.url, 1);
  const env = await environment(probe.admin, flags.url);
  await probe.drop();
  const events = makeEvents(N, 20251122);
  const single = shares(events, 1);
  const quad = shares(events, WRITERS);
  const warmup = shares(makeEvents(Math.min(2 * B, N), 7), 1)[0]!;
  const payloadBytes = single[0]!.rows.map((r) => Buffer.byteLength(r.e.payload));
  const keyed = events.filter((e) => e.idempotencyKey !== undefined).length;

  console.log(`sealtrail append benchmark\n${env}`);
  if (DROPPED.length) console.log(`indexes dropped before measuring: ${DROPPED.join(", ")}`);
  console.log(
    `entries   ${fmt(N)} per measurement, batches of ${B}, ${flags.runs} runs; payload canonical JSON ` +
      `${payloadBytes.reduce((a, b) => Math.min(a, b))}–${payloadBytes.reduce((a, b) => Math.max(a, b))} B (median ${median(payloadBytes)}); ` +
      `${((100 * keyed) / N).toFixed(0)}% with a source idempotency key\n`,
  );

  const variants: Variant[] = flags.only === "all" ? ["ours", "raw"] : [flags.only as Variant];
  const results: Record<string, number[]> = { ours1: [], raw1: [], ours4: [], raw4: [] };
  const cpu: Record<string, { client: number[]; server: number[] }> = {};
  const indexer: Record<string, { rate: number; serverUs: number }[]> = {};
  for (let run = 1; run <= flags.runs; run++) {
    // Alternate which variant goes first, so drift on a shared machine hits both alike.
    const order = run % 2 ? variants : [...variants].reverse();
    for (const [work, w] of ([[single, 1], [quad, WRITERS]] as const).filter(([, w]) => WRITER_COUNTS.includes(w))) {
      for (const v of order) {
        const m = await measure(v, work, warmup);
        results[`${v}${w}`]!.push(m.rate);
        const c = (cpu[`${v} ${w}×`] ??= { client: [], server: [] });
        c.client.push(m.clientUs);
        c.server.push(m.serverUs);
        console.log(
          `  run ${run}  ${v.padEnd(4)} ${w} writer${w > 1 ? "s" : " "}  ${pad(fmt(m.rate), 8)} entries/s` +
            `   cpu/entry: node ${m.clientUs.toFixed(1)} µs, postgres ${m.serverUs.toFixed(1)} µs` +
            (m.index ? `; then the indexer ${fmt(m.index.rate)} entries/s, postgres ${m.index.serverUs.toFixed(1)} µs/entry` : ""),
        );
        if (m.index) (indexer[`${w}`] ??= []).push(m.index);
      }
    }
  }

  const col = (k: string, i: number) => results[k]![i] ?? NaN;
  const head = `${"run".padEnd(7)}| ${pad("ours 1×", 10)} ${pad("raw 1×", 10)} ${pad("ratio", 6)} | ${pad("ours 4×", 10)} ${pad("raw 4×", 10)} ${pad("ratio", 6)}`;
  console.log(`\n${head}\n${"-".repeat(head.length)}`);
  const line = (label: string, o1: number, r1: number, o4: number, r4: number) =>
    console.log(
      `${label.padEnd(7)}| ${pad(fmt(o1), 10)} ${pad(fmt(r1), 10)} ${pad(ratio(o1, r1), 6)} | ${pad(fmt(o4), 10)} ${pad(fmt(r4), 10)} ${pad(ratio(o4, r4), 6)}`,
    );
  for (let i = 0; i < flags.runs; i++) line(String(i + 1), col("ours1", i), col("raw1", i), col("ours4", i), col("raw4", i));
  const med = (k: string) => (results[k]!.length ? median(results[k]!) : NaN);
  // Ratios are paired per run (both measured minutes apart): the median of the run ratios is
  // steadier on a drifting shared machine than the ratio of the two medians.
  const medRatio = (w: number) => {
    const rs = results[`ours${w}`]!.map((o, i) => o / results[`raw${w}`]![i]!).filter(Number.isFinite);
    return rs.length ? median(rs) : NaN;
  };
  console.log("-".repeat(head.length));
  console.log(
    `${"median".padEnd(7)}| ${pad(fmt(med("ours1")), 10)} ${pad(fmt(med("raw1")), 10)} ${pad(Number.isFinite(medRatio(1)) ? medRatio(1).toFixed(2) + "×" : "-", 6)} | ` +
      `${pad(fmt(med("ours4")), 10)} ${pad(fmt(med("raw4")), 10)} ${pad(Number.isFinite(medRatio(WRITERS)) ? medRatio(WRITERS).toFixed(2) + "×" : "-", 6)}   (ratio: median of the run ratios)`,
  );

  console.log("\nCPU per entry, median µs (node process | Postgres backends; WAL writer etc. not counted):");
  for (const [k, c] of Object.entries(cpu)) {
    console.log(`  ${k.padEnd(8)} ${pad(median(c.client).toFixed(1), 6)} | ${pad(median(c.server).toFixed(1), 6)}`);
  }

  for (const [w, xs] of Object.entries(indexer)) {
    console.log(`search indexer after ${w} writer${w === "1" ? "" : "s"}: median ${fmt(median(xs.map((x) => x.rate)))} entries/s, postgres ${median(xs.map((x) => x.serverUs)).toFixed(1)} µs/entry`);
  }

  console.log(`\ntargets: ours ≥ ${fmt(TARGET_RATE)} entries/s and ours/raw ≥ ${TARGET_RATIO}×`);
  for (const w of [1, WRITERS]) {
    const o = med(`ours${w}`);
    const q = medRatio(w);
    const rateOk = Number.isFinite(o) ? (o >= TARGET_RATE ? "PASS" : "FAIL") : "n/a";
    const ratioOk = Number.isFinite(q) ? (q >= TARGET_RATIO ? "PASS" : "FAIL") : "n/a";
    console.log(`  ${w} writer${w > 1 ? "s" : " "}: rate ${fmt(o)} ${rateOk}   ratio ${Number.isFinite(q) ? q.toFixed(2) + "×" : "-"} ${ratioOk}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
