import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chainHash, GENESIS_CHAIN_HASH } from "../../src/core/entry/index.js";
import { compactRoot, rootFromLeafHashes } from "../../src/core/merkle/index.js";
import { Appender, lockLog } from "../../src/ledger/postgres/appender.js";
import { connect, type Sql } from "../../src/ledger/postgres/db.js";
import { LedgerError } from "../../src/ledger/errors.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { loadFrontier } from "../../src/ledger/tree.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
beforeAll(async () => {
  ledger = await freshLedger("appender");
});
afterAll(async () => ledger?.close());

const event = (i: number, extra: Record<string, unknown> = {}) => ({
  kind: "deploy",
  actor: `user-${i % 7}`,
  action: "deploy.start",
  resource: `service/${i}`,
  payload: { i, note: "ünïcødé ✓", nested: { b: 1, a: [1, 2] } },
  ...extra,
});

async function storedChain(logId: number) {
  return ledger.admin<{ seq: number; leafHash: Buffer; chainHash: Buffer }[]>`
    select seq, leaf_hash as "leafHash", chain_hash as "chainHash" from entries where log_id = ${logId} order by seq`;
}

describe("appender", () => {
  it("appends batches with gapless seqs, a valid chain and stored nodes giving the root", async () => {
    const log = await createLog(ledger.writer, "batches", { origin: "test.example/batches" });
    const appender = new Appender(ledger.writer);
    for (const n of [1, 2, 5, 64, 100]) {
      const receipts = await appender.append("batches", Array.from({ length: n }, (_, i) => event(i)));
      expect(receipts.every((r) => !r.duplicate)).toBe(true);
    }
    const rows = await storedChain(log.id);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 172 }, (_, i) => i));
    let chain = GENESIS_CHAIN_HASH;
    for (const row of rows) {
      chain = chainHash(chain, row.leafHash);
      expect(Buffer.from(chain).equals(row.chainHash)).toBe(true);
    }
    // A fresh appender (cold cache) rebuilds the frontier from the stored nodes.
    const frontier = await loadFrontier(ledger.adminStore, log.id, rows.length);
    expect(Buffer.from(compactRoot(frontier))).toEqual(Buffer.from(rootFromLeafHashes(rows.map((r) => r.leafHash))));
    const cold = new Appender(ledger.writer);
    await cold.append("batches", [event(999)]);
    const after = await storedChain(log.id);
    expect(after).toHaveLength(173);
    const frontier2 = await loadFrontier(ledger.adminStore, log.id, 173);
    expect(Buffer.from(compactRoot(frontier2))).toEqual(Buffer.from(rootFromLeafHashes(after.map((r) => r.leafHash))));
  });

  it("returns the original seq for a re-sent idempotency key and appends nothing", async () => {
    await createLog(ledger.writer, "idem", { origin: "test.example/idem" });
    const appender = new Appender(ledger.writer);
    const first = await appender.append("idem", [event(1, { idempotencyKey: "k-1" }), event(2, { idempotencyKey: "k-2" })]);
    const again = await new Appender(ledger.writer).append("idem", [
      event(3, { idempotencyKey: "k-2" }),
      event(4, { idempotencyKey: "k-3" }),
      event(5, { idempotencyKey: "k-3" }),
    ]);
    expect(first.map((r) => [r.seq, r.duplicate])).toEqual([[0, false], [1, false]]);
    // Events without a key get one made from their seq.
    const keyless = await appender.append("idem", [event(9)]);
    expect(keyless[0]!.idempotencyKey).toBe(`sealtrail:seq:${keyless[0]!.seq}`);
    expect(again.map((r) => [r.seq, r.duplicate])).toEqual([[1, true], [2, false], [2, true]]);
    expect(Buffer.from(again[0]!.leafHash)).toEqual(Buffer.from(first[1]!.leafHash));
    const [{ count }] = (await ledger.admin<{ count: number }[]>`select count(*)::int as count from entries e join logs l on l.id = e.log_id where l.name = 'idem'`) as unknown as [{ count: number }];
    expect(count).toBe(4);
  });

  it("keeps one gapless chain under 32 concurrent appenders", async () => {
    const log = await createLog(ledger.writer, "concurrent", { origin: "test.example/concurrent" });
    const appenders = Array.from({ length: 32 }, () => new Appender(ledger.writer));
    await Promise.all(
      appenders.map(async (a, w) => {
        for (let b = 0; b < 3; b++) {
          await a.append("concurrent", Array.from({ length: 10 }, (_, i) => event(i, { idempotencyKey: `w${w}-b${b}-${i}` })));
        }
      }),
    );
    const rows = await storedChain(log.id);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 960 }, (_, i) => i));
    let chain = GENESIS_CHAIN_HASH;
    for (const row of rows) chain = chainHash(chain, row.leafHash);
    expect(Buffer.from(chain)).toEqual(rows.at(-1)!.chainHash);
    const frontier = await loadFrontier(ledger.adminStore, log.id, rows.length);
    expect(Buffer.from(compactRoot(frontier))).toEqual(Buffer.from(rootFromLeafHashes(rows.map((r) => r.leafHash))));
  });

  it("rejects a batch holding one invalid event and stores nothing of it", async () => {
    const log = await createLog(ledger.writer, "invalid", { origin: "test.example/invalid" });
    const appender = new Appender(ledger.writer);
    const bad = [
      { ...event(1), kind: "Not A Kind" },
      { ...event(1), outcome: "maybe" },
      { ...event(1), actor: "" },
      { ...event(1), occurredAt: "yesterday" },
      { ...event(1), payload: { x: Number.NaN } },
      { ...event(1), resource: "bad\ud800" },
      { ...event(1), payload: { big: "x".repeat(2 << 20) } },
    ];
    for (const b of bad) {
      const error = await appender.append("invalid", [event(0), b as never]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LedgerError);
      expect((error as LedgerError).code).toBe("INVALID_INPUT");
    }
    const missing = await appender.append("no-such-log", [event(0)]).catch((e: unknown) => e);
    expect((missing as LedgerError).code).toBe("LOG_NOT_FOUND");
    const [{ count }] = (await ledger.admin<{ count: number }[]>`select count(*)::int as count from entries where log_id = ${log.id}`) as unknown as [{ count: number }];
    expect(count).toBe(0);
  });

  it("rolls back a batch whose invalid event comes after rows were already streamed, and goes on", async () => {
    const log = await createLog(ledger.writer, "late-invalid", { origin: "test.example/late-invalid" });
    // One connection, so the next append runs where the aborted COPY did.
    const sql = connect({ url: ledger.url, schema: ledger.schema, role: "writer", max: 1 });
    try {
      const appender = new Appender(sql);
      await appender.append("late-invalid", [event(0)]);
      const batch = Array.from({ length: 600 }, (_, i) => event(i + 1, { payload: { i, pad: "x".repeat(400) } }));
      batch[550] = { ...batch[550]!, kind: "Not A Kind" };
      const error = await appender.append("late-invalid", batch).catch((e: unknown) => e);
      expect((error as LedgerError).code).toBe("INVALID_INPUT");
      expect((error as LedgerError).message).toMatch(/^event 550: /);
      expect(await storedChain(log.id)).toHaveLength(1);
      const [next] = await appender.append("late-invalid", [event(2)]);
      expect(next!.seq).toBe(1);
      expect((await storedChain(log.id)).map((r) => r.seq)).toEqual([0, 1]);
    } finally {
      await sql.end();
    }
  });

  it("stores text exactly: newlines, tabs, backslashes, quotes and unicode in every field", async () => {
    const log = await createLog(ledger.writer, "text", { origin: "test.example/text" });
    const nasty = 'a\tb\nc\\d"e\r\u2028😀\\N';
    await new Appender(ledger.writer).append("text", [
      { kind: "custom", actor: nasty, action: nasty, resource: nasty, source: nasty, tags: [nasty, "x,y", "{}"], payload: { s: nasty } },
    ]);
    const [row] = await ledger.admin<{ actor: string; tags: string[]; payload: string }[]>`
      select actor, tags, payload from entries where log_id = ${log.id}`;
    expect(row!.actor).toBe(nasty);
    expect(row!.tags).toEqual([nasty, "x,y", "{}"].sort());
    expect(JSON.parse(row!.payload)).toEqual({ s: nasty });
  });

  it("stores timestamps exactly across the years Postgres and the leaf share, and empty tags", async () => {
    const log = await createLog(ledger.writer, "times", { origin: "test.example/times" });
    const times = ["0001-01-01T00:00:00.000Z", "1969-12-31T23:59:59.999Z", "2000-01-01T00:00:00.000Z", "2024-02-29T12:34:56.789Z", "2286-11-20T17:46:40.001Z", "9999-12-31T23:59:59.999Z"];
    await new Appender(ledger.writer, { now: () => new Date("9999-12-31T23:59:59.999Z") }).append(
      "times",
      times.map((occurredAt, i) => ({ kind: "custom", actor: "a", action: "b", resource: `r/${i}`, occurredAt, tags: [] })),
    );
    const rows = await ledger.admin<{ occurred: string; recorded: string; tags: string[] }[]>`
      select to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as occurred,
             to_char(recorded_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as recorded, tags
      from entries where log_id = ${log.id} order by seq`;
    expect(rows.map((r) => r.occurred)).toEqual(times);
    expect(rows.every((r) => r.recorded === "9999-12-31T23:59:59.999Z" && r.tags.length === 0)).toBe(true);
  });

  it("does not wait on a log of the same id in another schema of the database", async () => {
    const other = await freshLedger("appender_other");
    try {
      const log = await createLog(other.writer, "elsewhere", { origin: "test.example/elsewhere" });
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const taken = new Promise<void>((resolve) => (locked = resolve));
      // This file's ledger holds the lock of its own log with that id (whether or not it exists).
      const holder = ledger.admin.begin(async (tx) => {
        await lockLog(tx as unknown as Sql, log.id);
        locked();
        await held;
      });
      await taken;
      const appended = new Appender(other.writer).append("elsewhere", [event(1)]);
      const outcome = await Promise.race([appended.then(() => "appended"), new Promise((r) => setTimeout(r, 3000, "waited"))]);
      release();
      await holder;
      expect(outcome).toBe("appended");
    } finally {
      await other.close();
    }
  });
});
