/**
 * The guarantees every LedgerStore must keep, as one suite any store runs (as BullMQ tests each
 * Redis client adapter with one suite): gapless seqs under concurrent appends, idempotency
 * keys, ranges, tree nodes, checkpoints, audit records, append-only rows, the append feed.
 * A store is given by a factory; each test works in logs of its own.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chainHash, GENESIS_CHAIN_HASH } from "../../../src/core/entry/index.js";
import { rangeNodes, rootFromLeafHashes } from "../../../src/core/merkle/index.js";
import { storedSweep, SWEEP_KIND, sweepEvent } from "../../../src/core/sweep/index.js";
import { ensureAuditLog } from "../../../src/ledger/audit-log.js";
import { checkpointLog } from "../../../src/ledger/checkpointer.js";
import { LedgerError } from "../../../src/ledger/errors.js";
import { rootAt } from "../../../src/ledger/proofs.js";
import type { LedgerStore, Log } from "../../../src/ledger/store.js";
import { nodeKey, STORED_NODE_MIN_LEVEL } from "../../../src/ledger/tree.js";
import { until } from "../../support/ingest.js";
import { testKey } from "../../support/keys.js";

/** The rows an attacker holding the store's own credentials would try to change. */
export type ProtectedRows = "log" | "entries" | "nodes" | "checkpoints";

export interface StoreUnderTest {
  store: LedgerStore;
  /** Tries to UPDATE, then to DELETE, the rows of log `logId` with the store's own credentials; each promise must reject. */
  tamper(rows: ProtectedRows, logId: number): Promise<unknown>[];
  /** Every stored row of log `logId`, as text, read past the store. */
  snapshot(logId: number): Promise<string>;
  close(): Promise<void>;
}

const event = (i: number, extra: Record<string, unknown> = {}) => ({
  kind: "deploy",
  actor: `user-${i % 5}`,
  action: "deploy.start",
  resource: `service/${i}`,
  tags: i % 2 ? ["odd"] : [],
  payload: { i },
  ...extra,
});

const rejection = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (error: unknown) => error ?? new Error("rejected"));

/** Long: it only registers the suite (one describe, each test its own short callback) for the store `open` makes. */
export function describeLedgerStore(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`LedgerStore conformance: ${name}`, () => {
    let t: StoreUnderTest;
    let store: LedgerStore;
    beforeAll(async () => {
      t = await open();
      store = t.store;
    }, 60_000);
    afterAll(async () => t?.close());

    /** A log of this test's own. */
    const newLog = (label: string, tenant = "acme"): Promise<Log> => {
      const name = `${label}-${randomBytes(3).toString("hex")}`;
      return store.createLog(name, { tenant, origin: `conformance.example/${name}` });
    };
    const allEntries = async (log: Log, to?: number) => {
      const out = [];
      for await (const batch of store.streamEntries(log.id, log.origin, 0, to ?? (await store.treeSize(log.id)))) out.push(...batch);
      return out;
    };

    it("names logs once: LOG_EXISTS for a taken name, LOG_NOT_FOUND for an unknown one", async () => {
      const log = await newLog("names");
      await expect(store.createLog(log.name, { origin: "conformance.example/other" })).rejects.toMatchObject({ code: "LOG_EXISTS" });
      await expect(store.findLog(`${log.name}-none`)).rejects.toMatchObject({ code: "LOG_NOT_FOUND" });
      expect(await store.findLog(log.name)).toEqual(log);
      expect(await store.findLogWithSize(log.name)).toEqual({ ...log, size: 0 });
      expect((await store.listLogs()).map((l) => l.name)).toContain(log.name);
      expect([await store.logExists(log.name), await store.logExists(`${log.name}-none`)]).toEqual([true, false]);
      expect(await store.tenantOf(log.id)).toBe("acme");
      expect(await store.health()).toBe("ok");
    });

    it("gives gapless seqs and one unbroken hash chain under concurrent appends", async () => {
      const log = await newLog("concurrent");
      // Eight appenders (as eight worker connections would), ten batches each, all at once.
      const appenders = Array.from({ length: 8 }, () => store.appender());
      const receipts = (
        await Promise.all(appenders.map(async (a, w) => {
          const mine = [];
          for (let b = 0; b < 10; b++) mine.push(...(await a.append(log.name, Array.from({ length: 7 }, (_, i) => event(w * 1000 + b * 10 + i)))));
          return mine;
        }))
      ).flat();
      const seqs = receipts.map((r) => r.seq).sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: 560 }, (_, i) => i));
      expect(await store.treeSize(log.id)).toBe(560);
      const entries = await allEntries(log);
      expect(entries.map((e) => e.seq)).toEqual(seqs);
      let chain = GENESIS_CHAIN_HASH;
      for (const e of entries) {
        chain = chainHash(chain, e.leafHash);
        expect(Buffer.from(e.chainHash).equals(Buffer.from(chain)), `chain at ${e.seq}`).toBe(true);
      }
      expect(await rootAt(store, log.id, 560)).toEqual(rootFromLeafHashes(entries.map((e) => e.leafHash)));
    });

    it("appends an idempotency key once: again in a batch, in a later batch, and from two appenders at once", async () => {
      const log = await newLog("idempotent");
      const [first, again] = await store.appender().append(log.name, [event(1, { idempotencyKey: "k-1" }), event(1, { idempotencyKey: "k-1" })]);
      expect(first).toMatchObject({ seq: 0, duplicate: false, idempotencyKey: "k-1" });
      expect(again).toMatchObject({ seq: 0, duplicate: true });
      const [later] = await store.appender().append(log.name, [event(1, { idempotencyKey: "k-1" })]);
      expect(later).toMatchObject({ seq: 0, duplicate: true });
      expect(Buffer.from(later!.leafHash).equals(Buffer.from(first!.leafHash))).toBe(true);
      const raced = await Promise.all([store.appender(), store.appender()].map((a) => a.append(log.name, [event(2, { idempotencyKey: "k-2" })])));
      expect(raced.flat().map((r) => r.seq)).toEqual([1, 1]);
      expect(raced.flat().filter((r) => r.duplicate)).toHaveLength(1);
      expect(await store.treeSize(log.id)).toBe(2);
      expect(await store.entryByKey(log.id, "k-2")).toMatchObject({ seq: 1 });
      expect(await store.entryByKey(log.id, "k-none")).toBeUndefined();
    });

    it("rejects a batch with one invalid event whole (INVALID_INPUT), storing nothing", async () => {
      const log = await newLog("invalid");
      const error = await rejection(store.appender().append(log.name, [event(0), { ...event(1), kind: "" }]));
      expect(error).toBeInstanceOf(LedgerError);
      expect(error).toMatchObject({ code: "INVALID_INPUT" });
      expect(await store.treeSize(log.id)).toBe(0);
    });

    it("reads ranges: windows in seq order, single entries, chain hashes, and the seq of a time", async () => {
      let now = Date.parse("2026-03-01T00:00:00Z");
      const log = await newLog("ranges");
      const appender = store.appender({ now: () => new Date(now) });
      for (let b = 0; b < 5; b++) {
        await appender.append(log.name, Array.from({ length: 3 }, (_, i) => event(b * 3 + i)));
        now += 60_000;
      }
      const all = await allEntries(log);
      const middle = [];
      for await (const batch of store.streamEntries(log.id, log.origin, 4, 11)) middle.push(...batch);
      expect(middle.map((e) => e.seq)).toEqual([4, 5, 6, 7, 8, 9, 10]);
      expect(middle).toEqual(all.slice(4, 11));
      expect((await store.findEntry(log.id, 7))?.resource).toBe("service/7");
      expect(await store.findEntry(log.id, 15)).toBeUndefined();
      expect((await store.findEntryRun(log.id, 2, 9, { actor: "user-3" })).map((e) => e.seq)).toEqual([3, 8]);
      expect(await store.chainHashAt(log.id, -1)).toEqual(new Uint8Array(32));
      expect(await store.chainHashAt(log.id, 14)).toEqual(all[14]!.chainHash);
      expect(await store.chainHashAt(log.id, 15)).toBeUndefined();
      // Batch b was recorded at minute b: minute 2 starts at seq 6.
      expect(await store.seqRecordedFrom(log.id, 15, new Date(Date.parse("2026-03-01T00:02:00Z")))).toBe(6);
      expect(await store.seqRecordedFrom(log.id, 15, new Date(Date.parse("2026-03-02T00:00:00Z")))).toBe(15);
      const sizes = await store.logSizes();
      expect(sizes.get(log.id)).toBe(15);
      expect(await store.resolveLogIds([log.name, `${log.name}-none`])).toEqual({ ids: [log.id], missing: [`${log.name}-none`] });
      const page = await store.findEntries({ logIds: [log.id], tags: ["odd"] }, 3);
      expect(page.map((e) => e.seq)).toEqual([1, 3, 5]);
    });

    it("keeps the tree's nodes: every level, by id, by level and in spans, INCONSISTENT for one not there", async () => {
      const log = await newLog("nodes");
      await store.appender().append(log.name, Array.from({ length: 100 }, (_, i) => event(i)));
      const leaves = (await allEntries(log)).map((e) => e.leafHash);
      const subtree = (level: number, index: number) => rootFromLeafHashes(leaves.slice(index * 2 ** level, (index + 1) * 2 ** level));
      const ids = [{ level: 0, index: 99 }, { level: 2, index: 3 }, { level: 4, index: 5 }, { level: 5, index: 2 }, { level: 6, index: 0 }];
      for (const ref of [log.id, log.name]) {
        const found = await store.fetchNodes(ref, ids);
        for (const id of ids) expect(new Uint8Array(found.get(nodeKey(id.level, id.index))!), `${id.level}/${id.index}`).toEqual(subtree(id.level, id.index));
      }
      await expect(store.fetchNodes(log.id, [{ level: 4, index: 6 }])).rejects.toMatchObject({ code: "INCONSISTENT" });
      const level4 = await store.levelNodes(log.id, STORED_NODE_MIN_LEVEL, 6);
      expect(level4.map((n) => [n.idx, new Uint8Array(n.hash)])).toEqual([0, 1, 2, 3, 4, 5].map((i) => [i, subtree(4, i)]));
      expect((await store.nodesAbove(log.id, STORED_NODE_MIN_LEVEL)).map((n) => `${n.level}/${n.idx}`).sort()).toEqual(["5/0", "5/1", "5/2", "6/0"]);
      const scanned: number[] = [];
      const rows = await store.scanNodes(log.id, [{ level: 4, first: 2, width: 3 }, { level: 5, first: 0, width: 2 }], (row, f) => scanned.push(row.readInt16BE(f[0]!)));
      expect([rows, scanned.sort()]).toEqual([5, [4, 4, 4, 5, 5]]);
      expect(await rootAt(store, log.id, 100)).toEqual(rootFromLeafHashes(leaves));
      expect(rangeNodes(0, 100).length).toBeGreaterThan(1);
    });

    it("stores checkpoints and finds them by size", async () => {
      const key = testKey();
      const log = await newLog("checkpoints");
      const appender = store.appender();
      const made = [];
      for (const n of [10, 20, 30]) {
        await appender.append(log.name, Array.from({ length: n - (await store.treeSize(log.id)) }, (_, i) => event(i)));
        made.push((await checkpointLog(store, log.name, key.privateKey)).checkpoint);
      }
      const again = await checkpointLog(store, log.name, key.privateKey);
      expect(again).toEqual({ checkpoint: made[2], created: false });
      expect((await store.listCheckpoints(log.id)).map((c) => c.size)).toEqual([10, 20, 30]);
      expect(await store.latestCheckpoint(log.id)).toEqual(made[2]);
      expect(await store.checkpointAt(log.id, 20)).toEqual(made[1]);
      expect(await store.checkpointAt(log.id, 25)).toBeUndefined();
      expect((await store.checkpointsAbove(log.id, 10)).map((c) => c.size)).toEqual([20, 30]);
      expect((await store.checkpointAtMost(log.id, 29))?.size).toBe(20);
      expect((await store.checkpointCovering(log.id, 15, 25))?.size).toBe(30);
      expect((await store.checkpointCovering(log.id, 15, 40))?.size).toBe(20);
      expect(await store.checkpointCovering(log.id, 31, 31)).toBeUndefined();
      expect(made[2]!.root).toEqual(await rootAt(store, log.id, 30));
    });

    it("records the ledger's own use in one audit log per tenant, read back by kind and by log", async () => {
      const tenant = `t${randomBytes(3).toString("hex")}`;
      const [a, b] = await Promise.all([ensureAuditLog(store, tenant, "conformance.example"), ensureAuditLog(store, tenant, "conformance.example")]);
      expect(a).toEqual(b);
      const swept = await newLog("swept", tenant);
      const at = new Date("2026-03-01T00:00:00Z");
      const record = (toSize: number) => ({ result: "verified" as const, at, fromSeq: 0, toSize, durationMs: 5, firstBadSeq: null, tamperClass: null, mode: "full" as const, message: null });
      await store.appender().append(a!.name, [1, 2, 3].map((n) => sweepEvent(swept.name, record(n * 10), "conformance", `sweep-${n}`)));
      const last = await store.lastSweepRecord(a!.name, swept.name);
      expect(last).toMatchObject({ toSize: 30, recordSeq: 2 });
      expect((await store.sweepRecords(a!.name, swept.name, 5, 2)).map((r) => r.toSize)).toEqual([20, 10]);
      const payloads = await store.payloadsOfKind(a!.name, SWEEP_KIND);
      expect(payloads.map((p) => storedSweep(p, at).toSize)).toEqual([10, 20, 30]);
      // The seqs of a kind from a seq on (a pack's attestations recorded after its period).
      expect(await store.seqsOfKind(a!.id, SWEEP_KIND, 1)).toEqual([1, 2]);
      expect(await store.seqsOfKind(a!.id, "no-such-kind", 0)).toEqual([]);
    });

    it("refuses to change or remove stored rows, even to its own credentials", async () => {
      const key = testKey();
      const log = await newLog("append-only");
      await store.appender().append(log.name, Array.from({ length: 16 }, (_, i) => event(i)));
      await checkpointLog(store, log.name, key.privateKey);
      const before = await t.snapshot(log.id);
      for (const rows of ["log", "entries", "nodes", "checkpoints"] as const) {
        for (const attempt of t.tamper(rows, log.id)) expect(await rejection(attempt), rows).toBeDefined();
      }
      expect(await t.snapshot(log.id)).toBe(before);
      expect(await store.treeSize(log.id)).toBe(16);
    });

    it("announces each committed batch to listeners, with its log and seqs", async () => {
      const log = await newLog("feed");
      const notices: { logId: number; from: number; to: number }[] = [];
      let connected!: () => void;
      const ready = new Promise<void>((resolve) => (connected = resolve));
      const listening = await store.listenAppends((n) => n.logId === log.id && notices.push(n), () => connected());
      try {
        await ready;
        await store.appender().append(log.name, [event(0), event(1)]);
        await store.appender().append(log.name, [event(2)]);
        await until("two notices", () => notices.length >= 2, 10_000);
        expect(notices).toEqual([{ logId: log.id, from: 0, to: 2 }, { logId: log.id, from: 2, to: 3 }]);
      } finally {
        await listening.unlisten();
      }
    });
  });
}
