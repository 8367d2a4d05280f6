/**
 * Erasing one data subject across a format-2 log of N entries (GDPR Art. 17; docs/erasure.md):
 * the time of `eraseValues` by actor, and the rows it touched against the log's size, from
 * pg_stat_user_tables (n_tup_ins, n_tup_upd, n_tup_del) of the bench schema before and after.
 * The target: only the erased entries' rows are touched (their entry_secrets deleted, their
 * entry_search row blanked, one entry_removals row per value) plus the erasure record's own
 * append; nothing is rewritten in `entries` or `merkle_nodes`.
 *
 * The log's actors cycle through --subjects people, so one subject has N / subjects entries.
 * Seeded through the Appender (its COPY path) in batches of --batch; with --schema NAME the
 * seeded log is kept and reused (a later run erases the next subject that still has values).
 *
 *   npx tsx bench/erase.ts [--entries 1000000] [--subjects 1000] [--batch 10000] [--schema NAME] [--url URL]
 */
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { eraseValues } from "../src/ledger/index.js";
import { Appender } from "../src/ledger/postgres/appender.js";
import { checkpointLog } from "../src/ledger/checkpointer.js";
import { indexSearchOnce } from "../src/ledger/postgres/search-indexer.js";
import { checkSchemaName, connect, type Sql } from "../src/ledger/postgres/db.js";
import { migrateLedger } from "../src/ledger/postgres/migrate.js";
import { PostgresLedgerStore } from "../src/ledger/postgres/postgres-store.js";
import { benchSigningKey } from "./seed.js";
import { DEFAULT_URL, environment, parseFlags, resolveUrl } from "./support.js";

const flags = parseFlags(process.argv.slice(2), { entries: 1_000_000, subjects: 1000, batch: 10_000, schema: "", url: DEFAULT_URL });
const url = resolveUrl(flags.url);
const keep = flags.schema !== "";
const schema = checkSchemaName(flags.schema || `bench_erase_${process.pid}`);
const NAME = "erase-bench";
const subject = (k: number) => `subject${k}@example.com`;

await migrateLedger(url, schema);
const admin = connect({ url, schema, max: 2, applicationName: "sealtrail-bench" });
const writer = connect({ url, schema, role: "writer", max: 4, applicationName: "sealtrail-bench-erase" });
const store = new PostgresLedgerStore(writer, schema);

/**
 * Row counters of the schema's tables, once every backend has reported: a backend flushes its
 * counts at a transaction's end at most once a second, and an idle one within 10 s
 * (PostgreSQL 15, PGSTAT_IDLE_INTERVAL), so the counters are read until unchanged over 11 s.
 */
async function counters(sql: Sql): Promise<Map<string, { ins: number; upd: number; del: number }>> {
  let last = "";
  for (;;) {
    await sql`select pg_stat_clear_snapshot()`;
    const rows = await sql<{ name: string; ins: number; upd: number; del: number }[]>`
      select relname as name, n_tup_ins::float8 as ins, n_tup_upd::float8 as upd, n_tup_del::float8 as del
      from pg_stat_user_tables where schemaname = ${schema} order by relname`;
    const now = JSON.stringify(rows);
    if (now === last) return new Map(rows.map((r) => [r.name, { ins: r.ins, upd: r.upd, del: r.del }]));
    last = now;
    await sleep(11_000);
  }
}

const start = performance.now();
try {
  const progress = (line: string) => process.stderr.write(`${((performance.now() - start) / 1000).toFixed(1)} s  ${line}\n`);
  const existing = await admin<{ id: number }[]>`select id from logs where name = ${NAME}`;
  let log = existing[0] ? await store.findLog(NAME) : await store.createLog(NAME, { origin: `bench.example/${NAME}`, leafVersion: 2 });
  if (log.leafVersion !== 2) throw new Error(`${schema}.${NAME} is not a format-2 log`);
  let size = await store.treeSize(log.id);
  const t0 = performance.now();
  if (size < flags.entries) {
    progress(`seeding ${schema}.${NAME}: ${size} → ${flags.entries} format-2 entries (Appender, batches of ${flags.batch})`);
    const appender = new Appender(writer);
    let report = performance.now() + 15_000;
    while (size < flags.entries) {
      const n = Math.min(flags.batch, flags.entries - size);
      const first = size;
      await appender.append(NAME, Array.from({ length: n }, (_, k) => {
        const i = first + k;
        const actor = subject(i % flags.subjects);
        return { kind: "access", actor, action: "record.read", resource: `patient/${actor}/chart/${i % 37}`, payload: { i, note: `chart opened by ${actor}`, ip: `10.0.${i % 250}.${i % 199}` } };
      }));
      size += n;
      if (performance.now() > report) {
        report = performance.now() + 15_000;
        const s = (performance.now() - t0) / 1000;
        progress(`  ${size} entries, ${Math.round(size / s)} entries/s overall, ${s.toFixed(0)} s`);
      }
    }
    await checkpointLog(store, NAME, benchSigningKey().privateKey);
    // Statistics first: the indexer's join of entries and entry_secrets is planned badly on
    // tables never analysed (a nested loop: minutes for 20,000 entries), as autovacuum would fix.
    await admin`analyze entries`;
    await admin`analyze entry_secrets`;
    // The search index filled as the indexer would (an erasure blanks the subject's rows there).
    progress("  search index");
    while ((await indexSearchOnce(writer, { batch: 20_000, budget: 1e9 })).indexed > 0);
    progress("  vacuum analyze");
    await admin`vacuum (analyze) entries`;
    await admin`vacuum (analyze) entry_secrets`;
    await admin`vacuum (analyze) entry_search`;
  }
  const seedSeconds = (performance.now() - t0) / 1000;
  log = await store.findLog(NAME);
  size = await store.treeSize(log.id);

  // The first subject that still has values (a kept schema erases the next one each run).
  let k = 0;
  while ((await admin`select 1 from entry_secrets where log_id = ${log.id} and field = 0 and value = ${subject(k)} limit 1`).length === 0) k++;
  const [rows] = await admin<{ entries: number; secrets: number; search: number }[]>`
    select (select count(*) from entries where log_id = ${log.id})::float8 as entries,
           (select count(*) from entry_secrets where log_id = ${log.id})::float8 as secrets,
           (select count(*) from entry_search where log_id = ${log.id})::float8 as search`;
  const before = await counters(admin);
  const t = performance.now();
  const result = await eraseValues(store, { log: NAME, target: { actor: subject(k) }, reason: "benchmark", legalBasis: "GDPR Art. 17(1)(a)", requestedBy: "bench" });
  const eraseMs = performance.now() - t;
  const after = await counters(admin);

  const touched: Record<string, { ins: number; upd: number; del: number }> = {};
  let total = 0;
  for (const [name, a] of after) {
    const b = before.get(name) ?? { ins: 0, upd: 0, del: 0 };
    const d = { ins: a.ins - b.ins, upd: a.upd - b.upd, del: a.del - b.del };
    if (d.ins || d.upd || d.del) touched[name] = d;
    total += d.ins + d.upd + d.del;
  }
  const logRows = rows!.entries + rows!.secrets + rows!.search;
  // What only the erased rows and the record's append account for: the erased values' secrets
  // deleted and removal marks inserted, their search rows blanked, and the record's own rows.
  console.log(JSON.stringify({
    schema, entries: size, seedSeconds: Math.round(seedSeconds), subject: subject(k), erasedEntries: result.entries, erasedValues: result.values,
    eraseMs: Math.round(eraseMs), rowsTouched: total, logRows, shareTouched: +(total / logRows).toExponential(2), touched,
    environment: await environment(admin, url),
  }));
} finally {
  await writer.end();
  if (!keep) await admin.unsafe(`drop schema if exists "${schema}" cascade`);
  await admin.end();
}
