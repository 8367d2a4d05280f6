/**
 * Attested evidence (sealtrail attest): a file recorded for a control as an evidence.attestation
 * entry of the tenant's audit log, its bytes kept by their SHA-256. A pack of the period carries
 * it with the entry's inclusion proof; a control whose own evidence is missing is "attested",
 * never "satisfied" by the file's presence; verify-pack and verify.mjs check the bytes against
 * the hash the entry records, and a file edited and re-sealed with the genuine pack key fails.
 * An unknown control, a file too large or a bad period stores nothing.
 */
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { vkeyString } from "../../src/core/note/index.js";
import { auditLogName } from "../../src/ledger/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { PostgresLedgerStore } from "../../src/ledger/postgres/postgres-store.js";
import { recordAttestation, type AttestRequest } from "../../src/packs/attest.js";
import { MAX_ATTESTATION_BYTES } from "../../src/packs/attestation.js";
import { BUILT_IN_EXPORTERS } from "../../src/packs/frameworks/index.js";
import { PackError } from "../../src/packs/pack-error.js";
import { renderReport } from "../../src/packs/pdf/report.js";
import type { Attestation } from "../../src/packs/pack-model.js";
import { controlOutcomes } from "../../src/packs/results.js";
import { verifyPack } from "../../src/packs/verify-pack.js";
import { runCli, runTool } from "../support/cli.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { buildSoc2Pack, ORIGIN_PREFIX, reseal, seedPackLedger } from "../support/packs.js";

const key = testKey();
const exporters = new Map(BUILT_IN_EXPORTERS.map((e) => [e.id, e]));
let ledger: TestLedger;
let work: string;
let genuine: string;
const REVIEW = Buffer.from("incident,opened,responded,closed\nINC-7,2025-03-02,2025-03-02,2025-03-03\n");
const OLD = Buffer.from("last year's review\n");
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** The store with the ledger clock pinned, as the seeded ledger's entries are. */
function pinnedStore(at: string): PostgresLedgerStore {
  const store = new PostgresLedgerStore(ledger.writer, ledger.schema);
  store.appender = (o) => new Appender(ledger.writer, { ...o, now: () => new Date(at) });
  return store;
}

const request = (over: Partial<AttestRequest>): AttestRequest => ({
  tenant: "acme", framework: "soc2", control: "CC7.4", file: { name: "incidents-2025-03.csv", bytes: REVIEW }, by: "cli:carol@ops-1", source: "sealtrail-cli", ...over,
});

async function counts(): Promise<{ entries: number; files: number }> {
  const [row] = await ledger.admin<{ entries: number; files: number }[]>`
    select (select count(*)::int from entries e join logs l on l.id = e.log_id where l.name = ${auditLogName("acme")}) as entries,
      (select count(*)::int from attestation_files) as files`;
  return row!;
}

let copies = 0;
function copy(): string {
  const dir = join(work, `copy-${++copies}`);
  cpSync(genuine, dir, { recursive: true });
  return dir;
}

const keys = () => {
  const pack = JSON.parse(readFileSync(join(genuine, "pack.json"), "utf8")) as { ledger: { origin: string }[] };
  return pack.ledger.map((l) => vkeyString(l.origin, key.publicKey));
};

beforeAll(async () => {
  ledger = await freshLedger("packattest");
  await seedPackLedger(ledger.writer, key.privateKey);
  work = mkdtempSync(join(tmpdir(), "sealtrail-attest-"));
  // In the period (2025-03-01 to 03-04), after the seeded audit entries: CC7.4's incident responses, kept outside the ledger.
  await recordAttestation(pinnedStore("2025-03-03T09:00:00Z"), ORIGIN_PREFIX, exporters, request({ note: "responses from the ticketing system", period: { from: "2025-03-01T00:00:00Z", to: "2025-03-04T00:00:00Z" } }));
  // Beside ledger evidence (CC6.3 has its review sign-offs): the control stays satisfied and names it.
  await recordAttestation(pinnedStore("2025-03-03T09:05:00Z"), ORIGIN_PREFIX, exporters, request({ control: "CC6.3", file: { name: "reviews/access review Q1.pdf", bytes: Buffer.from("%PDF-1.4 access review\n") } }));
  // Evidence of another period, and of another framework: not in this pack.
  await recordAttestation(pinnedStore("2025-03-03T09:10:00Z"), ORIGIN_PREFIX, exporters, request({ file: { name: "old.txt", bytes: OLD }, period: { from: "2024-01-01T00:00:00Z", to: "2024-04-01T00:00:00Z" } }));
  await recordAttestation(pinnedStore("2025-03-03T09:15:00Z"), ORIGIN_PREFIX, exporters, request({ framework: undefined, control: "10.4.1", file: { name: "pci-review.txt", bytes: OLD } }));
  genuine = join(work, "genuine");
  await buildSoc2Pack(ledger.store, key.privateKey, genuine);
});

afterAll(async () => {
  await ledger?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the result rule", () => {
  it("makes a control without its own evidence attested, never satisfied; a control with evidence keeps its result; an exception still wins", () => {
    const specs = exporters.get("soc2")!.controls;
    const population = (id: string) => ({ controlId: id, file: `populations/${id}.csv`, query: "", parameters: {}, clauses: [], count: 3, sha256: "", sampling: { frequency: "many-times-daily" as const, size: 0, basis: "" }, sample: [] });
    const pops = new Map(specs.filter((s) => s.population.length > 0).map((s) => [s.id, population(s.id)]));
    const attested = (controlId: string, seq: number): Attestation => ({ controlId, framework: "soc2", logName: "_audit.acme", seq, by: "cli:carol@ops-1", recordedAt: "2025-03-03T09:00:00.000Z", file: { name: "f.csv", size: 3, sha256: "ab".repeat(32), mediaType: "text/csv" }, packFile: `attestations/${"ab".repeat(32)}-f.csv`, proofFile: `audit/inclusion/${seq}.json` });
    const failedSweep = { id: "EX-0001", kind: "failed-sweep" as const, controls: [], log: "audit" as const, logName: "_audit.acme", seqs: [1], description: "", remediation: "open", rootCause: "", managementResponse: "" };
    // CC6.3 and CC7.3 lack their operating evidence; CC7.4 has it (2 responses).
    const out = controlOutcomes(specs, pops, [failedSweep], [], new Map([["CC7.4", 2]]), [attested("CC6.3", 4), attested("CC7.3", 5), attested("CC7.4", 6)]);
    const by = Object.fromEntries(out.map((c) => [c.spec.id, c]));
    expect(by["CC6.3"]!.result).toBe("attested");
    expect(by["CC6.3"]!.evidence).toEqual(expect.arrayContaining([`attestations/${"ab".repeat(32)}-f.csv`, "audit/inclusion/4.json"]));
    expect(by["CC7.3"]!.result).toBe("exceptions");
    expect(by["CC7.4"]!.result).toBe("satisfied");
    expect(by["CC7.4"]!.reason).toContain("2 entries show it operating; attested by cli:carol@ops-1");
    // Without the attestation CC6.3 is not tested, as before.
    expect(controlOutcomes(specs, pops, [], [], new Map()).find((c) => c.spec.id === "CC6.3")!.result).toBe("not tested");
  });
});

describe("recording an attestation", () => {
  it("refuses an unknown control, a file too large, an empty one and a bad period with a typed error, storing nothing", async () => {
    const before = await counts();
    const refused = async (r: AttestRequest, code: string) => {
      const error = await recordAttestation(pinnedStore("2025-03-03T10:00:00Z"), ORIGIN_PREFIX, exporters, r).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(PackError);
      expect((error as PackError).code).toBe(code);
    };
    await refused(request({ control: "CC9.9" }), "UNKNOWN_CONTROL");
    await refused(request({ framework: undefined, control: "no-such-control" }), "UNKNOWN_CONTROL");
    await refused(request({ framework: "hipaa", control: "CC7.4" }), "UNKNOWN_CONTROL");
    await refused(request({ file: { name: "big.bin", bytes: new Uint8Array(MAX_ATTESTATION_BYTES + 1) } }), "FILE_TOO_LARGE");
    await refused(request({ file: { name: "empty.txt", bytes: new Uint8Array(0) } }), "INVALID_REQUEST");
    await refused(request({ period: { from: "2025-03-04T00:00:00Z", to: "2025-03-01T00:00:00Z" } }), "INVALID_REQUEST");
    await refused(request({ period: { from: "yesterday", to: "2025-03-01T00:00:00Z" } }), "INVALID_REQUEST");
    await refused(request({ framework: "nist" }), "INVALID_REQUEST");
    expect(await counts()).toEqual(before);
  });

  it("records the file's hash, size, media type, name, control, framework, principal, note and period in the audit log, and keeps the bytes", async () => {
    const [entry] = await ledger.admin<{ kind: string; action: string }[]>`
      select e.kind, e.action from entries e join logs l on l.id = e.log_id
      where l.name = ${auditLogName("acme")} and e.kind = 'evidence.attestation' order by e.seq limit 1`;
    expect(entry).toMatchObject({ kind: "evidence.attestation", action: "evidence.attest" });
    // The actor and the payload as the pack shows them (audit/events.jsonl), whichever leaf format the log has.
    const line = readFileSync(join(genuine, "audit", "events.jsonl"), "utf8").split("\n").map((l) => (l ? JSON.parse(l) as { kind: string; actor: string; resource: string; payload: unknown } : undefined)).find((e) => e?.kind === "evidence.attestation")!;
    expect(line).toMatchObject({ actor: "cli:carol@ops-1", resource: "soc2:CC7.4" });
    const payload = line.payload;
    expect(payload).toEqual({
      control: "CC7.4", framework: "soc2",
      file: { name: "incidents-2025-03.csv", size: REVIEW.length, sha256: sha(REVIEW), mediaType: "text/csv" },
      note: "responses from the ticketing system", period: { from: "2025-03-01T00:00:00.000Z", to: "2025-03-04T00:00:00.000Z" },
    });
    const stored = await ledger.store.attestationFile("acme", new Uint8Array(Buffer.from(sha(REVIEW), "hex")));
    expect(Buffer.from(stored!).equals(REVIEW)).toBe(true);
    // The stored row cannot be changed (append-only, like every ledger table).
    await expect(ledger.admin`update attestation_files set bytes = ${Buffer.from("x")}`).rejects.toThrow();
  });
});

describe("a pack of the period", () => {
  type Ctl = { id: string; result: string; reason: string; evidence: string[]; attestations?: { packFile: string; proofFile: string; file: { sha256: string; mediaType: string }; by: string; note?: string }[] };
  const controls = () => (JSON.parse(readFileSync(join(genuine, "controls.json"), "utf8")) as { controls: Ctl[] }).controls;

  it("carries the attested file and the entry's proof; the control without its own evidence is attested, not satisfied", () => {
    const cc74 = controls().find((c) => c.id === "CC7.4")!;
    expect(cc74.result).toBe("attested");
    expect(cc74.reason).toMatch(/^tested by inspection of attested evidence: the ledger holds none of its own \(an incident response recorded/);
    expect(cc74.reason).toContain("the auditor inspects the file against the procedure");
    expect(cc74.attestations).toHaveLength(1);
    const a = cc74.attestations![0]!;
    expect(a).toMatchObject({ packFile: `attestations/${sha(REVIEW)}-incidents-2025-03.csv`, by: "cli:carol@ops-1", note: "responses from the ticketing system", file: { sha256: sha(REVIEW), mediaType: "text/csv" } });
    expect(a.proofFile).toMatch(/^audit\/inclusion\/\d+\.json$/);
    expect(readFileSync(join(genuine, a.packFile)).equals(REVIEW)).toBe(true);
    expect(cc74.evidence).toEqual(expect.arrayContaining([a.packFile, a.proofFile]));
    // Beside ledger evidence, the control keeps its result and names the file (its name made safe).
    const cc63 = controls().find((c) => c.id === "CC6.3")!;
    expect(cc63.result).toBe("satisfied");
    expect(cc63.attestations![0]!.packFile).toMatch(/^attestations\/[0-9a-f]{64}-access_review_Q1\.pdf$/);
    expect(cc63.reason).toContain("attested by cli:carol@ops-1 (access_review_Q1.pdf");
    // Another period's and another framework's attestations are not carried.
    const sums = readFileSync(join(genuine, "SHA256SUMS"), "utf8");
    expect(sums.match(/ {2}attestations\//g)).toHaveLength(2);
    expect(sums).not.toContain(sha(OLD));
  });

  it("lists it in the OSCAL observation with href and hash, and on the control's page of the report", () => {
    const ar = JSON.parse(readFileSync(join(genuine, "oscal", "assessment-results.json"), "utf8")) as { "assessment-results": { results: { observations: { title: string; methods: string[]; "relevant-evidence": { href: string; links: { href: string }[] }[] }[]; findings: { title: string; target: { status: { state: string; reason: string } } }[] }[]; "back-matter": { resources: { uuid: string; title: string; rlinks?: { hashes?: { algorithm: string; value: string }[] }[] }[] } } };
    const doc = ar["assessment-results"];
    const obs = doc.results[0]!.observations.find((o) => o.title === "CC7.4 evidence")!;
    expect(obs.methods).toEqual(["EXAMINE"]);
    const evidence = obs["relevant-evidence"].find((e) => e.href === `../attestations/${sha(REVIEW)}-incidents-2025-03.csv`)!;
    expect(evidence).toBeDefined();
    const resource = doc["back-matter"].resources.find((r) => `#${r.uuid}` === evidence.links[0]!.href)!;
    expect(JSON.stringify(resource)).toContain(sha(REVIEW));
    expect(doc.results[0]!.findings.find((f) => f.title === "CC7.4: attested")!.target.status).toMatchObject({ state: "not-satisfied", reason: "other" });
    const text = execFileSync("pdftotext", ["-layout", join(genuine, "report.pdf"), "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
    expect(text).toContain("Attested evidence");
    expect(text).toContain(sha(REVIEW));
    expect(text).toMatch(/1 attested \(evidence attached for the auditor to inspect\)/);
  });

  it("verifies: verify-pack and verify.mjs check the file against the entry's hash", async () => {
    const report = await verifyPack(genuine, { checkpointKeys: [key.publicKey], renderReport });
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.verified).toBe(true);
    expect(report.checks.find((c) => c.check === "attestations")?.message).toMatch(/^2 attested files .*each the bytes whose SHA-256 its ledger entry records/);
    const node = await runTool(process.execPath, ["verify.mjs", ...keys().flatMap((k) => ["--key", k])], genuine);
    expect(node.code, node.stdout).toBe(0);
    expect(node.stdout).toMatch(/^ok {4} attestations: /m);
  });

  it("refuses the attached file edited and re-sealed with the genuine key, an unlisted file, a missing proof", async () => {
    const cc74 = controls().find((c) => c.id === "CC7.4")!.attestations![0]!;
    const edited = copy();
    writeFileSync(join(edited, cc74.packFile), Buffer.concat([REVIEW, Buffer.from("INC-8,2025-03-03,2025-03-03,2025-03-03\n")]));
    reseal(edited, key.privateKey);
    const a = await verifyPack(edited, { checkpointKeys: [key.publicKey] });
    expect(a.integrity).toBe("failed");
    expect(a.checks.find((c) => c.check === "attestations" && !c.ok)?.message).toContain(`${cc74.packFile}: SHA-256 `);
    const node = await runTool(process.execPath, ["verify.mjs", ...keys().flatMap((k) => ["--key", k])], edited);
    expect(node.code).toBe(1);
    expect(node.stdout).toMatch(/^FAILED attestations: attestations\//m);

    const extra = copy();
    writeFileSync(join(extra, "attestations", `${sha(OLD)}-old.txt`), OLD);
    reseal(extra, key.privateKey);
    const b = await verifyPack(extra, { checkpointKeys: [key.publicKey] });
    expect(b.checks.find((c) => c.check === "attestations" && !c.ok)?.message).toMatch(/no evidence\.attestation entry of the audit section names this file/);

    const unproved = copy();
    rmSync(join(unproved, cc74.proofFile));
    rmSync(join(unproved, cc74.proofFile.replace(/\.json$/, ".tlog-proof")), { force: true });
    reseal(unproved, key.privateKey);
    const c = await verifyPack(unproved, { checkpointKeys: [key.publicKey] });
    expect(c.checks.find((x) => x.check === "attestations" && !x.ok)?.message).toContain("the entry's inclusion proof is missing");
  });
});

describe("sealtrail attest", () => {
  const env = () => ({ DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema, SEALTRAIL_ORIGIN_PREFIX: ORIGIN_PREFIX });

  it("records a file for a control, names the framework when the control has one, and refuses an unknown control storing nothing", async () => {
    const file = join(work, "access-review.txt");
    writeFileSync(file, "reviewed every account\n");
    const before = await counts();
    const unknown = await runCli(["attest", "--tenant", "acme", "--control", "CC99", "--file", file], env());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/attest: control "CC99" is not a control of any framework/);
    const missing = await runCli(["attest", "--tenant", "acme", "--control", "CC6.3", "--file", join(work, "no-such-file")], env());
    expect(missing.code).toBe(2);
    expect(await counts()).toEqual(before);
    const run = await runCli(["attest", "--tenant", "acme", "--control", "CC6.3", "--file", file, "--note", "Q1 review"], env());
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { log: string; seq: number; framework: string; control: string; file: { sha256: string; mediaType: string }; packFile: string };
    expect(out).toMatchObject({ log: auditLogName("acme"), framework: "soc2", control: "CC6.3", file: { sha256: sha(readFileSync(file)), mediaType: "text/plain" }, packFile: `attestations/${sha(readFileSync(file))}-access-review.txt` });
    expect(await counts()).toEqual({ entries: before.entries + 1, files: before.files + 1 });
  });
});
