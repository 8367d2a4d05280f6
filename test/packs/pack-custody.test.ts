/**
 * Custody (issue 19, item 11): every build and rebuild of a pack is a pack.build entry of the
 * tenant's audit log (a rebuild of the same bytes too); the recipient and the requester's note
 * are kept apart from the principal, in pack.json's custody and the custody page; the CLI's
 * requester is its operator, not what a flag says.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLogName } from "../../src/ledger/index.js";
import { runCli } from "../support/cli.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { buildSoc2Pack, ORIGIN_PREFIX, packWorkdir, PERIOD, seedPackLedger, SMALL_SOC2_REQUEST } from "../support/packs.js";

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
});
