/**
 * GraphQL API at N entries: latency of a page of 50 events for filter shapes a security team
 * uses (p50/p99, one request at a time), beside the same page read straight from PostgreSQL
 * in the same run (the API's own SQL, as the reader role with the tenant set: what the API
 * adds is HTTP, GraphQL, auth and the read log). Two servers run over the same pools: one
 * given the log's key, whose reads are verified against the signed checkpoint (src/api/
 * read-verifier.ts), and one without it, which only re-hashes each row: the cost of verified
 * reads is their p99 ratio, call by call in the same run. "random page" starts each request at
 * a random seq, so the verifier's node cache mostly misses. Then requests/s under concurrent
 * load from a second process (autocannon), beside autocannon against GET /healthz on the same server.
 *
 *   npx tsx bench/api.ts [--schema bench_api_1m] [--entries 1000000] [--requests 300] [--runs 3]
 *                        [--connections 16] [--seconds 10] [--url URL] [--keep]
 *                        [--shapes REGEX] [--no-load]   (a subset of the filters; no autocannon)
 *
 * The log is seeded by bench/seed.ts (the events of bench/support.ts: 13 kinds, ~200k actors,
 * tags, payloads with request ids and notes) and kept with --keep for later invocations. The
 * search indexer then catches up (its rate is printed) and keeps running during the bench, as
 * in `sealtrail worker`: the read records the API appends to the tenant's audit log are
 * indexed behind them.
 */
import "reflect-metadata";
import { execFile } from "node:child_process";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { createApiServer } from "../src/api/server.js";
import { ledgerFilter } from "../src/api/ledger-view.js";
import { loadApiConfig } from "../src/config/index.js";
import { encodeCursor } from "../src/core/token/index.js";
import { createApiKey } from "../src/ledger/postgres/api-keys.js";
import { connect } from "../src/ledger/postgres/db.js";
import { indexSearchOnce, runSearchIndexer, searchLag } from "../src/ledger/postgres/search-indexer.js";
import { BENCH_LOG, openSeededLog } from "./seed.js";
import { DEFAULT_URL, environment, median, parseFlags, resolveUrl } from "./support.js";
import { PostgresLedgerStore } from "../src/ledger/postgres/postgres-store.js";

const flags = parseFlags(process.argv.slice(2), {
  entries: 1_000_000, requests: 300, runs: 3, warmup: 30, batch: 1000, connections: 16, seconds: 10,
  url: DEFAULT_URL, schema: "bench_api_1m", keep: false, shapes: ".", "no-load": false,
});
flags.url = resolveUrl(flags.url);
const TARGET_P99_MS = 50;
const PAGE = 50;

const QUERY = `query Page($filter: EventFilter, $after: String) {
  events(filter: $filter, first: ${PAGE}, after: $after) {
    edges { cursor node { log seq kind actor action resource outcome source occurredAt recordedAt tags payload leafHash } }
    pageInfo { hasNextPage endCursor }
  }
}`;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

type Seeded = Awaited<ReturnType<typeof openSeededLog>>;
type Api = Awaited<ReturnType<typeof startApi>>;
/** [name, filter, cursor, requests per run (default --requests)] */
type Shape = [string, Record<string, unknown>, string | undefined, number?];
/** As a shape's cursor: a random seq of the log for each request. */
const RANDOM = "random";

async function main(): Promise<void> {
  const seeded = await openSeededLog({
    url: flags.url, schema: flags.schema, entries: flags.entries, batch: flags.batch, checkpoints: 4, max: 4,
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  const api = await startApi(seeded);
  const shapes = await filterShapes(seeded);
  process.stdout.write(`${await environment(seeded.admin, flags.url)}\nlog       ${seeded.size} entries in ${seeded.schema}\n\n`);
  await measureLatency(seeded, api, shapes);
  // Throughput: autocannon in a second process, the filtered query, then GET /healthz.
  if (!flags["no-load"]) await measureThroughput(api);
  await api.server.recorder.flush();
  const [recorded] = await seeded.admin<{ n: number }[]>`select count(*)::int as n from entries where kind = 'ledger.read'`;
  process.stdout.write(`\nledger.read records in the log's audit log after the bench: ${recorded!.n}\n`);
  await api.server.close();
  await api.unverified.close();
  api.stopIndexer.abort();
  await api.indexing;
  await Promise.all([api.sql.end(), api.writer.end(), api.indexerSql.end()]);
  await seeded.close(!flags.keep && seeded.created);
}

/** The search index caught up, the indexer running, the API server listening, and a key for it. */
async function startApi(seeded: Seeded) {
  const { schema, admin } = seeded;
  const indexerSql = connect({ url: flags.url, schema, role: "writer", max: 1, applicationName: "sealtrail-bench-indexer" });
  const behind = (await searchLag(indexerSql)).reduce((n, l) => n + l.size - l.indexed, 0);
  if (behind > 0) {
    const t0 = performance.now();
    let indexed = 0;
    for (let pass = await indexSearchOnce(indexerSql); ; pass = await indexSearchOnce(indexerSql)) {
      indexed += pass.indexed;
      if (pass.behind === 0 || pass.indexed === 0) break;
    }
    const s = (performance.now() - t0) / 1000;
    process.stderr.write(`search indexer: ${indexed} entries in ${s.toFixed(1)} s (${Math.round(indexed / s)} entries/s)\n`);
  }
  const stopIndexer = new AbortController();
  const indexing = runSearchIndexer(indexerSql, { intervalMs: 1000, signal: stopIndexer.signal, onError: (e) => process.stderr.write(`search indexer: ${(e as Error).message}\n`) });
  await admin`vacuum (analyze) entries, entry_search`;
  const sql = connect({ url: flags.url, schema, max: 8, applicationName: "sealtrail-bench-api" });
  const writer = connect({ url: flags.url, schema, role: "writer", max: 4, applicationName: "sealtrail-bench-api-writer" });
  const options = {
    store: new PostgresLedgerStore(sql, schema), writer: new PostgresLedgerStore(writer, schema), schema, version: "bench", originPrefix: "bench.example", log: (m: string) => process.stderr.write(`${m}\n`),
    // The pool's size as above; no rate per key: the load below is one key's, as fast as it goes.
    config: { ...loadApiConfig({ NODE_ENV: "production" }), dbPool: 8, dbPoolPerTenant: 8, ratePerKey: 1_000_000, rateBurst: 1_000_000 },
  };
  const server = await createApiServer({ ...options, verifierPublicKey: seeded.publicKey });
  const unverified = await createApiServer(options);
  const port = await server.listen(0, "127.0.0.1");
  const url = `http://127.0.0.1:${port}/graphql`;
  const unverifiedUrl = `http://127.0.0.1:${await unverified.listen(0, "127.0.0.1")}/graphql`;
  const { token } = await createApiKey(admin, { tenant: seeded.log.tenant, scopes: ["events:read"], name: "bench" });
  return { indexerSql, stopIndexer, indexing, sql, writer, server, unverified, port, url, unverifiedUrl, token };
}

/** The filters timed, with values taken from the log itself, so each shape has matches (--shapes picks some). */
async function filterShapes(seeded: Seeded): Promise<Shape[]> {
  const [mid] = await seeded.admin<{ actor: string; resource: string; payload: string; occurredAt: Date }[]>`
    select actor, resource, payload, occurred_at as "occurredAt" from entries
    where log_id = ${seeded.log.id} and seq = ${Math.floor(seeded.size / 2)}`;
  const requestId = (JSON.parse(mid!.payload) as { request_id: string }).request_id;
  // The seeded events' occurred_at repeats every 10,000 entries (seed.ts generates its chunks
  // from one base time, 7 ms apart): a 100 ms window holds ~1,400 entries spread over the log.
  const window = { from: new Date(mid!.occurredAt.getTime() - 50).toISOString(), to: new Date(mid!.occurredAt.getTime() + 50).toISOString() };
  const shapes: Shape[] = [
    ["no filter, first page", { logs: [BENCH_LOG] }, undefined],
    ["no filter, page at seq N/2 (cursor)", { logs: [BENCH_LOG] }, encodeCursor({ logId: seeded.log.id, seq: Math.floor(seeded.size / 2) })],
    ["no filter, random page (cursor at a random seq)", { logs: [BENCH_LOG] }, RANDOM],
    ["kinds: [role.grant]", { logs: [BENCH_LOG], kinds: ["role.grant"] }, undefined],
    ["actor (a few entries)", { actor: mid!.actor }, undefined],
    ["resource (one entry)", { resource: mid!.resource }, undefined],
    ["outcome failure + tag pci", { outcome: "failure", tags: ["pci"] }, undefined],
    ["occurred: 100 ms window (~1,400 entries across the log)", { occurred: window }, undefined],
    ["full text: incident", { text: "incident" }, undefined],
    ["full text: two words, rare", { text: "incident role" }, undefined],
    ["full text + kind", { text: "approved board", kinds: ["config.change"] }, undefined],
    ["substring of a request id + 100 ms window", { contains: requestId.slice(9, 18), occurred: window }, undefined],
    // No index can serve a substring under row-level security (ILIKE is not LEAKPROOF): a scan
    // of the whole log, seconds at 1M. Measured with a few requests, to show it.
    ["substring of a request id, whole log (scan)", { contains: requestId.slice(9, 18) }, undefined, 5],
  ];
  const only = new RegExp(flags.shapes);
  return shapes.filter(([name]) => only.test(name));
}

/** Each shape over HTTP and straight from PostgreSQL, interleaved, one request at a time; the table. */
async function measureLatency(seeded: Seeded, { sql, url, unverifiedUrl, token }: Api, shapes: Shape[]): Promise<void> {
  const post = async (variables: Record<string, unknown>, to = url) => {
    const res = await fetch(to, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ query: QUERY, variables }) });
    const body = (await res.json()) as { errors?: unknown; data?: { events: { edges: unknown[] } } };
    if (body.errors) throw new Error(`API error: ${JSON.stringify(body.errors)}`);
    return body.data!.events.edges.length;
  };
  // The API's filter as its resolver receives it (GraphQL has parsed the DateTimes).
  const parsed = (filter: Record<string, unknown>) => {
    const out: Record<string, unknown> = { ...filter };
    for (const key of ["occurred", "recorded"]) {
      const r = filter[key] as { from?: string; to?: string } | undefined;
      if (r) out[key] = { ...(r.from ? { from: new Date(r.from) } : {}), ...(r.to ? { to: new Date(r.to) } : {}) };
    }
    return out;
  };
  const direct = async (filter: Record<string, unknown>, after: number | undefined) => {
    const db = new PostgresLedgerStore(sql, seeded.schema).tenantView(seeded.log.tenant, 10_000);
    try {
      return (await db.use(async (tx) => tx.findEntries(await ledgerFilter(tx, parsed(filter) as never), PAGE + 1, after !== undefined ? { logId: seeded.log.id, seq: after } : undefined))).length;
    } finally {
      await db.close();
    }
  };

  type Stat = { p50: number; p99: number };
  type Row = { shape: string; requests: number; rows: number; api: Stat[]; unverified: Stat[]; sql: Stat[] };
  const rows: Row[] = shapes.map(([shape, , , requests = flags.requests]) => ({ shape, requests, rows: 0, api: [], unverified: [], sql: [] }));
  const stat = (ms: number[]): Stat => (ms.sort((a, b) => a - b), { p50: percentile(ms, 50), p99: percentile(ms, 99) });
  const cursorOf = (after: string | undefined): { cursor?: string; seq?: number } => {
    if (after === undefined) return {};
    if (after !== RANDOM) return { cursor: after, seq: Math.floor(seeded.size / 2) };
    const seq = Math.floor(Math.random() * (seeded.size - PAGE));
    return { cursor: encodeCursor({ logId: seeded.log.id, seq }), seq };
  };
  for (let run = 0; run < flags.runs; run++) {
    for (const [i, [shape, filter, after, requests = flags.requests]] of shapes.entries()) {
      for (let w = 0; w < Math.min(flags.warmup, requests); w++) {
        const { cursor } = cursorOf(after);
        const variables = { filter, ...(cursor ? { after: cursor } : {}) };
        await post(variables);
        await post(variables, unverifiedUrl);
      }
      const apiMs: number[] = [];
      const unverifiedMs: number[] = [];
      const sqlMs: number[] = [];
      // Interleaved call by call: load on a shared machine hits all three alike; which server
      // goes first alternates.
      for (let r = 0; r < requests; r++) {
        const { cursor, seq } = cursorOf(after);
        const variables = { filter, ...(cursor ? { after: cursor } : {}) };
        for (const which of r % 2 ? ["unverified", "verified"] : ["verified", "unverified"]) {
          const t = performance.now();
          rows[i]!.rows = await post(variables, which === "verified" ? url : unverifiedUrl);
          (which === "verified" ? apiMs : unverifiedMs).push(performance.now() - t);
        }
        const t = performance.now();
        await direct(filter, seq);
        sqlMs.push(performance.now() - t);
      }
      rows[i]!.api.push(stat(apiMs));
      rows[i]!.unverified.push(stat(unverifiedMs));
      rows[i]!.sql.push(stat(sqlMs));
      process.stderr.write(`run ${run + 1} ${shape}: api p99 ${percentile(apiMs, 99).toFixed(1)} ms, unverified ${percentile(unverifiedMs, 99).toFixed(1)} ms\n`);
    }
  }
  const f = (x: number) => x.toFixed(2);
  process.stdout.write(`Page of ${PAGE}, requests per run as listed × ${flags.runs} runs (median of the runs' p50 and p99), ms; load ${os.loadavg()[0]!.toFixed(2)}\n\n`);
  process.stdout.write(`API: verified reads (the log's key given); unverified: the same server without the key (rows re-hashed only)\n\n`);
  process.stdout.write(`| filter | requests | rows | API p50 | API p99 | unverified p50 | unverified p99 | verified/unverified p99 | SQL p50 | SQL p99 | API/SQL p99 | p99 < ${TARGET_P99_MS} ms |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n`);
  for (const r of rows) {
    const a50 = median(r.api.map((x) => x.p50)), a99 = median(r.api.map((x) => x.p99));
    const u50 = median(r.unverified.map((x) => x.p50)), u99 = median(r.unverified.map((x) => x.p99));
    const s50 = median(r.sql.map((x) => x.p50)), s99 = median(r.sql.map((x) => x.p99));
    process.stdout.write(`| ${r.shape} | ${r.requests} | ${r.rows} | ${f(a50)} | ${f(a99)} | ${f(u50)} | ${f(u99)} | ${(a99 / u99).toFixed(3)}× | ${f(s50)} | ${f(s99)} | ${(a99 / s99).toFixed(2)}× | ${a99 < TARGET_P99_MS ? "yes" : "**no**"} |\n`);
  }
}

/** autocannon in a second process: the filtered page, then GET /healthz on the same server, each run. */
async function measureThroughput({ port, url, token }: Api): Promise<void> {
  const autocannon = fileURLToPath(new URL("../node_modules/autocannon/autocannon.js", import.meta.url));
  const load = (args: string[]) =>
    new Promise<{ requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number }>((resolve, reject) => {
      execFile(process.execPath, [autocannon, "--json", "-c", String(flags.connections), "-d", String(flags.seconds), ...args], { maxBuffer: 64 << 20 }, (error, stdout) =>
        error ? reject(error) : resolve(JSON.parse(stdout)));
    });
  const body = JSON.stringify({ query: QUERY, variables: { filter: { kinds: ["role.grant"], outcome: "success" } } });
  const results: string[] = [];
  for (let run = 0; run < flags.runs; run++) {
    const q = await load(["-m", "POST", "-H", "content-type=application/json", "-H", `authorization=Bearer ${token}`, "-b", body, url]);
    const h = await load([`http://127.0.0.1:${port}/healthz`]);
    results.push(`| ${run + 1} | ${Math.round(q.requests.average)} | ${q.latency.p50} | ${q.latency.p99} | ${q.non2xx + q.errors} | ${Math.round(h.requests.average)} | ${(q.requests.average / h.requests.average).toFixed(3)}× |`);
  }
  process.stdout.write(`\nautocannon -c ${flags.connections} -d ${flags.seconds} from a second process; load ${os.loadavg()[0]!.toFixed(2)}\n\n`);
  process.stdout.write(`| run | events page (kinds+outcome) req/s | p50 ms | p99 ms | errors | GET /healthz req/s | ratio |\n|---|---|---|---|---|---|---|\n${results.join("\n")}\n`);
}

await main();
