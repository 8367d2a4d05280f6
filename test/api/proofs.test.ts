/**
 * Proofs over the API, checked with the pure core alone, as a client holding only the log's
 * verifier key would: inclusion proofs against the signed checkpoint they come with, and
 * consistency proofs between checkpoints.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyCheckpoint, ed25519Verifier } from "../../src/core/note/index.js";
import { verifyConsistency, verifyInclusion } from "../../src/core/merkle/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { checkpointLog } from "../../src/ledger/checkpointer.js";
import { ensureAuditLog } from "../../src/ledger/audit-log.js";
import { sweepEvent } from "../../src/core/sweep/index.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { apiKey, gql, startApi, type TestApi } from "../support/api.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
let api: TestApi;
let token: string;
const key = testKey();
const ORIGIN = "test.example/proved";
const b64 = (s: string) => new Uint8Array(Buffer.from(s, "base64"));

beforeAll(async () => {
  ledger = await freshLedger("apiproofs");
  await createLog(ledger.writer, "proved", { tenant: "acme", origin: ORIGIN });
  const appender = new Appender(ledger.writer);
  // Checkpoints at 37 and 100; the tree then grows to 130 without one.
  for (const [n, checkpoint] of [[37, true], [63, true], [30, false]] as const) {
    await appender.append("proved", Array.from({ length: n }, (_, i) => ({ kind: "custom", actor: "a", action: "x", resource: `r${i}`, payload: { i } })));
    if (checkpoint) await checkpointLog(ledger.store, "proved", key.privateKey);
  }
  // With the log's key: every proof and checkpoint served is verified first (verified reads).
  api = await startApi(ledger, {}, {}, { verifierPublicKey: key.publicKey });
  token = await apiKey(ledger, "acme");
});
afterAll(async () => {
  await api?.close();
  await ledger?.close();
});

const INCLUSION = `query($seq: BigInt!, $size: BigInt) {
  event(log: "proved", seq: $seq) { seq leafHash inclusionProof(treeSize: $size) { leafIndex treeSize leafHash hashes root checkpoint { size root note origin keyId } } }
}`;

describe("inclusion proofs", () => {
  it.each([0, 1, 36, 50, 99])("seq %i: verifies against the newest signed checkpoint by default", async (seq) => {
    const r = await gql(api, token, INCLUSION, { seq });
    expect(r.errors, r.body).toBeUndefined();
    const { event } = r.data;
    const proof = event.inclusionProof;
    expect(proof.treeSize).toBe(100);
    const cp = verifyCheckpoint(proof.checkpoint.note, ed25519Verifier(ORIGIN, key.publicKey));
    expect(cp.size).toBe(100n);
    expect(Buffer.from(cp.root).toString("base64")).toBe(proof.root);
    expect(proof.leafHash).toBe(event.leafHash);
    expect(() => verifyInclusion(seq, 100, b64(proof.leafHash), proof.hashes.map(b64), cp.root)).not.toThrow();
    // A proof for another leaf does not verify.
    expect(() => verifyInclusion((seq + 1) % 100, 100, b64(proof.leafHash), proof.hashes.map(b64), cp.root)).toThrow();
  });

  it("proves against an earlier checkpoint when asked for its size", async () => {
    const r = await gql(api, token, INCLUSION, { seq: 5, size: 37 });
    const proof = r.data.event.inclusionProof;
    const cp = verifyCheckpoint(proof.checkpoint.note, ed25519Verifier(ORIGIN, key.publicKey));
    expect(cp.size).toBe(37n);
    verifyInclusion(5, 37, b64(proof.leafHash), proof.hashes.map(b64), cp.root);
  });

  it("proves entries no checkpoint covers yet against the current root, with no checkpoint", async () => {
    const r = await gql(api, token, INCLUSION, { seq: 120 });
    const proof = r.data.event.inclusionProof;
    expect(proof).toMatchObject({ treeSize: 130, checkpoint: null });
    verifyInclusion(120, 130, b64(proof.leafHash), proof.hashes.map(b64), b64(proof.root));
  });

  it("refuses a tree size beyond the log or not above the seq", async () => {
    for (const size of [131, 5]) {
      const r = await gql(api, token, INCLUSION, { seq: 5, size });
      expect(r.errors?.[0]?.extensions?.code, r.body).toBe("BAD_USER_INPUT");
    }
  });
});

describe("checkpoints and consistency proofs", () => {
  it("serves checkpoints by size and the newest, and null where none was signed", async () => {
    const r = await gql(api, token, `{ a: checkpoint(log: "proved", size: 37) { size note } b: checkpoint(log: "proved", size: 38) { size } latest: latestCheckpoint(log: "proved") { size root } log(name: "proved") { size latestCheckpoint { size } } }`);
    expect(r.errors, r.body).toBeUndefined();
    expect(r.data).toMatchObject({ a: { size: 37 }, b: null, latest: { size: 100 }, log: { size: 130, latestCheckpoint: { size: 100 } } });
    expect(verifyCheckpoint(r.data.a.note, ed25519Verifier(ORIGIN, key.publicKey)).size).toBe(37n);
  });

  it("proves the checkpoints consistent with each other and with the current tree", async () => {
    const r = await gql(api, token, `{ c: consistencyProof(log: "proved", from: 37, to: 100) { fromSize toSize hashes fromRoot toRoot fromCheckpoint { note } toCheckpoint { note } }
      now: consistencyProof(log: "proved", from: 100) { fromSize toSize hashes fromRoot toRoot toCheckpoint { size } } }`);
    expect(r.errors, r.body).toBeUndefined();
    const { c, now } = r.data;
    const verifier = ed25519Verifier(ORIGIN, key.publicKey);
    const cp1 = verifyCheckpoint(c.fromCheckpoint.note, verifier);
    const cp2 = verifyCheckpoint(c.toCheckpoint.note, verifier);
    verifyConsistency(37, 100, c.hashes.map(b64), cp1.root, cp2.root);
    expect(now).toMatchObject({ fromSize: 100, toSize: 130, toCheckpoint: null });
    verifyConsistency(100, 130, now.hashes.map(b64), cp2.root, b64(now.toRoot));
    expect(() => verifyConsistency(37, 100, c.hashes.map(b64), cp1.root, b64(now.toRoot))).toThrow();
  });

  it.each([
    ["from above to", `{ consistencyProof(log: "proved", from: 50, to: 40) { toSize } }`],
    ["to beyond the log", `{ consistencyProof(log: "proved", from: 1, to: 1000) { toSize } }`],
    ["a negative size", `{ checkpoint(log: "proved", size: -1) { size } }`],
    ["an unknown log", `{ latestCheckpoint(log: "nope") { size } }`],
  ])("refuses %s with BAD_USER_INPUT", async (_name, query) => {
    const r = await gql(api, token, query);
    expect(r.errors?.[0]?.extensions?.code, r.body).toBe("BAD_USER_INPUT");
  });
});

describe("log status", () => {
  it("shows the last sweep recorded in the tenant's audit log, null before the first", async () => {
    const q = `{ log(name: "proved") { name size lastSweep { result at fromSeq toSize durationMs firstBadSeq tamperClass recordSeq } } }`;
    expect((await gql(api, token, q)).data).toEqual({ log: { name: "proved", size: 130, lastSweep: null } });
    const audit = await ensureAuditLog(ledger.store, "acme", "test.example");
    const appender = new Appender(ledger.writer);
    await appender.append(audit.name, [
      sweepEvent("proved", { result: "verified", at: new Date("2026-11-20T02:00:00Z"), fromSeq: 0, toSize: 100, durationMs: 41, firstBadSeq: null, tamperClass: null }, "sweeper"),
      sweepEvent("other-log", { result: "verified", at: new Date("2026-11-21T02:00:00Z"), fromSeq: 0, toSize: 5, durationMs: 1, firstBadSeq: null, tamperClass: null }, "sweeper"),
      sweepEvent("proved", { result: "tampered", at: new Date("2026-11-21T02:00:00Z"), fromSeq: 100, toSize: 130, durationMs: 12, firstBadSeq: 117, tamperClass: "payload_edited" }, "sweeper"),
    ]);
    const r = await gql(api, token, q);
    expect(r.data.log.lastSweep).toMatchObject({
      result: "tampered", at: "2026-11-21T02:00:00.000Z", fromSeq: 100, toSize: 130, durationMs: 12, firstBadSeq: 117, tamperClass: "payload_edited",
    });
  });

  it("lists a log's sweeps newest first, a page at a time, and refuses bad arguments", async () => {
    const q = `query($before: BigInt) { sweeps(log: "proved", first: 1, before: $before) { result at mode message toSize recordSeq } }`;
    const first = await gql(api, token, q);
    expect(first.data.sweeps).toEqual([expect.objectContaining({ result: "tampered", toSize: 130, mode: null })]);
    const next = await gql(api, token, q, { before: first.data.sweeps[0].recordSeq });
    expect(next.data.sweeps).toEqual([expect.objectContaining({ result: "verified", at: "2026-11-20T02:00:00.000Z", toSize: 100 })]);
    const end = await gql(api, token, q, { before: next.data.sweeps[0].recordSeq });
    expect(end.data.sweeps).toEqual([]);
    for (const bad of [`{ sweeps(log: "nope") { result } }`, `{ sweeps(log: "proved", first: 0) { result } }`, `{ sweeps(log: "proved", before: -1) { result } }`]) {
      expect((await gql(api, token, bad)).errors?.[0]?.extensions?.code, bad).toBe("BAD_USER_INPUT");
    }
  });
});
