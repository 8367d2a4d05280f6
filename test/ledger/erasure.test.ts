/**
 * Erasure (GDPR Art. 17) by crypto-shredding a v2 log, legal holds, and the verifier telling an
 * authorized removal from tampering (docs/erasure.md).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyConsistency, verifyInclusion } from "../../src/core/merkle/index.js";
import { vkeyString } from "../../src/core/note/index.js";
import { ERASURE_KIND, ERASURE_REFUSED_KIND, HOLD_KIND, HOLD_RELEASE_KIND } from "../../src/core/erasure/index.js";
import { approveErasure, checkpointLog, consistencyProofFor, createHold, eraseValues, inclusionProofFor, listHolds, releaseHold, requestErasure } from "../../src/ledger/index.js";
import { indexSearchOnce } from "../../src/ledger/postgres/search-indexer.js";
import { verifyLog } from "../../src/integrity/verify-log.js";
import { runCli } from "../support/cli.js";
import { asAttacker, freshLedger, type TestLedger } from "../support/ledger.js";
import { testKey } from "../support/keys.js";

let ledger: TestLedger;
const key = testKey();
beforeAll(async () => {
  ledger = await freshLedger("erasure");
});
afterAll(async () => ledger?.close());

const SUBJECT = "dana.subject@example.com";
const people = [SUBJECT, "eli@example.com", "fay@example.com"];
const event = (i: number) => ({
  kind: "access", actor: people[i % 3]!, action: "mailbox.read", resource: `mailbox/${people[i % 3]}`,
  payload: { i, note: `read by ${people[i % 3]}` },
});

async function seed(name: string, size = 60) {
  const log = await ledger.store.createLog(name, { origin: `test.example/${name}`, leafVersion: 2 });
  await ledger.store.appender().append(name, Array.from({ length: size }, (_, i) => event(i)));
  return log;
}

/** `sealtrail verify` as a user runs it: its exit status and what it prints. */
const verifyCli = (name: string) => runCli(["verify", "--log", name], { DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema, SEALTRAIL_VERIFIER_KEY: vkeyString(`test.example/${name}`, key.publicKey) });

const verify = (name: string, threads = 0) =>
  verifyLog(ledger.adminStore, name, { url: ledger.url, schema: ledger.schema, publicKey: key.publicKey, threads, rangeLevel: 4 });

/** Every row of every table of the ledger's schema, as text, that contains `needle`. */
async function occurrences(needle: string): Promise<string[]> {
  const tables = await ledger.admin<{ name: string }[]>`select tablename as name from pg_tables where schemaname = ${ledger.schema}`;
  const found: string[] = [];
  for (const { name } of tables) {
    const rows = await ledger.admin.unsafe(`select t::text as row from "${ledger.schema}"."${name}" t where t::text like $1`, [`%${needle}%`]);
    for (const r of rows) found.push(`${name}: ${String(r.row).slice(0, 80)}`);
  }
  return found;
}

describe("erasure of a data subject", () => {
  it("removes the subject's values everywhere while verify passes and every proof still verifies", async () => {
    const log = await seed("erase-subject");
    const before = (await checkpointLog(ledger.store, "erase-subject", key.privateKey)).checkpoint;
    while ((await indexSearchOnce(ledger.writer, {})).indexed > 0);
    expect((await occurrences(SUBJECT)).some((o) => o.startsWith("entry_search"))).toBe(true);

    const result = await eraseValues(ledger.store, { log: "erase-subject", target: { actor: SUBJECT }, reason: "subject's request of 2026-12-01", legalBasis: "GDPR Art. 17(1)(a)", requestedBy: "dpo@example.com" });
    expect(result).toMatchObject({ entries: 20, values: 60, fields: ["actor", "resource", "payload"] });
    await checkpointLog(ledger.store, "erase-subject", key.privateKey);

    for (const threads of [0, 2]) {
      const report = await verify("erase-subject", threads);
      expect(report, `threads ${threads}`).toMatchObject({ verified: true, tamperClass: null, erased: { values: 60, records: [{ recordSeq: 60, kind: "erasure", request: result.request, values: 60 }] } });
    }
    const cli = await verifyCli("erase-subject");
    expect(cli.stderr).toBe("");
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain(`60 values erased under the erasure record at seq 60 (request ${result.request})`);
    // Every inclusion proof against the latest checkpoint still verifies, and so does every
    // consistency proof into it, from the checkpoint signed before the erasure among them.
    const size = await ledger.store.treeSize(log.id);
    const after = await ledger.store.latestCheckpoint(log.id);
    expect(after!.size).toBe(size);
    for (let seq = 0; seq < size; seq++) {
      const p = await inclusionProofFor(ledger.store, "erase-subject", seq, size);
      expect(() => verifyInclusion(seq, size, p.leafHash, p.proof, after!.root)).not.toThrow();
    }
    for (let m = 1; m < size; m++) {
      const c = await consistencyProofFor(ledger.store, "erase-subject", m, size);
      expect(() => verifyConsistency(m, size, c.proof, c.root1, after!.root)).not.toThrow();
    }
    const fromBefore = await consistencyProofFor(ledger.store, "erase-subject", before.size, size);
    expect(Buffer.from(fromBefore.root1).equals(Buffer.from(before.root))).toBe(true);
    expect(() => verifyConsistency(before.size, size, fromBefore.proof, before.root, after!.root)).not.toThrow();
    // The subject is nowhere: no table (entry_search included), no pg_dump of the schema.
    expect(await occurrences(SUBJECT)).toEqual([]);
    const { stdout } = await promisify(execFile)("pg_dump", ["--dbname", ledger.url, "--schema", ledger.schema, "--data-only"], { maxBuffer: 1 << 28 });
    expect(stdout).toContain("eli@example.com");
    expect(stdout).not.toContain(SUBJECT);
    // The record names seqs and fields, not values.
    const [record] = await ledger.store.recordEntries(log.id, [ERASURE_KIND], size);
    expect(record!.payload).not.toContain(SUBJECT);
    expect(JSON.parse(record!.payload!)).toMatchObject({ seqs: Array.from({ length: 20 }, (_, k) => [3 * k, 3 * k + 1]), fields: ["actor", "resource", "payload"], legal_basis: "GDPR Art. 17(1)(a)" });
  });

  it("reports a value removed without a record as value_removed with its seq", async () => {
    const log = await seed("erase-tamper", 30);
    expect(await verify("erase-tamper")).toMatchObject({ verified: true });
    await asAttacker(ledger.admin, (tx) => tx`delete from entry_secrets where log_id = ${log.id} and seq = 17 and field = 2`);
    const report = await verify("erase-tamper");
    expect(report).toMatchObject({ verified: false, tamperClass: "value_removed", firstBadSeq: 17 });
    expect(report.findings[0]).toMatchObject({ class: "value_removed", seq: 17, field: "payload" });
    const cli = await verifyCli("erase-tamper");
    expect(cli.code).toBe(1);
    expect(cli.stdout).toMatch(/^TAMPERED value_removed at seq 17: /);
    // An edited value no longer opens its commitment.
    await asAttacker(ledger.admin, (tx) => tx`update entry_secrets set value = 'someone@else' where log_id = ${log.id} and seq = 4 and field = 0`);
    expect((await verify("erase-tamper")).findings.map((f) => [f.class, f.seq])).toEqual([["metadata_edited", 4], ["value_removed", 17]]);
  });

  it("reports a v1 payload nulled without a record as value_removed", async () => {
    const log = await ledger.store.createLog("v1-null", { origin: "test.example/v1-null" });
    await ledger.store.appender().append("v1-null", Array.from({ length: 8 }, (_, i) => event(i)));
    await asAttacker(ledger.admin, (tx) => tx`update entries set payload = null where log_id = ${log.id} and seq = 5`);
    expect(await verify("v1-null")).toMatchObject({ verified: false, tamperClass: "value_removed", firstBadSeq: 5 });
  });
});

describe("legal holds", () => {
  it("block an erasure (the refusal recorded) until released (the release recorded)", async () => {
    const log = await seed("held", 30);
    const hold = await createHold(ledger.store, { log: "held", scope: { actors: [SUBJECT] }, reason: "litigation hold", matter: "Case 2026-17", createdBy: "counsel@example.com" });
    const request = { log: "held", target: { actor: SUBJECT }, reason: "subject's request", legalBasis: "GDPR Art. 17(1)(a)", requestedBy: "dpo@example.com" };
    await expect(eraseValues(ledger.store, request)).rejects.toMatchObject({ name: "LedgerError", code: "LEGAL_HOLD" });
    let size = await ledger.store.treeSize(log.id);
    const refused = await ledger.store.recordEntries(log.id, [ERASURE_REFUSED_KIND], size);
    expect(JSON.parse(refused[0]!.payload!)).toMatchObject({ reason: "legal hold", holds: [hold.id], held_entries: 10 });
    // Nothing was removed: every entry but the hold and refusal records (whose values stay too) keeps its three values.
    expect(await ledger.admin`select count(*)::int as n from entry_secrets where log_id = ${log.id}`).toEqual([{ n: 3 * size }]);
    // Another subject's entries are not held.
    await expect(eraseValues(ledger.store, { ...request, target: { actor: "eli@example.com" } })).resolves.toMatchObject({ entries: 10 });

    await releaseHold(ledger.store, { log: "held", hold: hold.id, reason: "case settled", releasedBy: "counsel@example.com" });
    expect((await listHolds(ledger.store, log))[0]).toMatchObject({ id: hold.id, released: { by: "counsel@example.com", reason: "case settled" } });
    await expect(eraseValues(ledger.store, request)).resolves.toMatchObject({ entries: 10, values: 30 });
    size = await ledger.store.treeSize(log.id);
    expect((await ledger.store.recordEntries(log.id, [HOLD_KIND, HOLD_RELEASE_KIND, ERASURE_KIND], size)).map((r) => r.kind))
      .toEqual([HOLD_KIND, ERASURE_KIND, HOLD_RELEASE_KIND, ERASURE_KIND]);
    expect(await verify("held")).toMatchObject({ verified: true, erased: { values: 60 } });
  });

  it("cover a period and a query too", async () => {
    const log = await seed("held-query", 12);
    await createHold(ledger.store, { log: "held-query", scope: { kinds: ["access"], resource: `mailbox/${SUBJECT}` }, reason: "investigation", createdBy: "counsel@example.com" });
    await expect(eraseValues(ledger.store, { log: "held-query", target: { seqs: [0] }, reason: "r", legalBasis: "b", requestedBy: "dpo" })).rejects.toMatchObject({ code: "LEGAL_HOLD" });
    await expect(eraseValues(ledger.store, { log: "held-query", target: { seqs: [1] }, reason: "r", legalBasis: "b", requestedBy: "dpo" })).resolves.toMatchObject({ entries: 1 });
    await createHold(ledger.store, { log: "held-query", scope: { from: "2000-01-01T00:00:00Z" }, reason: "everything since 2000", createdBy: "counsel@example.com" });
    await expect(eraseValues(ledger.store, { log: "held-query", target: { seqs: [2] }, reason: "r", legalBasis: "b", requestedBy: "dpo" })).rejects.toMatchObject({ code: "LEGAL_HOLD" });
    expect(log.leafVersion).toBe(2);
  });
});

describe("four-eyes erasure", () => {
  it("is recorded as a request, refused to its requester, and carried out on a second admin's approval", async () => {
    await seed("four-eyes", 9);
    const pending = await requestErasure(ledger.store, { log: "four-eyes", target: { seqs: [2, 3, 4] }, fields: ["payload"], reason: "r", legalBasis: "GDPR Art. 17(1)(c)", requestedBy: "admin-a" });
    await expect(approveErasure(ledger.store, { log: "four-eyes", request: pending.request, approvedBy: "admin-a" })).rejects.toMatchObject({ code: "APPROVAL_REFUSED" });
    const done = await approveErasure(ledger.store, { log: "four-eyes", request: pending.request, approvedBy: "admin-b" });
    expect(done).toMatchObject({ request: pending.request, entries: 3, values: 3, fields: ["payload"] });
    await expect(approveErasure(ledger.store, { log: "four-eyes", request: pending.request, approvedBy: "admin-c" })).rejects.toMatchObject({ code: "APPROVAL_REFUSED" });
    expect(await verify("four-eyes")).toMatchObject({ verified: true, erased: { values: 3 } });
  });

  it("refuses a v1 log and the ledger's own records", async () => {
    await ledger.store.createLog("v1-erase", { origin: "test.example/v1-erase" });
    await ledger.store.appender().append("v1-erase", [event(0)]);
    await expect(eraseValues(ledger.store, { log: "v1-erase", target: { seqs: [0] }, reason: "r", legalBasis: "b", requestedBy: "dpo" })).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await seed("own-records", 3);
    await createHold(ledger.store, { log: "own-records", scope: { actors: ["nobody"] }, reason: "x", createdBy: "c" });
    await expect(eraseValues(ledger.store, { log: "own-records", target: { seqs: [3] }, reason: "r", legalBasis: "b", requestedBy: "dpo" })).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });
});
