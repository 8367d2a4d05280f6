/**
 * The reads the console's Overview, Integrity and Evidence packs pages make: a log's search
 * index lag, its open integrity alerts (those after the newest full verified sweep), a page of
 * its signed checkpoints, and the tenant's pack builds — another tenant's never among them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertEvent, sweepEvent } from "../../src/core/sweep/index.js";
import { ensureAuditLog } from "../../src/ledger/audit-log.js";
import { checkpointLog } from "../../src/ledger/checkpointer.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { indexLogRun } from "../../src/ledger/postgres/search-indexer.js";
import { recordBuild } from "../../src/packs/pack-ledger.js";
import { apiKey, gql, startApi, type TestApi } from "../support/api.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

const key = testKey();
let ledger: TestLedger;
let api: TestApi;
let acme: string;
let globex: string;

const alert = (log: string, type: "sweep.tampered" | "witness.quorum" | "read.inconsistent", run: string, at: string) =>
  alertEvent({ id: run, type, log, tenant: "acme", at, message: `${type} on ${log}`, tamperClass: null, firstBadSeq: type === "sweep.tampered" ? 3 : null, fromSeq: null, toSize: null, run }, "sealtrail-sweep");
const sweep = (log: string, result: "verified" | "tampered", mode: "full" | "incremental", at: string) =>
  sweepEvent(log, { result, at: new Date(at), fromSeq: 0, toSize: 10, durationMs: 5, firstBadSeq: null, tamperClass: null, mode }, "sweeper");

beforeAll(async () => {
  ledger = await freshLedger("console_reads");
  await createLog(ledger.writer, "app", { tenant: "acme", origin: "test.example/app" });
  await createLog(ledger.writer, "globex-app", { tenant: "globex", origin: "test.example/globex-app" });
  const appender = new Appender(ledger.writer);
  for (let round = 0; round < 4; round++) {
    await appender.append("app", Array.from({ length: 5 }, (_, i) => ({ kind: "custom", actor: "a", action: "x", resource: `r${i}`, payload: { round, i } })));
    await checkpointLog(ledger.store, "app", key.privateKey);
  }
  const audit = await ensureAuditLog(ledger.store, "acme", "test.example");
  await appender.append(audit.name, [
    alert("app", "sweep.tampered", "old", "2026-11-01T00:00:00Z"),
    sweep("app", "verified", "full", "2026-11-02T00:00:00Z"),
    alert("app", "witness.quorum", "w1", "2026-11-03T00:00:00Z"),
    sweep("app", "verified", "incremental", "2026-11-04T00:00:00Z"),
    alert("app", "read.inconsistent", "r1", "2026-11-05T00:00:00Z"),
    alert("other", "read.inconsistent", "r2", "2026-11-05T00:00:00Z"),
  ]);
  const build = { framework: "soc2", from: "2026-10-01T00:00:00.000Z", to: "2026-11-01T00:00:00.000Z", requestedAt: "2026-11-06T00:00:00.000Z", sha256sums: new Uint8Array(32) };
  await recordBuild(ledger.store, "acme", "test.example", { ...build, packId: "acme-pack", logs: [{ log: "app", checkpoint: { size: 5, root: new Uint8Array(32), note: "n" } }], requestedBy: "api_key:k1 (officer)", buildId: "job:11111111-1111-4111-8111-111111111111" });
  await recordBuild(ledger.store, "globex", "test.example", { ...build, packId: "globex-pack", logs: [{ log: "globex-app", checkpoint: { size: 0, root: new Uint8Array(32), note: "n" } }], requestedBy: "api_key:k2 (globex)", buildId: "cli" });
  api = await startApi(ledger, {}, {}, { verifierPublicKey: key.publicKey });
  acme = await apiKey(ledger, "acme", ["events:read", "proofs:read", "packs:create"]);
  globex = await apiKey(ledger, "globex", ["events:read", "proofs:read", "packs:create"]);
});
afterAll(async () => {
  await api?.close();
  await ledger?.close();
});

describe("console reads", () => {
  it("states how far the search index is behind, and when the oldest entry it lacks was recorded", async () => {
    const q = `{ log(name: "app") { size searchIndex { indexed pending oldestPendingAt } } }`;
    const before = (await gql(api, acme, q)).data.log;
    expect(before.searchIndex).toMatchObject({ indexed: 0, pending: 20 });
    expect(Date.parse(before.searchIndex.oldestPendingAt)).toBeGreaterThan(0);
    const [row] = await ledger.admin<{ id: number }[]>`select id from logs where name = 'app'`;
    const id = row!.id;
    while ((await indexLogRun(ledger.admin, id, 8)) > 0);
    expect((await gql(api, acme, q)).data.log.searchIndex).toEqual({ indexed: 20, pending: 0, oldestPendingAt: null });
  });

  it("lists the alerts after the newest full verified sweep as open, newest first", async () => {
    const r = await gql(api, acme, `{ log(name: "app") { openAlerts { type message firstBadSeq run at recordSeq } } }`);
    expect(r.errors, r.body).toBeUndefined();
    // The tampered alert was cleared by the full sweep after it; an incremental one clears nothing.
    expect(r.data.log.openAlerts.map((a: { type: string }) => a.type)).toEqual(["read.inconsistent", "witness.quorum"]);
    expect(r.data.log.openAlerts[0]).toMatchObject({ message: "read.inconsistent on app", run: "r1", at: "2026-11-05T00:00:00.000Z" });
  });

  it("pages the signed checkpoints, largest first", async () => {
    const first = await gql(api, acme, `{ checkpoints(log: "app", first: 3) { size root note cosignatures { witness } } }`);
    expect(first.errors, first.body).toBeUndefined();
    expect(first.data.checkpoints.map((c: { size: number }) => c.size)).toEqual([20, 15, 10]);
    const rest = await gql(api, acme, `{ checkpoints(log: "app", first: 3, before: 10) { size } }`);
    expect(rest.data.checkpoints.map((c: { size: number }) => c.size)).toEqual([5]);
    const theirs = await gql(api, globex, `{ checkpoints(log: "app") { size } }`);
    expect(theirs.errors?.[0]?.message).toMatch(/no log named/i);
  });

  it("lists the tenant's own pack builds only", async () => {
    const q = `{ packBuilds { packId framework requestedBy requestId from to sha256sums request { id } } }`;
    const mine = await gql(api, acme, q);
    expect(mine.errors, mine.body).toBeUndefined();
    expect(mine.data.packBuilds).toEqual([{ packId: "acme-pack", framework: "soc2", requestedBy: "api_key:k1 (officer)", requestId: "11111111-1111-4111-8111-111111111111", from: "2026-10-01T00:00:00.000Z", to: "2026-11-01T00:00:00.000Z", sha256sums: "0".repeat(64), request: null }]);
    const theirs = await gql(api, globex, q);
    expect(theirs.data.packBuilds.map((b: { packId: string }) => b.packId)).toEqual(["globex-pack"]);
    const readOnly = await gql(api, await apiKey(ledger, "acme"), q);
    expect(readOnly.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});
