/**
 * Archiving N entries (retention past the hot window) beside a baseline measured in the same
 * run: `sealtrail tiles export`'s work on the same log (the tiles and entry bundles of the same
 * checkpoint, written to a directory). Archiving adds the incremental sweep that precedes it,
 * the rows files, and the recorded delete of the rows from the main tables; verification
 * across the archived prefix is timed after it. The search indexer has caught up before the run,
 * as the worker's keeps up in service (the run indexes what it has not).
 *
 * Then searches (docs/api.md, "Searching archived entries"): a page of 50 matches of a rare word
 * (one entry in 1,000) and of a common one, through findEvents as the API's `events` makes it,
 * once the entries are archived beside the same query while they were hot (medians of 15).
 *
 *   npx tsx bench/archive.ts [--entries 100000] [--url URL]
 */
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { sha256 } from "../src/core/encoding/index.js";
import { privateKeyFromSeed, rawPublicKey } from "../src/core/note/index.js";
import { entryBundle, tilePath, tilesOf } from "../src/core/tiles/index.js";
import { retainLog } from "../src/integrity/retention-run.js";
import { verifyLog } from "../src/integrity/verify-log.js";
import { bundleEntries, checkpointLog, DirectoryArchive, findEvents, type LedgerStore, tileHashes } from "../src/ledger/index.js";
import { Appender } from "../src/ledger/postgres/appender.js";
import { connect } from "../src/ledger/postgres/db.js";
import { migrateLedger } from "../src/ledger/postgres/migrate.js";
import { PostgresLedgerStore } from "../src/ledger/postgres/postgres-store.js";
import { indexSearchOnce } from "../src/ledger/postgres/search-indexer.js";
import { DEFAULT_URL, dropSchema, parseFlags, resolveUrl } from "./support.js";

const flags = parseFlags(process.argv.slice(2), { entries: 100_000, url: DEFAULT_URL });
const url = resolveUrl(flags.url);
const schema = `bench_archive_${process.pid}`;
const key = privateKeyFromSeed(sha256("sealtrail benchmark checkpoint key v1"));
const dir = await mkdtemp(join(tmpdir(), "sealtrail-bench-archive-"));
await migrateLedger(url, schema);
const admin = connect({ url, schema, max: 2 });
const writer = connect({ url, schema, role: "writer", max: 4 });
const store = new PostgresLedgerStore(writer, schema);
try {
  const name = "archived";
  await store.createLog(name, { origin: `bench.example/${name}` });
  const appender = new Appender(writer, { now: () => new Date(Date.now() - 400 * 86_400_000) });
  for (let done = 0; done < flags.entries; done += 5000) {
    const n = Math.min(5000, flags.entries - done);
    await appender.append(name, Array.from({ length: n }, (_, i) => ({ kind: "deploy", actor: `dev${(done + i) % 97}`, action: "ship", resource: `svc/${(done + i) % 500}`, payload: { i: done + i, note: (done + i) % 1000 === 7 ? "rollback" : "release" } })));
  }
  const { checkpoint } = await checkpointLog(store, name, key);
  await new Appender(writer).append(name, Array.from({ length: 100 }, (_, i) => ({ kind: "deploy", actor: "dev", action: "ship", resource: `svc/${i}`, payload: { i } })));
  await checkpointLog(store, name, key);
  const log = await store.findLog(name);
  while ((await indexSearchOnce(writer, { budget: 1_000_000 })).behind > 0);
  // As autovacuum would after a bulk load: the walk's choice of path reads entry_search's statistics (event-query.ts).
  await admin`analyze`;
  const searches = async () => ({ rareMs: await median(store, log.id, "rollback"), commonMs: await median(store, log.id, "release") });
  const hotSearch = await searches();

  // Baseline: tiles export of the archived checkpoint (the CLI's loop).
  let t = performance.now();
  for (const tile of tilesOf(checkpoint.size)) {
    const put = async (path: string, data: Uint8Array) => {
      await mkdir(dirname(join(dir, "export", path)), { recursive: true });
      await writeFile(join(dir, "export", path), data);
    };
    await put(tilePath(tile), await tileHashes(store, log.id, tile.level as number, tile.index, tile.width));
    if (tile.level === 0) await put(tilePath({ ...tile, level: "entries" }), entryBundle(await bundleEntries(store, log.id, log.origin, tile.index, tile.width)));
  }
  const exportMs = performance.now() - t;

  t = performance.now();
  const outcome = await retainLog(
    { store, archive: new DirectoryArchive(join(dir, "archive")), url, schema, publicKey: rawPublicKey(key), witness: undefined, originPrefix: "bench.example", alerts: { raise: async () => {} } },
    name, { id: "bench", at: new Date() },
  );
  const archiveMs = performance.now() - t;
  if (outcome.record.archived?.to !== flags.entries) throw new Error(`archived ${JSON.stringify(outcome.record)}`);

  t = performance.now();
  const report = await verifyLog(store, name, { url, schema, publicKey: rawPublicKey(key) });
  const verifyMs = performance.now() - t;
  if (!report.verified) throw new Error(`verify: ${report.tamperClass}`);
  const [hot] = await admin<{ n: number }[]>`select count(*)::int as n from entries`;
  await admin`analyze`;
  const archivedSearch = await searches();
  console.log(JSON.stringify({
    entries: flags.entries, exportMs: Math.round(exportMs), archiveMs: Math.round(archiveMs), ratio: +(archiveMs / exportMs).toFixed(2),
    archivePerEntryUs: +((archiveMs * 1000) / flags.entries).toFixed(1), verifyAcrossArchiveMs: Math.round(verifyMs), hotRowsLeft: hot!.n,
    search: {
      rare: { archivedMs: archivedSearch.rareMs, hotMs: hotSearch.rareMs, ratio: +(archivedSearch.rareMs / hotSearch.rareMs).toFixed(2) },
      common: { archivedMs: archivedSearch.commonMs, hotMs: hotSearch.commonMs, ratio: +(archivedSearch.commonMs / hotSearch.commonMs).toFixed(2) },
    },
  }));
} finally {
  await writer.end();
  await dropSchema(admin, url, schema);
  await admin.end();
  await rm(dir, { recursive: true, force: true });
}

/** Median wall time of 15 first pages of (up to) 50 matches of `text` in the log (after 2 warm-ups), in ms. */
async function median(store: LedgerStore, logId: number, text: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 17; i++) {
    const t = performance.now();
    const page = await findEvents(store, { logIds: [logId], text }, 50);
    if (page.entries.length === 0) throw new Error(`search ${text}: no entries`);
    if (i >= 2) times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return +times[Math.floor(times.length / 2)]!.toFixed(1);
}
