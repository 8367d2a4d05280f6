/**
 * Witness copies outside the database: written once and never overwritten, with an
 * append-only index; refused for a history that does not extend the witnessed one; and used by
 * the sweeps to catch what a self-consistent database hides (checkpoints deleted, history
 * rewritten and re-signed with the right key). Also the incremental sweep: it recomputes only
 * what followed the last verified checkpoint, and falls back to a full sweep when the link to
 * that checkpoint is broken.
 */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALERT_KIND } from "../../src/core/sweep/index.js";
import { checkpointTick } from "../../src/integrity/checkpoint-tick.js";
import { type SweepDeps, sweepLog } from "../../src/integrity/sweep-log.js";
import { WitnessError } from "../../src/integrity/witness.js";
import { WITNESS_INDEX } from "../../src/integrity/witness-directory.js";
import { witnessCheckpoints } from "../../src/integrity/witness-checkpoints.js";
import { auditLogName } from "../../src/ledger/audit-log.js";
import { checkpointLog } from "../../src/ledger/checkpointer.js";
import { findLog } from "../../src/ledger/postgres/logs.js";
import { expectCode } from "../support/errors.js";
import { type IntegrityFixture, integrityFixture } from "../support/integrity.js";
import { testKey } from "../support/keys.js";
import { asAttacker, freshLedger, type TestLedger } from "../support/ledger.js";
import { appendEntries, recomputeAll, type SeededLog, seedLog } from "../support/tamper.js";

const key = testKey();
let ledger: TestLedger;
let fixture: IntegrityFixture;
let deps: SweepDeps;
let counter = 0;
let runs = 0;

beforeAll(async () => {
  ledger = await freshLedger("witness");
  fixture = await integrityFixture(ledger, key.publicKey);
  deps = fixture.deps(ledger.writer, []);
});
afterAll(async () => {
  await fixture?.close();
  await ledger?.close();
});

const seed = (size = 200) => seedLog(ledger.writer, `log-${++counter}`, size);
const sweep = (log: SeededLog, mode: "full" | "incremental" = "full") => sweepLog(deps, log.name, { id: `run-${++runs}`, mode, at: new Date() });

/** Signs a checkpoint of the log now and copies it out. */
async function checkpointAndWitness(log: SeededLog): Promise<number[]> {
  await checkpointLog(ledger.store, log.name, key.privateKey);
  return witnessCheckpoints(ledger.store, await findLog(ledger.writer, log.name), key.publicKey, fixture.witness);
}

describe("the witness directory", () => {
  it("writes each copy once, read-only, and indexes it; the same copy again is a no-op, another one is refused", async () => {
    const log = await seed(20);
    expect(await checkpointAndWitness(log)).toEqual([20]);
    const folder = join(fixture.witnessDir, encodeURIComponent(log.origin));
    const file = join(folder, "00000000000000000020.checkpoint");
    const note = readFileSync(file, "utf8");
    expect(statSync(file).mode & 0o777).toBe(0o444);
    expect(await fixture.witness.sizes(log.origin)).toEqual([20]);
    expect(await fixture.witness.put(log.origin, 20, note)).toBe("present");
    await expectCode(fixture.witness.put(log.origin, 20, note.replace(/\n\n/, "\n\nx")), WitnessError, "CONFLICT");
    expect(readFileSync(file, "utf8")).toBe(note);

    const index = readFileSync(join(fixture.witnessDir, WITNESS_INDEX), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    const mine = index.filter((e) => e.origin === log.origin);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ origin: log.origin, size: 20, file: `${encodeURIComponent(log.origin)}/00000000000000000020.checkpoint` });
    // No temporary file is left behind.
    expect(await fixture.witness.sizes(log.origin)).toEqual([20]);
  });

  it("copies every new checkpoint after checking it extends the newest copy", async () => {
    const log = await seed(20);
    await checkpointAndWitness(log);
    await appendEntries(ledger.writer, log.name, 20, 10);
    await checkpointLog(ledger.store, log.name, key.privateKey);
    await appendEntries(ledger.writer, log.name, 30, 5);
    expect(await checkpointAndWitness(log)).toEqual([30, 35]);
    expect(await fixture.witness.sizes(log.origin)).toEqual([20, 30, 35]);
  });

  it("refuses to witness a history rewritten and re-signed with the right key, and alerts", async () => {
    const log = await seed(100);
    await checkpointAndWitness(log);
    await asAttacker(ledger.admin, async (tx) => {
      await tx`update entries set actor = 'mallory' where log_id = ${log.id} and seq = 42`;
      await recomputeAll(tx, log.id, log.origin);
      await tx`delete from checkpoints where log_id = ${log.id}`;
    });
    await appendEntries(ledger.writer, log.name, 100, 10);
    // The attacker holds the key and signs the rewritten tree: the database alone cannot tell.
    await checkpointLog(ledger.store, log.name, key.privateKey);
    await expectCode(witnessCheckpoints(ledger.store, await findLog(ledger.writer, log.name), key.publicKey, fixture.witness), WitnessError, "INCONSISTENT");
    expect(await fixture.witness.sizes(log.origin)).toEqual([100]);

    // The checkpoint job records the refusal and raises the alert, and goes on with other logs.
    const other = await seed(10);
    const alerts: string[] = [];
    const tick = await checkpointTick({
      store: ledger.store, key: key.privateKey, policy: { every: 1, intervalMs: 1 }, witness: fixture.witness, originPrefix: "test.example",
      alerts: { raise: async (a) => void alerts.push(`${a.type} ${a.log}`) },
    });
    expect(tick.refused.map((r) => r.log)).toEqual([log.name]);
    expect(tick.witnessed).toContainEqual({ log: other.name, sizes: [10] });
    expect(alerts).toEqual([`checkpoint.refused ${log.name}`]);
    const entries = await ledger.admin<{ action: string; resource: string }[]>`
      select action, resource from entries where log_id = (select id from logs where name = ${auditLogName("default")}) and kind = ${ALERT_KIND} and resource = ${log.name}`;
    expect(entries).toEqual([{ action: "checkpoint.refused", resource: log.name }]);

    // The log goes on growing and ticks come every few seconds: the refusal is still one alert
    // (the same id, so delivered once) and one entry, not one per tick.
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      await appendEntries(ledger.writer, log.name, 110 + 5 * i, 5);
      await checkpointTick({
        store: ledger.store, key: key.privateKey, policy: { every: 1, intervalMs: 1 }, witness: fixture.witness, originPrefix: "test.example",
        alerts: { raise: async (a) => void (a.log === log.name && ids.push(a.id)) },
      });
    }
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(1);
    const after = await ledger.admin<{ n: number }[]>`
      select count(*)::int as n from entries where log_id = (select id from logs where name = ${auditLogName("default")}) and kind = ${ALERT_KIND} and resource = ${log.name}`;
    expect(after[0]!.n).toBe(1);
  });
});

describe("sweeps against the witness copies", () => {
  it("verify an untouched log, and name the witnessed checkpoints deleted from the database", async () => {
    const log = await seed();
    await checkpointAndWitness(log);
    expect((await sweep(log)).record).toMatchObject({ result: "verified", toSize: 200 });
    await asAttacker(ledger.admin, (tx) => tx`delete from checkpoints where log_id = ${log.id}`);
    const { record, report } = await sweep(log);
    expect(record).toMatchObject({ result: "tampered", tamperClass: "checkpoint_missing", firstBadSeq: null });
    expect(report!.findings[0]!.checkpointSize).toBe(200);
  });

  it("catch a history rewritten and re-signed at the same size with the right key", async () => {
    const log = await seed();
    await checkpointAndWitness(log);
    await asAttacker(ledger.admin, async (tx) => {
      await tx`update entries set payload = '{"n":-1}' where log_id = ${log.id} and seq = 150`;
      await recomputeAll(tx, log.id, log.origin);
      await tx`delete from checkpoints where log_id = ${log.id}`;
    });
    await checkpointLog(ledger.store, log.name, key.privateKey); // re-signed at 200
    const { record, report } = await sweep(log);
    expect(record).toMatchObject({ result: "tampered", tamperClass: "history_rewritten" });
    expect(report!.findings[0]!.until).toBe(200);
    expect(report!.findings[0]!.message).toMatch(/witness copy/);
  });

  it("catch a forged witness copy", async () => {
    const log = await seed(20);
    await checkpointAndWitness(log);
    const folder = join(fixture.witnessDir, encodeURIComponent(log.origin));
    writeFileSync(join(folder, "00000000000000000019.checkpoint"), `${log.origin}\n19\n${Buffer.alloc(32).toString("base64")}\n\n— x ${Buffer.alloc(68).toString("base64")}\n`);
    const { record } = await sweep(log);
    expect(record).toMatchObject({ result: "tampered", tamperClass: "checkpoint_forged", firstBadSeq: null });
  });
});

describe("incremental sweeps", () => {
  it("recompute only what followed the last verified checkpoint, and catch tampering there", async () => {
    const log = await seed(200);
    await checkpointAndWitness(log);
    expect((await sweep(log, "incremental")).record).toMatchObject({ result: "verified", mode: "full", fromSeq: 0 });
    await appendEntries(ledger.writer, log.name, 200, 100);
    await checkpointAndWitness(log);
    const inc = await sweep(log, "incremental");
    // From the 16-entry range holding seq 200 (rangeLevel 4 in these tests).
    expect(inc.record).toMatchObject({ result: "verified", mode: "incremental", fromSeq: 192, toSize: 300 });
    expect(inc.report!.entriesChecked).toBe(108);

    await appendEntries(ledger.writer, log.name, 300, 20);
    await asAttacker(ledger.admin, (tx) => tx`update entries set payload = '{"n":0}' where log_id = ${log.id} and seq = 310`);
    const caught = await sweep(log, "incremental");
    expect(caught.record).toMatchObject({ result: "tampered", mode: "incremental", tamperClass: "payload_edited", firstBadSeq: 310 });
    // After a failure the next sweep is a full one, whatever was asked.
    expect((await sweep(log, "incremental")).record).toMatchObject({ result: "tampered", mode: "full", fromSeq: 0, firstBadSeq: 310 });
  });

  it("fall back to a full sweep when the link to the verified checkpoint is broken", async () => {
    const log = await seed(200);
    await checkpointAndWitness(log);
    expect((await sweep(log)).record.result).toBe("verified");
    await appendEntries(ledger.writer, log.name, 200, 40);
    // A stored node before the incremental range: only the link to the checkpoint shows it.
    await asAttacker(ledger.admin, (tx) => tx`update merkle_nodes set hash = ${Buffer.alloc(32, 3)} where log_id = ${log.id} and level = 4 and idx = 3`);
    const r = await sweep(log, "incremental");
    expect(r.record).toMatchObject({ result: "tampered", mode: "full", tamperClass: "merkle_node_mismatch", firstBadSeq: 48 });
  });

  it("record a run once: the same run again finds its record and does nothing", async () => {
    const log = await seed(30);
    const run = { id: `run-${++runs}`, mode: "full" as const, at: new Date() };
    const [a, b] = await Promise.all([sweepLog(deps, log.name, run), sweepLog(deps, log.name, run)]);
    const again = await sweepLog(deps, log.name, run);
    expect(again.duplicate).toBe(true);
    expect([a.record.result, b.record.result, again.record.result]).toEqual(["verified", "verified", "verified"]);
    const records = await ledger.admin<{ n: number }[]>`
      select count(*)::int as n from entries where log_id = (select id from logs where name = ${auditLogName("default")}) and kind = 'sweep' and resource = ${log.name}`;
    expect(records[0]!.n).toBe(1);
  });
});
