/**
 * RFC 3161 time-stamps of checkpoints from a real TSA (openssl ts -reply), verified by
 * `openssl ts -verify` alone, as an auditor would.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256 } from "../../src/core/encoding/index.js";
import { checkTimeStampResponse, timeStampRequest } from "../../src/core/timestamp/index.js";
import type { Alert } from "../../src/core/sweep/index.js";
import { checkpointTick } from "../../src/integrity/checkpoint-tick.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog, findLog } from "../../src/ledger/postgres/logs.js";
import { runTool } from "../support/cli.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { startTestTsa, type TestTsa } from "../support/tsa.js";

let ledger: TestLedger;
let tsa: TestTsa;
let dir: string;
const key = testKey();
const alerts: Alert[] = [];
const tick = (tsaUrl: string) =>
  checkpointTick({ store: ledger.store, key: key.privateKey, policy: { every: 1, intervalMs: 1 }, witness: undefined, originPrefix: "test.example", alerts: { raise: async (a) => void alerts.push(a) }, tsaUrl });

beforeAll(async () => {
  [ledger, tsa] = await Promise.all([freshLedger("tsa"), startTestTsa()]);
  dir = await mkdtemp(join(tmpdir(), "sealtrail-tsr-"));
  await createLog(ledger.writer, "stamped", { origin: "test.example/stamped" });
});
afterAll(async () => {
  await Promise.all([ledger?.close(), tsa?.close()]);
  await rm(dir, { recursive: true, force: true });
});

describe("RFC 3161 time-stamps", () => {
  it("the checkpoint job stamps each new checkpoint; openssl ts -verify accepts the token for the note, and only for it", async () => {
    await new Appender(ledger.writer).append("stamped", [{ kind: "deploy", actor: "a", action: "b", resource: "r" }]);
    const result = await tick(tsa.url);
    expect(result.stamped).toEqual([{ log: "stamped", size: 1 }]);
    expect((await tick(tsa.url)).stamped).toEqual([]);
    const log = await findLog(ledger.writer, "stamped");
    const checkpoint = (await ledger.store.latestCheckpoint(log.id))!;
    const stored = (await ledger.store.timeStampAt(log.id, 1))!;
    await writeFile(join(dir, "checkpoint.note"), checkpoint.note);
    await writeFile(join(dir, "checkpoint.tsr"), stored.token);
    const ok = await runTool("openssl", ["ts", "-verify", "-data", join(dir, "checkpoint.note"), "-in", join(dir, "checkpoint.tsr"), "-CAfile", tsa.caFile]);
    expect(ok.stdout + ok.stderr).toContain("Verification: OK");
    expect(ok.code).toBe(0);
    await writeFile(join(dir, "other.note"), checkpoint.note.replace("\n1\n", "\n2\n"));
    const bad = await runTool("openssl", ["ts", "-verify", "-data", join(dir, "other.note"), "-in", join(dir, "checkpoint.tsr"), "-CAfile", tsa.caFile]);
    expect(bad.code).not.toBe(0);
  });

  it("refuses a reply that stamps another digest, and alerts when the TSA is down", async () => {
    const digest = sha256(new TextEncoder().encode("a"));
    // Nonces of every shape are minimal DER INTEGERs, which the TSA accepts.
    let reply = new Uint8Array();
    for (const nonce of [[1, 2, 3, 4, 5, 6, 7, 8], [0x80, 0, 0, 0, 0, 0, 0, 1], [0, 0, 0x7f, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0, 0, 0]]) {
      const res = await fetch(tsa.url, { method: "POST", body: timeStampRequest(digest, Uint8Array.from(nonce)) });
      reply = new Uint8Array(await res.arrayBuffer());
      expect(checkTimeStampResponse(reply, digest)).toBe(0);
    }
    expect(() => checkTimeStampResponse(reply, sha256(new TextEncoder().encode("b")))).toThrow(/does not stamp/);
    await new Appender(ledger.writer).append("stamped", [{ kind: "deploy", actor: "a", action: "b", resource: "r2" }]);
    const down = await tick("http://127.0.0.1:9/tsa");
    expect(down.stamped).toEqual([]);
    expect(alerts.map((a) => a.type)).toEqual(["witness.error"]);
  });
});
