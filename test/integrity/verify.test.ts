/**
 * The verifier against each tamper class, done as the Postgres superuser with triggers
 * disabled (session_replication_role = replica), as an attacker with full database access.
 * Every class runs twice: one range verified in this thread, and 16-entry ranges verified on
 * two worker threads, so findings that cross ranges are classified the same way.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signCheckpoint, ed25519Signer } from "../../src/core/note/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { checkpointLog } from "../../src/ledger/checkpointer.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { verifyLog, type VerifyOptions } from "../../src/integrity/verify-log.js";
import { asAttacker, freshLedger, type TestLedger } from "../support/ledger.js";
import { testKey } from "../support/keys.js";
import { insertForged, recomputeAll, type SeededLog, seedLog, swapEntries } from "../support/tamper.js";

let ledger: TestLedger;
const key = testKey();
let counter = 0;

beforeAll(async () => {
  ledger = await freshLedger("verify");
});
afterAll(async () => ledger?.close());

const SIZE = 200;

function seed(size = SIZE): Promise<SeededLog> {
  return seedLog(ledger.writer, `log-${++counter}`, size);
}

const configs: [string, Partial<VerifyOptions>][] = [
  ["in one thread", { threads: 0 }],
  ["on two threads in 16-entry ranges", { threads: 2, rangeLevel: 4 }],
];

describe.each(configs)("verifier %s", (_label, config) => {
  const verify = (name: string, extra: Partial<VerifyOptions> = {}) =>
    verifyLog(ledger.adminStore, name, { url: ledger.url, schema: ledger.schema, publicKey: key.publicKey, ...config, ...extra });

  it("verifies an untouched log and its checkpoints", async () => {
    const log = await seed();
    const { checkpoint } = await checkpointLog(ledger.store, log.name, key.privateKey);
    await new Appender(ledger.writer).append(log.name, [{ kind: "deploy", actor: "a", action: "b", resource: "c" }]);
    await checkpointLog(ledger.store, log.name, key.privateKey);
    const report = await verify(log.name, { checkpointNote: checkpoint.note });
    expect(report.findings).toEqual([]);
    expect(report.verified).toBe(true);
    expect(report.size).toBe(SIZE + 1);
    expect(report.entriesChecked).toBeGreaterThanOrEqual(SIZE + 1);
    expect(report.checkpointsChecked).toBe(3);
  });

  it("verifies entries with awkward text and timestamps, and catches an edit to any of them", async () => {
    const name = `log-${++counter}`;
    const log = await createLog(ledger.writer, name, { origin: `test.example/"q\\"/${name}` });
    const texts = ["é€😀", 'q"uote \\ back', "new\nline\ttab\r", "\u0001\u001f\u007f", "\u2028\u2029", "x".repeat(1000), "€".repeat(1000)];
    const times = ["0001-01-01T00:00:00.000Z", "1969-12-31T23:59:59.999Z", "2000-02-29T23:59:59.999Z", "2024-02-29T00:00:00.001Z", "2100-03-01T12:00:00.000Z", "9999-12-31T23:59:59.999Z"];
    const events = Array.from({ length: 42 }, (_, i) => ({
      kind: "edge.case", actor: texts[i % texts.length]!, action: texts[(i + 1) % texts.length]!, resource: `r/${texts[(i + 2) % texts.length]}`,
      source: i % 2 ? texts[(i + 3) % texts.length]! : undefined, outcome: i % 3 ? ("success" as const) : ("failure" as const),
      occurredAt: times[i % times.length]!, tags: i % 4 === 0 ? [] : texts.slice(0, i % texts.length + 1).map((t) => t.slice(0, 128)),
      payload: { text: texts[i % texts.length], n: i },
    }));
    await new Appender(ledger.writer).append(name, events);
    const clean = await verify(name);
    expect([clean.findings, clean.entriesChecked]).toEqual([[], 42]);
    await asAttacker(ledger.admin, async (tx) => {
      await tx`update entries set occurred_at = occurred_at + interval '1 millisecond' where log_id = ${log.id} and seq = 31`;
      await tx`update entries set tags = array_append(tags, '€') where log_id = ${log.id} and seq = 22`;
      await tx`update entries set actor = ${texts[2]! + " "} where log_id = ${log.id} and seq = 9`;
    });
    const r = await verify(name);
    expect([r.tamperClass, r.firstBadSeq]).toEqual(["metadata_edited", 9]);
    expect(r.findings.map((f) => [f.class, f.seq])).toEqual([["metadata_edited", 9], ["metadata_edited", 22], ["metadata_edited", 31]]);
  });

  it("catches an edited payload", async () => {
    const log = await seed();
    await asAttacker(ledger.admin, (tx) => tx`update entries set payload = '{"n":1}' where log_id = ${log.id} and seq = 57`);
    const r = await verify(log.name);
    expect([r.verified, r.tamperClass, r.firstBadSeq]).toEqual([false, "payload_edited", 57]);
  });

  it("catches edited metadata", async () => {
    const log = await seed();
    await asAttacker(ledger.admin, (tx) => tx`update entries set actor = 'mallory' where log_id = ${log.id} and seq = 101`);
    const r = await verify(log.name);
    expect([r.tamperClass, r.firstBadSeq]).toEqual(["metadata_edited", 101]);
  });

  it("catches a deleted row", async () => {
    const log = await seed();
    await asAttacker(ledger.admin, (tx) => tx`delete from entries where log_id = ${log.id} and seq = 33`);
    const r = await verify(log.name);
    expect([r.tamperClass, r.firstBadSeq]).toEqual(["entry_deleted", 33]);
  });

  it("catches a deleted row whose followers were renumbered", async () => {
    const log = await seed();
    await asAttacker(ledger.admin, async (tx) => {
      await tx`delete from entries where log_id = ${log.id} and seq = 70`;
      await tx`update entries set seq = seq + 100000 where log_id = ${log.id} and seq > 70`;
      await tx`update entries set seq = seq - 100001 where log_id = ${log.id} and seq > 100000`;
    });
    const r = await verify(log.name);
    expect([r.tamperClass, r.firstBadSeq]).toEqual(["entry_deleted", 70]);
  });

  it("catches an inserted row, even one whose hashes the attacker computed", async () => {
    const log = await seed();
    await asAttacker(ledger.admin, (tx) => insertForged(tx, log, 90));
    const r = await verify(log.name);
    expect([r.tamperClass, r.firstBadSeq]).toEqual(["entry_inserted", 90]);
  });

  it("catches reordered rows (two seqs swapped, far apart and adjacent)", async () => {
    const far = await seed();
    const near = await seed();
    await asAttacker(ledger.admin, async (tx) => {
      for (const [log, a, b] of [[far, 20, 150], [near, 120, 121]] as const) await swapEntries(tx, log.id, a, b);
    });
    const r1 = await verify(far.name);
    expect([r1.tamperClass, r1.firstBadSeq]).toEqual(["entries_reordered", 20]);
    const r2 = await verify(near.name);
    expect([r2.tamperClass, r2.firstBadSeq]).toEqual(["entries_reordered", 120]);
  });

  it("catches a truncated tail against an earlier checkpoint, in the database or held outside it", async () => {
    const log = await seed();
    const { checkpoint } = await checkpointLog(ledger.store, log.name, key.privateKey);
    await asAttacker(ledger.admin, (tx) => tx`delete from entries where log_id = ${log.id} and seq >= 180`);
    const r1 = await verify(log.name);
    expect([r1.tamperClass, r1.firstBadSeq]).toEqual(["tail_truncated", 180]);
    // A thorough attacker also removes the checkpoints and nodes the database holds …
    await asAttacker(ledger.admin, async (tx) => {
      await tx`delete from checkpoints where log_id = ${log.id}`;
      await tx`delete from merkle_nodes where log_id = ${log.id} and (idx + 1) * (1::bigint << level) > 180`;
    });
    expect((await verify(log.name)).verified).toBe(true);
    // … which the checkpoint held outside still catches.
    const r2 = await verify(log.name, { checkpointNote: checkpoint.note });
    expect([r2.tamperClass, r2.firstBadSeq]).toEqual(["tail_truncated", 180]);
  });

  it("catches a forged checkpoint signature", async () => {
    const log = await seed();
    await checkpointLog(ledger.store, log.name, key.privateKey);
    const mallory = testKey();
    await asAttacker(ledger.admin, async (tx) => {
      const [cp] = await tx<{ size: number; root: Buffer }[]>`select size, root from checkpoints where log_id = ${log.id}`;
      const note = signCheckpoint({ origin: log.origin, size: cp!.size, root: cp!.root }, ed25519Signer(log.origin, mallory.privateKey));
      await tx`update checkpoints set note = ${note} where log_id = ${log.id}`;
    });
    const r = await verify(log.name);
    expect(r.tamperClass).toBe("checkpoint_forged");
    expect(r.findings[0]!.checkpointSize).toBe(SIZE);
  });

  it("catches history rewritten with recomputed hashes against an earlier checkpoint", async () => {
    const log = await seed();
    await checkpointLog(ledger.store, log.name, key.privateKey); // size 200, held outside
    const outside = (await ledger.admin<{ note: string }[]>`select note from checkpoints where log_id = ${log.id}`)[0]!.note;
    await asAttacker(ledger.admin, async (tx) => {
      await tx`update entries set payload = '{"n":-1}', actor = 'mallory' where log_id = ${log.id} and seq = 120`;
      await recomputeAll(tx, log.id, log.origin);
      await tx`delete from checkpoints where log_id = ${log.id}`;
    });
    // Self-consistent: only the signed checkpoint held outside the database can tell.
    expect((await verify(log.name)).verified).toBe(true);
    const r = await verify(log.name, { checkpointNote: outside });
    expect(r.tamperClass).toBe("history_rewritten");
    expect(r.firstBadSeq).toBeLessThanOrEqual(120);
    expect(r.findings[0]!.until).toBeGreaterThan(120);
  });

  it("catches a history rewrite after a checkpoint still in the database, naming the range", async () => {
    const log = await seed();
    await checkpointLog(ledger.store, log.name, key.privateKey);
    await new Appender(ledger.writer).append(log.name, Array.from({ length: 40 }, (_, i) => ({ kind: "deploy", actor: "x", action: "y", resource: `z/${i}` })));
    await checkpointLog(ledger.store, log.name, key.privateKey); // size 240
    await asAttacker(ledger.admin, async (tx) => {
      await tx`update entries set resource = 'elsewhere' where log_id = ${log.id} and seq = 222`;
      await recomputeAll(tx, log.id, log.origin);
    });
    const r = await verify(log.name);
    expect([r.tamperClass, r.firstBadSeq, r.findings[0]!.until]).toEqual(["history_rewritten", 200, 240]);
  });

  it("reports values no entry can hold as tampering instead of failing", async () => {
    const a = await seed();
    const b = await seed();
    await asAttacker(ledger.admin, async (tx) => {
      await tx`update entries set tags = '{NULL}' where log_id = ${a.id} and seq = 10`;
      await tx`update entries set occurred_at = 'infinity' where log_id = ${b.id} and seq = 20`;
    });
    const r1 = await verify(a.name);
    expect([r1.tamperClass, r1.firstBadSeq]).toEqual(["metadata_edited", 10]);
    const r2 = await verify(b.name);
    expect([r2.tamperClass, r2.firstBadSeq]).toEqual(["metadata_edited", 20]);
  });

  it("reports a row deleted at a range boundary once", async () => {
    const log = await seed();
    await asAttacker(ledger.admin, (tx) => tx`delete from entries where log_id = ${log.id} and seq = 15`);
    const r = await verify(log.name);
    expect([r.tamperClass, r.firstBadSeq]).toEqual(["entry_deleted", 15]);
    expect(r.findings.filter((f) => f.class === "entry_deleted")).toHaveLength(1);
    expect(r.entriesChecked).toBe(SIZE - 1);
  });

  it("catches an edited chain hash and an edited Merkle node", async () => {
    const a = await seed();
    const b = await seed();
    await asAttacker(ledger.admin, async (tx) => {
      await tx`update entries set chain_hash = ${Buffer.alloc(32, 7)} where log_id = ${a.id} and seq = 44`;
      await tx`update merkle_nodes set hash = ${Buffer.alloc(32, 9)} where log_id = ${b.id} and level = 4 and idx = 2`;
    });
    const r1 = await verify(a.name);
    expect([r1.tamperClass, r1.firstBadSeq]).toEqual(["chain_broken", 44]);
    const r2 = await verify(b.name);
    expect([r2.tamperClass, r2.firstBadSeq]).toEqual(["merkle_node_mismatch", 32]);
  });
});
