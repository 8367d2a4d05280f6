/**
 * A pack over several logs of one tenant, through the real CLI on a seeded ledger in real
 * Postgres: one section per log (events, checkpoint, range proof, inclusion proofs, the
 * consistency proof from the previous pack), populations spanning the logs, the standard
 * tools, verify-pack catching a flipped byte in the second log's section, the report naming
 * every checkpoint root, OSCAL against NIST's schema, and byte-identical rebuilds whatever
 * the order the logs are given in.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { verifyPack } from "../../src/packs/verify-pack.js";
import { ROOT, runCli, runTool, type Run } from "../support/cli.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { filesOf, ORIGIN_PREFIX, packWorkdir, PERIOD, seedAccessLog, seedPackLedger } from "../support/packs.js";

const SEAL = ["SHA256SUMS", "SHA256SUMS.sig", "signing-key.pem"];
const LOGS = ["prod", "prod-access"];

let ledger: TestLedger;
let work: string;
let dir: string;
let result: Record<string, unknown>;
let accessInPeriod: number;
const key = testKey();
let keyFile: string;
let pubFile: string;

interface Section { role: string; name: string; dir: string; eventsFile: string; checkpointFile: string; rangeFile: string; inclusionDir: string; endSeq: number; checkpoint: { root: string; size: number }; previous: { packId: string; proofFile: string } | null }

function env(): Record<string, string | undefined> {
  return { DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema, SEALTRAIL_SIGNING_KEY: keyFile, SEALTRAIL_ORIGIN_PREFIX: ORIGIN_PREFIX };
}

function packArgs(out: string, logs: string[], period = PERIOD, extra: string[] = []): string[] {
  return ["pack", "--framework", "soc2", ...logs.flatMap((l) => ["--log", l]), "--from", period.from, "--to", period.to, "--out", out,
    "--requested-at", "2025-03-10T09:00:00Z", "--requested-by", "auditor@example.com", "--org", "Acme Corp", "--sample-size", "50", ...extra];
}

function ok(run: Run): Record<string, unknown> {
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

function refused(run: Run, message: RegExp): void {
  expect(run.code).toBe(2);
  expect(run.stdout).toBe("");
  expect(run.stderr).toMatch(message);
}


const sectionsOf = (d: string): Section[] => (JSON.parse(readFileSync(join(d, "pack.json"), "utf8")) as { ledger: Section[] }).ledger;

beforeAll(async () => {
  ledger = await freshLedger("packlogs");
  ({ work, keyFile, pubFile } = packWorkdir("packlogs", key));
  await seedPackLedger(ledger.writer, key.privateKey);
  ({ inPeriod: accessInPeriod } = await seedAccessLog(ledger.writer, key.privateKey));
  await createLog(ledger.writer, "other", { tenant: "globex", origin: `${ORIGIN_PREFIX}/other` });
  await new Appender(ledger.writer).append("other", [{ kind: "custom", actor: "x", action: "a.b", resource: "r", source: "s", occurredAt: new Date() }]);
  dir = join(work, "two");
  // Given out of order on purpose: sections, populations and the pack id follow the names' order.
  result = ok(await runCli(packArgs(dir, ["prod-access", "prod"], PERIOD, ["--archive", "tar.gz"]), env()));
});

afterAll(async () => {
  await ledger?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("a pack over two logs", () => {
  it("has a section per log and the audit section, all listed in SHA256SUMS", () => {
    expect(result).toMatchObject({ framework: "soc2", logs: LOGS, entries: 47 + accessInPeriod });
    const files = filesOf(dir);
    for (const name of LOGS) {
      for (const f of ["events.jsonl", "checkpoint.txt", "range.json"]) expect(files).toContain(`logs/${name}/${f}`);
      expect(files.filter((f) => f.startsWith(`logs/${name}/inclusion/`)).length, name).toBeGreaterThan(2);
    }
    for (const f of ["audit/events.jsonl", "audit/checkpoint.txt", "audit/range.json", "report.pdf", "pack.json", "controls.json", "oscal/assessment-results.json", ...SEAL]) expect(files).toContain(f);
    const sections = sectionsOf(dir);
    expect(sections.map((s) => [s.role, s.name, s.dir])).toEqual([["subject", "prod", "logs/prod/"], ["subject", "prod-access", "logs/prod-access/"], ["audit", "sealtrail.audit.acme", "audit/"]]);
    expect(readFileSync(join(dir, "logs", "prod-access", "events.jsonl"), "utf8").trimEnd().split("\n")).toHaveLength(accessInPeriod);
  });

  it("has populations spanning both logs, each row naming its log", () => {
    const controls = JSON.parse(readFileSync(join(dir, "controls.json"), "utf8")) as { controls: { id: string; evidence: string[]; population: { file: string; count: number; sample: { log: string; proof: string }[] } | null }[] };
    const cc61 = controls.controls.find((c) => c.id === "CC6.1")!;
    const rows = readFileSync(join(dir, cc61.population!.file), "utf8").split("\r\n").slice(1, -1);
    expect(new Set(rows.map((r) => r.split(",")[0]))).toEqual(new Set(LOGS));
    // The file's order is the query's: the logs by name, each in seq order.
    const logsInOrder = rows.map((r) => r.split(",")[0]);
    expect(logsInOrder).toEqual([...logsInOrder].sort());
    expect(new Set(cc61.population!.sample.map((s) => s.log))).toEqual(new Set(LOGS));
    for (const s of cc61.population!.sample) expect(s.proof).toMatch(new RegExp(`^logs/${s.log}/inclusion/\\d+\\.json$`));
    expect(cc61.evidence).toEqual(expect.arrayContaining(["logs/prod/inclusion/", "logs/prod-access/inclusion/"]));
    const cc71 = controls.controls.find((c) => c.id === "CC7.1")!;
    expect(cc71.evidence).toEqual(expect.arrayContaining(["logs/prod/checkpoint.txt", "logs/prod/range.json", "logs/prod-access/checkpoint.txt", "logs/prod-access/range.json"]));
    // Each log's sweeps and gaps are its own: prod-access was not swept on 2025-03-01, prod not on 2025-03-03.
    const exceptions = (JSON.parse(readFileSync(join(dir, "controls.json"), "utf8")) as { exceptions: { kind: string; logName: string; description: string }[] }).exceptions;
    expect(exceptions.filter((x) => x.kind === "sweep-gap").map((x) => x.description)).toEqual(["no integrity sweep of prod on 2025-03-03", "no integrity sweep of prod-access on 2025-03-01"]);
  });

  it("passes sha256sum -c, openssl pkeyutl -verify and verify-pack, which checks every section", async () => {
    const sums = await runTool("sha256sum", ["-c", "--strict", "SHA256SUMS"], dir);
    expect(sums.code, sums.stderr).toBe(0);
    expect(sums.stdout).toMatch(/logs\/prod-access\/events\.jsonl: OK/);
    const ssl = await runTool("openssl", ["pkeyutl", "-verify", "-pubin", "-inkey", "signing-key.pem", "-rawin", "-in", "SHA256SUMS", "-sigfile", "SHA256SUMS.sig"], dir);
    expect(ssl.code, ssl.stderr).toBe(0);
    expect(ssl.stdout).toMatch(/Signature Verified Successfully/);
    const run = await runCli(["verify-pack", dir, "--key", pubFile, "--pack-key", pubFile], {});
    expect(run.stderr).toBe("");
    expect(run.code, run.stdout).toBe(0);
    for (const f of ["logs/prod/checkpoint.txt", "logs/prod-access/checkpoint.txt", "audit/checkpoint.txt"]) expect(run.stdout).toContain(`checkpoint: ${f}: `);
    for (const f of ["logs/prod/range.json", "logs/prod-access/range.json", "audit/range.json"]) expect(run.stdout).toContain(`range: ${f}: `);
    expect(run.stdout).toContain("inclusion: logs/prod-access/inclusion/: ");
    expect(run.stdout).toMatch(new RegExp(`verified pack ${result.packId}\\n$`));
  });

  it("fails verification when one byte of any file of the second log's section is flipped, naming it", async () => {
    const copy = join(work, "flip");
    cpSync(dir, copy, { recursive: true });
    const section = filesOf(copy).filter((f) => f.startsWith("logs/prod-access/"));
    expect(section.length).toBeGreaterThan(4);
    for (const f of section) {
      const original = readFileSync(join(copy, f));
      const bytes = Buffer.from(original);
      bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
      writeFileSync(join(copy, f), bytes);
      const report = await verifyPack(copy, { checkpointKeys: [key.publicKey] });
      writeFileSync(join(copy, f), original);
      expect(report.verified, f).toBe(false);
      expect(report.checks.filter((c) => !c.ok).map((c) => c.file), f).toContain(f);
    }
    const events = readFileSync(join(copy, "logs", "prod-access", "events.jsonl"));
    events[10]! ^= 0x01;
    writeFileSync(join(copy, "logs", "prod-access", "events.jsonl"), events);
    const run = await runCli(["verify-pack", copy, "--key", pubFile], {});
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAILED files: logs\/prod-access\/events\.jsonl: SHA-256 /m);
    expect(run.stdout).toMatch(/^FAILED events: logs\/prod-access\/events\.jsonl: events line 1: /m);
  });

  it("has a report listing every log with its checkpoint root", async () => {
    const text = (await runTool("pdftotext", [join(dir, "report.pdf"), "-"])).stdout;
    const sections = sectionsOf(dir);
    expect(sections).toHaveLength(3);
    for (const s of sections) expect(text, s.name).toContain(s.checkpoint.root);
    // The cover names each subject log before the first page break.
    const cover = text.split("\f")[0]!;
    for (const s of sections.filter((l) => l.role === "subject")) {
      expect(cover).toContain(`${s.name} (${ORIGIN_PREFIX}/${s.name})`);
      expect(cover).toContain(s.checkpoint.root);
    }
  });

  it("renders its cover and attestation pages to PNG for a person to look at", async () => {
    const artifacts = join(ROOT, "test-artifacts", "packs");
    mkdirSync(artifacts, { recursive: true });
    const run = await runTool("pdftoppm", ["-png", "-r", "60", join(dir, "report.pdf"), join(artifacts, "two-logs")]);
    expect(run.code, run.stderr).toBe(0);
    const pngs = readdirSync(artifacts).filter((f) => f.startsWith("two-logs-") && f.endsWith(".png"));
    expect(pngs.length).toBeGreaterThanOrEqual(3);
  });

  it("has an OSCAL assessment-results document valid against NIST's schema, naming both logs", () => {
    const schema = JSON.parse(readFileSync(join(ROOT, "test", "fixtures", "oscal", "oscal_assessment-results_schema.json"), "utf8"));
    const ajv = new Ajv.default({ strict: false, allErrors: true, unicodeRegExp: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    const doc = JSON.parse(readFileSync(join(dir, "oscal", "assessment-results.json"), "utf8"));
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(doc["assessment-results"].metadata.title).toContain("prod, prod-access");
  });

  it("is byte-identical when built again with the logs in the other order", async () => {
    const again = join(work, "two-again");
    const second = ok(await runCli(packArgs(again, ["prod", "prod-access"], PERIOD, ["--archive", "tar.gz"]), env()));
    expect(second.packId).toBe(result.packId);
    expect(second.recordSeq as number).toBeGreaterThan(result.recordSeq as number); // A rebuild is recorded too.
    const files = filesOf(dir);
    expect(filesOf(again)).toEqual(files);
    for (const f of files) expect(readFileSync(join(again, f)).equals(readFileSync(join(dir, f))), f).toBe(true);
    expect(readFileSync(`${again}.tar.gz`).equals(readFileSync(`${dir}.tar.gz`))).toBe(true);
  });

  it("proves each log's checkpoint consistent with the previous pack's in a later pack", async () => {
    const later = join(work, "later");
    ok(await runCli(packArgs(later, LOGS, { from: "2025-03-04T00:00:00Z", to: "2025-03-06T00:00:00Z" }), env()));
    const sections = sectionsOf(later).filter((s) => s.role === "subject");
    for (const s of sections) {
      expect(s.previous, s.name).toMatchObject({ packId: result.packId, proofFile: expect.stringMatching(new RegExp(`^logs/${s.name}/consistency-\\d+-\\d+\\.json$`)) });
    }
    const report = await verifyPack(later, { checkpointKeys: [key.publicKey] });
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.checks.filter((c) => c.check === "consistency").map((c) => c.file)).toEqual(sections.map((s) => s.previous!.proofFile));
    const records = await ledger.admin<{ resource: string; payload: string }[]>`
      select e.resource, e.payload from entries e join logs l on l.id = e.log_id where l.name = 'sealtrail.audit.acme' and e.kind = 'pack.build' order by e.seq`;
    expect(records[0]!.resource).toBe("prod,prod-access");
    expect((JSON.parse(records[0]!.payload) as { logs: { log: string }[] }).logs.map((l) => l.log)).toEqual(LOGS);
  });
});

describe("the tenant's audit log asked for as a subject", () => {
  it("is a section under logs/ like the others, with no audit/ section, and its sweeps still count", async () => {
    const out = join(work, "with-audit");
    ok(await runCli(packArgs(out, ["sealtrail.audit.acme", "prod"]), env()));
    expect(sectionsOf(out).map((s) => [s.role, s.dir])).toEqual([["subject", "logs/prod/"], ["subject", "logs/sealtrail.audit.acme/"]]);
    expect(existsSync(join(out, "audit"))).toBe(false);
    const exceptions = (JSON.parse(readFileSync(join(out, "controls.json"), "utf8")) as { exceptions: { kind: string; description: string }[] }).exceptions;
    expect(exceptions.filter((x) => x.kind === "sweep-gap").map((x) => x.description)).toEqual(["no integrity sweep of prod on 2025-03-03", "no integrity sweep of sealtrail.audit.acme from 2025-03-01 to 2025-03-03 (3 days)"]);
    expect((await verifyPack(out, { checkpointKeys: [key.publicKey] })).checks.filter((c) => !c.ok)).toEqual([]);
  });
});

describe("a pack request over several logs", () => {
  it("refuses another tenant's log, a log given twice or too many logs, and writes nothing", async () => {
    const out = join(work, "refused");
    refused(await runCli(packArgs(out, ["prod", "other"]), env()), /logs: prod is of tenant acme, other of globex; a pack covers logs of one tenant/);
    refused(await runCli(packArgs(out, ["prod", "prod"]), env()), /logs: "prod" is given twice/);
    refused(await runCli(packArgs(out, Array.from({ length: 21 }, () => "prod")), env()), /logs: got 21, want at most 20/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(work).filter((f) => f.includes(".partial-"))).toEqual([]);
  });
});
