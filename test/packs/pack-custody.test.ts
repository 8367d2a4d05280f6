/**
 * Custody (issue 19, item 11): every build and rebuild of a pack is a pack.build entry of the
 * tenant's audit log (a rebuild of the same bytes too); the recipient and the requester's note
 * are kept apart from the principal, in pack.json's custody and the custody page; the CLI's
 * requester is its operator, not what a flag says.
 */
import { execFileSync } from "node:child_process";
import { createHash, generateKeyPairSync } from "node:crypto";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLogName } from "../../src/ledger/index.js";
import { runCli } from "../support/cli.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { buildSoc2Pack, ORIGIN_PREFIX, packWorkdir, PERIOD, reseal, seedPackLedger, SMALL_SOC2_REQUEST } from "../support/packs.js";
import { publicKeyToPem, rawPublicKey } from "../../src/core/note/index.js";
import { renderReport } from "../../src/packs/pdf/report.js";
import { verifyPack } from "../../src/packs/verify-pack.js";

const key = testKey();
let ledger: TestLedger;
let work: string;
let keyFile: string;

beforeAll(async () => {
  ledger = await freshLedger("packcustody");
  ({ work, keyFile } = packWorkdir("packcustody", key));
  await seedPackLedger(ledger.writer, key.privateKey);
}, 120_000);

afterAll(async () => {
  await ledger?.close();
  rmSync(work, { recursive: true, force: true });
});

const builds = async (packId: string) => (await ledger.store.payloadsOfKind(auditLogName("acme"), "pack.build")).map((p) => JSON.parse(p!) as { packId: string; buildId: string; recipient?: string }).filter((p) => p.packId === packId);

describe("custody", () => {
  it("records every build and rebuild of the same pack, once each", async () => {
    const request = { ...SMALL_SOC2_REQUEST, recipient: "Example LLP (external auditor)", note: "Q1 fieldwork, ticket AUD-7" };
    const a = await buildSoc2Pack(ledger.store, key.privateKey, join(work, "a"), request);
    const b = await buildSoc2Pack(ledger.store, key.privateKey, join(work, "b"), request);
    expect(b.packId).toBe(a.packId);
    expect(b.sha256sums).toBe(a.sha256sums);
    const recorded = await builds(a.packId);
    expect(recorded).toHaveLength(2);
    expect(new Set(recorded.map((r) => r.buildId)).size).toBe(2);
    expect(recorded.every((r) => r.recipient === "Example LLP (external auditor)")).toBe(true);
    const custody = JSON.parse(readFileSync(join(work, "a", "pack.json"), "utf8")).custody;
    expect(custody).toMatchObject({ requestedBy: "auditor@example.com", recipient: "Example LLP (external auditor)", note: "Q1 fieldwork, ticket AUD-7" });
    const text = execFileSync("pdftotext", ["-layout", join(work, "a", "report.pdf"), "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
    expect(text).toContain("Recipient Example LLP (external auditor)");
  });

  it("names the CLI's operator as the requester; --requested-by is only a note", async () => {
    const out = join(work, "cli");
    const env = { DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema, SEALTRAIL_SIGNING_KEY: keyFile, SEALTRAIL_ORIGIN_PREFIX: ORIGIN_PREFIX };
    const run = await runCli(["pack", "--framework", "soc2", "--log", "prod", "--from", PERIOD.from, "--to", PERIOD.to, "--out", out, "--requested-by", "the CFO", "--recipient", "Example LLP"], env);
    expect(run.code, run.stderr).toBe(0);
    const custody = JSON.parse(readFileSync(join(out, "pack.json"), "utf8")).custody as { requestedBy: string; note: string; recipient: string };
    expect(custody.requestedBy).toMatch(/^cli:[^@\s]+@\S+$/);
    expect(custody).toMatchObject({ note: "the CFO", recipient: "Example LLP" });
  });

  it("shows the pack hash and the signing key's fingerprint on the cover and the custody page, as verify-pack recomputes them", async () => {
    const dir = join(work, "sealed");
    await buildSoc2Pack(ledger.store, key.privateKey, dir);
    const sums = readFileSync(join(dir, "SHA256SUMS"), "utf8");
    // As VERIFY.md and the custody page tell it: sha256sum and openssl, nothing of sealtrail's.
    const sh = (script: string) => execFileSync("bash", ["-euo", "pipefail", "-c", script], { cwd: dir, encoding: "utf8" }).split(" ")[0]!;
    const packHash = sh("grep -v '  report.pdf$' SHA256SUMS | sha256sum");
    const fingerprint = sh("openssl pkey -pubin -in signing-key.pem -outform DER | tail -c 32 | sha256sum");
    expect(packHash).toBe(createHash("sha256").update(sums.split("\n").filter((l) => l && !l.endsWith("  report.pdf")).map((l) => `${l}\n`).join("")).digest("hex"));
    expect(fingerprint).toBe(createHash("sha256").update(key.publicKey).digest("hex"));
    expect(JSON.parse(readFileSync(join(dir, "pack.json"), "utf8")).custody.signingKey.fingerprint).toBe(fingerprint);
    // Each page rendered: the cover (page 1) and the custody page (the last) print both, each hash whole on one line.
    const pages = execFileSync("pdftotext", ["-layout", join(dir, "report.pdf"), "-"], { encoding: "utf8" }).split("\f").filter((p) => p.trim() !== "");
    const custodyPage = pages.join("").slice(pages.join("").lastIndexOf("Chain of custody"));
    for (const page of [pages[0]!, custodyPage]) {
      expect(page).toMatch(new RegExp(`Pack hash +${packHash}\n`));
      expect(page).toMatch(new RegExp(`Signing key +${fingerprint}`));
    }
    const report = await verifyPack(dir, { checkpointKeys: [key.publicKey], renderReport });
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report).toMatchObject({ verified: true, packHash, signingKey: fingerprint });
    expect(report.checks.find((c) => c.check === "custody")?.message).toContain(`pack hash ${packHash}`);
  });

  it("fails custody when the pack is re-sealed under another key or its report states another pack hash", async () => {
    const genuine = join(work, "sealed");
    // The company's key swapped for another, and the pack re-sealed with it: pack.json and the report still name the first key.
    const swapped = join(work, "swapped");
    cpSync(genuine, swapped, { recursive: true });
    const other = generateKeyPairSync("ed25519").privateKey;
    writeFileSync(join(swapped, "signing-key.pem"), publicKeyToPem(rawPublicKey(other)));
    reseal(swapped, other);
    const a = await verifyPack(swapped, { checkpointKeys: [key.publicKey] });
    expect(a.checks.find((c) => c.check === "custody")).toMatchObject({ ok: false, file: "pack.json" });
    expect(a.integrity).toBe("failed");
    // The report rendered again with another pack hash, re-sealed with the genuine key: verify.mjs's path (no renderer) reads its document information.
    const edited = join(work, "edited");
    cpSync(genuine, edited, { recursive: true });
    const model = JSON.parse(readFileSync(join(edited, "pack.json"), "utf8")) as { custody: { signingKey: { fingerprint: string } } };
    const built = await buildSoc2Pack(ledger.store, key.privateKey, join(work, "for-model"));
    writeFileSync(join(edited, "report.pdf"), await renderReport(built.model, { packHash: "0".repeat(64), signingKey: model.custody.signingKey.fingerprint }));
    reseal(edited, key.privateKey);
    const b = await verifyPack(edited, { checkpointKeys: [key.publicKey] });
    expect(b.checks.find((c) => c.check === "custody")).toMatchObject({ ok: false, file: "report.pdf" });
    expect(b.checks.find((c) => c.check === "custody")?.message).toContain(`report.pdf states pack hash ${"0".repeat(64)}`);
    expect(b.verified).toBe(false);
  });
});
