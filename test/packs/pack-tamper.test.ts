/**
 * A pack is never built from a ledger that does not verify: rows edited or deleted by the
 * Postgres superuser (triggers off) make the build fail with INCONSISTENT, and no pack
 * directory is left behind.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { canonicalTimestamp, chainHash, entryLeafHash, payloadHash } from "../../src/core/entry/index.js";
import { buildPack } from "../../src/packs/build-pack.js";
import { soc2 } from "../../src/packs/frameworks/soc2.js";
import { PackError } from "../../src/packs/pack-error.js";
import type { PackRequest } from "../../src/packs/pack-model.js";
import { testKey } from "../support/keys.js";
import { asAttacker, freshLedger, type TestLedger } from "../support/ledger.js";
import { ORIGIN_PREFIX, PERIOD, seedPackLedger } from "../support/packs.js";

const key = testKey();
const work = mkdtempSync(join(tmpdir(), "sealtrail-packtamper-"));
const ledgers: TestLedger[] = [];

const request: PackRequest = {
  framework: "soc2", logs: ["prod"], from: PERIOD.from, to: PERIOD.to, requestedBy: "auditor@example.com",
  requestedAt: "2025-03-10T09:00:00Z", organisation: "Acme", scope: "prod", sampleSize: 10, failedLoginThreshold: 5, approvalTags: ["approved"],
};

async function build(ledger: TestLedger, out: string) {
  return buildPack({ store: ledger.store, exporter: soc2, out, packKey: key.privateKey, checkpointKey: key.privateKey, generator: { name: "sealtrail", version: "test" }, originPrefix: ORIGIN_PREFIX, request });
}

async function expectRefused(ledger: TestLedger, out: string, message: RegExp): Promise<void> {
  const error = await build(ledger, out).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(PackError);
  expect((error as PackError).code).toBe("INCONSISTENT");
  expect((error as PackError).message).toMatch(message);
  expect(existsSync(out)).toBe(false);
  expect(readdirSync(work).filter((f) => f.includes(".partial-"))).toEqual([]);
}

let ledger: TestLedger;
beforeEach(async () => {
  ledger = await freshLedger("packtamper");
  ledgers.push(ledger);
  await seedPackLedger(ledger.writer, key.privateKey);
});

afterAll(async () => {
  for (const l of ledgers) await l.close();
  rmSync(work, { recursive: true, force: true });
});

describe("building from a tampered ledger", () => {
  it("builds from the untouched ledger", async () => {
    const built = await build(ledger, join(work, "clean"));
    expect(built.model.totals.entries).toBe(47);
  });

  it("refuses an edited payload", async () => {
    await asAttacker(ledger.admin, (sql) => sql`update entries set payload = '{"pan":"4111111111111111"}' where seq = 22 and log_id = (select id from logs where name = 'prod')`);
    await expectRefused(ledger, join(work, "payload"), /the payload of entry 22 does not match its hash/);
  });

  it("refuses an edited actor", async () => {
    await asAttacker(ledger.admin, (sql) => sql`update entries set actor = 'mallory' where seq = 30 and log_id = (select id from logs where name = 'prod')`);
    await expectRefused(ledger, join(work, "actor"), /entry 30 does not match its leaf hash/);
  });

  it("refuses a deleted entry", async () => {
    await asAttacker(ledger.admin, (sql) => sql`delete from entries where seq = 40 and log_id = (select id from logs where name = 'prod')`);
    await expectRefused(ledger, join(work, "deleted"), /entry 40 is missing/);
  });

  it("refuses a rewritten history whose hashes all agree, by the signed checkpoint", async () => {
    // Edit a payload and recompute its payload hash, leaf hash and every chain hash after it:
    // the rows agree among themselves; only the Merkle range proof against the checkpoint can tell.
    await asAttacker(ledger.admin, async (sql) => {
      const logId = (await sql<{ id: number; origin: string }[]>`select id, origin from logs where name = 'prod'`)[0]!;
      const [row] = await sql<{ kind: string; actor: string; action: string; resource: string; outcome: "success" | "failure"; source: string; occurredAt: Date; recordedAt: Date; tags: string[] }[]>`
        select kind, actor, action, resource, outcome, source, occurred_at as "occurredAt", recorded_at as "recordedAt", tags
        from entries where log_id = ${logId.id} and seq = 25`;
      const payload = '{"pan":"4111111111111111"}';
      const leaf = entryLeafHash({ ...row!, log: logId.origin, seq: 25, occurredAt: canonicalTimestamp(row!.occurredAt), recordedAt: canonicalTimestamp(row!.recordedAt), payloadHash: payloadHash(payload) });
      await sql`update entries set payload = ${payload}, payload_hash = ${Buffer.from(payloadHash(payload))}, leaf_hash = ${Buffer.from(leaf)} where log_id = ${logId.id} and seq = 25`;
      let chain: Uint8Array = (await sql<{ chain: Buffer }[]>`select chain_hash as chain from entries where log_id = ${logId.id} and seq = 24`)[0]!.chain;
      const rows = await sql<{ seq: number; leaf: Buffer }[]>`select seq, leaf_hash as leaf from entries where log_id = ${logId.id} and seq >= 25 order by seq`;
      for (const r of rows) {
        chain = chainHash(chain, r.leaf);
        await sql`update entries set chain_hash = ${Buffer.from(chain)} where log_id = ${logId.id} and seq = ${r.seq}`;
      }
    });
    await expectRefused(ledger, join(work, "rewritten"), /entries 15 to 61 are not those of the checkpoint at size \d+/);
  });
});
