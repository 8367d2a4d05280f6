/**
 * A pack over a period with erased entries (issue 20; docs/packs.md, "Erased values"): a
 * format-2 log whose data subject was erased, and one entry's payload erased under a second
 * request, after the period. The pack shows every other value opened against its commitment,
 * each erased value as erased with its record and request (events, population files, the
 * report), lists the records in erasures.json and the section's records file with their
 * inclusion proofs, and never holds an erased value. verify-pack and verify.mjs accept it with
 * the same `erased` check, re-derive erasures.json byte for byte, and refuse a forged erased
 * marker or a value dropped without one.
 */
import { execFileSync } from "node:child_process";
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventInput } from "../../src/core/entry/index.js";
import { vkeyString } from "../../src/core/note/index.js";
import { checkpointLog } from "../../src/ledger/checkpointer.js";
import { eraseValues, type ErasureResult } from "../../src/ledger/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { PostgresLedgerStore } from "../../src/ledger/postgres/postgres-store.js";
import { renderReport } from "../../src/packs/pdf/report.js";
import { verifyPack } from "../../src/packs/verify-pack.js";
import { runCli, runTool } from "../support/cli.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { buildSoc2Pack, ORIGIN_PREFIX, packWorkdir, PERIOD, reseal, SMALL_SOC2_REQUEST } from "../support/packs.js";

const key = testKey();
const SUBJECT = "gina.subject@example.com";
const ORIGIN = `${ORIGIN_PREFIX}/people`;
let ledger: TestLedger;
let work: string;
let genuine: string;
let bySubject: ErasureResult;
let byPayload: ErasureResult;
/** Seq of the entry whose payload alone was erased. */
let payloadSeq: number;

function login(actor: string, at: string, i: number): EventInput {
  return { kind: "access", actor, action: "login", resource: `host/${actor}`, source: "sso", occurredAt: at, payload: { i, note: `signed in as ${actor}` } };
}

type Line = Record<string, any>;
const lines = (dir: string): Line[] => readFileSync(join(dir, "logs/people/events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
const writeLines = (dir: string, ls: Line[]) => writeFileSync(join(dir, "logs/people/events.jsonl"), ls.map((l) => JSON.stringify(l)).join("\n") + "\n");

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).filter((f) => statSync(join(dir, f)).isFile()).map((f) => relative(dir, join(dir, f)));
}

beforeAll(async () => {
  ledger = await freshLedger("packerase");
  ({ work } = packWorkdir("packerase", key));
  genuine = join(work, "genuine");
  await createLog(ledger.writer, "people", { tenant: "acme", origin: ORIGIN, leafVersion: 2 });
  const clock = { now: new Date() };
  const appender = new Appender(ledger.writer, { now: () => clock.now });
  const append = async (when: string, events: EventInput[]) => {
    clock.now = new Date(when);
    await appender.append("people", events);
  };
  const actors = (n: number) => (n % 3 === 0 ? SUBJECT : `staff${n % 3}@example.com`);
  await append("2025-02-28T12:00:00Z", [0, 1, 2].map((i) => login(actors(i), "2025-02-28T11:00:00Z", i)));
  await append("2025-03-01T12:00:00Z", [3, 4, 5, 6, 7, 8, 9, 10, 11].map((i) => login(actors(i), "2025-03-01T11:00:00Z", i)));
  await append("2025-03-05T12:00:00Z", [12].map((i) => login(actors(i), "2025-03-05T11:00:00Z", i)));
  const store = new PostgresLedgerStore(ledger.writer);
  // Signed before the erasures: the pack needs a checkpoint that covers their records too.
  await checkpointLog(store, "people", key.privateKey);
  bySubject = await eraseValues(ledger.store, { log: "people", target: { actor: SUBJECT }, reason: "data subject's request", legalBasis: "GDPR Art. 17(1)(a)", requestedBy: "dpo@example.com" });
  payloadSeq = 4;
  byPayload = await eraseValues(ledger.store, { log: "people", target: { seqs: [payloadSeq] }, fields: ["payload"], reason: "note held a phone number", legalBasis: "GDPR Art. 17(1)(d)", requestedBy: "dpo@example.com" });
  await buildSoc2Pack(ledger.store, key.privateKey, genuine, { ...SMALL_SOC2_REQUEST, logs: ["people"], from: PERIOD.from, to: PERIOD.to, seed: "auditor-seed-1" });
}, 120_000);

afterAll(async () => {
  await ledger?.close();
  rmSync(work, { recursive: true, force: true });
});

const [subjectRecord, payloadRecord] = [() => bySubject.recordSeqs[0]!, () => byPayload.recordSeqs[0]!];

describe("a pack over erased entries", () => {
  it("shows kept values opened, erased ones marked with their record, and holds no erased value", () => {
    const ls = lines(genuine);
    expect(ls.map((l) => l.seq)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const kept = ls.find((l) => l.seq === 5)!;
    expect(kept.values.actor).toEqual({ salt: expect.stringMatching(/^[0-9a-f]{64}$/), value: "staff2@example.com" });
    expect(kept.payload).toEqual({ i: 5, note: "signed in as staff2@example.com" });
    expect(kept.erased).toBeUndefined();
    expect(kept.actor).toMatch(/^[0-9a-f]{64}$/);
    for (const seq of [3, 6, 9]) {
      const l = ls.find((x) => x.seq === seq)!;
      expect(l.erased).toEqual({ actor: subjectRecord(), payload: subjectRecord(), resource: subjectRecord() });
      expect(l.values).toEqual({});
      expect(l.payload).toBeNull();
    }
    const partly = ls.find((l) => l.seq === payloadSeq)!;
    expect(partly.erased).toEqual({ payload: payloadRecord() });
    expect(Object.keys(partly.values)).toEqual(["actor", "resource"]);

    const erasures = JSON.parse(readFileSync(join(genuine, "erasures.json"), "utf8"));
    expect(erasures).toMatchObject({ entries: 4, values: 10 });
    expect(erasures.records).toEqual([
      { log: "people", seq: subjectRecord(), kind: "erasure", request: bySubject.request, reason: "data subject's request", legalBasis: "GDPR Art. 17(1)(a)", requestedBy: "dpo@example.com", approvedBy: null, recordedAt: expect.any(String), seqs: bySubject.seqs, fields: ["actor", "resource", "payload"], file: "logs/people/erasure-records.json", entries: 3, values: 9 },
      { log: "people", seq: payloadRecord(), kind: "erasure", request: byPayload.request, reason: "note held a phone number", legalBasis: "GDPR Art. 17(1)(d)", requestedBy: "dpo@example.com", approvedBy: null, recordedAt: expect.any(String), seqs: [[payloadSeq, payloadSeq + 1]], fields: ["payload"], file: "logs/people/erasure-records.json", entries: 1, values: 1 },
    ]);
    const pack = JSON.parse(readFileSync(join(genuine, "pack.json"), "utf8"));
    expect(pack.erasures).toEqual({ file: "erasures.json", records: 2, entries: 4, values: 10 });
    expect(pack.ledger[0].erasureRecordsFile).toBe("logs/people/erasure-records.json");
    // The checkpoint chosen covers the records, which came after the one signed before them.
    expect(pack.ledger[0].checkpoint.size).toBeGreaterThan(payloadRecord());

    // The population files show the erasure in the actor and resource columns.
    const logins = readFileSync(join(genuine, "populations/cc6.1.csv"), "utf8");
    expect(logins).toContain(`[erased: record ${subjectRecord()}, request ${bySubject.request}]`);
    expect(logins).toContain("staff1@example.com");

    // Nowhere in the pack: not in a file's text, not in the report's text.
    for (const f of files(genuine)) expect(readFileSync(join(genuine, f), "latin1"), f).not.toContain("gina");
    const text = execFileSync("pdftotext", ["-layout", join(genuine, "report.pdf"), "-"], { encoding: "utf8" });
    expect(text).not.toContain("gina");
    if (!/Values erased\s+10 values of 4 entries erased or expired under erasure/.test(text)) console.log(text);
    expect(text).toMatch(/Values erased\s+10 values of 4 entries erased or expired under erasure/);
    expect(text).toMatch(/Erased values\s+9 values of 3 entries \[erased: record/);
  });

  it("verifies, with the erased values reported under their records and erasures.json re-derived", async () => {
    const report = await verifyPack(genuine, { checkpointKeys: [key.publicKey], renderReport });
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.verified).toBe(true);
    expect(report.erased).toEqual({ entries: 4, values: 10, records: [
      { log: "people", seq: subjectRecord(), kind: "erasure", request: bySubject.request, entries: 3, values: 9 },
      { log: "people", seq: payloadRecord(), kind: "erasure", request: byPayload.request, entries: 1, values: 1 },
    ] });
    expect(report.checks.find((c) => c.check === "erased")!.message).toMatch(/^10 values of 4 entries erased or expired, each under a record of its log proved in the pack/);
    expect(report.checks.find((c) => c.check === "derived")!.message).toContain("erasures.json");
  });

  it("gives the same verdict from verify.mjs and sealtrail verify-pack", async () => {
    const vkey = vkeyString(ORIGIN, key.publicKey);
    const node = await runTool(process.execPath, ["verify.mjs", "--key", vkey], genuine);
    const cli = await runCli(["verify-pack", genuine, "--key", vkey], {});
    expect(node.stderr).toBe("");
    expect([node.code, cli.code]).toEqual([0, 0]);
    const erasedLine = (out: string) => out.split("\n").find((l) => l.includes(" erased: "));
    expect(erasedLine(node.stdout)).toBe(erasedLine(cli.stdout));
    expect(erasedLine(node.stdout)).toContain(`request ${bySubject.request}`);
  });

  it("refuses a forged erased marker on an entry no erasure covers", async () => {
    const dir = join(work, "forged");
    cpSync(genuine, dir, { recursive: true });
    const ls = lines(dir);
    const victim = ls.find((l) => l.seq === 7)!;
    expect(victim.values.actor.value).toBe("staff1@example.com");
    delete victim.values.actor;
    victim.erased = { actor: subjectRecord() };
    writeLines(dir, ls);
    reseal(dir, key.privateKey);
    const report = await verifyPack(dir, { checkpointKeys: [key.publicKey] });
    expect(report.integrity).toBe("failed");
    const failed = report.checks.filter((c) => !c.ok && c.check === "erased");
    expect(failed).toHaveLength(1);
    expect(failed[0]!.message).toContain(`seq 7`);
    expect(failed[0]!.message).toContain(`does not name seq 7 and field actor (value_removed)`);
    const vkey = vkeyString(ORIGIN, key.publicKey);
    const node = await runTool(process.execPath, ["verify.mjs", "--key", vkey], dir);
    const cli = await runCli(["verify-pack", dir, "--key", vkey], {});
    expect([node.code, cli.code]).toEqual([1, 1]);
    const erasedLine = (out: string) => out.split("\n").find((l) => l.includes(" erased: "));
    expect(erasedLine(node.stdout)).toMatch(/^FAILED erased: .*seq 7.*value_removed/);
    expect(erasedLine(node.stdout)).toBe(erasedLine(cli.stdout));
  });

  it("refuses a value dropped without a marker, and a marker naming no record of the pack", async () => {
    const dropped = join(work, "dropped");
    cpSync(genuine, dropped, { recursive: true });
    let ls = lines(dropped);
    delete ls.find((l) => l.seq === 8)!.values.resource;
    writeLines(dropped, ls);
    reseal(dropped, key.privateKey);
    let report = await verifyPack(dropped, { checkpointKeys: [key.publicKey] });
    expect(report.checks.filter((c) => !c.ok && c.check === "erased").map((c) => c.message)).toEqual([expect.stringContaining("(seq 8): its resource was removed without an erasure or expiry record (value_removed)")]);

    // The records file dropped from the pack: the markers name records nothing in the pack proves.
    const unproved = join(work, "unproved");
    cpSync(genuine, unproved, { recursive: true });
    const pack = JSON.parse(readFileSync(join(unproved, "pack.json"), "utf8"));
    delete pack.ledger[0].erasureRecordsFile;
    writeFileSync(join(unproved, "pack.json"), `${JSON.stringify(pack, null, 2)}\n`);
    rmSync(join(unproved, "logs/people/erasure-records.json"));
    reseal(unproved, key.privateKey);
    report = await verifyPack(unproved, { checkpointKeys: [key.publicKey] });
    expect(report.integrity).toBe("failed");
    expect(report.checks.filter((c) => !c.ok && c.check === "erased")[0]!.message).toContain(`marked erased by seq ${subjectRecord()}, which is no erasure or expiry record checked in the pack`);

    // erasures.json edited to hide the second request: re-derived, it differs.
    const edited = join(work, "edited");
    cpSync(genuine, edited, { recursive: true });
    const doc = JSON.parse(readFileSync(join(edited, "erasures.json"), "utf8"));
    writeFileSync(join(edited, "erasures.json"), `${JSON.stringify({ ...doc, records: doc.records.slice(0, 1), entries: 3, values: 9 }, null, 2)}\n`);
    reseal(edited, key.privateKey);
    report = await verifyPack(edited, { checkpointKeys: [key.publicKey] });
    expect(report.checks.filter((c) => !c.ok).map((c) => [c.check, c.file])).toContainEqual(["derived", "erasures.json"]);
    expect(report.checks.filter((c) => !c.ok && c.check === "erased")).toEqual([]);
  });
});
