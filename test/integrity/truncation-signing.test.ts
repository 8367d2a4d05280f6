/**
 * A truncated log is never signed again (security review: a superuser deleted the tail and the
 * newest checkpoints; the checkpoint job then signed the shorter tree and the API served it).
 * Before signing, the job checks the tree against the newest checkpoint it knows from outside
 * the database — the witness copies, and what it signed itself — refuses, and alerts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Alert } from "../../src/core/sweep/index.js";
import { type CheckpointDeps, checkpointTick } from "../../src/integrity/checkpoint-tick.js";
import { type IntegrityFixture, integrityFixture } from "../support/integrity.js";
import { testKey } from "../support/keys.js";
import { asAttacker, freshLedger, type TestLedger } from "../support/ledger.js";
import { runCli } from "../support/cli.js";
import { packWorkdir } from "../support/packs.js";
import { seedLog } from "../support/tamper.js";

const key = testKey();
let ledger: TestLedger;
let fixture: IntegrityFixture;

beforeAll(async () => {
  ledger = await freshLedger("truncsign");
  fixture = await integrityFixture(ledger, key.publicKey);
});
afterAll(async () => {
  await fixture?.close();
  await ledger?.close();
});

function deps(alerts: Alert[], options: Partial<CheckpointDeps>): CheckpointDeps {
  return { store: ledger.store, key: key.privateKey, policy: { every: 1, intervalMs: 60_000 }, witness: undefined, originPrefix: "test.example", alerts: { raise: async (a) => void alerts.push(a) }, ...options };
}

async function checkpointSizes(logId: number): Promise<number[]> {
  return (await ledger.admin<{ size: number }[]>`select size from checkpoints where log_id = ${logId} order by size`).map((r) => Number(r.size));
}

/** The superuser deletes the tail from `from` and every checkpoint. */
async function truncate(logId: number, from: number): Promise<void> {
  await asAttacker(ledger.admin, async (tx) => {
    await tx`delete from entries where log_id = ${logId} and seq >= ${from}`;
    await tx`delete from checkpoints where log_id = ${logId}`;
  });
}

describe("signing after a truncation", () => {
  for (const [label, source] of [["the witness copies", "witness"], ["its own memory", "memory"]] as const) {
    it(`refuses to sign the shorter tree, known from ${label}, and alerts`, async () => {
      const log = await seedLog(ledger.writer, `t-${source}`, 200);
      const alerts: Alert[] = [];
      const options = source === "witness" ? { witness: fixture.witness } : { known: new Map() };
      const first = await checkpointTick(deps(alerts, options));
      expect(first.signed).toContainEqual({ log: log.name, size: 200 });
      await truncate(log.id, 150);
      // A new process, for the witness: only the store remembers.
      const again = source === "witness" ? { witness: fixture.witness } : options;
      const second = await checkpointTick(deps(alerts, again));
      expect(second.signed.filter((s) => s.log === log.name)).toEqual([]);
      expect(second.refused).toContainEqual({ log: log.name, message: expect.stringMatching(/150 entries but a checkpoint at 200 .*outside the database/) });
      expect(await checkpointSizes(log.id)).toEqual([]);
      expect(alerts.filter((a) => a.log === log.name).map((a) => a.type)).toEqual(["checkpoint.refused"]);
    });
  }
});

describe("sealtrail checkpoint with SEALTRAIL_WITNESS_DIR", () => {
  it("copies the checkpoint it signs to the witness store, and refuses to sign a truncated tree", async () => {
    const log = await seedLog(ledger.writer, "t-cli", 120);
    const { keyFile } = packWorkdir("truncsign-cli", key);
    const env = { DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema, SEALTRAIL_SIGNING_KEY: keyFile, SEALTRAIL_WITNESS_DIR: fixture.witnessDir };
    const signed = await runCli(["checkpoint", "--log", log.name], env);
    expect(signed.code, signed.stderr).toBe(0);
    expect(signed.stdout).toContain("\n120\n");
    expect(await fixture.witness.sizes(log.origin)).toEqual([120]);

    await truncate(log.id, 100);
    const refused = await runCli(["checkpoint", "--log", log.name], env);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toMatch(/100 entries but a checkpoint at 120 .*outside the database/);
    expect(await checkpointSizes(log.id)).toEqual([]);
  });
});
