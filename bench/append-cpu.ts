/**
 * CPU cost per entry of the appender's pure steps, without the database, on the events
 * bench/append.ts uses. Reports the best of several rounds (µs per entry) and CPU time
 * (user+sys of this process) next to wall time, so a busy machine shows as a gap.
 *
 *   npx tsx bench/append-cpu.ts [--entries N] [--rounds R]
 */
import { hash } from "node:crypto";
import { performance } from "node:perf_hooks";
import { canonicalize } from "../src/core/canonical-json.js";
import { chainHash, entryLeafHash, GENESIS_CHAIN_HASH, leafData, payloadHash } from "../src/core/entry.js";
import { normalizeEvent, type NormalizedEvent } from "../src/core/event.js";
import { appendToFrontier } from "../src/core/merkle.js";
import { copyBytea, copyNullable, copyText, copyTextArray } from "../src/ledger/copy-text.js";
import { makeEvents, parseFlags } from "./support.js";

const flags = parseFlags(process.argv.slice(2), { entries: 20_000, rounds: 5 });
const N = Math.floor(flags.entries);
const events = makeEvents(N, 20251122);
const now = new Date();
const normalized: NormalizedEvent[] = events.map((e) => normalizeEvent(e, now));
const recordedAt = now.toISOString();
const leaves = normalized.map((e, seq) => entryLeafHash({ ...e, log: "bench.example/cpu", seq, recordedAt }));
const leafTexts = normalized.map((e, seq) => Buffer.from(leafData({ ...e, log: "bench.example/cpu", seq, recordedAt })));
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

console.log(`${N} events, best of ${flags.rounds} rounds, per entry:\n`);
bench("normalizeEvent (all of it)", () => {
  for (const e of events) sink = normalizeEvent(e, now);
});
bench("  canonicalize(payload)", () => {
  for (const e of events) sink = canonicalize(e.payload);
});
bench("  payloadHash(canonical string)  [sha256 of a JS string]", () => {
  for (const e of normalized) sink = payloadHash(e.payload);
});
const payloadBytes = normalized.map((e) => Buffer.from(e.payload));
bench("  sha256 of the same bytes, already a Buffer", () => {
  for (const b of payloadBytes) sink = hash("sha256", b, "buffer");
});
bench("entryLeafHash (as src/core/entry.ts does it)", () => {
  for (let i = 0; i < N; i++) sink = entryLeafHash({ ...normalized[i]!, log: "bench.example/cpu", seq: i, recordedAt });
});
bench("  leafData only", () => {
  for (let i = 0; i < N; i++) sink = leafData({ ...normalized[i]!, log: "bench.example/cpu", seq: i, recordedAt });
});
bench("  sha256 of prepared leaf bytes only", () => {
  for (const b of leafTexts) sink = hash("sha256", b, "buffer");
});
bench("chainHash", () => {
  let c = GENESIS_CHAIN_HASH;
  for (const leaf of leaves) c = chainHash(c, leaf);
  sink = c;
});
bench("COPY text of one row (as appender.ts builds it)", () => {
  let rows = "";
  for (let i = 0; i < N; i++) {
    const e = normalized[i]!;
    rows +=
      `7\t${i}\t${copyText(e.kind)}\t${copyText(e.actor)}\t${copyText(e.action)}\t${copyText(e.resource)}\t` +
      `${e.outcome}\t${copyText(e.source)}\t${e.occurredAt}\t${recordedAt}\t${copyTextArray(e.tags)}\t` +
      `${copyNullable(e.payload)}\t${copyBytea(e.payloadHash)}\t${copyBytea(leaves[i]!)}\t${copyBytea(leaves[i]!)}\t${copyText(e.idempotencyKey ?? "k")}\n`;
    if ((i + 1) % 1000 === 0) {
      sink = Buffer.from(rows); // what the socket write does with it
      rows = "";
    }
  }
});
bench("appendToFrontier (1000-leaf batches, ~1 node per leaf)", () => {
  let frontier: Uint8Array[] = [];
  for (let s = 0; s < N; s += 1000) frontier = appendToFrontier(frontier, s, leaves.slice(s, s + 1000)).frontier;
  sink = frontier;
});
bench("  node rows text (copyBytea per node)", () => {
  let text = "";
  for (let i = 0; i < N; i++) text += `7\t1\t${i}\t${copyBytea(leaves[i]!)}\n`;
  sink = text;
});
void sink;
