/**
 * Integrity sweeps on a log of N entries (seeded as for verify.ts, see seed.ts), each through
 * sweepLog as the worker runs it (witness copies checked, the record appended):
 *
 *   incremental  the last sweep verified up to N − NEW entries (a checkpoint witnessed there):
 *                recompute the NEW entries after it, and the link; target < 2 s for 100,000
 *                new entries on a 1,000,000-entry log
 *   full         the whole log, entries/s
 *   verifier     verifyLog alone over the same log (no witness, no record): the baseline the
 *                full sweep is compared with; and verifyLog alone from the same checkpoint, the
 *                baseline of the incremental sweep
 *
 *   npx tsx bench/sweep.ts [--entries 1000000] [--new 100000] [--runs 3] [--batch 1000] [--url URL]
 *                          [--schema NAME [--keep]]
 *
 * The checkpoint at N − NEW is signed from the stored tree (a prefix of the log) and stored in
 * the database beside the seeded ones; before each incremental run a `sweep` record saying the
 * log verified up to N − NEW is appended, so every run starts from there.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { signCheckpoint, ed25519Signer } from "../src/core/note/index.js";
import { toHex } from "../src/core/encoding/index.js";
import { sweepEvent } from "../src/core/sweep/index.js";
import { type SweepDeps, sweepLog } from "../src/integrity/sweep-log.js";
import { verifyLog } from "../src/integrity/verify-log.js";
import { witnessCheckpoints } from "../src/integrity/witness-checkpoints.js";
import { DirectoryWitness } from "../src/integrity/witness-directory.js";
import { Appender } from "../src/ledger/postgres/appender.js";
import { ensureAuditLog } from "../src/ledger/audit-log.js";
import { connect } from "../src/ledger/postgres/db.js";
import { rootAt } from "../src/ledger/proofs.js";
import { benchSigningKey, openSeededLog } from "./seed.js";
import { DEFAULT_URL, environment, median, parseFlags, resolveUrl } from "./support.js";
import { PostgresLedgerStore } from "../src/ledger/postgres/postgres-store.js";

const flags = parseFlags(process.argv.slice(2), { entries: 1_000_000, new: 100_000, runs: 3, batch: 1000, url: DEFAULT_URL, schema: "", keep: false });
flags.url = resolveUrl(flags.url);
const TARGET_SECONDS = 2;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

async function main(): Promise<void> {
  const seeded = await openSeededLog({
    url: flags.url, schema: flags.schema, entries: Math.floor(flags.entries), batch: Math.floor(flags.batch), checkpoints: 4, max: 2,
    progress: (line) => console.log(line),
  });
  const { admin, log, size, schema } = seeded;
  const writer = connect({ url: flags.url, schema, role: "writer", max: 4, applicationName: "sealtrail-bench-sweep" });
  const witnessDir = mkdtempSync(join(tmpdir(), "sealtrail-bench-witness-"));
  try {
    const base = size - Math.floor(flags.new);
    if (base <= 0) throw new Error(`--new ${flags.new} leaves no verified part of a ${size}-entry log`);
    const key = benchSigningKey();
    const [have] = await admin<{ n: number }[]>`select count(*)::int as n from checkpoints where log_id = ${log.id} and size = ${base}`;
    if (have!.n === 0) {
      const signer = ed25519Signer(log.origin, key.privateKey);
      const note = signCheckpoint({ origin: log.origin, size: base, root: await rootAt(new PostgresLedgerStore(admin, schema), log.id, base) }, signer);
      await writer`insert into checkpoints (log_id, size, root, note, key_id)
        values (${log.id}, ${base}, ${Buffer.from(await rootAt(new PostgresLedgerStore(admin, schema), log.id, base))}, ${note}, ${toHex(signer.keyId)})`;
    }
    const witness = new DirectoryWitness(witnessDir);
    const witnessed = await witnessCheckpoints(new PostgresLedgerStore(writer, schema), log, key.publicKey, witness);
    const audit = await ensureAuditLog(new PostgresLedgerStore(writer, schema), log.tenant, "bench.example");
    const alerts = { raise: async () => { throw new Error("a sweep of the untouched bench log raised an alert"); } };
    const deps: SweepDeps = { store: new PostgresLedgerStore(writer, schema), url: flags.url, schema, publicKey: key.publicKey, witness, originPrefix: "bench.example", alerts, threads: 2 };

    console.log(`\nsealtrail sweep benchmark\n${await environment(admin, flags.url)}`);
    console.log(`log       ${schema}.${log.name}: ${fmt(size)} entries; witness copies at ${witnessed.map(fmt).join(", ")}`);
    console.log(`runs      ${flags.runs}: incremental (${fmt(size - base)} new entries after ${fmt(base)}) | full sweep | verifier alone\n`);

    const times = { incremental: [] as number[], verifierSince: [] as number[], full: [] as number[], verifier: [] as number[] };
    const [baseRow] = await admin<{ root: Buffer }[]>`select root from checkpoints where log_id = ${log.id} and size = ${base}`;
    let recomputed = 0;
    for (let run = 1; run <= flags.runs; run++) {
      // The previous sweep verified up to `base`.
      await new Appender(writer).append(audit.name, [sweepEvent(log.name, { result: "verified", at: new Date(), fromSeq: 0, toSize: base, durationMs: 0, firstBadSeq: null, tamperClass: null, mode: "full" }, "bench")]);
      let t = performance.now();
      const inc = await sweepLog(deps, log.name, { id: `bench-inc-${Date.now()}-${run}`, mode: "incremental", at: new Date() });
      times.incremental.push((performance.now() - t) / 1000);
      if (inc.record.result !== "verified" || inc.record.mode !== "incremental" || inc.record.toSize !== size) throw new Error(`incremental sweep: ${JSON.stringify(inc.record)}`);
      recomputed = inc.report!.entriesChecked;

      t = performance.now();
      const since = await verifyLog(new PostgresLedgerStore(admin, schema), log.name, { url: flags.url, schema, publicKey: key.publicKey, threads: 2, since: { size: base, root: new Uint8Array(baseRow!.root) } });
      times.verifierSince.push((performance.now() - t) / 1000);
      if (!since.verified || !since.incremental || since.entriesChecked !== recomputed) throw new Error("the verifier alone did not verify the same entries");

      t = performance.now();
      const full = await sweepLog(deps, log.name, { id: `bench-full-${Date.now()}-${run}`, mode: "full", at: new Date() });
      times.full.push((performance.now() - t) / 1000);
      if (full.record.result !== "verified" || full.report!.entriesChecked !== size) throw new Error(`full sweep: ${JSON.stringify(full.record)}`);

      t = performance.now();
      const alone = await verifyLog(new PostgresLedgerStore(admin, schema), log.name, { url: flags.url, schema, publicKey: key.publicKey, threads: 2 });
      times.verifier.push((performance.now() - t) / 1000);
      if (!alone.verified || alone.entriesChecked !== size) throw new Error("the verifier did not verify the whole log");
      console.log(
        `  run ${run}  incremental ${times.incremental.at(-1)!.toFixed(2)} s (${fmt(recomputed)} entries recomputed; verifier alone ${times.verifierSince.at(-1)!.toFixed(2)} s)  ` +
          `full sweep ${times.full.at(-1)!.toFixed(2)} s  verifier ${times.verifier.at(-1)!.toFixed(2)} s  load ${os.loadavg()[0]!.toFixed(2)}`,
      );
    }
    const inc = median(times.incremental);
    const incAlone = median(times.verifierSince);
    const full = median(times.full);
    const alone = median(times.verifier);
    console.log(`\nmedian`);
    console.log(`  incremental sweep   ${inc.toFixed(2)} s for ${fmt(size - base)} new entries (${fmt(recomputed)} recomputed): ${(full / inc).toFixed(1)}× faster than the full sweep`);
    console.log(`  verifier alone, from the same checkpoint   ${incAlone.toFixed(2)} s   incremental sweep / verifier = ${(inc / incAlone).toFixed(2)}`);
    console.log(`  full sweep          ${fmt(size / full)} entries/s`);
    console.log(`  verifier alone      ${fmt(size / alone)} entries/s   full sweep / verifier = ${(alone / full).toFixed(2)}`);
    console.log(`target: incremental sweep < ${TARGET_SECONDS} s: ${inc.toFixed(2)} s ${inc < TARGET_SECONDS ? "PASS" : "FAIL"}`);
  } finally {
    rmSync(witnessDir, { recursive: true, force: true });
    await writer.end();
    const drop = seeded.created && !flags.keep;
    await seeded.close(drop);
    console.log(drop ? `dropped schema ${schema}` : `kept schema ${schema} (reuse: --schema ${schema})`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
