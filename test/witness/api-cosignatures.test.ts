/**
 * The GraphQL Checkpoint carries the witnesses' cosignatures: `cosignatures` lists the lines a
 * real witness returned and `cosignedNote` is the note an API client checks a k-of-n witness
 * policy on (C2SP tlog-cosignature), while `note` stays the note exactly as the log signed it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkPolicy, cosignerVkey, parseCosignerVkey, witnessPolicy } from "../../src/core/cosign/index.js";
import { toHex } from "../../src/core/encoding/index.js";
import { verifierFromVkey, verifyCheckpoint, vkeyString } from "../../src/core/note/index.js";
import { checkpointTick } from "../../src/integrity/checkpoint-tick.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { trustedLogs } from "../../src/witness/add-checkpoint.js";
import { type RunningWitness, startWitnessServer } from "../../src/witness/witness-server.js";
import { WitnessState } from "../../src/witness/witness-state.js";
import { apiKey, gql, startApi, type TestApi } from "../support/api.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

const ORIGIN = "test.example/api-cosigned";
const logKey = testKey();
const wKey = testKey();
const wVkey = cosignerVkey("witness.test/api", wKey.publicKey);
const otherVkey = cosignerVkey("witness.test/never", testKey().publicKey);
let ledger: TestLedger;
let api: TestApi;
let witness: RunningWitness;
let dir: string;

const tick = () =>
  checkpointTick({
    store: ledger.store, key: logKey.privateKey, policy: { every: 1, intervalMs: 1 }, witness: undefined, originPrefix: "test.example",
    alerts: { raise: async () => {} }, cosigners: [{ url: witness.url, cosigner: parseCosignerVkey(wVkey) }],
  });

beforeAll(async () => {
  ledger = await freshLedger("apicosign");
  dir = await mkdtemp(join(tmpdir(), "sealtrail-apicosign-"));
  witness = await startWitnessServer({ name: "witness.test/api", privateKey: wKey.privateKey, logs: trustedLogs([vkeyString(ORIGIN, logKey.publicKey)]), state: new WitnessState(dir) });
  await createLog(ledger.writer, "acme-cosigned", { origin: ORIGIN, tenant: "acme" });
  api = await startApi(ledger);
});
afterAll(async () => {
  await api?.close();
  await witness?.close();
  await ledger?.close();
  await rm(dir, { recursive: true, force: true });
});

const QUERY = `{ latestCheckpoint(log: "acme-cosigned") { size note cosignedNote cosignatures { witness keyId line } } }`;

describe("GraphQL Checkpoint cosignatures", () => {
  it("before any witness cosigned, the list is empty and the cosigned note is the note", async () => {
    await new Appender(ledger.writer).append("acme-cosigned", [{ kind: "deploy", actor: "a", action: "b", resource: "r/0" }]);
    const token = await apiKey(ledger, "acme");
    // A checkpoint signed without witnesses (none reachable yet: the tick's witness list is empty).
    await checkpointTick({ store: ledger.store, key: logKey.privateKey, policy: { every: 1, intervalMs: 1 }, witness: undefined, originPrefix: "test.example", alerts: { raise: async () => {} }, cosigners: [] });
    const r = await gql(api, token, QUERY);
    expect(r.errors).toBeUndefined();
    expect(r.data.latestCheckpoint.cosignatures).toEqual([]);
    expect(r.data.latestCheckpoint.cosignedNote).toBe(r.data.latestCheckpoint.note);
  });

  it("after the witness cosigned, an API client checks its policy on cosignedNote alone", async () => {
    await new Appender(ledger.writer).append("acme-cosigned", [1, 2, 3].map((i) => ({ kind: "deploy", actor: "a", action: "b", resource: `r/${i}` })));
    expect((await tick()).cosigned).toEqual([{ log: "acme-cosigned", witnesses: ["witness.test/api"] }]);
    const r = await gql(api, await apiKey(ledger, "acme"), QUERY);
    expect(r.errors).toBeUndefined();
    const c = r.data.latestCheckpoint;
    expect(c.size).toBe(4);
    expect(c.cosignatures).toEqual([{ witness: "witness.test/api", keyId: toHex(parseCosignerVkey(wVkey).keyId), line: expect.stringMatching(/^— witness\.test\/api [A-Za-z0-9+/=]+\n$/) }]);
    expect(c.cosignedNote).toBe(c.note + c.cosignatures[0].line);
    // The log's signature still verifies on the cosigned note, and the witness policy is met on it only.
    expect(verifyCheckpoint(c.cosignedNote, verifierFromVkey(vkeyString(ORIGIN, logKey.publicKey))).size).toBe(4n);
    expect(checkPolicy(c.cosignedNote, witnessPolicy([parseCosignerVkey(wVkey)])).met).toBe(true);
    expect(checkPolicy(c.note, witnessPolicy([parseCosignerVkey(wVkey)])).met).toBe(false);
    expect(checkPolicy(c.cosignedNote, witnessPolicy([parseCosignerVkey(wVkey), parseCosignerVkey(otherVkey)], 2)).met).toBe(false);
  });

  it("another tenant's key sees neither the checkpoint nor its cosignatures", async () => {
    const r = await gql(api, await apiKey(ledger, "globex"), QUERY);
    expect(r.data?.latestCheckpoint ?? null).toBeNull();
  });
});
