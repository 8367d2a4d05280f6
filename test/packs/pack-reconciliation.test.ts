/**
 * Reconciliation to the sources (issue 19, item 7): a pack over a log whose captured pane
 * stream misses a chunk seq reports the gap (source, stream, chunks missing, the entries on
 * either side) in reconciliation.json and the report, and raises a sequence-gap exception in the
 * controls that count it; chunks before the period, chunks recorded out of order and a clean
 * stream raise none; verify-pack re-derives it all byte for byte and fails an edited file.
 */
import { execFileSync } from "node:child_process";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventInput } from "../../src/core/entry/index.js";
import { checkpointLog } from "../../src/ledger/checkpointer.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { PostgresLedgerStore } from "../../src/ledger/postgres/postgres-store.js";
import { renderReport } from "../../src/packs/pdf/report.js";
import type { Reconciliation } from "../../src/packs/sequence-gaps.js";
import { verifyPack } from "../../src/packs/verify-pack.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { buildSoc2Pack, ORIGIN_PREFIX, packWorkdir, PERIOD, reseal, seedPackLedger, SMALL_SOC2_REQUEST } from "../support/packs.js";

const key = testKey();
let ledger: TestLedger;
let work: string;

/** A tmux.output chunk of pane `pane` on host db-1, server default, as capture records it. */
function chunk(pane: string, seq: number, at: string): EventInput {
  return { kind: "tmux.output", actor: "zoe", action: "pane.output", resource: "db-1", source: "tmux", occurredAt: at, payload: { server: "default", host: "db-1", session: "ops", pane, seq, offset: seq * 10, timeUs: Date.parse(at) * 1000, data: "b2sK", text: "ok\n" } };
}

beforeAll(async () => {
  ledger = await freshLedger("packrecon");
  ({ work } = packWorkdir("packrecon", key));
  await seedPackLedger(ledger.writer, key.privateKey);
  const clock = { now: new Date() };
  const appender = new Appender(ledger.writer, { now: () => clock.now });
  const append = async (log: string, when: string, events: EventInput[]) => {
    clock.now = new Date(when);
    await appender.append(log, events);
  };
  for (const log of ["ops", "ops-clean"]) {
    await createLog(ledger.writer, log, { tenant: "acme", origin: `${ORIGIN_PREFIX}/${log}` });
    // Chunks 0-2 of %1 before the period: its first chunk of the period is 3, which is no gap.
    await append(log, "2025-02-28T12:00:00Z", [0, 1, 2].map((s) => chunk("%1", s, "2025-02-28T11:00:00Z")));
    // %1: 3-9, and in ops chunk 6 never arrives; %2: 0, 2, 1, 3, recorded out of order, no gap.
    const pane1 = [3, 4, 5, 6, 7, 8, 9].filter((s) => log !== "ops" || s !== 6);
    await append(log, "2025-03-01T12:00:00Z", [...pane1.map((s) => chunk("%1", s, "2025-03-01T11:00:00Z")), ...[0, 2, 1, 3].map((s) => chunk("%2", s, "2025-03-01T11:30:00Z"))]);
    await append(log, "2025-03-05T12:00:00Z", [chunk("%1", 10, "2025-03-05T11:00:00Z")]);
    await checkpointLog(new PostgresLedgerStore(ledger.writer), log, key.privateKey);
  }
}, 120_000);

afterAll(async () => {
  await ledger?.close();
  rmSync(work, { recursive: true, force: true });
});

const request = (log: string) => ({ ...SMALL_SOC2_REQUEST, logs: [log], from: PERIOD.from, to: PERIOD.to, seed: "auditor-seed-1" });
const reconciliationOf = (dir: string) => JSON.parse(readFileSync(join(dir, "reconciliation.json"), "utf8")) as Reconciliation;

describe("reconciliation of chunk sequences", () => {
  it("reports a missing chunk with the entries around it, and raises an exception in the controls that count it", async () => {
    const dir = join(work, "gap");
    const built = await buildSoc2Pack(ledger.store, key.privateKey, dir, request("ops"));
    const r = reconciliationOf(dir);
    expect(r.sources).toEqual([{ log: "ops", source: "tmux", entries: 10 }]);
    expect(r.streams.map((s) => [s.stream, s.chunks, s.first, s.last, s.gaps])).toEqual([["db-1/default/%1", 6, 3, 9, 1], ["db-1/default/%2", 4, 0, 3, 0]]);
    expect(r.gapCount).toBe(1);
    const [gap] = r.gaps;
    expect(gap).toMatchObject({ log: "ops", source: "tmux", stream: "db-1/default/%1", from: 6, to: 6, missing: 1, before: { chunk: 5 }, after: { chunk: 7 }, notShownBetween: 0 });
    const x = built.model.exceptions.filter((e) => e.kind === "sequence-gap");
    expect(x).toHaveLength(1);
    expect(x[0]).toMatchObject({ logName: "ops", seqs: [gap!.before.seq, gap!.after.seq], rootCause: expect.stringContaining("management"), managementResponse: expect.stringContaining("management") });
    expect(x[0]!.controls).toContain("CC7.2");
    expect(built.model.controls.find((c) => c.spec.id === "CC7.2")!.result).toBe("exceptions");
    // The report's reconciliation shows it, each page rendered as text.
    const text = execFileSync("pdftotext", ["-layout", join(dir, "report.pdf"), "-"], { encoding: "utf8" });
    expect(text).toContain("Sources and chunk sequences");
    expect(text).toMatch(/1 gap, 1 chunk missing/);
    expect(text).toContain("pane %1 of server");
    expect(text).toMatch(new RegExp(`\\s6\\s+${gap!.before.seq} \\(5\\)\\s+${gap!.after.seq} \\(7\\)\\s+${x[0]!.id}`));
    // No stream id wraps inside the register or the table: they are printed in words.
    expect(text).not.toMatch(/db-1\/\s*\n/);
    const report = await verifyPack(dir, { checkpointKeys: [key.publicKey], renderReport });
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.checks.find((c) => c.check === "derived")!.message).toContain("reconciliation.json");
  });

  it("reports no gap over clean data, chunks before the period and out of order included", async () => {
    const dir = join(work, "clean");
    const built = await buildSoc2Pack(ledger.store, key.privateKey, dir, request("ops-clean"));
    const r = reconciliationOf(dir);
    expect(r.gapCount).toBe(0);
    expect(r.gaps).toEqual([]);
    expect(r.streams.map((s) => [s.stream, s.chunks, s.gaps])).toEqual([["db-1/default/%1", 7, 0], ["db-1/default/%2", 4, 0]]);
    expect(built.model.exceptions.filter((e) => e.kind === "sequence-gap")).toEqual([]);
    expect(execFileSync("pdftotext", ["-layout", join(dir, "report.pdf"), "-"], { encoding: "utf8" })).toContain("no gap in any chunk sequence");
  });

  it("fails verify-pack when the gap is removed from reconciliation.json and the pack re-sealed", async () => {
    const dir = join(work, "edited");
    cpSync(join(work, "gap"), dir, { recursive: true });
    const r = reconciliationOf(dir);
    writeFileSync(join(dir, "reconciliation.json"), `${JSON.stringify({ ...r, gaps: [], gapCount: 0 }, null, 2)}\n`);
    reseal(dir, key.privateKey);
    const report = await verifyPack(dir, { checkpointKeys: [key.publicKey] });
    expect(report.checks.filter((c) => !c.ok).map((c) => [c.check, c.file])).toContainEqual(["derived", "reconciliation.json"]);
    expect(report.integrity).toBe("failed");
  });
});
