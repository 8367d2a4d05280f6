/**
 * CPU cost per entry of the appender's pure steps, without the database, on the events
 * bench/append.ts uses, done as src/ledger/appender.ts does them. Reports the best of several
 * rounds (µs per entry) and CPU time (user+sys of this process) next to wall time, so a busy
 * machine shows as a gap. Each step is timed alone, and the last line runs them together.
 *
 *   npx tsx bench/append-cpu.ts [--entries N] [--rounds R]
 */
import { performance } from "node:perf_hooks";
import { canonicalize, sha256 } from "../src/core/encoding/index.js";
import { chainHash, GENESIS_CHAIN_HASH, leafData, payloadHash, normalizeEvent, type NormalizedEvent, LeafBytes } from "../src/core/entry/index.js";
import { appendToFrontier } from "../src/core/merkle/index.js";
import { writeEntryRow } from "../src/ledger/postgres/appender.js";
import { CopyBinaryRows } from "../src/ledger/postgres/copy-binary-rows.js";
import { makeEvents, parseFlags } from "./support.js";

const flags = parseFlags(process.argv.slice(2), { entries: 20_000, rounds: 5 });
const N = Math.floor(flags.entries);
const LOG = "bench.example/cpu";
const events = makeEvents(N, 20251122);
const now = new Date();
const normalized: NormalizedEvent[] = events.map((e) => normalizeEvent(e, now));
const recordedAt = now.toISOString();
const recordedMs = now.getTime();
const metadata = (e: NormalizedEvent, seq: number) => ({
  log: LOG, seq, kind: e.kind, actor: e.actor, action: e.action, resource: e.resource,
  outcome: e.outcome, source: e.source, occurredAt: e.occurredAt, recordedAt, tags: e.tags, payloadHash: e.payloadHash,
});
const leafBytes = new LeafBytes(LOG);
const leaves = normalized.map((e, seq) => sha256(leafBytes.writeMetadata(metadata(e, seq))));
let sink: unknown;

function bench(name: string, fn: () => void): void {
  let best = Infinity;
  let bestCpu = Infinity;
  for (let r = 0; r < flags.rounds; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    best = Math.min(best, wall);
    bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1000);
  }
  console.log(`${name.padEnd(58)} ${((1000 * best) / N).toFixed(2).padStart(7)} µs  (cpu ${((1000 * bestCpu) / N).toFixed(2)} µs)`);
}

function copyRow(rows: CopyBinaryRows, e: NormalizedEvent, seq: number, leaf: Uint8Array, chain: Uint8Array): void {
  writeEntryRow(rows, 7, seq, e, recordedMs, leaf, chain, e.idempotencyKey ?? `sealtrail:seq:${seq}`);
}

console.log(`${N} events, best of ${flags.rounds} rounds, per entry:\n`);
bench("normalizeEvent (all of it)", () => {
  for (const e of events) sink = normalizeEvent(e, now);
});
bench("  canonicalize(payload)", () => {
  for (const e of events) sink = canonicalize(e.payload);
});
bench("  payloadHash(canonical string)", () => {
  for (const e of normalized) sink = payloadHash(e.payload);
});
bench("leaf hash: sha256(LeafBytes.writeMetadata)", () => {
  for (let i = 0; i < N; i++) sink = sha256(leafBytes.writeMetadata(metadata(normalized[i]!, i)));
});
bench("  LeafBytes.writeMetadata only", () => {
  for (let i = 0; i < N; i++) sink = leafBytes.writeMetadata(metadata(normalized[i]!, i));
});
bench("  (leafData string, the specification, for comparison)", () => {
  for (let i = 0; i < N; i++) sink = leafData(metadata(normalized[i]!, i));
});
bench("chainHash (JS SHA-256 of 64 bytes)", () => {
  let c = GENESIS_CHAIN_HASH;
  for (const leaf of leaves) c = chainHash(c, leaf);
  sink = c;
});
bench("binary COPY row (CopyBinaryRows, 64 KiB chunks)", () => {
  const rows = new CopyBinaryRows();
  for (let i = 0; i < N; i++) {
    copyRow(rows, normalized[i]!, i, leaves[i]!, leaves[i]!);
    if (rows.length >= 1 << 16) sink = rows.take();
  }
});
bench("appendToFrontier (1000-leaf batches, ~1 node per leaf)", () => {
  let frontier: Uint8Array[] = [];
  for (let s = 0; s < N; s += 1000) frontier = appendToFrontier(frontier, s, leaves.slice(s, s + 1000)).frontier;
  sink = frontier;
});
bench("all of the above for each event, as the appender's loop", () => {
  let chain = GENESIS_CHAIN_HASH;
  let frontier: Uint8Array[] = [];
  for (let s = 0; s < N; s += 1000) {
    const rows = new CopyBinaryRows();
    const batch: Uint8Array[] = [];
    for (let i = s; i < Math.min(N, s + 1000); i++) {
      const e = normalizeEvent(events[i]!, now);
      const leaf = sha256(leafBytes.writeMetadata(metadata(e, i)));
      chain = chainHash(chain, leaf);
      batch.push(leaf);
      copyRow(rows, e, i, leaf, chain);
      if (rows.length >= 1 << 16) sink = rows.take();
    }
    frontier = appendToFrontier(frontier, s, batch).frontier;
  }
  sink = frontier;
});
void sink;
