/**
 * Every benchmark in sequence, each in its own process (so each reports its own peak
 * RSS): append.ts, then verify.ts on a log of --entries entries (seeded once, kept), then
 * proofs.ts, api.ts, packs.ts and sweep.ts on that same log, then ingest.ts (end-to-end through Redis, its
 * own schemas), tmux.ts (no database), tiles.ts (C2SP tlog-tiles served by the API against the
 * same bytes from files, a log of --append-entries entries in a schema of its own) and
 * witness.ts (a witness's add-checkpoint round trip, no database); the log's schema is
 * dropped at the end unless --keep.
 *
 *   npm run bench [-- FLAGS]      (tsx bench/run.ts)
 *
 * FLAGS (defaults keep the whole run within ~15 minutes on a 2-core machine):
 *   --url URL              every bench
 *   --runs R               every bench (3)
 *   --entries N            the verify/proofs log (1000000)
 *   --append-entries N     entries per append measurement (100000)
 *   --batch B              append batches and seeding batches (1000)
 *   --pairs P              proofs: random pairs per call (2000)
 *   --schema NAME --keep   reuse / keep the verify/proofs log (as verify.ts)
 *   --only LIST            comma-separated subset of append,verify,proofs,api,packs,sweep,ingest,tmux,tiles,witness
 *   (tmux.ts, the tmux capture throughput, takes --runs and its own --tmux.megabytes; witness.ts
 *   takes --runs and its own --witness.checkpoints and --witness.grow)
 *   --<bench>.<flag> V     any other flag of one bench, passed through (e.g. --verify.only t2)
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { connect } from "../src/ledger/postgres/db.js";
import { DEFAULT_URL, dropSchema, resolveUrl } from "./support.js";

// sweep after the other benches on the shared log: it adds a checkpoint and sweep records to it.
const BENCHES = ["append", "verify", "proofs", "api", "packs", "sweep", "ingest", "tmux", "tiles", "witness"] as const;
type Bench = (typeof BENCHES)[number];

const common: Record<string, string> = {
  url: DEFAULT_URL, runs: "3", entries: "1000000", "append-entries": "100000", batch: "1000", pairs: "2000", schema: "", only: BENCHES.join(","),
};
let keep = false;
const passThrough: Record<Bench, string[]> = { append: [], verify: [], proofs: [], api: [], packs: [], sweep: [], ingest: [], tmux: [], tiles: [], witness: [] };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const flag = argv[i]!;
  const name = flag.replace(/^--/, "");
  if (flag === "--keep") {
    keep = true;
    continue;
  }
  const scoped = /^([a-z]+)\.(.+)$/.exec(name);
  if (flag.startsWith("--") && scoped && (BENCHES as readonly string[]).includes(scoped[1]!)) {
    const bench = scoped[1] as Bench;
    const next = argv[i + 1];
    passThrough[bench].push(`--${scoped[2]}`);
    if (next !== undefined && !next.startsWith("--")) passThrough[bench].push(argv[++i]!);
    continue;
  }
  if (!flag.startsWith("--") || !(name in common) || i + 1 >= argv.length) {
    throw new Error(`unknown or incomplete flag ${flag}; flags: ${Object.keys(common).map((k) => "--" + k).join(" ")} --keep --<bench>.<flag>`);
  }
  common[name] = argv[++i]!;
}
const only = common.only!.split(",").map((s) => s.trim());
for (const b of only) if (!(BENCHES as readonly string[]).includes(b)) throw new Error(`--only: unknown bench ${b}`);

const schema = common.schema || `bench_run_${randomBytes(4).toString("hex")}`;
const args: Record<Bench, string[]> = {
  append: ["--url", common.url!, "--runs", common.runs!, "--entries", common["append-entries"]!, "--batch", common.batch!],
  // The log is kept between verify and proofs; run.ts drops it at the end.
  verify: ["--url", common.url!, "--runs", common.runs!, "--entries", common.entries!, "--batch", common.batch!, "--schema", schema, "--keep"],
  proofs: ["--url", common.url!, "--runs", common.runs!, "--entries", common.entries!, "--batch", common.batch!, "--pairs", common.pairs!, "--schema", schema, "--keep"],
  api: ["--url", common.url!, "--runs", common.runs!, "--entries", common.entries!, "--batch", common.batch!, "--schema", schema, "--keep"],
  sweep: ["--url", common.url!, "--runs", common.runs!, "--entries", common.entries!, "--batch", common.batch!, "--schema", schema, "--keep"],
  ingest: ["--url", common.url!, "--runs", common.runs!, "--events", common["append-entries"]!, "--batch", common.batch!],
  // A pack of the whole 1M-entry log, built in a process of its own, beside a COPY export of the same rows.
  packs: ["--url", common.url!, "--runs", common.runs!, "--entries", common.entries!, "--batch", common.batch!, "--schema", schema, "--keep"],
  // No database: tmux, capture processes and a redis-server of its own.
  tmux: ["--runs", common.runs!],
  // A log of its own (a fresh schema, dropped by tiles.ts), published, read through the API and from files.
  tiles: ["--url", common.url!, "--runs", common.runs!, "--entries", common["append-entries"]!],
  witness: ["--runs", common.runs!],
};

function run(bench: Bench): Promise<number> {
  const file = fileURLToPath(new URL(`./${bench}.ts`, import.meta.url));
  const full = [...args[bench], ...passThrough[bench]];
  console.log(`\n=== ${bench}: tsx bench/${bench}.ts ${full.join(" ")}\n`);
  return new Promise((resolve, reject) => {
    // Same node, same tsx loader flags as this process.
    const child = spawn(process.execPath, [...process.execArgv, file, ...full], { stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function schemaExists(name: string): Promise<boolean> {
  const sql = connect({ url: resolveUrl(common.url!), schema: "public", max: 1, applicationName: "sealtrail-bench" });
  try {
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from pg_namespace where nspname = ${name}`;
    return row!.n > 0;
  } finally {
    await sql.end();
  }
}

async function main(): Promise<void> {
  const t0 = Date.now();
  let failed = 0;
  // A schema that exists before the run is never dropped; one the run creates is, unless --keep.
  const existed = await schemaExists(schema);
  try {
    for (const bench of BENCHES) {
      if (!only.includes(bench)) continue;
      const code = await run(bench);
      if (code !== 0) {
        failed++;
        console.error(`${bench} exited with ${code}`);
      }
    }
  } finally {
    const usesSchema = only.includes("verify") || only.includes("proofs") || only.includes("api") || only.includes("packs") || only.includes("sweep");
    if (usesSchema && !keep && !existed) {
      const sql = connect({ url: resolveUrl(common.url!), schema: "public", max: 1, applicationName: "sealtrail-bench" });
      await dropSchema(sql, resolveUrl(common.url!), schema);
      await sql.end();
      console.log(`\ndropped schema ${schema}`);
    } else if (usesSchema) console.log(`\nkept schema ${schema}`);
    console.log(`all benchmarks: ${((Date.now() - t0) / 60_000).toFixed(1)} min`);
  }
  if (failed) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
