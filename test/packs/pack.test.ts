/**
 * Evidence packs end to end, for each built-in framework, through the real CLI on a seeded
 * ledger in real Postgres: the files, the standard tools an auditor uses (sha256sum, openssl,
 * pdftotext, pdftoppm), sealtrail verify-pack, tampering with any byte of any file, the OSCAL
 * document against NIST's schema, and byte-identical rebuilds.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSha256Sums } from "../../src/core/pack/index.js";
import { BUILT_IN_EXPORTERS } from "../../src/packs/frameworks/index.js";
import { verifyPack } from "../../src/packs/verify-pack.js";
import { ROOT, runCli, runTool, type Run } from "../support/cli.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { filesOf, ORIGIN_PREFIX, packWorkdir, PERIOD, seedPackLedger } from "../support/packs.js";

const ARTIFACTS = join(ROOT, "test-artifacts", "packs");
const REQUESTED_AT = "2025-03-10T09:00:00Z";
const SEAL = ["SHA256SUMS", "SHA256SUMS.sig", "signing-key.pem"];

let ledger: TestLedger;
let work: string;
const key = testKey();
let keyFile: string;
let pubFile: string;

function env(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema, SEALTRAIL_SIGNING_KEY: keyFile, SEALTRAIL_ORIGIN_PREFIX: ORIGIN_PREFIX, ...extra };
}

function packArgs(framework: string, out: string, extra: string[] = []): string[] {
  return ["pack", "--framework", framework, "--log", "prod", "--from", PERIOD.from, "--to", PERIOD.to, "--out", out,
    "--requested-at", REQUESTED_AT, "--requested-by", "auditor@example.com", "--org", "Acme Corp", "--sample-size", "50", ...extra];
}

function ok(run: Run): Record<string, unknown> {
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}


beforeAll(async () => {
  ledger = await freshLedger("packs");
  ({ work, keyFile, pubFile } = packWorkdir("packs", key));
  await seedPackLedger(ledger.writer, key.privateKey);
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await ledger?.close();
  rmSync(work, { recursive: true, force: true });
});

describe.each(BUILT_IN_EXPORTERS.map((e) => [e.id, e] as const))("%s pack", (framework, exporter) => {
  let dir: string;
  let result: Record<string, unknown>;

  beforeAll(async () => {
    dir = join(work, framework);
    result = ok(await runCli(packArgs(framework, dir, ["--archive", "tar.gz"]), env()));
  });

  it("holds every file of a pack, and SHA256SUMS lists all but the seal", () => {
    const files = filesOf(dir);
    for (const f of ["report.pdf", "logs/prod/events.jsonl", "audit/events.jsonl", "logs/prod/checkpoint.txt", "audit/checkpoint.txt", "pack.json", "controls.json",
      "oscal/assessment-results.json", "oscal/assessment-plan.json", "oscal/catalog.json", "logs/prod/range.json", "audit/range.json", `${framework}/policy.json`, ...SEAL]) {
      expect(files, f).toContain(f);
    }
    for (const c of exporter.controls) {
      if (c.population.length > 0) expect(files.some((f) => f.startsWith("populations/") && f.endsWith(".csv")), c.id).toBe(true);
    }
    expect(files.filter((f) => f.startsWith("logs/prod/inclusion/")).length).toBeGreaterThan(5);
    const listed = parseSha256Sums(readFileSync(join(dir, "SHA256SUMS"), "utf8")).map((f) => f.path).sort();
    expect(listed).toEqual(files.filter((f) => !SEAL.includes(f)));
    expect(result).toMatchObject({ framework, logs: ["prod"], entries: 47, archive: `${dir}.tar.gz` });
    expect(existsSync(`${dir}.tar.gz`)).toBe(true);
  });

  it("passes sha256sum -c and openssl pkeyutl -verify", async () => {
    const sums = await runTool("sha256sum", ["-c", "--strict", "SHA256SUMS"], dir);
    expect(sums.code, sums.stderr).toBe(0);
    expect(sums.stdout).toMatch(/report\.pdf: OK/);
    const ssl = await runTool("openssl", ["pkeyutl", "-verify", "-pubin", "-inkey", "signing-key.pem", "-rawin", "-in", "SHA256SUMS", "-sigfile", "SHA256SUMS.sig"], dir);
    expect(ssl.code, ssl.stderr).toBe(0);
    expect(ssl.stdout).toMatch(/Signature Verified Successfully/);
  });

  it("passes sealtrail verify-pack with the auditor's key, and the archive holds the same files", async () => {
    const run = await runCli(["verify-pack", dir, "--key", pubFile, "--pack-key", pubFile], {});
    expect(run.stderr).toBe("");
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`verified pack ${result.packId}\\n$`));
    expect(run.stdout).toMatch(/^ok {4} checkpoint: logs\/prod\/checkpoint\.txt: .* signed by a trusted verifier key$/m);
    expect(run.stdout).not.toMatch(/FAILED/);
    const extracted = join(work, `${framework}-extracted`);
    mkdirSync(extracted);
    const tar = await runTool("tar", ["xzf", `${dir}.tar.gz`, "-C", extracted]);
    expect(tar.code, tar.stderr).toBe(0);
    expect(filesOf(extracted)).toEqual(filesOf(dir));
    expect((await runTool("sha256sum", ["-c", "--quiet", "SHA256SUMS"], extracted)).code).toBe(0);
  });

  it("fails verification after one byte of any file is flipped, naming what failed", async () => {
    const copy = join(work, `${framework}-flip`);
    cpSync(dir, copy, { recursive: true });
    expect((await verifyPack(copy, { checkpointKeys: [key.publicKey] })).verified).toBe(true);
    for (const f of filesOf(copy)) {
      const original = readFileSync(join(copy, f));
      const bytes = Buffer.from(original);
      bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
      writeFileSync(join(copy, f), bytes);
      const report = await verifyPack(copy, { checkpointKeys: [key.publicKey] });
      writeFileSync(join(copy, f), original);
      expect(report.verified, f).toBe(false);
      const failed = report.checks.filter((c) => !c.ok);
      if (!SEAL.includes(f)) expect(failed.map((c) => c.file), f).toContain(f);
      else expect(failed.some((c) => c.check === "signature" || c.check === "manifest" || c.check === "files"), f).toBe(true);
    }
    // The command says so too: exit 1 and a FAILED line naming the file.
    const events = readFileSync(join(copy, "logs", "prod", "events.jsonl"));
    events[10]! ^= 0x01;
    writeFileSync(join(copy, "logs", "prod", "events.jsonl"), events);
    const run = await runCli(["verify-pack", copy, "--key", pubFile], {});
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAILED files: logs\/prod\/events\.jsonl: SHA-256 /m);
    expect(run.stdout).toMatch(/FAILED \d+ checks?\n$/);
    // A full verification per file of the pack: bounded, but generous for a loaded machine.
  }, 300_000);

  it("has a report whose text shows the cover, every control id and the checkpoint root", async () => {
    const text = (await runTool("pdftotext", [join(dir, "report.pdf"), "-"])).stdout;
    const pack = JSON.parse(readFileSync(join(dir, "pack.json"), "utf8")) as { ledger: { role: string; checkpoint: { root: string } }[] };
    expect(text).toContain(`${exporter.framework} evidence pack`);
    expect(text).toContain("Acme Corp");
    expect(text).toContain(String(result.packId));
    expect(text).toContain("2025-03-01T00:00:00Z to 2025-03-04T00:00:00Z");
    expect(text).toContain("auditor@example.com");
    for (const c of exporter.controls) expect(text, c.id).toContain(c.id);
    expect(text).toContain(pack.ledger.find((l) => l.role === "subject")!.checkpoint.root);
    // The embedded Unicode font: names and terminal text come out as written.
    expect(text).toContain("Zoë Ångström");
    expect(text).toMatch(/Integrity attestation/);
    expect(text).toMatch(/Chain of custody/);
  });

  it("has an OSCAL assessment-results document valid against NIST's schema", () => {
    const schema = JSON.parse(readFileSync(join(ROOT, "test", "fixtures", "oscal", "oscal_assessment-results_schema.json"), "utf8"));
    const ajv = new Ajv.default({ strict: false, allErrors: true, unicodeRegExp: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    const doc = JSON.parse(readFileSync(join(dir, "oscal", "assessment-results.json"), "utf8"));
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const findings = doc["assessment-results"].results[0].findings as unknown[];
    expect(findings).toHaveLength(exporter.controls.length);
    // The schema must be able to say no: a document without its required uuid fails.
    delete doc["assessment-results"].uuid;
    expect(validate(doc)).toBe(false);
  });

  it("is byte-identical when built again from the same request and ledger state", async () => {
    const again = join(work, `${framework}-again`);
    const second = ok(await runCli(packArgs(framework, again, ["--archive", "tar.gz"]), env()));
    expect(second.packId).toBe(result.packId);
    expect(second.recordSeq as number).toBeGreaterThan(result.recordSeq as number); // Every build is recorded, a rebuild of the same bytes too (PCI DSS 10.2.1.3).
    const files = filesOf(dir);
    expect(filesOf(again)).toEqual(files);
    for (const f of files) expect(readFileSync(join(again, f)).equals(readFileSync(join(dir, f))), f).toBe(true);
    expect(readFileSync(`${again}.tar.gz`).equals(readFileSync(`${dir}.tar.gz`))).toBe(true);
  });

  it("renders its first pages to PNG for a person to look at", async () => {
    const prefix = join(ARTIFACTS, framework);
    const run = await runTool("pdftoppm", ["-png", "-r", "60", "-f", "1", "-l", "3", join(dir, "report.pdf"), prefix]);
    expect(run.code, run.stderr).toBe(0);
    const pngs = readdirSync(ARTIFACTS).filter((f) => f.startsWith(`${framework}-`) && f.endsWith(".png"));
    expect(pngs.length).toBeGreaterThanOrEqual(3);
    for (const p of pngs) expect(readFileSync(join(ARTIFACTS, p)).subarray(1, 4).toString()).toBe("PNG");
  });
});
