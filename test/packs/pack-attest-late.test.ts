/**
 * Attested evidence beyond the built-in frameworks and beyond the period:
 * - a plugin exporter's pack: its attestations are re-derived from the audit log's entries and
 *   checked as a built-in's are (the file's bytes against the entry's hash, the entry's proof,
 *   no unnamed file, each control's list in controls.json), by verify-pack and verify.mjs alike;
 * - an attestation recorded after the period (a review of the period signed off later) that
 *   states the period it covers is carried in a pack of that period, with its entry and its
 *   inclusion proof in the audit checkpoint, which is chosen to cover it; one stating another
 *   period, or none, is not. The audit section carries the audit log's entries after the
 *   period up to that checkpoint (payloads shown for attestations only), so none can be left
 *   out unnoticed. The pack is the same when built again; a forged, dropped or posing late
 *   attestation fails, and so do entries after the period cut short.
 */
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { vkeyString } from "../../src/core/note/index.js";
import { auditLogName, checkpointLog } from "../../src/ledger/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { PostgresLedgerStore } from "../../src/ledger/postgres/postgres-store.js";
import { recordAttestation, type AttestRequest } from "../../src/packs/attest.js";
import { buildPack } from "../../src/packs/build-pack.js";
import { checkExporter } from "../../src/packs/exporters.js";
import { BUILT_IN_EXPORTERS } from "../../src/packs/frameworks/index.js";
import { renderReport } from "../../src/packs/pdf/report.js";
import { verifyPack } from "../../src/packs/verify-pack.js";
import { runTool } from "../support/cli.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { buildSoc2Pack, ORIGIN_PREFIX, reseal, seedPackLedger, SMALL_SOC2_REQUEST } from "../support/packs.js";

const key = testKey();
const plugin = checkExporter({
  id: "acme-controls", framework: "Acme internal controls", version: "2025.1",
  controls: [
    { id: "AR-1", summary: "Access to production is reviewed each quarter", method: "Inspect the signed review", population: [{ log: "subject", kinds: ["access"] }], operation: { needs: "a signed access review", clauses: [{ log: "audit", kinds: ["access.review"] }] } },
    { id: "CH-1", summary: "Deployments are recorded", method: "Re-perform from the population", population: [{ log: "subject", kinds: ["deploy"] }] },
  ],
}, "test plugin");
const exporters = new Map([...BUILT_IN_EXPORTERS.map((e) => [e.id, e] as const), [plugin.id, plugin]]);
const Q = { from: "2025-03-01T00:00:00Z", to: "2025-03-04T00:00:00Z" };
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const IN_PERIOD = Buffer.from("AR-1 review, signed in the period\n");
const LATE_SOC2 = Buffer.from("incident responses of the period, exported after it\n");
const LATE_PLUGIN = Buffer.from("AR-1 review of the period, signed after it\n");
const NO_PERIOD = Buffer.from("a late file that names no period\n");
const OTHER = Buffer.from("a late file of another quarter\n");

let ledger: TestLedger;
let work: string;
let soc2Dir: string;
let pluginDir: string;
const seqs = { inPeriod: 0, other: 0, lateSoc2: 0, latePlugin: 0, noPeriod: 0 };

function pinnedStore(at: string): PostgresLedgerStore {
  const store = new PostgresLedgerStore(ledger.writer, ledger.schema);
  store.appender = (o) => new Appender(ledger.writer, { ...o, now: () => new Date(at) });
  return store;
}

async function attest(at: string, over: Partial<AttestRequest> & Pick<AttestRequest, "control" | "file">): Promise<number> {
  const r: AttestRequest = { tenant: "acme", by: "cli:carol@ops-1", source: "sealtrail-cli", ...over };
  return (await recordAttestation(pinnedStore(at), ORIGIN_PREFIX, exporters, r)).seq;
}

const build = (exporter: typeof plugin, out: string) => buildPack({
  store: ledger.store, exporter, out, packKey: key.privateKey, checkpointKey: key.privateKey, generator: { name: "sealtrail", version: "test" }, originPrefix: ORIGIN_PREFIX,
  request: { ...SMALL_SOC2_REQUEST, framework: exporter.id },
});

type Ctl = { id: string; result: string; attestations?: { seq: number; packFile: string; proofFile: string; recordedAfterPeriod?: boolean; recordedAt: string }[] };
const controls = (dir: string) => (JSON.parse(readFileSync(join(dir, "controls.json"), "utf8")) as { controls: Ctl[] }).controls;
const packJson = (dir: string) => JSON.parse(readFileSync(join(dir, "pack.json"), "utf8")) as { ledger: { role: string; origin: string; endSeq: number; checkpoint: { size: number }; afterPeriodFile?: string }[] };
const vkeys = (dir: string) => packJson(dir).ledger.map((l) => ({ name: l.origin, publicKey: key.publicKey, vkey: vkeyString(l.origin, key.publicKey) }));

let copies = 0;
function copy(dir: string): string {
  const out = join(work, `copy-${++copies}`);
  cpSync(dir, out, { recursive: true });
  return out;
}

/** verify-pack's report and verify.mjs's, for the same keys: they must be the same. */
async function bothVerifiers(dir: string) {
  const keys = vkeys(dir);
  const report = await verifyPack(dir, { checkpointKeys: keys.map(({ name, publicKey }) => ({ name, publicKey })) });
  const node = await runTool(process.execPath, ["verify.mjs", "--json", ...keys.flatMap((k) => ["--key", k.vkey])], dir);
  expect(JSON.parse(node.stdout)).toEqual(JSON.parse(JSON.stringify(report)));
  return report;
}

beforeAll(async () => {
  ledger = await freshLedger("packlate");
  await seedPackLedger(ledger.writer, key.privateKey);
  work = mkdtempSync(join(tmpdir(), "sealtrail-attest-late-"));
  // In the period: the plugin's AR-1 review.
  seqs.inPeriod = await attest("2025-03-03T09:00:00Z", { framework: plugin.id, control: "AR-1", file: { name: "ar1-in.txt", bytes: IN_PERIOD }, period: Q });
  // After the period: one of another quarter, then the audit log's checkpoint (the smallest covering the period and the entry after it).
  seqs.other = await attest("2025-03-05T09:00:00Z", { control: "CC7.4", file: { name: "other.txt", bytes: OTHER }, period: { from: "2025-04-01T00:00:00Z", to: "2025-07-01T00:00:00Z" } });
  await checkpointLog(ledger.store, auditLogName("acme"), key.privateKey);
  // Signed off after the period and past that checkpoint, naming the period they cover; and one naming none.
  seqs.lateSoc2 = await attest("2025-03-20T09:00:00Z", { control: "CC7.4", file: { name: "incidents-q.csv", bytes: LATE_SOC2 }, period: Q, note: "exported after the period" });
  seqs.latePlugin = await attest("2025-03-21T09:00:00Z", { framework: plugin.id, control: "AR-1", file: { name: "ar1-late.txt", bytes: LATE_PLUGIN }, period: { from: "2025-01-01T00:00:00Z", to: "2025-04-01T00:00:00Z" } });
  seqs.noPeriod = await attest("2025-03-22T09:00:00Z", { control: "CC7.4", file: { name: "no-period.txt", bytes: NO_PERIOD } });
  soc2Dir = join(work, "soc2");
  pluginDir = join(work, "plugin");
  await buildSoc2Pack(ledger.store, key.privateKey, soc2Dir);
  await build(plugin, pluginDir);
}, 120_000);

afterAll(async () => {
  await ledger?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("an attestation recorded after the period", () => {
  it("is carried in the pack of the period it names, with its entry and its proof in the audit checkpoint, which covers it", () => {
    const cc74 = controls(soc2Dir).find((c) => c.id === "CC7.4")!;
    expect(cc74.result).toBe("attested");
    expect(cc74.attestations).toHaveLength(1);
    const a = cc74.attestations![0]!;
    expect(a).toMatchObject({ seq: seqs.lateSoc2, recordedAfterPeriod: true, proofFile: `attestations/recorded-after/${seqs.lateSoc2}.json`, packFile: `attestations/${sha(LATE_SOC2)}-incidents-q.csv` });
    expect(a.recordedAt >= Q.to).toBe(true);
    expect(readFileSync(join(soc2Dir, a.packFile)).equals(LATE_SOC2)).toBe(true);
    const proof = JSON.parse(readFileSync(join(soc2Dir, a.proofFile), "utf8")) as { seq: number; size: number; entry: string };
    const audit = packJson(soc2Dir).ledger.find((l) => l.role === "audit")!;
    // The section still ends with the period; its checkpoint was chosen past the earlier one to cover the late entry.
    expect(audit.endSeq).toBeLessThanOrEqual(seqs.other);
    // The audit log's entries after the period up to that checkpoint, payloads shown for attestations only.
    expect(audit.afterPeriodFile).toBe("audit/after-period.jsonl");
    const after = readFileSync(join(soc2Dir, "audit", "after-period.jsonl"), "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as { seq: number; kind: string; payload: unknown });
    expect(after.map((e) => e.seq)).toEqual(Array.from({ length: audit.checkpoint.size - audit.endSeq }, (_, i) => audit.endSeq + i));
    expect(after.filter((e) => e.payload !== null).map((e) => e.seq)).toEqual([seqs.other, seqs.lateSoc2, seqs.latePlugin, seqs.noPeriod]);
    expect(after.every((e) => (e.payload === null) === (e.kind !== "evidence.attestation"))).toBe(true);
    expect(audit.checkpoint.size).toBeGreaterThan(seqs.lateSoc2);
    expect(proof).toMatchObject({ seq: seqs.lateSoc2, size: audit.checkpoint.size });
    expect(JSON.parse(proof.entry)).toMatchObject({ kind: "evidence.attestation", seq: seqs.lateSoc2 });
    // Another quarter's, one naming no period, and the plugin's are not in the SOC 2 pack.
    const sums = readFileSync(join(soc2Dir, "SHA256SUMS"), "utf8");
    for (const b of [OTHER, NO_PERIOD, LATE_PLUGIN, IN_PERIOD]) expect(sums).not.toContain(sha(b));
    expect(sums.match(/ {2}attestations\//g)).toHaveLength(2);
  });

  it("verifies, verify.mjs giving verify-pack's report, and the report.pdf re-derived", async () => {
    const report = await bothVerifiers(soc2Dir);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.verified).toBe(true);
    expect(report.checks.find((c) => c.check === "attestations")?.message).toMatch(/1 recorded after the period, each proved a leaf of the audit checkpoint$/);
    const withPdf = await verifyPack(soc2Dir, { checkpointKeys: [key.publicKey], renderReport });
    expect(withPdf.checks.filter((c) => !c.ok)).toEqual([]);
  });

  it("gives the same pack when built again", async () => {
    const again = join(work, "soc2-again");
    await buildSoc2Pack(ledger.store, key.privateKey, again);
    expect(readFileSync(join(again, "SHA256SUMS"), "utf8")).toBe(readFileSync(join(soc2Dir, "SHA256SUMS"), "utf8"));
  });

  it("fails when its entry is forged, when it is dropped, and when an entry of the period poses as one", async () => {
    const file = `attestations/recorded-after/${seqs.lateSoc2}.json`;
    const forged = copy(soc2Dir);
    const p = JSON.parse(readFileSync(join(forged, file), "utf8")) as { entry: string };
    p.entry = p.entry.replace("exported after the period", "exported after the period, reviewed by the CISO");
    writeFileSync(join(forged, file), JSON.stringify(p));
    reseal(forged, key.privateKey);
    const a = await bothVerifiers(forged);
    expect(a.integrity).toBe("failed");
    expect(a.checks.find((c) => c.check === "attestations" && !c.ok)?.message).toMatch(/payload_hash|leaf_hash/);

    const dropped = copy(soc2Dir);
    rmSync(join(dropped, file));
    reseal(dropped, key.privateKey);
    const b = await bothVerifiers(dropped);
    expect(b.integrity).toBe("failed");
    // The audit log's entries after the period show it, so leaving it out is seen; its file is then named by no entry.
    expect(b.checks.find((c) => c.check === "attestations" && !c.ok && c.file === "audit/after-period.jsonl")?.message).toMatch(new RegExp(`entry ${seqs.lateSoc2} attests evidence of this pack's period .*but the pack does not carry it`));
    expect(b.checks.find((c) => c.check === "attestations" && !c.ok && c.file === `attestations/${sha(LATE_SOC2)}-incidents-q.csv`)).toBeDefined();

    // The entries after the period cut short, to hide it: they no longer reach the checkpoint.
    const cut = copy(soc2Dir);
    const lines = readFileSync(join(cut, "audit", "after-period.jsonl"), "utf8").split("\n").filter((l) => l !== "");
    writeFileSync(join(cut, "audit", "after-period.jsonl"), `${lines.filter((l) => (JSON.parse(l) as { seq: number }).seq < seqs.lateSoc2).join("\n")}\n`);
    reseal(cut, key.privateKey);
    const d = await bothVerifiers(cut);
    expect(d.checks.find((c) => c.check === "events" && !c.ok)?.message).toMatch(/^audit\/after-period\.jsonl: ends at seq \d+, the checkpoint's size is \d+/);

    // An entry of the period under the late name: it is in the section, not after it.
    const posing = copy(soc2Dir);
    const audit = packJson(posing).ledger.find((l) => l.role === "audit")!;
    const inSection = readFileSync(join(posing, "audit", "events.jsonl"), "utf8").split("\n")[0]!;
    const seq = (JSON.parse(inSection) as { seq: number }).seq;
    writeFileSync(join(posing, `attestations/recorded-after/${seq}.json`), JSON.stringify({ seq, size: audit.checkpoint.size, leafHash: "", proof: [], entry: inSection }));
    reseal(posing, key.privateKey);
    const c = await bothVerifiers(posing);
    expect(c.checks.find((x) => x.check === "attestations" && !x.ok && x.file === `attestations/recorded-after/${seq}.json`)?.message).toMatch(/is in the audit section/);
  });
});

describe("a plugin exporter's pack", () => {
  it("carries its attestations, of the period and after it, and the control without its own evidence is attested", () => {
    const ar1 = controls(pluginDir).find((c) => c.id === "AR-1")!;
    expect(ar1.result).toBe("attested");
    expect(ar1.attestations!.map((a) => [a.seq, a.recordedAfterPeriod ?? false])).toEqual([[seqs.inPeriod, false], [seqs.latePlugin, true]]);
  });

  it("verifies its attestations as a built-in's are, verify.mjs giving verify-pack's report", async () => {
    const report = await bothVerifiers(pluginDir);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.checks.find((c) => c.check === "attestations")?.message).toMatch(/^2 attested files .*1 recorded after the period/);
  });

  it("fails an attested file edited and re-sealed with the genuine pack key, and a list edited in controls.json", async () => {
    const ar1 = controls(pluginDir).find((c) => c.id === "AR-1")!;
    const edited = copy(pluginDir);
    writeFileSync(join(edited, ar1.attestations![0]!.packFile), Buffer.concat([IN_PERIOD, Buffer.from("and one more line\n")]));
    reseal(edited, key.privateKey);
    const a = await bothVerifiers(edited);
    expect(a.integrity).toBe("failed");
    expect(a.checks.find((c) => c.check === "attestations" && !c.ok)?.message).toContain(`${ar1.attestations![0]!.packFile}: SHA-256 `);

    const unlisted = copy(pluginDir);
    const doc = JSON.parse(readFileSync(join(unlisted, "controls.json"), "utf8")) as { controls: Ctl[] };
    doc.controls.find((c) => c.id === "AR-1")!.attestations!.pop();
    writeFileSync(join(unlisted, "controls.json"), `${JSON.stringify(doc, null, 2)}\n`);
    reseal(unlisted, key.privateKey);
    const b = await bothVerifiers(unlisted);
    expect(b.checks.find((c) => c.check === "attestations" && !c.ok)?.message).toMatch(/^controls\.json: control AR-1 lists 1 attestation\(s\), the audit log's entries give 2/);
  });
});
