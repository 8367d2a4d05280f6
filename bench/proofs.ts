/**
 * Proof latency at N entries: inclusionProofFor(store, log, index, size) and
 * consistencyProofFor(store, log, size1, size2) for random arguments, one call at a time on one
 * connection, beside a baseline in the same run: the single-row indexed round trip
 * `select leaf_hash from entries where log_id = $1 and seq = $2`. The three are interleaved
 * call by call, so load on a shared machine hits them alike. Every proof is then checked
 * with the core (verifyInclusion / verifyConsistency), outside the timed part, against roots
 * computed independently here from the stored leaf hashes (RFC 9162 MTH over the whole tree),
 * which in turn are checked against the log's signed checkpoints.
 *
 *   npx tsx bench/proofs.ts [--schema NAME] [--entries 1000000] [--pairs 2000] [--runs 3] [--url URL] [--keep]
 *
 * Each run times --pairs fresh random pairs; the table gives the median over runs of each statistic.
 *
 * With --schema NAME (e.g. a schema kept by bench/verify.ts --keep) the log there is used as
 * is; otherwise a fresh schema is seeded with --entries entries (minutes at 1M) and dropped.
 */
import os from "node:os";
import { performance } from "node:perf_hooks";
import { digestEqual } from "../src/core/encoding/index.js";
import { nodeHash, verifyConsistency, verifyInclusion } from "../src/core/merkle/index.js";
import { listCheckpoints } from "../src/ledger/postgres/checkpoints.js";
import { readBinaryCopy } from "../src/ledger/postgres/copy-binary.js";
import type { Sql } from "../src/ledger/postgres/db.js";
import { findLogWithSize, type Log, treeSize } from "../src/ledger/postgres/logs.js";
import { consistencyProofFor, type ConsistencyProof, type InclusionProof, inclusionProofFor } from "../src/ledger/proofs.js";
import { openSeededLog } from "./seed.js";
import { DEFAULT_URL, environment, median, parseFlags, prng, resolveUrl } from "./support.js";
import { PostgresLedgerStore } from "../src/ledger/postgres/postgres-store.js";

const flags = parseFlags(process.argv.slice(2), {
  entries: 1_000_000, pairs: 2000, runs: 3, warmup: 200, batch: 1000, url: DEFAULT_URL, schema: "", keep: false,
});
flags.url = resolveUrl(flags.url);
const TARGET_P99_MS = 5;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Perfect subtrees of the whole log, level by level, from the stored leaf hashes. */
class ReferenceTree {
  private readonly levels: Buffer[] = [];
  constructor(leaves: Buffer) {
    this.levels.push(leaves);
    for (let level = leaves; level.length >= 64; ) {
      const next = Buffer.allocUnsafe(32 * Math.floor(level.length / 64));
      for (let i = 0; 64 * i + 64 <= level.length; i++) {
        next.set(nodeHash(level.subarray(64 * i, 64 * i + 32), level.subarray(64 * i + 32, 64 * i + 64)), 32 * i);
      }
      this.levels.push(next);
      level = next;
    }
  }
  leaf(index: number): Uint8Array {
    return this.levels[0]!.subarray(32 * index, 32 * index + 32);
  }
  /** MTH(D[lo : lo+n]) by RFC 9162 §2.1.1's recursion; lo is a multiple of the split. */
  root(n: number, lo = 0): Uint8Array {
    if ((n & (n - 1)) === 0 && lo % n === 0) {
      const level = Math.log2(n);
      return this.levels[level]!.subarray(32 * (lo / n), 32 * (lo / n) + 32);
    }
    const k = 2 ** Math.floor(Math.log2(n - 1));
    return nodeHash(this.root(k, lo), this.root(n - k, lo + k));
  }
}

interface Series {
  name: string;
  ms: number[];
}

function summary(s: Series): { p50: number; p90: number; p99: number; max: number; mean: number } {
  const sorted = [...s.ms].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1]!, mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
  };
}

async function main(): Promise<void> {
  const seeded = await openSeededLog({
    url: flags.url, schema: flags.schema, entries: Math.floor(flags.entries), batch: Math.floor(flags.batch),
    checkpoints: 4, max: 1, progress: (line) => console.log(line),
  });
  const { admin: sql, log, schema } = seeded;
  const store = new PostgresLedgerStore(sql, schema);
  try {
    const N = await treeSize(sql, log.id);
    const P = Math.floor(flags.pairs);
    console.log(`\nsealtrail proof latency benchmark\n${await environment(sql, flags.url)}`);
    console.log(`log       ${schema}.${log.name}: ${N.toLocaleString("en-US")} entries; ${flags.runs} runs of ${P} random pairs per call, after ${flags.warmup} untimed; one connection, calls one at a time\n`);

    const rnd = prng(424242);
    const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1)); // [lo, hi]
    const pairs = (count: number) =>
      Array.from({ length: count }, () => {
        const size = int(1, N);
        return { index: int(0, size - 1), size, size1: int(1, size) };
      });
    const names = [
      "baseline: select leaf_hash … seq = $2",
      "findLogWithSize (each proof's first query)",
      "inclusionProofFor(index, size)",
      "consistencyProofFor(size1, size2)",
    ];
    const inclusion: InclusionProof[] = [];
    const consistency: ConsistencyProof[] = [];
    /** Per run, per series: the latencies. */
    const runs: Series[][] = [];
    for (const { index, size, size1 } of pairs(Math.floor(flags.warmup))) {
      await sql`select leaf_hash from entries where log_id = ${log.id} and seq = ${index}`;
      await inclusionProofFor(store, log.name, index, size);
      await consistencyProofFor(store, log.name, size1, size);
    }
    for (let run = 1; run <= flags.runs; run++) {
      const series: Series[] = names.map((name) => ({ name, ms: [] }));
      const load0 = os.loadavg()[0]!;
      for (const { index, size, size1 } of pairs(P)) {
        let t = performance.now();
        const [row] = await sql<{ leaf_hash: Buffer }[]>`select leaf_hash from entries where log_id = ${log.id} and seq = ${index}`;
        series[0]!.ms.push(performance.now() - t);
        if (!row) throw new Error(`no entry ${index}`);
        t = performance.now();
        await findLogWithSize(sql, log.name);
        series[1]!.ms.push(performance.now() - t);
        t = performance.now();
        const ip = await inclusionProofFor(store, log.name, index, size);
        series[2]!.ms.push(performance.now() - t);
        t = performance.now();
        const cp = await consistencyProofFor(store, log.name, size1, size);
        series[3]!.ms.push(performance.now() - t);
        inclusion.push(ip);
        consistency.push(cp);
      }
      runs.push(series);
      console.log(
        `  run ${run}  p50/p99 ms: ` + series.map((x, i) => `${["baseline", "findLogWithSize", "inclusion", "consistency"][i]} ${summary(x).p50.toFixed(2)}/${summary(x).p99.toFixed(2)}`).join("  ") +
          `  load ${load0.toFixed(2)}→${os.loadavg()[0]!.toFixed(2)}`,
      );
    }

    await checkProofs(sql, log, N, inclusion, consistency, seeded.checkpoints);
    printLatencies(names, runs);
  } finally {
    const drop = seeded.created && !flags.keep;
    await seeded.close(drop);
    console.log(drop ? `dropped schema ${schema}` : `kept schema ${schema}`);
  }
}

/** Untimed: an independent reference tree over the stored leaves, then every proof checked against it. */
async function checkProofs(sql: Sql, log: Log, N: number, inclusion: InclusionProof[], consistency: ConsistencyProof[], checkpoints: number): Promise<void> {
  const t0 = performance.now();
  const leaves = Buffer.alloc(32 * N);
  let seen = 0;
  const stream = await sql.unsafe(`copy (select leaf_hash from entries where log_id = ${log.id} order by seq) to stdout (format binary)`).readable();
  await readBinaryCopy(stream, (t) => {
    t[0]!.copy(leaves, 32 * seen++);
  });
  if (seen !== N) throw new Error(`read ${seen} leaf hashes, want ${N}`);
  const ref = new ReferenceTree(leaves);
  for (const cp of await listCheckpoints(sql, log.id)) {
    if (!digestEqual(ref.root(cp.size), cp.root)) throw new Error(`reference root at ${cp.size} differs from the signed checkpoint`);
  }
  for (const p of inclusion) {
    if (!digestEqual(p.root, ref.root(p.size)) || !digestEqual(p.leafHash, ref.leaf(p.index))) throw new Error(`inclusion ${p.index}/${p.size}: wrong root or leaf`);
    verifyInclusion(p.index, p.size, ref.leaf(p.index), p.proof, ref.root(p.size));
  }
  for (const p of consistency) {
    if (!digestEqual(p.root1, ref.root(p.size1)) || !digestEqual(p.root2, ref.root(p.size2))) throw new Error(`consistency ${p.size1}→${p.size2}: wrong roots`);
    verifyConsistency(p.size1, p.size2, p.proof, ref.root(p.size1), ref.root(p.size2));
  }
  const proofLen = (ps: { proof: Uint8Array[] }[]) => (ps.reduce((n, p) => n + p.proof.length, 0) / ps.length).toFixed(1);
  console.log(
    `checked   all ${inclusion.length} inclusion and ${consistency.length} consistency proofs with the core against an ` +
      `independent tree over the ${N.toLocaleString("en-US")} stored leaves (agreeing with ${checkpoints} signed checkpoints); ` +
      `mean proof length ${proofLen(inclusion)} / ${proofLen(consistency)} hashes; ${((performance.now() - t0) / 1000).toFixed(1)} s, untimed\n`,
  );
}

/** Per series: the median over runs of each statistic, and the targets. */
function printLatencies(names: string[], runs: Series[][]): void {
  const stat = (i: number, k: keyof ReturnType<typeof summary>) => median(runs.map((r) => summary(r[i]!)[k]));
  const head = `${`latency, ms (median of ${runs.length} runs)`.padEnd(52)} ${"p50".padStart(6)} ${"p90".padStart(6)} ${"p99".padStart(6)} ${"max".padStart(7)} ${"mean".padStart(6)}  p50/p99 vs baseline`;
  console.log(`${head}\n${"-".repeat(head.length)}`);
  for (const [i, name] of names.entries()) {
    const vs = i === 0 ? "" : `${(stat(i, "p50") / stat(0, "p50")).toFixed(1)}× / ${(stat(i, "p99") / stat(0, "p99")).toFixed(1)}×`;
    console.log(
      `${name.padEnd(52)} ${stat(i, "p50").toFixed(2).padStart(6)} ${stat(i, "p90").toFixed(2).padStart(6)} ${stat(i, "p99").toFixed(2).padStart(6)} ` +
        `${stat(i, "max").toFixed(2).padStart(7)} ${stat(i, "mean").toFixed(2).padStart(6)}  ${vs}`,
    );
  }
  console.log(`\nload average now: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  for (const i of [2, 3]) {
    const p99 = stat(i, "p99");
    console.log(`target: ${names[i]} p99 < ${TARGET_P99_MS} ms: ${p99.toFixed(2)} ms ${p99 < TARGET_P99_MS ? "PASS" : `FAIL (${(p99 / TARGET_P99_MS).toFixed(2)}× the target)`}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
