/**
 * Packs beyond the happy path: the consistency proof from the previous pack, the build record
 * in the tenant's audit log, a checkpoint key the pack does not vouch for, third-party
 * exporters (the documented example, and broken ones), and every bad request refused with one
 * line and exit 2, leaving nothing behind.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toBase64 } from "../../src/core/encoding/index.js";
import { publicKeyToPem } from "../../src/core/note/index.js";
import { consistencyProofFor, inclusionProofFor } from "../../src/ledger/proofs.js";
import { verifyPack } from "../../src/packs/verify-pack.js";
import { runCli, runTool, type Run } from "../support/cli.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { ORIGIN_PREFIX, packWorkdir, PERIOD, reseal, seedPackLedger } from "../support/packs.js";

let ledger: TestLedger;
let work: string;
let firstCheckpointSize: number;
const key = testKey();
const stranger = testKey();
let keyFile: string;
let pubFile: string;
let strangerFile: string;

function env(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema, SEALTRAIL_SIGNING_KEY: keyFile, SEALTRAIL_ORIGIN_PREFIX: ORIGIN_PREFIX, ...extra };
}

function args(out: string, extra: string[] = [], period = PERIOD, framework = "soc2"): string[] {
  return ["pack", "--framework", framework, "--log", "prod", "--from", period.from, "--to", period.to, "--out", out, "--requested-at", "2025-03-10T09:00:00Z", ...extra];
}

function ok(run: Run): Record<string, unknown> {
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

/** A usage, request or environment error: exit 2, nothing on stdout, one line on stderr, no stack. */
function refused(run: Run, pattern: RegExp): void {
  expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: "" });
  const lines = run.stderr.trimEnd().split("\n");
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^sealtrail: /);
  expect(lines[0]).toMatch(pattern);
}

beforeAll(async () => {
  ledger = await freshLedger("packopts");
  ({ work, keyFile, pubFile } = packWorkdir("packopts", key));
  strangerFile = join(work, "stranger.pub.pem");
  writeFileSync(strangerFile, publicKeyToPem(stranger.publicKey));
  ({ firstCheckpointSize } = await seedPackLedger(ledger.writer, key.privateKey));
});

afterAll(async () => {
  await ledger?.close();
  rmSync(work, { recursive: true, force: true });
});


describe("a later pack", () => {
  it("proves its checkpoint consistent with the previous pack's, and both builds are in the audit log", async () => {
    const first = ok(await runCli(args(join(work, "march-1")), env()));
    // With --progress, progress goes to stderr (one line per phase and tenth off a terminal), the result to stdout.
    const run = await runCli(args(join(work, "march-2"), ["--progress"], { from: "2025-03-04T00:00:00Z", to: "2025-03-06T00:00:00Z" }), env());
    expect(run.code).toBe(0);
    expect(run.stderr.split("\n")).toEqual(expect.arrayContaining(["entries 100%", "proofs 100%", "report 100%", "seal 100%"]));
    const second = JSON.parse(run.stdout) as Record<string, unknown>;
    const pack = JSON.parse(readFileSync(join(work, "march-2", "pack.json"), "utf8")) as { ledger: { name: string; previous: { packId: string; size: number; proofFile: string } }[] };
    const previous = pack.ledger.find((l) => l.name === "prod")!.previous;
    expect(previous).toMatchObject({ packId: first.packId, size: firstCheckpointSize, proofFile: expect.stringMatching(/^logs\/prod\/consistency-\d+-\d+\.json$/) });
    expect(existsSync(join(work, "march-2", previous.proofFile))).toBe(true);
    const report = await verifyPack(join(work, "march-2"), { checkpointKeys: [key.publicKey] });
    expect(report.verified).toBe(true);
    expect(report.checks.find((c) => c.check === "consistency")).toMatchObject({ ok: true });

    const records = await ledger.admin<{ seq: number; actor: string; payload: string }[]>`
      select e.seq, e.actor, e.payload from entries e join logs l on l.id = e.log_id
      where l.name = 'sealtrail.audit.acme' and e.kind = 'pack.build' order by e.seq`;
    expect(records.map((r) => r.seq)).toEqual([first.recordSeq, second.recordSeq]);
    const payloads = records.map((r) => JSON.parse(r.payload) as { packId: string; framework: string; logs: { log: string }[] });
    expect(payloads.map((p) => p.packId)).toEqual([first.packId, second.packId]);
    expect(payloads[0]).toMatchObject({ framework: "soc2", logs: [{ log: "prod", checkpoint: { size: firstCheckpointSize } }] });
  });

  it("fails verification when the previous checkpoint in the consistency proof is swapped", async () => {
    const dir = join(work, "march-2");
    const pack = JSON.parse(readFileSync(join(dir, "pack.json"), "utf8")) as { ledger: { name: string; previous: { proofFile: string } }[] };
    const file = join(dir, pack.ledger.find((l) => l.name === "prod")!.previous.proofFile);
    const original = readFileSync(file, "utf8");
    const proof = JSON.parse(original) as { proof: string[] };
    proof.proof = proof.proof.reverse();
    writeFileSync(file, JSON.stringify(proof));
    const report = await verifyPack(dir, { checkpointKeys: [key.publicKey] });
    writeFileSync(file, original);
    expect(report.verified).toBe(false);
    expect(report.checks.filter((c) => !c.ok).map((c) => c.check)).toEqual(expect.arrayContaining(["files", "consistency"]));
  });
});

describe("the boundary witnesses", () => {
  it("catch a pack that leaves out the period's last entries, though re-hashed and re-signed", async () => {
    const copy = join(work, "truncated");
    cpSync(join(work, "march-1"), copy, { recursive: true });
    const lines = readFileSync(join(copy, "logs", "prod", "events.jsonl"), "utf8").trimEnd().split("\n");
    const dropped = lines.pop()!;
    writeFileSync(join(copy, "logs", "prod", "events.jsonl"), `${lines.join("\n")}\n`);
    const pack = JSON.parse(readFileSync(join(copy, "pack.json"), "utf8")) as { ledger: { role: string; endSeq: number; checkpoint: { size: number } }[] };
    const subject = pack.ledger.find((l) => l.role === "subject")!;
    subject.endSeq -= 1;
    writeFileSync(join(copy, "pack.json"), JSON.stringify(pack));
    // A range proof that is right for the shorter run, and the dropped entry as the "after" witness.
    const range = JSON.parse(readFileSync(join(copy, "logs", "prod", "range.json"), "utf8")) as Record<string, unknown>;
    const proof = await consistencyProofFor(ledger.adminStore, "prod", subject.endSeq, subject.checkpoint.size);
    const inclusion = await inclusionProofFor(ledger.adminStore, "prod", subject.endSeq, subject.checkpoint.size);
    Object.assign(range, { endSeq: subject.endSeq, consistencyProof: proof.proof.map(toBase64), after: { entry: dropped, proof: inclusion.proof.map(toBase64) } });
    writeFileSync(join(copy, "logs", "prod", "range.json"), JSON.stringify(range));
    reseal(copy, key.privateKey);

    const report = await verifyPack(copy, { checkpointKeys: [key.publicKey] });
    expect(report.verified).toBe(false);
    expect(report.checks.find((c) => c.check === "files")).toMatchObject({ ok: true });
    expect(report.checks.find((c) => c.check === "signature")).toMatchObject({ ok: true });
    expect(report.checks.find((c) => c.check === "events")).toMatchObject({ ok: true });
    const range2 = report.checks.find((c) => c.check === "range" && c.file === "logs/prod/range.json");
    expect(range2?.ok).toBe(false);
    expect(range2?.message).toMatch(/entry \d+ was recorded at 2025-03-03T12:00:00\.000Z, want recorded at or after 2025-03-04T00:00:00\.000Z/);
  });
});

describe("verify-pack", () => {
  it("still verifies a pack of the flat single-log layout built before packs covered several logs", async () => {
    // march-2 rearranged as such a pack was: a flat subject section, proofs/ by role, request.log, a top-level previous.
    const flat = join(work, "flat");
    cpSync(join(work, "march-2"), flat, { recursive: true });
    const pack = JSON.parse(readFileSync(join(flat, "pack.json"), "utf8")) as { request: Record<string, unknown>; ledger: Record<string, unknown>[]; previous?: unknown };
    const moves: [string, string][] = [["logs/prod/events.jsonl", "events.jsonl"], ["logs/prod/checkpoint.txt", "checkpoint.txt"], ["logs/prod/range.json", "proofs/range-subject.json"], ["audit/range.json", "proofs/range-audit.json"]];
    for (const [role, dir] of [["subject", "logs/prod/inclusion"], ["audit", "audit/inclusion"]] as const) {
      for (const f of existsSync(join(flat, dir)) ? readdirSync(join(flat, dir)) : []) moves.push([`${dir}/${f}`, `proofs/inclusion/${role}-${f}`]);
    }
    const subject = pack.ledger.find((l) => l.role === "subject")!;
    const previous = subject.previous as { proofFile: string };
    moves.push([previous.proofFile, `proofs/${previous.proofFile.split("/").pop()}`]);
    mkdirSync(join(flat, "proofs", "inclusion"), { recursive: true });
    for (const [from, to] of moves) {
      writeFileSync(join(flat, to), readFileSync(join(flat, from)));
      rmSync(join(flat, from));
    }
    rmSync(join(flat, "logs"), { recursive: true });
    rmSync(join(flat, "audit", "inclusion"), { recursive: true, force: true });
    const flatPrevious = { ...previous, proofFile: `proofs/${previous.proofFile.split("/").pop()}` };
    pack.previous = flatPrevious;
    pack.request.log = "prod";
    delete pack.request.logs;
    for (const l of pack.ledger) {
      for (const k of ["dir", "checkpointFile", "rangeFile", "inclusionDir", "previous"]) delete l[k];
      l.eventsFile = l.role === "subject" ? "events.jsonl" : "audit/events.jsonl";
    }
    // Such packs stated no signing-key fingerprint and their report no pack hash (here: no report, which verify-pack without a renderer leaves to SHA256SUMS).
    delete (pack as { custody?: Record<string, unknown> }).custody?.signingKey;
    delete (pack as { custody?: Record<string, unknown> }).custody?.packHash;
    rmSync(join(flat, "report.pdf"));
    writeFileSync(join(flat, "pack.json"), JSON.stringify(pack));
    // Its samples named the proofs where that layout kept them.
    const controls = readFileSync(join(flat, "controls.json"), "utf8").replace(/"(logs\/prod|audit)\/inclusion\/(\d+\.json)"/g, (_m, dir: string, f: string) => `"proofs/inclusion/${dir === "audit" ? "audit" : "subject"}-${f}"`);
    writeFileSync(join(flat, "controls.json"), controls);
    reseal(flat, key.privateKey);

    const report = await verifyPack(flat, { checkpointKeys: [key.publicKey] });
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.checks.map((c) => `${c.check} ${c.file ?? ""}`)).toEqual(expect.arrayContaining(["checkpoint checkpoint.txt", "events events.jsonl", "range proofs/range-subject.json", "range proofs/range-audit.json", `consistency ${flatPrevious.proofFile}`]));
    expect(report.checks.filter((c) => c.check === "inclusion").length).toBeGreaterThan(0);
    // Its proofs are still checked one by one.
    const proof = readdirSync(join(flat, "proofs", "inclusion")).find((f) => f.startsWith("subject-"))!;
    const file = join(flat, "proofs", "inclusion", proof);
    const body = JSON.parse(readFileSync(file, "utf8")) as { proof: string[] };
    body.proof.reverse();
    writeFileSync(file, JSON.stringify(body));
    reseal(flat, key.privateKey);
    const tampered = await verifyPack(flat, { checkpointKeys: [key.publicKey] });
    expect(tampered.checks.filter((c) => !c.ok).map((c) => [c.check, c.file])).toEqual([["inclusion", `proofs/inclusion/${proof}`]]);
  });


  it("fails the checkpoint check under a key the auditor did not give, and a pinned pack key that differs", async () => {
    const dir = join(work, "march-1");
    const run = await runCli(["verify-pack", dir, "--key", strangerFile], {});
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAILED checkpoint: logs\/prod\/checkpoint\.txt: /m);
    const pinned = await runCli(["verify-pack", dir, "--key", pubFile, "--pack-key", strangerFile], {});
    expect(pinned.code).toBe(1);
    expect(pinned.stdout).toMatch(/^FAILED signature: signing-key\.pem is not the pack key you trust$/m);
    const json = await runCli(["verify-pack", dir, "--json"], {});
    expect(json.code).toBe(4);
    const report = JSON.parse(json.stdout) as { verified: boolean; integrity: string; authenticity: string; checks: { check: string; message: string }[] };
    expect(report).toMatchObject({ verified: false, integrity: "verified", authenticity: "unknown" });
    // Without --key, checkpoints are checked with the pack's own key, and the report says so.
    expect(report.checks.find((c) => c.check === "checkpoint")!.message).toMatch(/pack's own key \(not independent/);
  });

  it("refuses a path that is not a pack directory", async () => {
    refused(await runCli(["verify-pack", join(work, "nothing-here")], {}), /is not a pack directory/);
    refused(await runCli(["verify-pack"], {}), /verify-pack: missing DIR/);
    const empty = join(work, "empty");
    rmSync(empty, { recursive: true, force: true });
    mkdirSync(empty);
    const run = await runCli(["verify-pack", empty], {});
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAILED manifest: cannot read SHA256SUMS: ENOENT$/m);
  });
});

describe("third-party exporters", () => {
  it("builds a pack with the example exporter, with its own file and controls", async () => {
    const dir = join(work, "nist");
    const result = ok(await runCli(args(dir, [], PERIOD, "nist-800-53"), env({ SEALTRAIL_PACK_EXPORTERS: "examples/exporters/nist-800-53.mjs" })));
    expect(result.framework).toBe("nist-800-53");
    const kinds = readFileSync(join(dir, "nist-800-53", "kinds.csv"), "utf8");
    expect(kinds).toMatch(/^log,kind,entries\r\n/);
    expect(kinds).toContain("prod,access,");
    expect(readFileSync(join(dir, "SHA256SUMS"), "utf8")).toMatch(/ {2}nist-800-53\/kinds\.csv\n/);
    expect((await verifyPack(dir, { checkpointKeys: [key.publicKey] })).verified).toBe(true);
    const text = (await runTool("pdftotext", [join(dir, "report.pdf"), "-"])).stdout;
    for (const id of ["AU-2", "AU-6", "AU-9", "AC-7", "CM-3"]) expect(text).toContain(id);
    expect(text).toContain("NIST SP 800-53 evidence pack");
  });

  it("refuses a module that is not an exporter, or cannot load, naming what is wrong", async () => {
    const bad = join(work, "bad-exporter.mjs");
    writeFileSync(bad, 'export default { id: "Bad Id", framework: "x", version: "1", controls: [] };\n');
    refused(await runCli(args(join(work, "bad-1"), [], PERIOD, "soc2"), env({ SEALTRAIL_PACK_EXPORTERS: bad })), /exporter .*bad-exporter\.mjs: id: got "Bad Id"/);
    const noSummary = join(work, "no-summary.mjs");
    writeFileSync(noSummary, 'export default { id: "x", framework: "x", version: "1", controls: [{ id: "A-1", method: "m", population: [{ log: "subject" }] }] };\n');
    refused(await runCli(args(join(work, "bad-2")), env({ SEALTRAIL_PACK_EXPORTERS: noSummary })), /controls\[0\]\.summary: want a one-line summary/);
    const taken = join(work, "taken.mjs");
    writeFileSync(taken, 'export default { id: "soc2", framework: "x", version: "1", controls: [{ id: "A-1", summary: "s", method: "m", population: [], attestation: true }] };\n');
    refused(await runCli(args(join(work, "bad-3")), env({ SEALTRAIL_PACK_EXPORTERS: taken })), /id soc2 is taken/);
    refused(await runCli(args(join(work, "bad-4")), env({ SEALTRAIL_PACK_EXPORTERS: join(work, "missing.mjs") })), /cannot load the module/);
    for (const n of [1, 2, 3, 4]) expect(existsSync(join(work, `bad-${n}`))).toBe(false);
  });
});

describe("bad requests", () => {
  it("are refused with one line and exit 2, and write nothing", async () => {
    const out = join(work, "refused");
    refused(await runCli(["pack", "--framework", "fedramp", "--log", "prod", "--from", PERIOD.from, "--to", PERIOD.to, "--out", out], env()), /framework: got "fedramp", want one of soc2, hipaa, pci-dss, iso27001, gdpr/);
    refused(await runCli(args(out, [], { from: PERIOD.to, to: PERIOD.from }), env()), /period: from .* is not before to/);
    refused(await runCli(args(out, [], { from: "2025-03-01", to: PERIOD.to }), env()), /from: got "2025-03-01", want an RFC 3339 time/);
    refused(await runCli(args(out, [], { from: "2025-02-30T00:00:00Z", to: PERIOD.to }), env()), /from: got "2025-02-30T00:00:00Z", want a real time|want an RFC 3339/);
    refused(await runCli(["pack", "--framework", "soc2", "--from", PERIOD.from, "--to", PERIOD.to, "--out", out], env()), /pack: missing required option --log/);
    refused(await runCli(args(out, ["--sample-size", "lots"]), env()), /--sample-size: got "lots"/);
    refused(await runCli(args(out, ["--sample-size", "5000"]), env()), /sampleSize: got 5000, want an integer from 0 to 1000/);
    refused(await runCli(args(out, ["--archive", "rar"]), env()), /--archive: got "rar", want tar\.gz/);
    refused(await runCli(["pack", "--framework", "soc2", "--log", "nope", "--from", PERIOD.from, "--to", PERIOD.to, "--out", out], env()), /no log named "nope"/);
    refused(await runCli(args(out), env({ SEALTRAIL_SIGNING_KEY: undefined })), /no key to sign the pack/);
    refused(await runCli(args(join(work, "march-1")), env()), /march-1 exists already/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(work).filter((f) => f.includes(".partial-"))).toEqual([]);
  });
});
