/**
 * A legal hold raced against an erasure of the same log (docs/erasure.md, "Legal holds"): once
 * createHold returns, no value the hold covers may be removed any more. The erasure checks the
 * holds, then appends its record, then shreds; a hold recorded in between must wait for the
 * erasure to finish (the log's removal lock), not let it shred under a hold already in force.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APPEND_LOCK_NAMESPACE } from "../../src/ledger/postgres/appender.js";
import { REMOVAL_LOCK_NAMESPACE } from "../../src/ledger/postgres/removal-lock.js";
import { createHold, eraseValues, expireValues, listHolds, type Log, releaseHold } from "../../src/ledger/index.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
beforeAll(async () => {
  ledger = await freshLedger("hold_race");
});
afterAll(async () => ledger?.close());

const SUBJECT = "gil.subject@example.com";

async function seed(name: string, size = 400): Promise<Log> {
  const log = await ledger.store.createLog(name, { origin: `test.example/${name}`, leafVersion: 2 });
  await ledger.store.appender().append(name, Array.from({ length: size }, (_, i) => ({
    kind: "access", actor: i % 2 === 0 ? SUBJECT : "hal@example.com", action: "record.read", resource: `record/${i}`, payload: { i },
  })));
  return log;
}

/** The subject's values still held. */
async function subjectValues(log: Log): Promise<number> {
  const [row] = await ledger.admin<{ n: number }[]>`
    select count(*)::int as n from entry_secrets s
    where s.log_id = ${log.id} and s.seq in (select seq from entry_secrets where log_id = ${log.id} and field = 0 and value = ${SUBJECT})`;
  return row!.n;
}

async function removedValues(log: Log): Promise<number> {
  const [row] = await ledger.admin<{ n: number }[]>`select count(*)::int as n from entry_removals where log_id = ${log.id}`;
  return row!.n;
}

/** Sessions waiting for log `logId`'s advisory lock of `namespace`. */
async function waiting(logId: number, namespace: number): Promise<number> {
  const [row] = await ledger.admin<{ n: number }[]>`
    select count(*)::int as n from pg_locks
    where locktype = 'advisory' and not granted and objid = ${logId}
      and classid = ((${namespace} # 'logs'::regclass::oid::int4)::int8 & 4294967295)::oid
      and database = (select oid from pg_database where datname = current_database())`;
  return row!.n;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const erasure = (log: string) => ({ log, target: { actor: SUBJECT }, reason: "subject's request", legalBasis: "GDPR Art. 17(1)(a)", requestedBy: "dpo@example.com" });
const hold = (log: string) => ({ log, scope: { actors: [SUBJECT] }, reason: "litigation hold", matter: "Doe v. Example", createdBy: "counsel@example.com" });

describe("a legal hold raced against an erasure of the same log", () => {
  /** Runs `removal` while the log's append lock is held, so it stops between its hold check and its record; then creates the hold. */
  async function forcedRace<T>(log: Log, removal: () => Promise<T>) {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = ledger.admin.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(${APPEND_LOCK_NAMESPACE} # 'logs'::regclass::oid::int4, ${log.id})`;
      locked();
      await released;
    });
    await isLocked;
    const removed = removal();
    removed.catch(() => {});
    // The removal has checked the holds (none) and waits to append its record.
    await until("the removal to wait for the append lock", async () => (await waiting(log.id, APPEND_LOCK_NAMESPACE)) === 1);
    let valuesWhenHeld = -1;
    const held = createHold(ledger.store, hold(log.name)).then(async (h) => {
      valuesWhenHeld = await removedValues(log);
      return h;
    });
    // The hold waits for the removal (its removal lock), not for the append lock beside it.
    await until("the hold to wait for the removal lock", async () => (await waiting(log.id, REMOVAL_LOCK_NAMESPACE)) === 1);
    expect(await waiting(log.id, APPEND_LOCK_NAMESPACE)).toBe(1);
    release();
    await holder;
    const [result, h] = await Promise.all([removed, held]);
    return { result, hold: h, valuesWhenHeld };
  }

  it("waits for an erasure past its hold check: once the hold is in force, nothing it covers is removed", async () => {
    const log = await seed("race-forced");
    const { result, hold: h, valuesWhenHeld } = await forcedRace(log, () => eraseValues(ledger.store, erasure("race-forced")));
    expect(result).toMatchObject({ entries: 200, values: 600 });
    // The erasure came first, whole: its record precedes the hold's, and nothing was removed after the hold was in force.
    expect(result.recordSeqs.every((s) => s < h.recordSeq)).toBe(true);
    expect(valuesWhenHeld).toBe(600);
    expect(await removedValues(log)).toBe(600);
    expect(await subjectValues(log)).toBe(0);
  }, 120_000);

  it("waits for an expiry past its hold check the same way", async () => {
    const log = await seed("race-expiry", 100);
    const { result, hold: h, valuesWhenHeld } = await forcedRace(log, () =>
      expireValues(ledger.store, log, { run: "run-1", before: new Date(Date.now() + 3_600_000), clearDays: 1, by: "sealtrail-retention" }));
    expect(result).toMatchObject({ values: 300, expired: [[0, 100]] });
    expect(result.recordSeqs.every((s) => s < h.recordSeq)).toBe(true);
    expect(valuesWhenHeld).toBe(300);
    expect(await removedValues(log)).toBe(300);
  }, 120_000);

  it("ends each free race either with the erasure refused under the hold or with the erasure done before the hold", async () => {
    for (let round = 0; round < 6; round++) {
      const name = `race-free-${round}`;
      const log = await seed(name, 200);
      let removedWhenHeld = -1;
      const [erased, held] = await Promise.allSettled([
        eraseValues(ledger.store, erasure(name)),
        createHold(ledger.store, hold(name)).then(async (h) => {
          removedWhenHeld = await removedValues(log);
          return h;
        }),
      ]);
      expect(held.status).toBe("fulfilled");
      const h = (held as PromiseFulfilledResult<Awaited<ReturnType<typeof createHold>>>).value;
      if (erased.status === "rejected") {
        expect(erased.reason).toMatchObject({ name: "LedgerError", code: "LEGAL_HOLD" });
        expect(await removedValues(log)).toBe(0);
      } else {
        expect(erased.value.recordSeqs.every((s) => s < h.recordSeq)).toBe(true);
        expect(removedWhenHeld).toBe(300);
      }
      expect(await removedValues(log)).toBe(removedWhenHeld);
      // Released, the hold no longer stands in the way.
      await releaseHold(ledger.store, { log: name, hold: h.id, reason: "settled", releasedBy: "counsel@example.com" });
      expect((await listHolds(ledger.store, log))[0]?.released).toBeDefined();
      if (erased.status === "rejected") await expect(eraseValues(ledger.store, erasure(name))).resolves.toMatchObject({ entries: 100, values: 300 });
      expect(await removedValues(log)).toBe(300);
    }
  }, 180_000);
});
