/**
 * The witness (C2SP tlog-witness) spoken to over real HTTP with request bodies this test writes
 * itself, from checkpoints of a real ledger: each refusal the spec names, with its status code,
 * and the state kept across a restart.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cosignerVkey, parseCosignerVkey, verifyCosignature } from "../../src/core/cosign/index.js";
import { toBase64 } from "../../src/core/encoding/index.js";
import { ed25519Signer, signCheckpoint, vkeyString } from "../../src/core/note/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { checkpointLog } from "../../src/ledger/checkpointer.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { consistencyProofFor } from "../../src/ledger/proofs.js";
import { trustedLogs } from "../../src/witness/add-checkpoint.js";
import { type RunningWitness, startWitnessServer } from "../../src/witness/witness-server.js";
import { WitnessState } from "../../src/witness/witness-state.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

const ORIGIN = "test.example/witnessed";
let ledger: TestLedger;
let dir: string;
let witness: RunningWitness;
const logKey = testKey();
const witnessKey = testKey();
const cosigner = parseCosignerVkey(cosignerVkey("witness.test/w1", witnessKey.publicKey));
const notes = new Map<number, string>();

async function start(): Promise<RunningWitness> {
  const logs = trustedLogs([vkeyString(ORIGIN, logKey.publicKey)]);
  return startWitnessServer({ name: cosigner.name, privateKey: witnessKey.privateKey, logs, state: new WitnessState(dir) });
}

async function post(old: number, proof: Uint8Array[], note: string) {
  const body = `old ${old}\n${proof.map((h) => `${toBase64(h)}\n`).join("")}\n${note}`;
  const res = await fetch(`${witness.url}/add-checkpoint`, { method: "POST", body });
  return { status: res.status, type: res.headers.get("content-type") ?? "", body: await res.text() };
}

async function grow(to: number): Promise<string> {
  const appender = new Appender(ledger.writer);
  const n = notes.size === 0 ? 0 : Math.max(...notes.keys());
  await appender.append("witnessed", Array.from({ length: to - n }, (_, i) => ({ kind: "deploy", actor: "a", action: "b", resource: `r/${n + i}` })));
  const { checkpoint } = await checkpointLog(ledger.store, "witnessed", logKey.privateKey);
  notes.set(to, checkpoint.note);
  return checkpoint.note;
}

const proof = async (from: number, to: number) => (await consistencyProofFor(ledger.store, "witnessed", from, to)).proof;
/** A checkpoint of the log's origin signed with the log's key over any root: what a lying log could show. */
const forged = (size: number, root: Uint8Array, key = logKey.privateKey) => signCheckpoint({ origin: ORIGIN, size, root }, ed25519Signer(ORIGIN, key));

beforeAll(async () => {
  ledger = await freshLedger("witness");
  dir = await mkdtemp(join(tmpdir(), "sealtrail-witness-"));
  await createLog(ledger.writer, "witnessed", { origin: ORIGIN });
  witness = await start();
});
afterAll(async () => {
  await witness?.close();
  await ledger?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("witness add-checkpoint", () => {
  it("cosigns a first checkpoint and then each consistent extension", async () => {
    const first = await post(0, [], await grow(3));
    expect(first.status).toBe(200);
    expect(verifyCosignature(notes.get(3)! + first.body, cosigner)).toBeGreaterThan(0n);
    const n10 = await grow(10);
    const next = await post(3, await proof(3, 10), n10);
    expect(next.status).toBe(200);
    const time = verifyCosignature(notes.get(10)! + next.body, cosigner);
    expect(Number(time)).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 60);
    // The cosignature is over the checkpoint at 10, not at 3.
    expect(verifyCosignature(notes.get(3)! + next.body, cosigner)).toBeUndefined();
  });

  it("answers 409 with its size (text/x.tlog.size) to a stale old size, and refuses a rollback", async () => {
    const stale = await post(3, await proof(3, 10), notes.get(10)!);
    expect([stale.status, stale.type, stale.body]).toEqual([409, "text/x.tlog.size", "10\n"]);
    const rollback = await post(3, [], notes.get(3)!);
    expect([rollback.status, rollback.body]).toEqual([409, "10\n"]);
  });

  it("refuses an inconsistent proof with 422", async () => {
    const note = await grow(16);
    const bad = await proof(10, 16);
    bad[0] = new Uint8Array(32).fill(7);
    expect((await post(10, bad, note)).status).toBe(422);
    expect((await post(10, await proof(10, 16), note)).status).toBe(200);
  });

  it("refuses a split view (same size, another root) with 409 and keeps the request as evidence", async () => {
    const other = forged(16, new Uint8Array(32).fill(9));
    const res = await post(16, [], other);
    expect(res.status).toBe(409);
    expect(res.type).not.toBe("text/x.tlog.size");
    const refusals = (await readFile(join(dir, "refusals.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l));
    expect(refusals.at(-1)).toMatchObject({ origin: ORIGIN, status: 409 });
    expect(refusals.at(-1).body).toContain(other);
    // The same checkpoint again is cosigned once more.
    expect((await post(16, [], notes.get(16)!)).status).toBe(200);
  });

  it("refuses a bad signature (403), an unknown log (404) and a malformed request (400)", async () => {
    const note = notes.get(16)!;
    expect((await post(16, [], forged(16, new Uint8Array(32), testKey().privateKey))).status).toBe(403);
    const tampered = note.replace(/\n\n— /, "\n\n— x");
    expect((await post(16, [], tampered)).status).toBe(403);
    const stranger = testKey().privateKey;
    const unknown = signCheckpoint({ origin: "test.example/other", size: 1, root: new Uint8Array(32) }, ed25519Signer("test.example/other", stranger));
    expect((await post(0, [], unknown)).status).toBe(404);
    expect((await post(20, [], note)).status).toBe(400);
    expect((await post(0, [new Uint8Array(32)], note)).status).toBe(400);
    const res = await fetch(`${witness.url}/add-checkpoint`, { method: "POST", body: "old x\n\n" + note });
    expect(res.status).toBe(400);
    expect((await fetch(`${witness.url}/add-checkpoint`)).status).toBe(405);
  });

  it("keeps its state across a restart", async () => {
    await witness.close();
    witness = await start();
    const res = await post(0, [], notes.get(3)!);
    expect([res.status, res.body]).toEqual([409, "16\n"]);
    const n20 = await grow(20);
    expect((await post(16, await proof(16, 20), n20)).status).toBe(200);
  });

  it("serialises concurrent submissions of one log: never a rollback", async () => {
    const n24 = await grow(24);
    const n30 = await grow(30);
    const [a, b] = await Promise.all([post(20, await proof(20, 24), n24), post(20, await proof(20, 30), n30)]);
    // Whichever came second found the other's size stored and got 409.
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const state = JSON.parse(await readFile(join(dir, "logs", `${encodeURIComponent(ORIGIN)}.json`), "utf8"));
    expect(state.size).toBe(a.status === 200 ? 24 : 30);
  });
});
