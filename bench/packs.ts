/**
 * Evidence pack build time and peak memory for a period of N entries (default 1,000,000): a
 * SOC 2 pack of the whole seeded log (see seed.ts), built by buildPack in a process of its own
 * so that process's peak RSS is the build's, against a baseline measured in the same run: a
 * plain export of the same rows (COPY … TO STDOUT, text format, into a file) in a process of
 * its own. The ratio pack / export says what re-hashing, populations, proofs, PDF, OSCAL and
 * signing cost on top of just writing the entries out. Targets: < 60 s and < 512 MB.
 * Then verifyPack on the pack just built, in a process of its own, with full re-derivation
 * (every entry re-hashed and chained, the range proof, populations, samples, exceptions and
 * every document, report.pdf rendered again, compared byte for byte) under the trusted
 * checkpoint key, as `sealtrail verify-pack --key` runs it. Target: ≤ 2× the build.
 *
 *   npx tsx bench/packs.ts [--entries 1000000] [--runs 3] [--batch 1000] [--url URL]
 *                          [--schema NAME [--keep]] [--framework soc2]
 */
import { spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { connect } from "../src/ledger/postgres/db.js";
import { loadSigningKey } from "../src/ledger/signing-key.js";
import { buildPack } from "../src/packs/build-pack.js";
import { findExporter, loadExporters } from "../src/packs/exporters.js";
import { renderReport } from "../src/packs/pdf/report.js";
import { verifyPack } from "../src/packs/verify-pack.js";
import { BENCH_LOG, benchSigningKey, openSeededLog } from "./seed.js";
import { DEFAULT_URL, environment, machineTicks, median, parseFlags, resolveUrl, stealPercent } from "./support.js";
import { PostgresLedgerStore } from "../src/ledger/postgres/postgres-store.js";

const flags = parseFlags(process.argv.slice(2), {
  entries: 1_000_000, runs: 3, batch: 1000, url: DEFAULT_URL, schema: "", keep: false, framework: "soc2",
  // Internal: one measurement in a child process.
  child: "", out: "", key: "", to: "",
});
flags.url = resolveUrl(flags.url);
const FROM = "2000-01-01T00:00:00Z";

interface Measurement {
  seconds: number;
  /** CPU time of the process (user + system): steadier than wall time on a shared machine. */
  cpuSeconds: number;
  maxRssMb: number;
  bytes: number;
}

/** One measurement in this process, printed as JSON for the parent. */
async function child(): Promise<void> {
  const t0 = performance.now();
  if (flags.child === "verify") {
    // No database: the pack directory alone, with the bench's checkpoint key trusted.
    const report = await verifyPack(flags.out, { checkpointKeys: [benchSigningKey().publicKey], renderReport });
    const failed = report.checks.filter((c) => !c.ok);
    if (!report.verified || failed.length > 0) throw new Error(`the pack did not verify: ${failed.map((c) => `${c.check}: ${c.message}`).join("; ")}`);
    if (!report.checks.some((c) => c.ok && c.check === "derived" && c.file === "report.pdf" && c.message.includes("byte for byte"))) throw new Error("report.pdf was not re-derived");
    const cpu = process.cpuUsage();
    process.stdout.write(`${JSON.stringify({ seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssMb: process.resourceUsage().maxRSS / 1024, bytes: report.checks.length })}\n`);
    return;
  }
  const sql = connect({ url: flags.url, schema: flags.schema, role: "writer", max: 2, applicationName: "sealtrail-bench-pack" });
  let bytes = 0;
  try {
    if (flags.child === "pack") {
      const exporter = findExporter(await loadExporters([]), flags.framework);
      const key = await loadSigningKey(flags.key);
      const built = await buildPack({
        store: new PostgresLedgerStore(sql, flags.schema), exporter, out: flags.out, packKey: key, checkpointKey: key, generator: { name: "sealtrail", version: "bench" }, originPrefix: "bench.example",
        request: { framework: exporter.id, logs: [BENCH_LOG], from: FROM, to: flags.to, requestedBy: "bench", requestedAt: "2026-01-01T00:00:00Z", seed: "bench-auditor-seed", organisation: "bench", scope: "bench", sampleSize: 25, failedLoginThreshold: 5, approvalTags: ["approved"] },
      });
      bytes = built.model.totals.entries;
    } else {
      // The baseline: the same rows, exported as they are.
      const [log] = await sql<{ id: number }[]>`select id from logs where name = ${BENCH_LOG}`;
      // COPY takes no bind parameters; the id is an integer from the database.
      const stream = await sql.unsafe(`copy (select * from entries where log_id = ${Number(log!.id)} order by seq) to stdout`).readable();
      const file = createWriteStream(flags.out);
      stream.on("data", (c: Buffer) => (bytes += c.length));
      await pipeline(stream, file);
    }
  } finally {
    await sql.end();
  }
  const cpu = process.cpuUsage();
  const m: Measurement = { seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssMb: process.resourceUsage().maxRSS / 1024, bytes };
  process.stdout.write(`${JSON.stringify(m)}\n`);
}

function measure(mode: "pack" | "export" | "verify", out: string, schema: string, keyFile: string, to: string): Promise<Measurement> {
  const file = fileURLToPath(import.meta.url);
  const args = [...process.execArgv, file, "--child", mode, "--out", out, "--schema", schema, "--key", keyFile, "--to", to, "--url", flags.url, "--framework", flags.framework];
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
    let text = "";
    p.stdout.on("data", (c: Buffer) => (text += c.toString()));
    p.on("error", reject);
    p.on("exit", (code) => (code === 0 ? resolve(JSON.parse(text.trim().split("\n").pop()!) as Measurement) : reject(new Error(`${mode} child exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const seeded = await openSeededLog({ url: flags.url, schema: flags.schema, entries: flags.entries, batch: flags.batch, checkpoints: 4, max: 2, progress: (l) => console.log(l) });
  const work = mkdtempSync(join(tmpdir(), "sealtrail-bench-packs-"));
  try {
    console.log(await environment(seeded.admin, flags.url));
    console.log(`log       ${BENCH_LOG}: ${seeded.size} entries, ${seeded.checkpoints} checkpoints${seeded.appended ? `, seeded in ${seeded.seedSeconds.toFixed(0)} s` : ""}`);
    const keyFile = join(work, "key.pem");
    writeFileSync(keyFile, benchSigningKey().privateKey.export({ format: "pem", type: "pkcs8" }).toString(), { mode: 0o600 });
    // The period ends now: pack.build records appended by the runs fall after it.
    const to = new Date().toISOString();
    const packs: Measurement[] = [];
    const exports: Measurement[] = [];
    const verifies: Measurement[] = [];
    for (let run = 1; run <= flags.runs; run++) {
      const ticks0 = machineTicks();
      const e = await measure("export", join(work, `export-${run}.txt`), seeded.schema, keyFile, to);
      const p = await measure("pack", join(work, `pack-${run}`), seeded.schema, keyFile, to);
      const v = await measure("verify", join(work, `pack-${run}`), seeded.schema, keyFile, to);
      const steal = stealPercent(ticks0, machineTicks());
      exports.push(e);
      packs.push(p);
      verifies.push(v);
      console.log(`run ${run}: pack ${p.seconds.toFixed(1)} s (CPU ${p.cpuSeconds.toFixed(1)} s), ${p.maxRssMb.toFixed(0)} MB peak RSS (${p.bytes} entries) | export ${e.seconds.toFixed(1)} s (CPU ${e.cpuSeconds.toFixed(1)} s), ${e.maxRssMb.toFixed(0)} MB | ratio ${(p.seconds / e.seconds).toFixed(2)} | verify-pack ${v.seconds.toFixed(1)} s (CPU ${v.cpuSeconds.toFixed(1)} s), ${v.maxRssMb.toFixed(0)} MB, ${(v.seconds / p.seconds).toFixed(2)}× the build | load ${loadavg()[0]!.toFixed(1)} | steal ${steal.toFixed(1)}%`);
      rmSync(join(work, `pack-${run}`), { recursive: true, force: true });
      rmSync(join(work, `export-${run}.txt`), { force: true });
    }
    const mp = median(packs.map((m) => m.seconds));
    const me = median(exports.map((m) => m.seconds));
    console.log(`\n${flags.framework} pack of ${seeded.size} entries, median of ${flags.runs}: ${mp.toFixed(1)} s (target < 60 s), CPU ${median(packs.map((m) => m.cpuSeconds)).toFixed(1)} s, peak RSS ${median(packs.map((m) => m.maxRssMb)).toFixed(0)} MB (target < 512 MB)`);
    const ratios = packs.map((p, i) => p.seconds / exports[i]!.seconds);
    const vr = verifies.map((v, i) => v.seconds / packs[i]!.seconds);
    console.log(`verify-pack with full re-derivation (report.pdf included), median of ${flags.runs}: ${median(verifies.map((m) => m.seconds)).toFixed(1)} s, CPU ${median(verifies.map((m) => m.cpuSeconds)).toFixed(1)} s, peak RSS ${median(verifies.map((m) => m.maxRssMb)).toFixed(0)} MB; verify / build: median ${median(vr).toFixed(2)} (${vr.map((r) => r.toFixed(2)).join(", ")}) (target ≤ 2)`);
    console.log(`baseline (COPY export of the same rows to a file): ${me.toFixed(1)} s, ${median(exports.map((m) => m.maxRssMb)).toFixed(0)} MB; pack / export: median of the runs' ratios ${median(ratios).toFixed(2)} (${ratios.map((r) => r.toFixed(2)).join(", ")})`);
  } finally {
    rmSync(work, { recursive: true, force: true });
    await seeded.close(seeded.created && !flags.keep);
  }
}

if (flags.child) await child();
else await main();
