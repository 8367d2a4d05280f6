/**
 * The demo against a real ledger (a schema of this file's own): the same seed gives the same
 * quarter, another seed another; a run appends about 2,300 events that pass the ingest rules,
 * sweeps them clean and builds a SOC 2 pack that verify-pack accepts offline, with the
 * exceptions the quarter was made to hold; a second run appends nothing. Then `sealtrail demo`
 * as a user runs it, on the ledger of the environment.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publicKeyToPem } from "../../src/core/note/index.js";
import { DEMO_LOGS, demoQuarter } from "../../src/demo/quarter.js";
import { runDemo } from "../../src/demo/run-demo.js";
import { runCli } from "../support/cli.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
let work: string;
const key = testKey();
beforeAll(async () => {
  ledger = await freshLedger("demo");
  work = mkdtempSync(join(tmpdir(), "sealtrail-demo-"));
});
afterAll(async () => {
  await ledger?.close();
  rmSync(work, { recursive: true, force: true });
});

const options = (seed: string) => ({
  url: ledger.url, schema: ledger.schema, seed, tenant: "default", originPrefix: "demo.example", key: key.privateKey,
  packDir: join(work, "packs"), witnessDir: join(work, "witness"), maxPayloadBytes: 1 << 20, version: "test", progress: () => {},
});

describe("demo", () => {
  it("is deterministic for a seed", () => {
    const a = demoQuarter("7");
    const b = demoQuarter("7");
    const c = demoQuarter("8");
    expect([...a.keys()]).toEqual([...DEMO_LOGS]);
    expect(JSON.stringify([...a])).toBe(JSON.stringify([...b]));
    expect(JSON.stringify([...a])).not.toBe(JSON.stringify([...c]));
    const total = [...a.values()].reduce((n, events) => n + events.length, 0);
    expect(total).toBeGreaterThan(2000);
    expect(total).toBeLessThan(2600);
  });

  it("fills the ledger, sweeps it clean and builds a SOC 2 pack that verifies offline; a second run appends nothing", async () => {
    const first = await runDemo(options("7"));
    const expected = [...demoQuarter("7")].map(([name, events]) => ({ name, appended: events.length, duplicates: 0, size: events.length }));
    expect(first.logs).toEqual(expected);
    expect(first.sweeps).toEqual(DEMO_LOGS.map((log) => ({ log, result: "verified" })));
    // The quarter holds four failed-login bursts above the threshold and deploys without approval.
    expect(first.pack.exceptions["failed-logins"]).toBe(4);
    expect(first.pack.exceptions["unapproved-deploy"]).toBeGreaterThan(0);
    expect(first.pack.controls.satisfied).toBeGreaterThan(0);
    // With the logs' verifier key (here the signing key's public half): integrity and authenticity.
    const pub = join(work, "demo-verifier.pem");
    writeFileSync(pub, publicKeyToPem(key.publicKey));
    const verified = await runCli(["verify-pack", first.pack.dir, "--key", pub], {});
    expect(verified.code, verified.stderr + verified.stdout).toBe(0);
    expect(verified.stdout).toContain(`verified pack ${first.pack.packId}`);

    const again = await runDemo(options("7"));
    expect(again.logs.map((l) => [l.appended, l.duplicates])).toEqual(expected.map((l) => [0, l.size]));
  }, 180_000);

  it("runs as `sealtrail demo` on the ledger the environment names, and refuses a bad seed", async () => {
    const env = { DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema, SEALTRAIL_SIGNING_KEY: join(work, "key.pem"), SEALTRAIL_PACK_DIR: join(work, "cli-packs"), SEALTRAIL_HOME: join(work, "no-up-here") };
    writeFileSync(env.SEALTRAIL_SIGNING_KEY, key.pem, { mode: 0o600 });
    const run = await runCli(["demo", "--seed", "9"], env, { timeoutMs: 170_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Done: \d{4} entries in 5 logs/);
    expect(run.stdout).toMatch(/npx sealtrail verify-pack \S+ --key \S+/);
    const bad = await runCli(["demo", "--seed", "a b"], env);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining("demo: --seed") });
  }, 180_000);
});
