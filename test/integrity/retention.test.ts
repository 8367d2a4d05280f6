/**
 * Retention on a log with backdated entries (PCI DSS 10.5.1): the run moves what is past the
 * hot window to the archive, up to a signed checkpoint, and records it; the archive verifies
 * offline with an independent tlog-tiles client (Go sumdb/tlog) and through the verifier;
 * proofs, tiles, packs' reads and appends go on across the archived prefix; rows removed
 * without the archive's record, or with a forged one, are tampering.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyConsistency, verifyInclusion } from "../../src/core/merkle/index.js";
import { vkeyString } from "../../src/core/note/index.js";
import { retainLog, type RetentionDeps } from "../../src/integrity/retention-run.js";
import { verifyLog } from "../../src/integrity/verify-log.js";
import { auditLogName, checkpointLog, consistencyProofFor, DirectoryArchive, inclusionProofFor, type LedgerStore, withArchive } from "../../src/ledger/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { runCli } from "../support/cli.js";
import { buildGoClient, goClient } from "../support/go-client.js";
import { testKey } from "../support/keys.js";
import { asAttacker, freshLedger, type TestLedger } from "../support/ledger.js";

const DAY = 86_400_000;
const key = testKey();
let ledger: TestLedger;
let dir: string;
let counter = 0;

beforeAll(async () => {
  [ledger, dir] = await Promise.all([freshLedger("retention"), mkdtemp(join(tmpdir(), "sealtrail-retention-"))]);
}, 180_000);
afterAll(async () => {
  await ledger?.close();
  await rm(dir, { recursive: true, force: true });
});

function deps(archive: DirectoryArchive): RetentionDeps {
  return { store: ledger.store, archive, url: ledger.url, schema: ledger.schema, publicKey: key.publicKey, witness: undefined, originPrefix: "test.example", alerts: { raise: async () => {} }, threads: 0 };
}

/** A log with `old` entries recorded 400 days ago (checkpointed), then `recent` recorded a day ago (checkpointed). */
async function backdatedLog(old: number, recent: number, leafVersion: 1 | 2 = 1) {
  const name = `ret-${++counter}`;
  await createLog(ledger.writer, name, { origin: `test.example/${name}`, leafVersion });
  const append = async (n: number, at: Date) => {
    const appender = new Appender(ledger.writer, { now: () => at });
    for (let done = 0; done < n; done += 500) {
      await appender.append(name, Array.from({ length: Math.min(500, n - done) }, (_, i) => ({ kind: "deploy", actor: `dev${(done + i) % 7}`, action: "ship", resource: `svc/${done + i}`, payload: { i: done + i } })));
    }
  };
  await append(old, new Date(Date.now() - 400 * DAY));
  const first = (await checkpointLog(ledger.store, name, key.privateKey)).checkpoint;
  await append(recent, new Date(Date.now() - DAY));
  const second = (await checkpointLog(ledger.store, name, key.privateKey)).checkpoint;
  return { name, first, second };
}

const verify = (name: string, extra: { threads?: number; rangeLevel?: number } = {}) =>
  verifyLog(ledger.adminStore, name, { url: ledger.url, schema: ledger.schema, publicKey: key.publicKey, threads: 0, ...extra });

async function hotCount(name: string): Promise<number> {
  const [row] = await ledger.admin<{ n: number }[]>`select count(*)::int as n from entries where log_id = (select id from logs where name = ${name})`;
  return row!.n;
}

describe.each([1, 2] as const)("a retention run on a v%i log with backdated entries", (leafVersion) => {
  let log: Awaited<ReturnType<typeof backdatedLog>>;
  let archive: DirectoryArchive;
  let store: LedgerStore;

  beforeAll(async () => {
    log = await backdatedLog(600, 100, leafVersion);
    archive = new DirectoryArchive(join(dir, `archive-v${leafVersion}`));
    store = withArchive(ledger.store);
    const outcome = await retainLog(deps(archive), log.name, { id: "run-1", at: new Date() });
    expect(outcome.record.message).toBeNull();
    expect(outcome.record.archived).toEqual({ from: 0, to: 600, location: archive.location });
  }, 120_000);

  it("moves the entries past the hot window out of the main tables and records the run", async () => {
    // v2: the expiry record joins the hot entries.
    const hot = leafVersion === 2 ? 101 : 100;
    expect(await hotCount(log.name)).toBe(hot);
    // Their search rows stay (migration 0011), and the range is recorded searchable.
    const [searchRows] = await ledger.admin<{ n: number }[]>`select count(*)::int as n from entry_search where log_id = (select id from logs where name = ${log.name}) and seq < 600`;
    expect(searchRows!.n).toBe(600);
    expect((await ledger.store.archivedRanges((await ledger.store.findLog(log.name)).id)).map((r) => r.searchable)).toEqual([true]);
    const records = await ledger.store.payloadsOfKind(auditLogName("default"), "retention");
    const mine = records.map((p) => JSON.parse(p!)).filter((p) => p.run === "run-1" && p.archived?.to === 600 && p.archived.location === archive.location);
    expect(mine).toHaveLength(1);
    // A v2 log's entries older than the clear-value period (366 days) lose their values too, under an expiry record.
    expect(mine[0]).toMatchObject({ archived: { from: 0, to: 600 }, policy: { hotDays: 92, clearDays: 366 }, expired: leafVersion === 2 ? [{ from: 0, to: 600 }] : [], held: [] });
    // A retried run records nothing twice and moves nothing more.
    const again = await retainLog(deps(archive), log.name, { id: "run-1", at: new Date() });
    expect(again.duplicate).toBe(true);
    expect(again.record.archived).toEqual({ from: 0, to: 600, location: archive.location });
    expect(again.record.expired).toEqual(leafVersion === 2 ? [{ from: 0, to: 600 }] : []);
    expect(await hotCount(log.name)).toBe(hot);
  });

  it("the archive verifies offline: an independent tlog-tiles client checks it against the signed checkpoint", async () => {
    const root = join(dir, `archive-v${leafVersion}`, log.name);
    const files = createServer((req, res) => {
      readFile(join(root, decodeURIComponent(new URL(req.url!, "http://x").pathname))).then((data) => res.writeHead(200).end(data), () => res.writeHead(404).end());
    });
    await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
    try {
      const run = await goClient(await buildGoClient(), ["verify-tiles", `http://127.0.0.1:${(files.address() as AddressInfo).port}`, vkeyString(`test.example/${log.name}`, key.publicKey)]);
      expect(run.stderr).toBe("");
      expect(JSON.parse(run.stdout)).toMatchObject({ size: 600, entries: 600, root: Buffer.from(log.first.root).toString("base64") });
    } finally {
      await new Promise((resolve) => files.close(resolve));
    }
  }, 120_000);

  it.each([[{ threads: 0 }], [{ threads: 2, rangeLevel: 6 }]])("the verifier reads the archived range (%o) and the log verifies", async (extra) => {
    const report = await verify(log.name, extra);
    expect(report.findings).toEqual([]);
    expect(report.verified).toBe(true);
    expect(report.entriesChecked).toBe(leafVersion === 2 ? 701 : 700);
    if (leafVersion === 2) expect(report.erased).toMatchObject({ values: 1800, records: [{ recordSeq: 700, kind: "expiry", request: "run-1", values: 1800 }] });
  });

  it("proofs, chain hashes and period reads span the archived prefix; appends go on", async () => {
    const inclusion = await inclusionProofFor(store, log.name, 5, 700);
    verifyInclusion(5, 700, inclusion.leafHash, inclusion.proof, log.second.root);
    const consistency = await consistencyProofFor(store, log.name, 599, 700);
    verifyConsistency(599, 700, consistency.proof, consistency.root1, log.second.root);
    expect(await store.chainHashAt(log.first.size > 0 ? (await store.findLog(log.name)).id : 0, 10)).toBeDefined();
    const id = (await store.findLog(log.name)).id;
    expect(await store.seqRecordedFrom(id, 700, new Date(Date.now() - 500 * DAY))).toBe(0);
    expect(await store.seqRecordedFrom(id, 700, new Date(Date.now() - 100 * DAY))).toBe(600);
    const seqs: number[] = [];
    for await (const batch of store.streamEntries(id, `test.example/${log.name}`, 590, 610)) seqs.push(...batch.map((e) => e.seq));
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => 590 + i));
    await new Appender(ledger.writer).append(log.name, [{ kind: "deploy", actor: "a", action: "b", resource: "c" }]);
    await checkpointLog(ledger.store, log.name, key.privateKey);
    expect((await verify(log.name)).verified).toBe(true);
  });
});

describe("removing rows from the main tables", () => {
  it("is refused without an archived range, even to the tables' owner", async () => {
    const log = await backdatedLog(40, 10);
    await expect(ledger.writer`delete from entries where log_id = (select id from logs where name = ${log.name}) and seq < 16`).rejects.toMatchObject({ code: "42501" });
    await expect(ledger.admin`delete from entries where log_id = (select id from logs where name = ${log.name}) and seq < 16`).rejects.toMatchObject({ code: "42501" });
    expect(await hotCount(log.name)).toBe(50);
  });

  it("a superuser deleting rows without the archive's record is tampering (entry_deleted)", async () => {
    const log = await backdatedLog(40, 10);
    await asAttacker(ledger.admin, (sql) => sql`delete from entries where log_id = (select id from logs where name = ${log.name}) and seq < 16`);
    const report = await verify(log.name);
    expect(report.verified).toBe(false);
    expect(report.tamperClass).toBe("entry_deleted");
    expect(report.firstBadSeq).toBe(0);
  });

  it("a forged archived range whose archive does not hold the entries is tampering", async () => {
    const log = await backdatedLog(40, 10);
    await asAttacker(ledger.admin, async (sql) => {
      const [row] = await sql<{ id: number }[]>`select id from logs where name = ${log.name}`;
      await sql`insert into archived_ranges (log_id, from_seq, to_seq, root, chain_hash, location, run)
        values (${row!.id}, 0, 40, ${Buffer.from(log.first.root)}, ${Buffer.alloc(32)}, ${new DirectoryArchive(join(dir, "empty")).location}, 'forged')`;
      await sql`delete from entries where log_id = ${row!.id} and seq < 40`;
    });
    const report = await verify(log.name);
    expect(report.verified).toBe(false);
    expect(report.tamperClass).toBe("entry_deleted");
    expect(report.firstBadSeq).toBe(0);
  });

  it("the recorded path refuses a range that is not a checkpoint's, or that would hide a gap", async () => {
    const log = await backdatedLog(40, 10);
    const id = (await ledger.store.findLog(log.name)).id;
    const range = { fromSeq: 0, toSeq: 40, root: log.first.root, chainHash: Buffer.alloc(32), location: "file:///nowhere", run: "r" };
    await expect(ledger.store.archiveRange(id, { ...range, toSeq: 39 })).rejects.toMatchObject({ code: "INCONSISTENT" });
    await expect(ledger.store.archiveRange(id, range)).rejects.toMatchObject({ code: "INCONSISTENT" });
    await asAttacker(ledger.admin, (sql) => sql`delete from entries where log_id = ${id} and seq = 7`);
    const chain = (await ledger.store.chainHashAt(id, 39))!;
    await expect(ledger.store.archiveRange(id, { ...range, chainHash: chain })).rejects.toMatchObject({ code: "INCONSISTENT" });
    expect(await hotCount(log.name)).toBe(49);
  });
});

describe("retention policies from the command line", () => {
  const env = () => ({ DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema, SEALTRAIL_ORIGIN_PREFIX: "test.example" });

  it("are set at log create, shown, changed and every change recorded; bad days are refused and store nothing", async () => {
    const created = await runCli(["log", "create", "ret-cli", "--hot-days", "120"], env());
    expect(created.stderr).toBe("");
    expect(JSON.parse((await runCli(["log", "retention", "ret-cli"], env())).stdout)).toMatchObject({ log: "ret-cli", hotDays: 120, clearDays: 366, setBy: "log create" });
    const changed = await runCli(["log", "retention", "ret-cli", "--clear-days", "400"], env());
    expect(JSON.parse(changed.stdout)).toEqual({ log: "ret-cli", hotDays: 120, clearDays: 400, previous: { hotDays: 120, clearDays: 366 } });
    for (const bad of [["--hot-days", "0"], ["--clear-days", "12x"], ["--hot-days", "99999"]]) {
      const run = await runCli(["log", "retention", "ret-cli", ...bad], env());
      expect(run.code, bad.join(" ")).toBe(2);
    }
    expect((await runCli(["log", "create", "ret-cli-2", "--hot-days", "0"], env())).code).toBe(2);
    expect(await ledger.store.logExists("ret-cli-2")).toBe(false);
    const records = (await ledger.store.payloadsOfKind(auditLogName("default"), "retention")).map((p) => JSON.parse(p!)).filter((p) => p.by !== undefined);
    expect(records).toEqual([
      { by: "log create", policy: { hotDays: 120, clearDays: 366 }, previous: null },
      { by: "cli", policy: { hotDays: 120, clearDays: 400 }, previous: { hotDays: 120, clearDays: 366 } },
    ]);
    expect(JSON.parse((await runCli(["log", "retention", "ret-cli"], env())).stdout)).toMatchObject({ hotDays: 120, clearDays: 400, setBy: "cli" });
  }, 120_000);
});
