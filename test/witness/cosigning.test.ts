/**
 * The integrity worker's checkpoint job submits each new checkpoint to the configured
 * witnesses and stores their cosignatures; `sealtrail verify --witness … --quorum k` enforces
 * the policy (exit 3 when short); a split view shown to a witness raises witness.refused.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cosignerVkey, parseCosignerVkey } from "../../src/core/cosign/index.js";
import type { Alert } from "../../src/core/sweep/index.js";
import { vkeyString } from "../../src/core/note/index.js";
import { checkpointTick } from "../../src/integrity/checkpoint-tick.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { withCosignatures } from "../../src/ledger/cosignatures.js";
import { createLog, findLog } from "../../src/ledger/postgres/logs.js";
import { trustedLogs } from "../../src/witness/add-checkpoint.js";
import { type RunningWitness, startWitnessServer } from "../../src/witness/witness-server.js";
import { WitnessState } from "../../src/witness/witness-state.js";
import { runCli } from "../support/cli.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { PostgresLedgerStore } from "../../src/ledger/postgres/postgres-store.js";

const ORIGIN = "test.example/cosigned";
const logKey = testKey();
const w1Key = testKey();
const w2Key = testKey();
const w1Vkey = cosignerVkey("witness.test/w1", w1Key.publicKey);
const w2Vkey = cosignerVkey("witness.test/w2", w2Key.publicKey);
let ledger: TestLedger;
let twin: TestLedger;
let dir: string;
let w1: RunningWitness;
const alerts: Alert[] = [];

const ev = (i: number, tag = "a") => ({ kind: "deploy", actor: tag, action: "b", resource: `r/${i}` });
const tick = (sql: TestLedger["writer"]) =>
  checkpointTick({
    store: new PostgresLedgerStore(sql), key: logKey.privateKey, policy: { every: 1, intervalMs: 1 }, witness: undefined, originPrefix: "test.example",
    alerts: { raise: async (a) => void alerts.push(a) }, cosigners: [{ url: w1.url, cosigner: parseCosignerVkey(w1Vkey) }],
  });

beforeAll(async () => {
  [ledger, twin] = await Promise.all([freshLedger("cosign"), freshLedger("cosigntwin")]);
  dir = await mkdtemp(join(tmpdir(), "sealtrail-cosign-"));
  const logs = trustedLogs([vkeyString(ORIGIN, logKey.publicKey)]);
  w1 = await startWitnessServer({ name: "witness.test/w1", privateKey: w1Key.privateKey, logs, state: new WitnessState(dir) });
  await createLog(ledger.writer, "cosigned", { origin: ORIGIN });
  await createLog(twin.writer, "cosigned", { origin: ORIGIN });
});
afterAll(async () => {
  await w1?.close();
  await Promise.all([ledger?.close(), twin?.close()]);
  await rm(dir, { recursive: true, force: true });
});

const env = () => ({ DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema, SEALTRAIL_VERIFIER_KEY: vkeyString(ORIGIN, logKey.publicKey) });

describe("cosigning witnesses", () => {
  it("the checkpoint job gets each new checkpoint cosigned and stores the line", async () => {
    await new Appender(ledger.writer).append("cosigned", [ev(0), ev(1), ev(2)]);
    expect((await tick(ledger.writer)).cosigned).toEqual([{ log: "cosigned", witnesses: ["witness.test/w1"] }]);
    await new Appender(ledger.writer).append("cosigned", [ev(3), ev(4)]);
    const second = await tick(ledger.writer);
    expect(second.cosigned).toEqual([{ log: "cosigned", witnesses: ["witness.test/w1"] }]);
    expect(second.refused).toEqual([]);
    expect(second.shortOfQuorum).toEqual([]);
    const log = await findLog(ledger.writer, "cosigned");
    const latest = (await ledger.store.latestCheckpoint(log.id))!;
    const lines = await ledger.store.cosignaturesAt(log.id, latest.size);
    expect(lines).toHaveLength(1);
    expect(withCosignatures(latest.note, lines)).toMatch(/\n— witness\.test\/w1 [A-Za-z0-9+/=]+\n$/);
    // Nothing new: nothing submitted again.
    expect((await tick(ledger.writer)).cosigned).toEqual([]);
  });

  it("verify --witness enforces k of n: exit 0 when met, 3 when short", async () => {
    const met = await runCli(["verify", "--log", "cosigned", "--witness", w1Vkey], env());
    expect(met.stderr).toBe("");
    expect(met.code).toBe(0);
    expect(met.stdout).toContain("cosigned by 1 of 1 witnesses");
    const short = await runCli(["verify", "--log", "cosigned", "--witness", w1Vkey, "--witness", w2Vkey, "--quorum", "2", "--json"], env());
    expect(short.code).toBe(3);
    expect(JSON.parse(short.stdout).witnesses).toMatchObject({ met: false, quorum: 2, missing: ["witness.test/w2"] });
    const file = join(dir, "witnesses.txt");
    await writeFile(file, `${w1Vkey}\n${w2Vkey}\n`);
    expect((await runCli(["verify", "--log", "cosigned", "--witness", file, "--quorum", "1"], env())).code).toBe(0);
    const bad = await runCli(["verify", "--log", "cosigned", "--witness", w1Vkey, "--quorum", "2"], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("quorum");
  });

  it("a split view (same origin and size, another tree) is refused by the witness and raises witness.refused", async () => {
    // The same log key signs a different history of the same size in another database.
    await new Appender(twin.writer).append("cosigned", [ev(0, "x"), ev(1, "x"), ev(2, "x"), ev(3, "x"), ev(4, "x")]);
    const result = await tick(twin.writer);
    expect(result.cosigned).toEqual([]);
    expect(result.refused[0]?.message).toMatch(/split view|409/);
    // Refused, and so short of the quorum (one of one witness): both reported.
    expect(alerts.map((a) => a.type)).toEqual(["witness.refused", "witness.quorum"]);
    expect(result.shortOfQuorum).toEqual([{ log: "cosigned", size: 5, cosignedBy: 0, quorum: 1 }]);
    expect(alerts[0]).toMatchObject({ log: "cosigned" });
    const log = await findLog(twin.writer, "cosigned");
    expect(await twin.store.cosignaturesAt(log.id, 5)).toEqual([]);
  });
});
