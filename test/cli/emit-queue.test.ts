/**
 * `sealtrail emit --via queue`: the real bin in a child process, a queue of this file's own on
 * the real Redis, a real worker, a real Postgres schema. It prints what direct append prints.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIngestWorker, type IngestWorker } from "../../src/ingest/index.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { REDIS_URL, testQueue, type TestQueue } from "../support/ingest.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin", "sealtrail.js");
let ledger: TestLedger;
let q: TestQueue;
let worker: IngestWorker;

beforeAll(async () => {
  ledger = await freshLedger("emit_queue");
  await createLog(ledger.admin, "releases", { origin: "test.example/releases" });
  q = await testQueue();
  worker = startIngestWorker({ store: ledger.store, redisUrl: REDIS_URL, queueName: q.name, concurrency: 2, maxPayloadBytes: 1 << 20, lockDurationMs: 5_000, stalledIntervalMs: 2_000 });
});
afterAll(async () => {
  await worker?.close();
  await q?.close();
  await ledger?.close();
});

function sealtrail(args: string[], env: Record<string, string> = {}, stdin?: Buffer): Promise<{ code: number; stdout: string; stderr: string }> {
  const base = { PATH: process.env.PATH!, HOME: process.env.HOME!, DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema, REDIS_URL, SEALTRAIL_INGEST_QUEUE: q.name };
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { env: { ...base, ...env }, cwd: ROOT, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }),
    );
    child.stdin!.end(stdin ?? "");
  });
}

const DEPLOY = ["emit", "--log", "releases", "--kind", "deploy", "--actor", "alice", "--action", "deploy.finish", "--resource", "svc/api", "--source", "ci"];

describe("emit --via queue", () => {
  it("queues the event, waits for its commit and prints what direct append prints; a re-send appends nothing", async () => {
    const queued = await sealtrail([...DEPLOY, "--payload", '{"version":"2.0.0"}', "--via", "queue"]);
    expect(queued.stderr).toBe("");
    expect(queued.code).toBe(0);
    const a = JSON.parse(queued.stdout);
    expect(a).toEqual({ log: "releases", seq: 0, leafHash: expect.stringMatching(/^[0-9a-f]{64}$/), idempotencyKey: expect.stringMatching(/^emit-[0-9a-f-]{36}$/), duplicate: false });
    const [row] = await ledger.admin<{ leaf: Buffer; source: string; key: string }[]>`select leaf_hash as leaf, source, idempotency_key as key from entries where seq = 0`;
    expect(row).toEqual({ leaf: Buffer.from(a.leafHash, "hex"), source: "ci", key: a.idempotencyKey });

    const direct = JSON.parse((await sealtrail([...DEPLOY, "--payload", '{"version":"2.0.1"}'])).stdout);
    expect(Object.keys(direct)).toEqual(Object.keys(a));
    expect(direct.seq).toBe(1);

    const again = await sealtrail([...DEPLOY, "--payload", '{"version":"2.0.0"}', "--via", "queue", "--idempotency-key", a.idempotencyKey]);
    expect(JSON.parse(again.stdout)).toEqual({ ...a, duplicate: true });
    const [count] = await ledger.admin<{ n: number }[]>`select count(*)::int as n from entries`;
    expect(count!.n).toBe(2);
  });

  it("reports a refused event (bad action, wrong type, oversize payload), malformed JSON, an unknown log, Redis out of reach and a bad --via as one line, exit 2, nothing stored", async () => {
    const [refused, unknownLog, noRedis, badVia, huge, badJson, wrongType] = await Promise.all([
      sealtrail([...DEPLOY, "--payload", '{"version":"1"}', "--via", "queue", "--action", "push"]),
      sealtrail([...DEPLOY.map((a) => (a === "releases" ? "nope" : a)), "--payload", '{"version":"1"}', "--via", "queue"]),
      sealtrail([...DEPLOY, "--payload", '{"version":"1"}', "--via", "queue"], { REDIS_URL: "redis://127.0.0.1:1" }),
      sealtrail([...DEPLOY, "--via", "carrier-pigeon"]),
      sealtrail([...DEPLOY, "--payload", JSON.stringify({ version: "1", blob: "x".repeat(2000) }), "--via", "queue"], { SEALTRAIL_MAX_PAYLOAD_BYTES: "1000" }),
      sealtrail([...DEPLOY, "--payload", '{"version": "1"', "--via", "queue"]),
      sealtrail([...DEPLOY, "--payload", '{"version": 1}', "--via", "queue"]),
    ]);
    expect(huge.stderr).toMatch(/^sealtrail: emit: event refused: PAYLOAD_TOO_LARGE: payload: got \d+ bytes of canonical JSON, want at most 1000\n$/);
    expect(badJson.stderr).toMatch(/^sealtrail: emit: --payload is not valid JSON: /);
    expect(wrongType.stderr).toMatch(/^sealtrail: emit: event refused: INVALID_FIELD: payload.version: /);
    for (const run of [refused, unknownLog, noRedis, badVia, huge, badJson, wrongType]) {
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
    }
    expect(refused.stderr).toMatch(/^sealtrail: emit: event refused: INVALID_FIELD: action: /);
    expect(unknownLog.stderr).toMatch(/^sealtrail: job .* failed: LOG_NOT_FOUND: no log named "nope"/);
    expect(noRedis.stderr).toBe("sealtrail: emit: cannot reach Redis at 127.0.0.1:1\n");
    expect(badVia.stderr).toBe('sealtrail: emit: --via: got "carrier-pigeon", want direct or queue\n');
    const [count] = await ledger.admin<{ n: number }[]>`select count(*)::int as n from entries`;
    expect(count!.n).toBe(2);
  });

  it("refuses input it would alter: a number a double cannot keep, a member named twice, stdin that is not UTF-8, sub-millisecond time; exit 2, nothing stored", async () => {
    const [big, notUtf8, fine, twice] = await Promise.all([
      sealtrail([...DEPLOY, "--payload", '{"version":"1","build":12345678901234567891}', "--via", "queue"]),
      sealtrail([...DEPLOY, "--payload", "-", "--via", "queue"], {}, Buffer.from([0x7b, 0x22, 0x76, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])),
      sealtrail([...DEPLOY, "--payload", '{"version":"1"}', "--occurred-at", "2024-05-01T12:00:00.000123Z", "--via", "queue"]),
      sealtrail([...DEPLOY, "--payload", '{"version":"1","build":1,"build":2}', "--via", "queue"]),
    ]);
    expect(big.stderr).toMatch(/^sealtrail: emit: --payload: 12345678901234567891 cannot be kept exactly/);
    expect(notUtf8.stderr).toMatch(/^sealtrail: .*not UTF-8/);
    expect(fine.stderr).toMatch(/^sealtrail: emit: .*occurredAt: .*millisecond/);
    expect(twice.stderr).toMatch(/^sealtrail: emit: --payload: an object names the member "build" twice/);
    for (const run of [big, notUtf8, fine, twice]) {
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
    }
    const [count] = await ledger.admin<{ n: number }[]>`select count(*)::int as n from entries e join logs l on l.id = e.log_id where l.name = 'releases' and e.payload like '%build%'`;
    expect(count!.n).toBe(0);
  });
});
