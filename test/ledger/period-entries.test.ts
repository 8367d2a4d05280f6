/**
 * The period's entries as the pack builder streams them: windows read ahead while the caller
 * works, handed out in small batches, in seq order and whole; a caller that stops early leaves
 * no query behind it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventInput } from "../../src/core/entry/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { connect } from "../../src/ledger/postgres/db.js";
import { createLog, type Log } from "../../src/ledger/postgres/logs.js";
import { PostgresLedgerStore } from "../../src/ledger/postgres/postgres-store.js";
import type { PackEntry } from "../../src/core/pack/index.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

const SIZE = 11_234;
let ledger: TestLedger;
let log: Log;

const event = (i: number): EventInput => ({
  kind: "config.change", actor: `user-${i % 13}`, action: "set", resource: `service/${i}`, source: "cli",
  occurredAt: new Date(Date.UTC(2026, 2, 1, 0, 0, 0, i * 997)), tags: i % 3 ? ["b", "a"] : [], payload: { i, text: "é€😀".repeat(i % 4) },
});

beforeAll(async () => {
  ledger = await freshLedger("periodentries");
  log = await createLog(ledger.writer, "period", { origin: "period.example/log" });
  const appender = new Appender(ledger.writer);
  for (let at = 0; at < SIZE; at += 2000) await appender.append(log.name, Array.from({ length: Math.min(2000, SIZE - at) }, (_, k) => event(at + k)));
}, 120_000);

afterAll(async () => {
  await ledger?.close();
});

async function streamed(store: PostgresLedgerStore, from: number, to: number): Promise<{ entries: PackEntry[]; batches: number[] }> {
  const entries: PackEntry[] = [];
  const batches: number[] = [];
  for await (const batch of store.streamEntries(log.id, log.origin, from, to)) {
    batches.push(batch.length);
    entries.push(...batch);
    // The caller's work between batches, which the read ahead overlaps.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { entries, batches };
}

describe("a period's entries, read ahead", () => {
  it("come in seq order, none missing, in batches of a few hundred, the same whatever the range's bounds", async () => {
    const { entries, batches } = await streamed(ledger.store, 0, SIZE);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: SIZE }, (_, i) => i));
    // 200 at a time, or a little more when the last block read holds more rows.
    expect(Math.max(...batches)).toBeLessThan(1000);
    expect(batches.length).toBeGreaterThan(SIZE / 500);
    expect(batches.every((n) => n > 0)).toBe(true);
    expect(entries[7]).toMatchObject({ log: log.origin, seq: 7, actor: "user-7", resource: "service/7", tags: ["a", "b"], payload: '{"i":7,"text":"é€😀é€😀é€😀"}' });
    expect(entries[7]!.occurredAt).toBe(new Date(Date.UTC(2026, 2, 1, 0, 0, 0, 7 * 997)).toISOString());
    // Across a window's edge (5,000 a query), and a range inside one window.
    for (const [from, to] of [[4_990, 10_010], [123, 456], [SIZE - 3, SIZE]] as const) expect((await streamed(ledger.store, from, to)).entries).toEqual(entries.slice(from, to));
    expect((await streamed(ledger.store, 5, 5)).batches).toEqual([]);
  });

  it("leave no query running when the caller stops early, even on a single connection", async () => {
    const one = connect({ url: ledger.url, schema: ledger.schema, role: "writer", max: 1 });
    try {
      const store = new PostgresLedgerStore(one, ledger.schema);
      for await (const batch of store.streamEntries(log.id, log.origin, 0, SIZE)) {
        expect(batch[0]!.seq).toBe(0);
        break;
      }
      // The connection serves the next queries: the read ahead does not keep it.
      expect(await store.chainHashAt(log.id, SIZE - 1)).toHaveLength(32);
      expect((await streamed(store, 9_000, SIZE)).entries.map((e) => e.seq)).toEqual(Array.from({ length: SIZE - 9_000 }, (_, i) => 9_000 + i));
    } finally {
      await one.end();
    }
  });
});
