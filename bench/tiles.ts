/**
 * Serving C2SP tlog-tiles: GET /logs/NAME/tile/0/<N> (full level 0 tiles, 8 KiB each, from the
 * stored leaf hashes) and tile/entries/<N> (entry bundles, re-encoded from the rows) through
 * the API, against a plain node:http server sending the same bytes from files written by
 * `tiles export` (the static serving a CDN in front of a tile log does). Same client, same
 * keep-alive agent and concurrency, interleaved run by run.
 *
 *   npx tsx bench/tiles.ts [--url URL] [--entries N] [--runs R] [--seconds S] [--concurrency C]
 */
import { Agent, createServer, request } from "node:http";
import { readFile, mkdtemp, rm, mkdir, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { generateKeyPairSync } from "node:crypto";
import { createApiServer } from "../src/api/server.js";
import { loadApiConfig } from "../src/config/index.js";
import { entryBundle, tilePath, tilesOf } from "../src/core/tiles/index.js";
import { Appender } from "../src/ledger/postgres/appender.js";
import { checkpointLog } from "../src/ledger/checkpointer.js";
import { connect } from "../src/ledger/postgres/db.js";
import { createLog } from "../src/ledger/postgres/logs.js";
import { bundleEntries, tileHashes } from "../src/ledger/tiles.js";
import { DEFAULT_URL, environment, freshSchema, makeEvents, median, parseFlags, resolveUrl } from "./support.js";
import { PostgresLedgerStore } from "../src/ledger/postgres/postgres-store.js";

const flags = parseFlags(process.argv.slice(2), { url: DEFAULT_URL, entries: 100_000, runs: 3, seconds: 5, concurrency: 8 });
const url = resolveUrl(flags.url);

/** GETs random paths for `seconds` with `concurrency` requests in flight: requests/s and p99 (ms). */
async function load(base: string, paths: string[], seconds: number, concurrency: number): Promise<{ rps: number; p99: number; bytes: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let bytes = 0;
  const end = performance.now() + seconds * 1000;
  const one = (path: string) =>
    new Promise<void>((resolve, reject) => {
      const t0 = performance.now();
      request(`${base}/${path}`, { agent }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`${path}: ${res.statusCode}`));
        res.on("data", (c: Buffer) => (bytes += c.length));
        res.on("end", () => {
          latencies.push(performance.now() - t0);
          resolve();
        });
      }).on("error", reject).end();
    });
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) await one(paths[Math.floor(Math.random() * paths.length)]!);
  }));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / elapsed, p99: latencies[Math.floor(latencies.length * 0.99)]!, bytes };
}

const db = await freshSchema(url);
const dir = await mkdtemp(join(tmpdir(), "sealtrail-bench-tiles-"));
try {
  console.log(await environment(db.admin, url));
  const { privateKey } = generateKeyPairSync("ed25519");
  const log = await createLog(db.writer, "tiles", { origin: "bench.example/tiles" });
  const appender = new Appender(db.writer);
  for (let done = 0; done < flags.entries; done += 10_000) await appender.append("tiles", makeEvents(Math.min(10_000, flags.entries - done), done));
  const store = new PostgresLedgerStore(db.writer, db.schema);
  const { checkpoint } = await checkpointLog(store, "tiles", privateKey);
  await store.setLogVisibility(log.id, true);
  // The baseline's files: the same bytes the API serves, written as `tiles export` writes them.
  const full = tilesOf(checkpoint.size).filter((t) => t.level === 0 && t.width === 256);
  for (const t of full) {
    const put = async (path: string, data: Uint8Array) => {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), data);
    };
    await put(tilePath(t), await tileHashes(store, log.id, 0, t.index, 256));
    await put(tilePath({ ...t, level: "entries" }), entryBundle(await bundleEntries(store, log.id, log.origin, t.index, 256)));
  }
  const sql = connect({ url, schema: db.schema, max: 4 });
  const api = await createApiServer({ store: new PostgresLedgerStore(sql, db.schema), writer: store, schema: db.schema, version: "bench", config: loadApiConfig({}), originPrefix: "bench.example", log: () => {} });
  const apiPort = await api.listen(0, "127.0.0.1");
  const files = createServer((req, res) => {
    readFile(join(dir, req.url!.slice(1))).then(
      (data) => res.writeHead(200, { "content-type": "application/octet-stream", "cache-control": "public, max-age=31536000, immutable" }).end(data),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
  const filesBase = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  const apiBase = `http://127.0.0.1:${apiPort}/logs/tiles`;
  console.log(`log: ${checkpoint.size} entries, ${full.length} full tiles; ${flags.runs} runs of ${flags.seconds} s each side, ${flags.concurrency} in flight`);
  for (const kind of ["hash tiles", "entry bundles"] as const) {
    const paths = full.map((t) => tilePath(kind === "hash tiles" ? t : { ...t, level: "entries" }));
    const ours: number[] = [];
    const base: number[] = [];
    const oursP99: number[] = [];
    const baseP99: number[] = [];
    for (let r = 0; r < flags.runs; r++) {
      const a = await load(apiBase, paths, flags.seconds, flags.concurrency);
      const b = await load(filesBase, paths, flags.seconds, flags.concurrency);
      ours.push(a.rps); oursP99.push(a.p99); base.push(b.rps); baseP99.push(b.p99);
      console.log(`${kind} run ${r + 1}: ours ${a.rps.toFixed(0)} req/s p99 ${a.p99.toFixed(2)} ms; files ${b.rps.toFixed(0)} req/s p99 ${b.p99.toFixed(2)} ms; ratio ${(a.rps / b.rps).toFixed(2)}x`);
    }
    console.log(`${kind}: ours ${median(ours).toFixed(0)} req/s (p99 ${median(oursP99).toFixed(2)} ms), files ${median(base).toFixed(0)} req/s (p99 ${median(baseP99).toFixed(2)} ms), ratio ${(median(ours) / median(base)).toFixed(2)}x`);
  }
  await api.close();
  await new Promise((resolve) => files.close(resolve));
  await sql.end();
} finally {
  await rm(dir, { recursive: true, force: true });
  await db.drop();
}
