/**
 * Sweeps hold the witness policy (C2SP tlog-cosignature, k of n) against the newest
 * checkpoint's stored cosignatures: a quorum of real witnesses that cosigned passes; a missing
 * cosignature, or a stored line that does not verify over the checkpoint, is named as such in
 * the sweep record, makes the record a failure and raises `witness.quorum`, recorded in the
 * audit log like any sweep failure; `sealtrail sweep` exits 3.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cosignerVkey, parseCosignerVkey, witnessPolicy } from "../../src/core/cosign/index.js";
import { toHex } from "../../src/core/encoding/index.js";
import { vkeyString } from "../../src/core/note/index.js";
import { ALERT_KIND, type Alert, storedSweep, SWEEP_KIND } from "../../src/core/sweep/index.js";
import { checkpointTick } from "../../src/integrity/checkpoint-tick.js";
import { sweepLog, type SweepDeps } from "../../src/integrity/sweep-log.js";
import { auditLogName } from "../../src/ledger/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog, findLog } from "../../src/ledger/postgres/logs.js";
import { PostgresLedgerStore } from "../../src/ledger/postgres/postgres-store.js";
import { trustedLogs } from "../../src/witness/add-checkpoint.js";
import { type RunningWitness, startWitnessServer } from "../../src/witness/witness-server.js";
import { WitnessState } from "../../src/witness/witness-state.js";
import { runCli } from "../support/cli.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

const ORIGIN = "test.example/swept-witnessed";
const logKey = testKey();
const keys = [testKey(), testKey()];
const vkeys = keys.map((k, i) => cosignerVkey(`witness.test/sw${i + 1}`, k.publicKey));
const cosigners = vkeys.map(parseCosignerVkey);
let ledger: TestLedger;
let dirs: string[] = [];
let witnesses: RunningWitness[] = [];
const alerts: Alert[] = [];

const ev = (i: number) => ({ kind: "deploy", actor: "a", action: "b", resource: `r/${i}` });
const store = () => new PostgresLedgerStore(ledger.writer, ledger.schema);
/** One checkpoint job, submitting to the first `n` witnesses only. */
const tick = (n: number) =>
  checkpointTick({
    store: store(), key: logKey.privateKey, policy: { every: 1, intervalMs: 1 }, witness: undefined, originPrefix: "test.example",
    alerts: { raise: async () => undefined }, cosigners: witnesses.slice(0, n).map((w, i) => ({ url: w.url, cosigner: cosigners[i]! })),
  });
const deps = (quorum: number): SweepDeps => ({
  store: store(), url: ledger.url, schema: ledger.schema, publicKey: logKey.publicKey, witness: undefined, originPrefix: "test.example",
  alerts: { raise: async (a) => void alerts.push(a) }, threads: 0, witnessPolicy: witnessPolicy(cosigners, quorum),
});
let runs = 0;
const sweep = (quorum: number) => sweepLog(deps(quorum), "swept", { id: `run-${++runs}`, mode: "full", at: new Date() });

beforeAll(async () => {
  ledger = await freshLedger("sweepwit");
  const logs = trustedLogs([vkeyString(ORIGIN, logKey.publicKey)]);
  dirs = await Promise.all(keys.map(() => mkdtemp(join(tmpdir(), "sealtrail-sweepwit-"))));
  witnesses = await Promise.all(keys.map((k, i) => startWitnessServer({ name: cosigners[i]!.name, privateKey: k.privateKey, logs, state: new WitnessState(dirs[i]!) })));
  await createLog(ledger.writer, "swept", { origin: ORIGIN, tenant: "acme" });
});
afterAll(async () => {
  await Promise.all(witnesses.map((w) => w.close()));
  await ledger?.close();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe("sweeps and the witness policy", () => {
  it("a cosignature missing from the quorum: named missing, the record a failure, witness.quorum raised and recorded", async () => {
    await new Appender(ledger.writer).append("swept", [ev(0), ev(1), ev(2)]);
    expect((await tick(1)).cosigned).toEqual([{ log: "swept", witnesses: ["witness.test/sw1"] }]);
    const outcome = await sweep(2);
    expect(outcome.record.result).toBe("verified");
    expect(outcome.record.witnesses).toEqual({ size: 3, quorum: 2, met: false, cosigned: ["witness.test/sw1"], missing: ["witness.test/sw2"], invalid: [] });
    expect(outcome.record.message).toMatch(/cosigned by 1 of 2 witnesses, short of the quorum 2: missing witness\.test\/sw2/);
    expect(outcome.alert).toMatchObject({ type: "witness.quorum", log: "swept", tenant: "acme", toSize: 3 });
    expect(alerts.map((a) => a.id)).toEqual([outcome.alert!.id]);

    // Recorded as every sweep failure is: the sweep entry (outcome failure, the typed result
    // read back) and the alert entry, in the tenant's audit log.
    const audit = await findLog(ledger.writer, auditLogName("acme"));
    const rows = await ledger.writer<{ kind: string; action: string; outcome: string; payload: string; occurredAt: Date }[]>`
      select kind, action, outcome, payload::text as payload, occurred_at as "occurredAt" from entries where log_id = ${audit.id} order by seq`;
    const record = rows.find((r) => r.kind === SWEEP_KIND)!;
    expect(record.outcome).toBe("failure");
    expect(storedSweep(record.payload, record.occurredAt).witnesses).toEqual(outcome.record.witnesses);
    expect(rows.filter((r) => r.kind === ALERT_KIND).map((r) => [r.action, JSON.parse(r.payload).alertId])).toEqual([["witness.quorum", outcome.alert!.id]]);
  });

  it("a quorum of valid cosignatures: met, no alert; a smaller quorum is met by fewer", async () => {
    alerts.length = 0;
    expect((await tick(2)).cosigned).toEqual([{ log: "swept", witnesses: ["witness.test/sw2"] }]);
    const outcome = await sweep(2);
    expect(outcome.record.witnesses).toEqual({ size: 3, quorum: 2, met: true, cosigned: ["witness.test/sw1", "witness.test/sw2"], missing: [], invalid: [] });
    expect(outcome.record.message).toBeNull();
    expect(outcome.alert).toBeUndefined();
    expect(alerts).toEqual([]);
  });

  it("a stored line that does not verify over the newest checkpoint is named invalid, not counted", async () => {
    alerts.length = 0;
    const log = await findLog(ledger.writer, "swept");
    const old = (await store().cosignaturesAt(log.id, 3)).find((c) => c.witness === "witness.test/sw2")!;
    await new Appender(ledger.writer).append("swept", [ev(3), ev(4)]);
    expect((await tick(1)).cosigned).toEqual([{ log: "swept", witnesses: ["witness.test/sw1"] }]);
    // sw2's genuine line, but over the checkpoint at size 3: stored as if it cosigned size 5.
    await store().saveCosignature(log.id, 5, "witness.test/sw2", toHex(cosigners[1]!.keyId), old.line);

    const short = await sweep(2);
    expect(short.record.witnesses).toEqual({ size: 5, quorum: 2, met: false, cosigned: ["witness.test/sw1"], missing: [], invalid: ["witness.test/sw2"] });
    expect(short.record.message).toMatch(/short of the quorum 2: invalid witness\.test\/sw2/);
    expect(short.alert?.type).toBe("witness.quorum");

    const met = await sweep(1);
    expect(met.record.witnesses).toMatchObject({ met: true, cosigned: ["witness.test/sw1"], invalid: ["witness.test/sw2"] });
    expect(met.alert).toBeUndefined();
  });

  it("sealtrail sweep takes the policy from SEALTRAIL_WITNESSES and SEALTRAIL_WITNESS_QUORUM: exit 3 when short, 0 when met", async () => {
    const env = (quorum: string) => ({
      DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema, SEALTRAIL_VERIFIER_KEY: vkeyString(ORIGIN, logKey.publicKey),
      SEALTRAIL_WITNESSES: witnesses.map((w, i) => `${w.url} ${vkeys[i]}`).join(";"), SEALTRAIL_WITNESS_QUORUM: quorum,
    });
    const short = await runCli(["sweep", "--log", "swept", "--full", "--threads", "0"], env("2"));
    expect(short.stdout).toMatch(/^verified swept \(full sweep\)/);
    expect(short.stdout).toMatch(/WITNESS QUORUM NOT MET: .*invalid witness\.test\/sw2/);
    expect(short.code).toBe(3);
    const met = await runCli(["sweep", "--log", "swept", "--full", "--threads", "0", "--json"], env("1"));
    expect(met.code).toBe(0);
    expect(JSON.parse(met.stdout).witnesses).toMatchObject({ size: 5, quorum: 1, met: true });
  });
});
