/**
 * The ledger's own records in the archive (docs/erasure.md): once a retention run has moved an
 * erasure record and a legal hold record to the archive, the removals they authorized are
 * still erasures, not `value_removed`, and the hold still refuses an erasure. The records are
 * read through the archive, each checked against its tile and its commitment.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERASURE_KIND, HOLD_KIND } from "../../src/core/erasure/index.js";
import { vkeyString } from "../../src/core/note/index.js";
import { retainLog, type RetentionDeps } from "../../src/integrity/retention-run.js";
import { activeHolds, checkpointLog, createHold, DirectoryArchive, eraseValues, withArchive } from "../../src/ledger/index.js";
import { LedgerError } from "../../src/ledger/errors.js";
import { runCli } from "../support/cli.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

const DAY = 86_400_000;
const NAME = "archived-records";
const SUBJECT = "subject@example.com";
const HELD = "held@example.com";
const key = testKey();
let ledger: TestLedger;
let dir: string;
let archive: DirectoryArchive;

const events = (n: number, first: number) =>
  Array.from({ length: n }, (_, k) => {
    const i = first + k;
    const actor = i % 4 === 1 ? SUBJECT : i % 4 === 3 ? HELD : `dev${i}@example.com`;
    return { kind: "deploy", actor, action: "ship", resource: `svc/${i}`, payload: { i, by: actor } };
  });

beforeAll(async () => {
  [ledger, dir] = await Promise.all([freshLedger("archrecords"), mkdtemp(join(tmpdir(), "sealtrail-archrec-"))]);
  archive = new DirectoryArchive(join(dir, "archive"));
  await ledger.store.createLog(NAME, { origin: `test.example/${NAME}`, leafVersion: 2 });
}, 120_000);
afterAll(async () => {
  await ledger?.close();
  await rm(dir, { recursive: true, force: true });
});

const deps = (): RetentionDeps => ({ store: ledger.store, archive, url: ledger.url, schema: ledger.schema, publicKey: key.publicKey, witness: undefined, originPrefix: "test.example", alerts: { raise: async () => {} }, threads: 0 });
const env = () => ({ DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema, SEALTRAIL_VERIFIER_KEY: vkeyString(`test.example/${NAME}`, key.publicKey), SEALTRAIL_ARCHIVE_DIR: join(dir, "archive") });

describe("removal and hold records archived by a retention run", () => {
  it("verify exits 0 and reports the erasure after its record was archived; the archived hold still refuses", async () => {
    await ledger.store.appender().append(NAME, events(40, 0));
    const erased = await eraseValues(ledger.store, { log: NAME, target: { actor: SUBJECT }, reason: "data subject request", legalBasis: "GDPR Art. 17(1)(a)", requestedBy: "dpo@example.com" });
    expect(erased).toMatchObject({ entries: 10, values: 30 });
    const hold = await createHold(ledger.store, { log: NAME, scope: { actors: [HELD] }, reason: "litigation", matter: "Case 7", createdBy: "counsel@example.com" });
    // Past both records, and far enough for the appender's last block to stay in the main tables.
    await ledger.store.appender().append(NAME, events(30, 40));
    await checkpointLog(ledger.store, NAME, key.privateKey);
    await ledger.store.appender().append(NAME, events(20, 70));
    await checkpointLog(ledger.store, NAME, key.privateKey);
    const log = await ledger.store.findLog(NAME);
    const [erasure] = await ledger.store.recordEntries(log.id, [ERASURE_KIND], 1000);

    // A run far enough ahead that everything recorded so far is past the hot window (clear values are kept).
    const outcome = await retainLog(deps(), NAME, { id: "run-archive", at: new Date(Date.now() + 200 * DAY) });
    expect(outcome.record.message).toBeNull();
    expect(outcome.record.archived?.to).toBeGreaterThan(hold.recordSeq);
    expect(outcome.record.archived?.to).toBeGreaterThan(erasure!.seq);
    // The main tables no longer hold the records; the archive-aware store reads them back.
    expect(await ledger.store.recordEntries(log.id, [ERASURE_KIND, HOLD_KIND], 1000)).toEqual([]);
    const records = await withArchive(ledger.store).recordEntries(log.id, [ERASURE_KIND, HOLD_KIND], 1000);
    expect(records.map((r) => [r.seq, r.kind])).toEqual([[erasure!.seq, ERASURE_KIND], [hold.recordSeq, HOLD_KIND]]);
    expect(JSON.parse(records[0]!.payload!)).toMatchObject({ request: erased.request, legal_basis: "GDPR Art. 17(1)(a)" });

    const run = await runCli(["verify", "--log", NAME, "--json"], env());
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ verified: true, tamperClass: null, erased: { values: 30, records: [{ recordSeq: erasure!.seq, kind: "erasure", request: erased.request, values: 30 }] } });

    // The hold, archived, still stands: an erasure of the held subject is refused.
    expect((await activeHolds(ledger.store, log)).map((h) => h.id)).toEqual([hold.id]);
    await ledger.store.appender().append(NAME, [{ kind: "deploy", actor: HELD, action: "ship", resource: "svc/late", payload: { late: true } }]);
    await expect(eraseValues(ledger.store, { log: NAME, target: { actor: HELD }, reason: "request", legalBasis: "GDPR Art. 17(1)(a)", requestedBy: "dpo@example.com" }))
      .rejects.toMatchObject({ constructor: LedgerError, code: "LEGAL_HOLD" });
  }, 240_000);
});
