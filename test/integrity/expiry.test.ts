/**
 * Expiry of clear values by the retention run (docs/erasure.md, PCI DSS 10.5.1): on a v2 log
 * with backdated entries, values past the clear-value period are shredded under a
 * `sealtrail.expiry` record of the log, appended first; entries under a legal hold keep theirs,
 * in the main tables and once archived, until the hold is released; the ledger's own records
 * keep theirs; `verify` exits 0 and reports what expired under which record.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXPIRY_KIND } from "../../src/core/erasure/index.js";
import { vkeyString } from "../../src/core/note/index.js";
import { retainLog, type RetentionDeps } from "../../src/integrity/retention-run.js";
import { auditLogName, checkpointLog, createHold, DirectoryArchive, releaseHold } from "../../src/ledger/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { runCli } from "../support/cli.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

const DAY = 86_400_000;
const HELD = "held.subject@example.com";
const NAME = "expiring";
const key = testKey();
let ledger: TestLedger;
let dir: string;
let archive: DirectoryArchive;
let logId: number;

beforeAll(async () => {
  [ledger, dir] = await Promise.all([freshLedger("expiry"), mkdtemp(join(tmpdir(), "sealtrail-expiry-"))]);
  archive = new DirectoryArchive(join(dir, "archive"));
  logId = (await createLog(ledger.writer, NAME, { origin: `test.example/${NAME}`, leafVersion: 2 })).id;
  // 48 entries recorded 400 days ago (every third by the held subject), then 30 a day ago (enough for the
  // appender's last block to stay clear of the archived range).
  const append = (n: number, at: Date, first: number) =>
    new Appender(ledger.writer, { now: () => at }).append(NAME, Array.from({ length: n }, (_, k) => {
      const i = first + k;
      const actor = i % 3 === 2 ? HELD : `dev${i % 3}@example.com`;
      return { kind: "deploy", actor, action: "ship", resource: `svc/${actor}/${i}`, payload: { i, by: actor } };
    }));
  await append(48, new Date(Date.now() - 400 * DAY), 0);
  await checkpointLog(ledger.store, NAME, key.privateKey);
  await append(30, new Date(Date.now() - DAY), 48);
  await checkpointLog(ledger.store, NAME, key.privateKey);
}, 180_000);
afterAll(async () => {
  await ledger?.close();
  await rm(dir, { recursive: true, force: true });
});

const deps = (): RetentionDeps => ({ store: ledger.store, archive, url: ledger.url, schema: ledger.schema, publicKey: key.publicKey, witness: undefined, originPrefix: "test.example", alerts: { raise: async () => {} }, threads: 0 });
const env = () => ({ DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema, SEALTRAIL_VERIFIER_KEY: vkeyString(`test.example/${NAME}`, key.publicKey), SEALTRAIL_ARCHIVE_DIR: join(dir, "archive") });
const heldSeqs = Array.from({ length: 16 }, (_, k) => 3 * k + 2);
const freeSpans = Array.from({ length: 16 }, (_, k) => ({ from: 3 * k, to: 3 * k + 2 }));

async function secretSeqs(): Promise<number[]> {
  const rows = await ledger.admin<{ seq: number }[]>`select distinct seq::int as seq from entry_secrets where log_id = ${logId} order by seq`;
  return rows.map((r) => r.seq);
}

async function runRecord(run: string) {
  const records = (await ledger.store.payloadsOfKind(auditLogName("default"), "retention")).map((p) => JSON.parse(p!));
  return records.find((p) => p.run === run && p.expired !== undefined && p.archived !== undefined);
}

describe("expiry of clear values by the retention run", () => {
  let holdId: string;

  it("shreds the values past the clear period under an expiry record, leaving held entries and recent ones", async () => {
    holdId = (await createHold(ledger.store, { log: NAME, scope: { actors: [HELD] }, reason: "litigation hold", matter: "Case 2026-41", createdBy: "counsel@example.com" })).id;
    const outcome = await retainLog(deps(), NAME, { id: "run-1", at: new Date() });
    expect(outcome.record.message).toBeNull();
    expect(outcome.record.expired).toEqual(freeSpans);
    expect(outcome.record.held).toEqual(heldSeqs.map((s) => ({ from: s, to: s + 1, holds: [holdId] })));
    // Held, recent and the hold's and expiry's own records (seqs 78, 79) keep their values.
    expect(await secretSeqs()).toEqual([...heldSeqs, ...Array.from({ length: 32 }, (_, k) => 48 + k)]);
    const [expiry] = await ledger.store.recordEntries(logId, [EXPIRY_KIND], 100);
    expect(expiry!.seq).toBe(79);
    expect(JSON.parse(expiry!.payload!)).toMatchObject({ request: "run-1", seqs: freeSpans.map((s) => [s.from, s.to]), fields: ["actor", "resource", "payload"], entries: 32 });
    expect(expiry!.payload).not.toContain("dev0@example.com");
    // The run's entry in the audit log names what expired and what was held.
    expect(await runRecord("run-1")).toMatchObject({ expired: freeSpans, held: heldSeqs.map((s) => ({ from: s, to: s + 1, holds: [holdId] })), archived: { from: 0, to: 48 } });
    // Archived in the same run: the old entries left the main tables; their search rows stay
    // (migration 0011), blanked where their values expired, whole where they are held.
    const rows = await ledger.admin<{ seq: string; actor: string; blank: boolean }[]>`
      select seq, actor, search = ''::tsvector as blank from entry_search where log_id = ${logId} and seq < 48 order by seq`;
    expect(rows).toHaveLength(48);
    expect(rows.filter((r) => r.actor !== "" || !r.blank).map((r) => Number(r.seq))).toEqual(heldSeqs);
  }, 120_000);

  it("verify exits 0 and reports the values as expired under the record", async () => {
    const run = await runCli(["verify", "--log", NAME, "--json"], env());
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ verified: true, tamperClass: null, erased: { values: 96, records: [{ recordSeq: 79, kind: "expiry", request: "run-1", values: 96 }] } });
    const human = await runCli(["verify", "--log", NAME], env());
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("96 values expired under the expiry record at seq 79 (request run-1)");
  }, 120_000);

  it("keeps archived held entries while the hold stands, and expires them on the next run once it is released", async () => {
    const again = await retainLog(deps(), NAME, { id: "run-2", at: new Date() });
    expect(again.record.expired).toEqual([]);
    expect(again.record.held).toHaveLength(16);
    expect((await secretSeqs()).filter((s) => s < 48)).toEqual(heldSeqs);

    const released = await releaseHold(ledger.store, { log: NAME, hold: holdId, reason: "case closed", releasedBy: "counsel@example.com" });
    const third = await retainLog(deps(), NAME, { id: "run-3", at: new Date() });
    expect(third.record.expired).toEqual(heldSeqs.map((s) => ({ from: s, to: s + 1 })));
    expect(third.record.held).toEqual([]);
    expect((await secretSeqs()).filter((s) => s < 48)).toEqual([]);
    const expiries = await ledger.store.recordEntries(logId, [EXPIRY_KIND], 1000);
    expect(expiries.map((r) => r.seq)).toEqual([79, released.recordSeq + 1]);

    await checkpointLog(ledger.store, NAME, key.privateKey);
    const run = await runCli(["verify", "--log", NAME, "--json"], env());
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ verified: true, erased: { values: 144, records: [{ recordSeq: 79, kind: "expiry", values: 96 }, { recordSeq: released.recordSeq + 1, kind: "expiry", request: "run-3", values: 48 }] } });
    // With nothing due, a run records no expiry.
    expect((await retainLog(deps(), NAME, { id: "run-4", at: new Date() })).record.expired).toEqual([]);
  }, 180_000);
});
