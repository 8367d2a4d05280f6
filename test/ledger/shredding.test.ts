import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toHex } from "../../src/core/encoding/index.js";
import { valueCommitment } from "../../src/core/entry/index.js";
import { LedgerError } from "../../src/ledger/errors.js";
import { verifyLog } from "../../src/integrity/verify-log.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
beforeAll(async () => {
  ledger = await freshLedger("shredding");
});
afterAll(async () => ledger?.close());

const event = (i: number) => ({ kind: "access", actor: `person-${i % 3}@example.com`, action: "login", resource: `mailbox/${i}`, payload: { i } });

describe("leaf format v2 storage and shredding", () => {
  it("stores commitments in the entry and the salted values apart; shredding deletes them, blanks search and marks the removal", async () => {
    const log = await ledger.store.createLog("v2-shred", { origin: "test.example/v2-shred", leafVersion: 2 });
    expect(log.leafVersion).toBe(2);
    await ledger.store.appender().append("v2-shred", Array.from({ length: 6 }, (_, i) => event(i)));
    const rows = await ledger.admin<{ seq: number; actor: string; resource: string; payload: string | null; payloadHash: Buffer }[]>`
      select seq, actor, resource, payload, payload_hash as "payloadHash" from entries where log_id = ${log.id} order by seq`;
    const secrets = await ledger.admin<{ seq: number; field: number; salt: Buffer; value: string }[]>`
      select seq, field, salt, value from entry_secrets where log_id = ${log.id} order by seq, field`;
    expect(secrets).toHaveLength(18);
    for (const row of rows) {
      expect(row.payload).toBeNull();
      const [a, r, p] = secrets.filter((s) => s.seq === row.seq);
      expect([a!.value, r!.value, p!.value]).toEqual([event(row.seq).actor, event(row.seq).resource, `{"i":${row.seq}}`]);
      expect(row.actor).toBe(toHex(valueCommitment(a!.salt, a!.value)));
      expect(row.resource).toBe(toHex(valueCommitment(r!.salt, r!.value)));
      expect(toHex(row.payloadHash)).toBe(toHex(valueCommitment(p!.salt, p!.value)));
    }
    // Fresh salts: the same actor gets a different commitment in every entry.
    expect(new Set(rows.map((r) => r.actor)).size).toBe(6);
    for (const threads of [0, 2]) {
      const report = await verifyLog(ledger.adminStore, "v2-shred", { url: ledger.url, schema: ledger.schema, threads, rangeLevel: 2 });
      expect(report, `threads ${threads}`).toMatchObject({ verified: true, size: 6 });
    }

    await ledger.admin`insert into entry_search (log_id, seq, actor, resource, search)
      select ${log.id}, s.seq, a.value, r.value, to_tsvector('simple', p.value) from generate_series(0, 5) s(seq)
      join entry_secrets a on a.log_id = ${log.id} and a.seq = s.seq and a.field = 0
      join entry_secrets r on r.log_id = ${log.id} and r.seq = s.seq and r.field = 1
      join entry_secrets p on p.log_id = ${log.id} and p.seq = s.seq and p.field = 2`;
    // Seqs 0 and 3 (person-0), actor and payload, authorized by a record at seq 5.
    const result = await ledger.store.shredValues(log.id, [{ from: 0, to: 1 }, { from: 3, to: 4 }], ["actor", "payload"], 5);
    expect(result).toEqual({ removed: 4 });
    const left = await ledger.admin<{ seq: number; field: number }[]>`select seq, field from entry_secrets where log_id = ${log.id} order by seq, field`;
    expect(left.filter((s) => s.seq === 0 || s.seq === 3)).toEqual([{ seq: 0, field: 1 }, { seq: 3, field: 1 }]);
    expect(await ledger.store.removals(log.id, 0, 6)).toEqual([
      { seq: 0, field: "actor", recordSeq: 5 }, { seq: 0, field: "payload", recordSeq: 5 },
      { seq: 3, field: "actor", recordSeq: 5 }, { seq: 3, field: "payload", recordSeq: 5 },
    ]);
    const search = await ledger.admin<{ seq: number; actor: string; resource: string; search: string }[]>`
      select seq, actor, resource, search::text as search from entry_search where log_id = ${log.id} and seq in (0, 3) order by seq`;
    expect(search).toEqual([
      { seq: 0, actor: "", resource: "mailbox/0", search: "" },
      { seq: 3, actor: "", resource: "mailbox/3", search: "" },
    ]);
    // A repeat removes nothing more and is harmless.
    expect(await ledger.store.shredValues(log.id, [{ from: 0, to: 4 }], ["actor"], 5)).toEqual({ removed: 2 });
    expect(await ledger.store.shredValues(log.id, [{ from: 0, to: 4 }], ["actor"], 5)).toEqual({ removed: 0 });
  });

  it("refuses a v1 log, a record not after the seqs, and an unknown field, removing nothing", async () => {
    const v1 = await ledger.store.createLog("v1-shred", { origin: "test.example/v1-shred" });
    expect(v1.leafVersion).toBe(1);
    await ledger.store.appender().append("v1-shred", [event(0)]);
    await expect(ledger.store.shredValues(v1.id, [{ from: 0, to: 1 }], ["payload"], 1)).rejects.toMatchObject({ code: "INVALID_INPUT" });
    const v2 = await ledger.store.createLog("v2-refuse", { origin: "test.example/v2-refuse", leafVersion: 2 });
    await ledger.store.appender().append("v2-refuse", [event(0), event(1)]);
    const before = await ledger.admin`select count(*)::int as n from entry_secrets where log_id = ${v2.id}`;
    await expect(ledger.store.shredValues(v2.id, [{ from: 0, to: 2 }], ["payload"], 1)).rejects.toBeInstanceOf(LedgerError);
    await expect(ledger.store.shredValues(v2.id, [{ from: 0, to: 1 }], ["kind" as "payload"], 1)).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(ledger.store.createLog("v9", { origin: "test.example/v9", leafVersion: 9 as 2 })).rejects.toMatchObject({ code: "INVALID_INPUT" });
    expect(await ledger.admin`select count(*)::int as n from entry_secrets where log_id = ${v2.id}`).toEqual(before);
  });

  it("lets no one update a secret or a removal mark, nor the writer change a search row beyond blanking it", async () => {
    const log = await ledger.store.createLog("v2-guard", { origin: "test.example/v2-guard", leafVersion: 2 });
    await ledger.store.appender().append("v2-guard", [event(0), event(1)]);
    await ledger.store.shredValues(log.id, [{ from: 0, to: 1 }], ["resource"], 1);
    await expect(ledger.writer`update entry_secrets set value = 'x' where log_id = ${log.id}`).rejects.toMatchObject({ code: "42501" });
    await expect(ledger.admin`update entry_secrets set value = 'x' where log_id = ${log.id}`).rejects.toMatchObject({ code: "42501" });
    await expect(ledger.admin`delete from entry_removals where log_id = ${log.id}`).rejects.toMatchObject({ code: "42501" });
    await ledger.admin`insert into entry_search (log_id, seq, actor, resource, search) values (${log.id}, 1, 'a', 'r', to_tsvector('simple', 'w'))`;
    await expect(ledger.writer`update entry_search set actor = 'someone else' where log_id = ${log.id}`).rejects.toMatchObject({ code: "42501" });
    await expect(ledger.writer`delete from entry_search where log_id = ${log.id}`).rejects.toMatchObject({ code: "42501" });
    await expect(ledger.writer`update entry_search set seq = 5 where log_id = ${log.id}`).rejects.toMatchObject({ code: "42501" });
  });
});
