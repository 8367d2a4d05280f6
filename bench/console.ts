/**
 * The web console: its initial JavaScript, gzipped (target ≤ 300 KB), and the time to the
 * first rows of the Events page over an N-entry log, measured in Debian's chromium from the
 * navigation's start (a cold load, then warm loads with the assets cached), beside the same
 * GraphQL request the page makes, sent alone from the same page, in the same run.
 *
 *   npx tsx bench/console.ts [--entries 1000000] [--runs 30] [--schema bench_api_1m] [--keep] [--url URL]
 *
 * The log is bench/seed.ts's (shared with bench/api.ts through --schema); the console must be
 * built (npm run build). p95 of the warm loads is compared with the 500 ms target.
 */
import "reflect-metadata";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { createApiServer } from "../src/api/server.js";
import { loadApiConfig } from "../src/config/index.js";
import { createApiKey } from "../src/ledger/postgres/api-keys.js";
import { connect } from "../src/ledger/postgres/db.js";
import { PostgresLedgerStore } from "../src/ledger/postgres/postgres-store.js";
import { BENCH_LOG, openSeededLog } from "./seed.js";
import { DEFAULT_URL, environment, parseFlags, resolveUrl } from "./support.js";

const flags = parseFlags(process.argv.slice(2), { entries: 1_000_000, runs: 30, batch: 1000, url: DEFAULT_URL, schema: "bench_api_1m", keep: false });
flags.url = resolveUrl(flags.url);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BUDGET_KB = 300;
const TARGET_P95_MS = 500;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.max(0, Math.ceil((p / 100) * xs.length) - 1))]!;

/** The JavaScript and CSS index.html loads before anything else, raw and gzipped (level 9). */
function initialAssets(): { js: number; jsGz: number; css: number; cssGz: number; files: string[] } {
  const dir = join(ROOT, "dist", "console");
  const html = readFileSync(join(dir, "index.html"), "utf8");
  const files = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  const sizes = { js: 0, jsGz: 0, css: 0, cssGz: 0 };
  for (const f of files) {
    const bytes = readFileSync(join(dir, f));
    const gz = gzipSync(bytes, { level: 9 }).length;
    if (f.endsWith(".js")) (sizes.js += bytes.length), (sizes.jsGz += gz);
    else (sizes.css += bytes.length), (sizes.cssGz += gz);
  }
  return { ...sizes, files };
}

async function main(): Promise<void> {
  const assets = initialAssets();
  const kb = (n: number) => (n / 1024).toFixed(1);
  process.stdout.write(`initial JS  ${kb(assets.js)} KB, gzipped ${kb(assets.jsGz)} KB (budget ${BUDGET_KB} KB: ${(assets.jsGz / 1024 / BUDGET_KB).toFixed(2)} of it); CSS ${kb(assets.css)} KB, gzipped ${kb(assets.cssGz)} KB\n`);

  const seeded = await openSeededLog({ url: flags.url, schema: flags.schema, entries: flags.entries, batch: flags.batch, checkpoints: 4, max: 4, progress: (l) => process.stderr.write(`${l}\n`) });
  const { schema, admin } = seeded;
  const sql = connect({ url: flags.url, schema, max: 8, applicationName: "sealtrail-bench-api" });
  const writer = connect({ url: flags.url, schema, role: "writer", max: 4, applicationName: "sealtrail-bench-api-writer" });
  const server = await createApiServer({
    store: new PostgresLedgerStore(sql, schema), writer: new PostgresLedgerStore(writer, schema), schema, version: "bench", originPrefix: "bench.example",
    config: loadApiConfig({ NODE_ENV: "production" }), verifierPublicKey: seeded.publicKey, log: (m) => process.stderr.write(`${m}\n`),
  });
  const port = await server.listen(0, "127.0.0.1");
  const base = `http://127.0.0.1:${port}`;
  const { token } = await createApiKey(admin, { tenant: seeded.log.tenant, scopes: ["events:read", "proofs:read"], name: "bench-console" });
  process.stdout.write(`${await environment(admin, flags.url)}\nlog         ${seeded.size} entries in ${schema}\n`);

  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-dev-shm-usage"] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const signedIn = await context.request.post(`${base}/auth/session`, { data: { token }, headers: { origin: base } });
  if (!signedIn.ok()) throw new Error(`sign-in: ${signedIn.status()}`);
  const page = await context.newPage();
  let body: string | undefined;
  page.on("request", (r) => {
    if (r.url().endsWith("/graphql") && r.postData()?.includes("ConsoleEvents")) body = r.postData() ?? undefined;
  });
  const url = `${base}/events?log=${encodeURIComponent(BENCH_LOG)}`;
  const load = async () => {
    await page.goto("about:blank");
    await page.goto(url);
    await page.waitForSelector("[data-entry]", { timeout: 60_000 });
    return (await page.evaluate("performance.now()")) as number;
  };
  // Where a load's time goes: the document, each script and request (start → end), from the Resource Timing entries.
  const phases = new Map<string, number[][]>();
  const timeline = async () => {
    const entries = (await page.evaluate(`(() => {
      const nav = performance.getEntriesByType("navigation")[0];
      const out = [["document", nav.startTime, nav.responseEnd], ["dom interactive", 0, nav.domInteractive]];
      let n = 0;
      for (const r of performance.getEntriesByType("resource")) {
        const name = r.name.includes("/assets/") ? "asset " + r.name.split("/assets/")[1].replace(/-[A-Za-z0-9_-]{8}\\./, ".") : r.name.endsWith("/graphql") ? "graphql request " + ++n : new URL(r.name).pathname;
        out.push([name, r.startTime, r.responseEnd]);
      }
      return out;
    })()`)) as [string, number, number][];
    for (const [name, start, end] of entries) {
      const list = phases.get(name) ?? [];
      list.push([start, end]);
      phases.set(name, list);
    }
  };
  const cold = await load();
  const warm: number[] = [];
  for (let i = 0; i < flags.runs; i++) {
    warm.push(await load());
    await timeline();
  }
  // The same request alone, from the same page, the same number of times.
  const alone = (await page.evaluate(`(async () => { const t = []; for (let i = 0; i < ${flags.runs}; i++) { const s = performance.now();
    const r = await fetch("/graphql", { method: "POST", headers: { "content-type": "application/json" }, body: ${JSON.stringify(body)} }); await r.json(); t.push(performance.now() - s); } return t; })()`)) as number[];
  const p50 = pct(warm, 50), p95 = pct(warm, 95), a50 = pct(alone, 50), a95 = pct(alone, 95);
  process.stdout.write(
    `first rows  cold ${cold.toFixed(0)} ms; warm p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms over ${flags.runs} loads (target p95 < ${TARGET_P95_MS} ms: ${p95 < TARGET_P95_MS ? "met" : "missed"})\n` +
    `GraphQL     the page's first request alone: p50 ${a50.toFixed(0)} ms, p95 ${a95.toFixed(0)} ms\n` +
    `ratio       first rows / request alone: p50 ${(p50 / a50).toFixed(1)}x, p95 ${(p95 / a95).toFixed(1)}x\n`,
  );
  process.stdout.write(`timeline    warm loads, median start → end (ms from navigation):\n`);
  for (const [name, list] of phases) process.stdout.write(`            ${name.padEnd(28)} ${pct(list.map((x) => x[0]!), 50).toFixed(0).padStart(5)} → ${pct(list.map((x) => x[1]!), 50).toFixed(0).padStart(5)}  (${list.length})\n`);
  await browser.close();
  await server.close();
  await Promise.all([sql.end(), writer.end()]);
  await seeded.close(!flags.keep && seeded.created);
}

await main();
