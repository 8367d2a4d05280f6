/**
 * Erased entries a retention run has archived, through the API (docs/erasure.md, "Records in
 * the archive"): `event(log, seq)` reads an archived entry from the archive, its kept values
 * opened against their commitments, and its erased values marked with the kind, seq and request
 * of the erasure record — itself archived, so read back from the archive, checked against its
 * tile and commitment — never as missing.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERASURE_KIND } from "../../src/core/erasure/index.js";
import { checkpointLog, eraseValues, type ErasureResult } from "../../src/ledger/index.js";
import { apiKey, gql, startApi, type TestApi } from "../support/api.js";
import { archiveLater } from "../support/archive.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

const NAME = "people";
const SUBJECT = "hana.subject@example.com";
const key = testKey();
let ledger: TestLedger;
let dir: string;
let api: TestApi;
let token: string;
let erased: ErasureResult;
let archivedTo: number;

const events = (n: number, first: number) =>
  Array.from({ length: n }, (_, k) => {
    const i = first + k;
    const actor = i % 4 === 1 ? SUBJECT : `dev${i}@example.com`;
    return { kind: "deploy", actor, action: "ship", resource: `svc/${i}`, payload: { i, by: actor } };
  });

beforeAll(async () => {
  [ledger, dir] = await Promise.all([freshLedger("erasedarchived"), mkdtemp(join(tmpdir(), "sealtrail-erasedarch-"))]);
  await ledger.store.createLog(NAME, { tenant: "acme", origin: `test.example/${NAME}`, leafVersion: 2 });
  await ledger.store.appender().append(NAME, events(40, 0));
  erased = await eraseValues(ledger.store, { log: NAME, target: { actor: SUBJECT }, reason: "data subject request", legalBasis: "GDPR Art. 17(1)(a)", requestedBy: "dpo@example.com" });
  await ledger.store.appender().append(NAME, events(30, 40));
  await checkpointLog(ledger.store, NAME, key.privateKey);
  await ledger.store.appender().append(NAME, events(20, 70));
  await checkpointLog(ledger.store, NAME, key.privateKey);
  const outcome = await archiveLater(ledger, key, dir, NAME, "run-archive");
  archivedTo = outcome.record.archived!.to;
  api = await startApi(ledger, {});
  token = await apiKey(ledger, "acme");
}, 180_000);
afterAll(async () => {
  await api?.close();
  await ledger?.close();
  await rm(dir, { recursive: true, force: true });
});

const FIELDS = "log seq actor resource payload payloadRedacted leafVersion idempotencyKey erased { field kind recordSeq request }";
const one = (seq: number) => gql(api, token, `query($seq: BigInt!) { event(log: "${NAME}", seq: $seq) { ${FIELDS} } }`, { seq: String(seq) });

describe("an archived erasure through the API", () => {
  it("the entries and their erasure record are in the archive, not the main tables", async () => {
    const record = erased.recordSeqs[0]!;
    expect(archivedTo).toBeGreaterThan(record);
    const log = await ledger.store.findLog(NAME);
    expect(await ledger.store.recordEntries(log.id, [ERASURE_KIND], 1000)).toEqual([]);
    expect(await ledger.store.findEntry(log.id, 5)).toBeUndefined();
  });

  it("serves an archived erased entry with the record's kind, seq and request", async () => {
    const r = await one(5);
    expect(r.errors, r.body).toBeUndefined();
    const marker = (field: string) => ({ field, kind: "erasure", recordSeq: erased.recordSeqs[0]!, request: erased.request });
    expect(r.data!.event).toEqual({ log: NAME, seq: 5, actor: null, resource: null, payload: null, payloadRedacted: true, leafVersion: 2, idempotencyKey: null, erased: [marker("actor"), marker("resource"), marker("payload")] });
    expect(r.body).not.toContain("hana");
  });

  it("serves an archived kept entry opened against its commitments, and a hot one as before", async () => {
    const kept = await one(6);
    expect(kept.errors, kept.body).toBeUndefined();
    expect(kept.data!.event).toEqual({ log: NAME, seq: 6, actor: "dev6@example.com", resource: "svc/6", payload: { i: 6, by: "dev6@example.com" }, payloadRedacted: false, leafVersion: 2, idempotencyKey: null, erased: [] });
    const hot = await one(archivedTo + 1);
    expect(hot.errors, hot.body).toBeUndefined();
    expect(hot.data!.event.idempotencyKey).toEqual(expect.any(String));
    expect(hot.data!.event.erased).toEqual([]);
  });

  it("answers null past the log's end", async () => {
    const r = await one(10_000);
    expect(r.errors, r.body).toBeUndefined();
    expect(r.data!.event).toBeNull();
  });
});
