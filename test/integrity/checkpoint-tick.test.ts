import type { KeyObject } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CheckpointPolicy, checkpointDue } from "../../src/core/note/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { checkpointTick } from "../../src/integrity/checkpoint-tick.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { testKey } from "../support/keys.js";
import { PostgresLedgerStore } from "../../src/ledger/postgres/postgres-store.js";

let ledger: TestLedger;
beforeAll(async () => {
  ledger = await freshLedger("cploop");
});
afterAll(async () => ledger?.close());

describe("checkpoint policy", () => {
  const policy = { every: 100, intervalMs: 60_000 };
  it("signs a grown tree after `every` entries or `interval`, never an unchanged one", () => {
    expect(checkpointDue(policy, undefined, 0, 0)).toBe(false);
    expect(checkpointDue(policy, undefined, 1, 0)).toBe(true);
    expect(checkpointDue(policy, { size: 10, at: 0 }, 10, 10 ** 9)).toBe(false);
    expect(checkpointDue(policy, { size: 10, at: 0 }, 109, 59_999)).toBe(false);
    expect(checkpointDue(policy, { size: 10, at: 0 }, 110, 1)).toBe(true);
    expect(checkpointDue(policy, { size: 10, at: 0 }, 11, 60_000)).toBe(true);
  });
});

/** The checkpoint job's signing part, without a witness store: what it signed. */
async function checkpointDueLogs(sql: TestLedger["writer"], key: KeyObject, policy: CheckpointPolicy, now = Date.now()) {
  const tick = await checkpointTick({ store: new PostgresLedgerStore(sql, ledger.schema), key, policy, witness: undefined, originPrefix: "test.example", alerts: { raise: async () => {} } }, now);
  return tick.signed;
}

describe("checkpoint job", () => {
  it("checkpoints exactly the logs that are due", async () => {
    const key = testKey();
    await createLog(ledger.writer, "busy", { origin: "test.example/busy" });
    await createLog(ledger.writer, "quiet", { origin: "test.example/quiet" });
    await createLog(ledger.writer, "empty", { origin: "test.example/empty" });
    const appender = new Appender(ledger.writer);
    const ev = (i: number) => ({ kind: "deploy", actor: "a", action: "b", resource: `r/${i}` });
    await appender.append("busy", Array.from({ length: 30 }, (_, i) => ev(i)));
    await appender.append("quiet", [ev(0)]);
    const policy = { every: 20, intervalMs: 3_600_000 };
    expect(await checkpointDueLogs(ledger.writer, key.privateKey, policy)).toEqual([
      { log: "busy", size: 30 },
      { log: "quiet", size: 1 },
    ]);
    await appender.append("busy", Array.from({ length: 25 }, (_, i) => ev(100 + i)));
    await appender.append("quiet", [ev(1)]);
    expect(await checkpointDueLogs(ledger.writer, key.privateKey, policy)).toEqual([{ log: "busy", size: 55 }]);
    // An hour later the quiet log is due too.
    expect(await checkpointDueLogs(ledger.writer, key.privateKey, policy, Date.now() + 3_600_000)).toEqual([{ log: "quiet", size: 2 }]);
  });
});
