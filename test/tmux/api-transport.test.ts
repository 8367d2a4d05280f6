/**
 * The capture shipping to the API over HTTP instead of Redis (SEALTRAIL_API_URL and an
 * events:write key): the real `sealtrail serve` in a process of its own, killed while the pane
 * prints and started again on the same port; the capture keeps spooling meanwhile, and in the
 * end every byte the pane printed is in the ledger once. The capture is given an unreachable
 * Redis URL, so nothing it ships can have gone through Redis. Real tmux, real Redis behind
 * the API, real Postgres.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIngestWorker, type IngestWorker } from "../../src/ingest/index.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { attachSession } from "../../src/tmux/attach.js";
import { paneDir } from "../../src/tmux/capture.js";
import { ApiTransport, MAX_REQUEST_BYTES } from "../../src/tmux/api-transport.js";
import { TmuxError } from "../../src/tmux/tmux-error.js";
import { apiKey } from "../support/api.js";
import { ROOT, runCli } from "../support/cli.js";
import { REDIS_URL, testQueue, type TestQueue, until } from "../support/ingest.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { ackedOffset, capturePids, catPaneCommand, INVOCATION, joined, ledgerChunks, spooledBytes, testTmux, type TestTmux, untilLedgerHas } from "../support/tmux.js";

let ledger: TestLedger;
let queue: TestQueue;
let worker: IngestWorker;
let t: TestTmux;
let token: string;
let port: number;
let api: ChildProcess | undefined;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port: free } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return free;
}

/** `sealtrail serve` on `port`, queueing into the test's ingest queue; resolves once it answers. */
async function startServe(): Promise<void> {
  const env = { PATH: process.env.PATH, DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema, REDIS_URL, SEALTRAIL_INGEST_QUEUE: queue.name };
  const child = spawn(process.execPath, ["bin/sealtrail.js", "serve", "--port", String(port)], { cwd: ROOT, env, stdio: ["ignore", "ignore", "inherit"] });
  api = child;
  await until("the API answering", () => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false), 30_000);
}

async function killServe(): Promise<void> {
  const child = api!;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
  api = undefined;
}

function output(bytes: number): Buffer {
  return Buffer.from(randomBytes(Math.ceil((bytes * 3) / 4)).toString("base64").replace(/(.{100})/g, "$1\n").slice(0, bytes), "latin1");
}

beforeAll(async () => {
  ledger = await freshLedger("tmux_api");
  await createLog(ledger.admin, "tmux", { origin: "test.example/tmux" });
  token = await apiKey(ledger, "default", ["events:write"]);
  queue = await testQueue();
  worker = startIngestWorker({ store: ledger.store, redisUrl: REDIS_URL, queueName: queue.name, concurrency: 2, maxPayloadBytes: 1 << 20, lockDurationMs: 5_000, stalledIntervalMs: 2_000 });
  worker.on("error", () => {});
  port = await freePort();
  t = testTmux();
});
afterAll(async () => {
  api?.kill("SIGKILL");
  t?.close();
  await worker?.close(true);
  await queue?.close();
  await ledger?.close();
});

describe("tmux capture shipping to the API", () => {
  it("API killed and started again: the pane keeps printing into the spool, which ships once the API is back, every byte once", async () => {
    await startServe();
    const parts = [output(300_000), output(500_000)];
    const files = parts.map((part, i) => {
      const file = join(t.dir, `part-${i}`);
      writeFileSync(file, part);
      return file;
    });
    t.run("new-session", "-d", "-s", "work", "-x", "120", "-y", "40", catPaneCommand(...files));
    const attached = await attachSession({
      target: { socketName: t.socket }, session: "work", log: "tmux", spoolRoot: t.spool,
      // No Redis for the capture: a closed port. Everything goes to the API.
      redisUrl: "redis://127.0.0.1:1", queue: "unused",
      api: { url: `http://127.0.0.1:${port}/graphql`, token },
      maxPayloadBytes: 1 << 20, capturePriority: "normal", invocation: INVOCATION,
    });
    const pane = attached.panes[0]!;
    const dir = paneDir(attached.dir, pane);
    await until("the capture process", () => capturePids(t.spool).length === 1, 20_000);
    t.run("send-keys", "-t", pane, "x");
    await untilLedgerHas(ledger.admin, attached.session.server, pane, parts[0]!.length);

    await killServe();
    t.run("send-keys", "-t", pane, "x");
    await until("the second part spooled", () => spooledBytes(dir) === parts[0]!.length + parts[1]!.length, 20_000);
    expect(ackedOffset(dir)).toBe(parts[0]!.length);
    await startServe();

    const want = Buffer.concat(parts);
    const chunks = await untilLedgerHas(ledger.admin, attached.session.server, pane, want.length, 60_000);
    // Let any late re-send arrive before counting.
    await new Promise((r) => setTimeout(r, 1000));
    const again = await ledgerChunks(ledger.admin, attached.session.server, pane);
    expect(again.length).toBe(chunks.length);
    expect(new Set(again.map((c) => c.key)).size).toBe(again.length);
    expect(joined(again).equals(want)).toBe(true);
    // The session's lifecycle records went the same way.
    const [row] = await ledger.admin<{ n: number }[]>`select count(*)::int as n from entries where kind = 'tmux.session'`;
    expect(row!.n).toBeGreaterThan(0);
  });

  it("the transport: a batch over one request's size goes in several; a key refused is 'send again'; a missing log is refused for good", async () => {
    if (!api) await startServe();
    const url = `http://127.0.0.1:${port}/graphql`;
    const run = randomBytes(4).toString("hex");
    const events = Array.from({ length: 12 }, (_, i) => ({
      kind: "custom", actor: "alice", action: "blob", resource: "test", source: "api-transport.test", outcome: "success",
      occurredAt: new Date().toISOString(), idempotencyKey: `blob-${run}-${i}`, payload: { blob: "x".repeat(100_000) },
    }));
    // 1.2 MB: over the API's default body limit (1 MiB), so one request would get a 413.
    expect(events.reduce((n, e) => n + JSON.stringify(e).length, 0)).toBeGreaterThan(Math.max(MAX_REQUEST_BYTES, 1 << 20));
    expect(await new ApiTransport({ url, token }, "tmux").send(events)).toBe(true);
    await until("the 12 events committed", async () => {
      const [row] = await ledger.admin<{ n: number }[]>`select count(*)::int as n from entries where idempotency_key like ${`blob-${run}-%`}`;
      return row!.n === 12;
    }, 30_000);

    const readOnly = await apiKey(ledger, "default", ["events:read"]);
    expect(await new ApiTransport({ url, token: readOnly }, "tmux").send(events.slice(0, 1))).toBe(false);
    expect(await new ApiTransport({ url, token: `${token.slice(0, -4)}xxxx` }, "tmux").send(events.slice(0, 1))).toBe(false);
    const missing = new ApiTransport({ url, token }, "no-such-log").send(events.slice(0, 1));
    await expect(missing).rejects.toBeInstanceOf(TmuxError);
    await expect(missing).rejects.toThrow(/recordEvents refused: (BAD_USER_INPUT|NOT_FOUND)/);
  });

  it("tmux attach with SEALTRAIL_API_URL but no token is a configuration error", async () => {
    const run = await runCli(["tmux", "attach", "-L", t.socket, "-t", "work"], { SEALTRAIL_API_URL: `http://127.0.0.1:${port}`, SEALTRAIL_SPOOL_DIR: t.spool });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("sealtrail: SEALTRAIL_API_URL: needs an API key with events:write in SEALTRAIL_API_TOKEN or SEALTRAIL_API_TOKEN_FILE\n");
  });
});
