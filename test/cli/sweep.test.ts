/**
 * `sealtrail sweep` end to end: the real bin/sealtrail.js in a child process against real
 * Postgres (a schema of this file's own) and a witness directory. Exit 0 when the log
 * verifies, 1 when tampering is found, 2 for a usage, key, configuration or database error —
 * as `verify`. Each sweep is recorded in the tenant's audit log.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { witnessCheckpoints } from "../../src/integrity/witness-checkpoints.js";
import { DirectoryWitness } from "../../src/integrity/witness-directory.js";
import { checkpointLog } from "../../src/ledger/checkpointer.js";
import { findLog } from "../../src/ledger/postgres/logs.js";
import { lastSweepRecord } from "../../src/ledger/postgres/sweep-records.js";
import { testKey } from "../support/keys.js";
import { asAttacker, freshLedger, type TestLedger } from "../support/ledger.js";
import { seedLog } from "../support/tamper.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin", "sealtrail.js");
const key = testKey();
const dir = mkdtempSync(join(tmpdir(), "sealtrail-sweep-cli-"));
const keyFile = join(dir, "signing-key.pem");
const witnessDir = join(dir, "witness");
let ledger: TestLedger;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function sealtrail(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const full: Record<string, string | undefined> = {
    PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema,
    SEALTRAIL_SIGNING_KEY: keyFile, SEALTRAIL_WITNESS_DIR: witnessDir, ...env,
  };
  for (const k of Object.keys(full)) if (full[k] === undefined) delete full[k];
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: full as NodeJS.ProcessEnv, cwd: ROOT, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }),
    );
  });
}

function expectError(run: Run, label: string): void {
  expect({ label, code: run.code, stdout: run.stdout }).toEqual({ label, code: 2, stdout: "" });
  expect(run.stderr, label).toMatch(/^sealtrail: \S[^\n]*\n$/);
}

beforeAll(async () => {
  ledger = await freshLedger("sweep_cli");
  writeFileSync(keyFile, key.pem, { mode: 0o600 });
  for (const name of ["good", "bad"]) {
    await seedLog(ledger.writer, name, 120, { tenant: "acme" });
    await checkpointLog(ledger.store, name, key.privateKey);
    await witnessCheckpoints(ledger.store, await findLog(ledger.writer, name), key.publicKey, new DirectoryWitness(witnessDir));
  }
  const bad = await findLog(ledger.admin, "bad");
  await asAttacker(ledger.admin, (tx) => tx`update entries set payload = '{"n":1}' where log_id = ${bad.id} and seq = 77`);
});
afterAll(async () => {
  await ledger?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("sealtrail sweep", () => {
  it("exits 0 for a log that verifies and 1 for a tampered one, recording both", async () => {
    const [good, bad, goodJson] = await Promise.all([
      sealtrail(["sweep", "--log", "good", "--full"]),
      sealtrail(["sweep", "--log", "bad"]),
      sealtrail(["sweep", "--log", "good", "--json", "--threads", "0"]),
    ]);
    expect([good.code, good.stderr]).toEqual([0, ""]);
    expect(good.stdout).toMatch(/^verified good \((full|incremental) sweep\): tree size 120, recomputed from seq \d+, \d+ ms\n$/);
    expect([bad.code, bad.stderr]).toEqual([1, ""]);
    expect(bad.stdout).toMatch(/^TAMPERED payload_edited at seq 77: /);
    const report = JSON.parse(goodJson.stdout) as Record<string, unknown>;
    expect([goodJson.code, report]).toEqual([0, expect.objectContaining({ log: "good", result: "verified", toSize: 120, findings: [] })]);
    expect(await lastSweepRecord(ledger.admin, "sealtrail.audit.acme", "bad")).toMatchObject({ result: "tampered", tamperClass: "payload_edited", firstBadSeq: 77, mode: "full" });
  }, 60_000);

  it("refuses bad usage, a missing key, bad alert settings and an unreachable database with exit 2", async () => {
    const runs = await Promise.all([
      sealtrail(["sweep"]),
      sealtrail(["sweep", "--log", "nope"]),
      sealtrail(["sweep", "--log", "good", "--threads", "x"]),
      sealtrail(["sweep", "--log", "good"], { SEALTRAIL_SIGNING_KEY: undefined }),
      sealtrail(["sweep", "--log", "good"], { SEALTRAIL_ALERT_WEBHOOKS: "http://127.0.0.1:9/hook" }),
      sealtrail(["sweep", "--log", "good"], { SEALTRAIL_ALERT_WEBHOOKS: "ftp://x", SEALTRAIL_ALERT_SECRET: "s" }),
      sealtrail(["sweep", "--log", "good"], { DATABASE_URL: "postgres://postgres@127.0.0.1:9/test" }),
    ]);
    const labels = ["no --log", "unknown log", "bad --threads", "no key", "webhooks without a secret", "bad webhook URL", "database down"];
    runs.forEach((run, i) => expectError(run, labels[i]!));
    expect(runs[1]!.stderr).toMatch(/no log named "nope"/);
    expect(runs[3]!.stderr).toMatch(/no trusted key/);
    expect(runs[4]!.stderr).toMatch(/SEALTRAIL_ALERT_SECRET/);
    expect(runs[6]!.stderr).toMatch(/cannot reach the database/);
  }, 60_000);
});
