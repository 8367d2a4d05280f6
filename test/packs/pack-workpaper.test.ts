/**
 * report.pdf as an auditor's workpaper, checked by rendering it: the cover states management's
 * assertion, the system, the Type II framing, the period basis, the auditor and the keys; each
 * control has its procedure and sample with attribute results; the exceptions register has
 * root cause and management response; reconciliation and late arrivals; sweeps as a calendar
 * (failed ones detailed, not a row per sweep); charts of log-ins, approvals and sessions.
 * Identifiers and timestamps never wrap mid-token, and no page but the last is half empty.
 */
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderReport } from "../../src/packs/pdf/report.js";
import { packHashOf } from "../../src/packs/pack-hash.js";
import { time } from "../../src/packs/pdf/workpaper.js";
import { verifyPack } from "../../src/packs/verify-pack.js";
import { ROOT, runTool } from "../support/cli.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { buildSoc2Pack, packWorkdir, seedPackLedger } from "../support/packs.js";

const key = testKey();
const ARTIFACTS = join(ROOT, "test-artifacts", "workpaper");
let ledger: TestLedger;
let work: string;
let dir: string;
let model: Awaited<ReturnType<typeof buildSoc2Pack>>["model"];
let raw: string;

beforeAll(async () => {
  ledger = await freshLedger("packwp");
  ({ work } = packWorkdir("packwp", key));
  await seedPackLedger(ledger.writer, key.privateKey);
  dir = join(work, "pack");
  model = (await buildSoc2Pack(ledger.store, key.privateKey, dir)).model;
  const run = await runTool("pdftotext", ["-raw", join(dir, "report.pdf"), "-"]);
  expect(run.code, run.stderr).toBe(0);
  raw = run.stdout;
}, 120_000);

afterAll(async () => {
  await ledger?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("the workpaper", () => {
  it("has the cover, control pages, register, reconciliation, calendar and charts", () => {
    for (const words of ["Management's assertion", "Type II", "Period basis", "System description", "Auditor / requested by", "Checkpoint key", "Controls tested", "Procedure", "Attributes", "Exceptions register", "Root cause", "Management response", "Reconciliation", "Late arrivals", "Integrity sweeps, by day", "Log-ins per day", "Deployments and configuration changes per day", "Privileged terminal sessions per day"]) expect(raw, words).toContain(words);
    expect(raw).toContain(model.request.requestedBy);
    expect(raw).toContain(model.packId);
  });

  it("details failed sweeps only: no row per verified sweep", () => {
    const failed = model.sweeps.filter((s) => s.result !== "verified");
    expect(model.sweeps.length).toBeGreaterThan(failed.length);
    const section = raw.slice(raw.lastIndexOf("Integrity sweeps, by day"), raw.lastIndexOf("Chain of custody"));
    for (const s of model.sweeps) expect(section.includes(time(s.at)), `${s.result} ${s.at}`).toBe(s.result !== "verified");
  });

  it("never wraps an identifier or a timestamp across lines", () => {
    const tokens = new Set<string>([model.packId]);
    for (const c of model.controls) {
      if (!c.population) continue;
      tokens.add(c.population.sha256).add(c.population.file);
      for (const s of c.population.sample) tokens.add(time(s.occurredAt));
    }
    for (const l of model.logs) tokens.add(l.checkpoint.root).add(l.eventsSha256);
    for (const t of tokens) expect(raw, t).toContain(t);
    // No line ends inside an ISO timestamp or a 64-digit hash.
    expect(raw).not.toMatch(/\d{4}-\d{2}-\d{2}T?\d{0,2}:?\d{0,2}\n[\d:.]*Z/);
    expect(raw).not.toMatch(/\b[0-9a-f]{8,63}\n[0-9a-f]+\b/);
  });

  it("has no half-empty page but the last, and renders every page", async () => {
    const run = await runTool("pdftotext", ["-bbox", join(dir, "report.pdf"), "-"]);
    const pages = run.stdout.split("<page ").slice(1);
    expect(pages.length).toBeGreaterThan(3);
    pages.slice(0, -1).forEach((p, i) => {
      const height = Number(/height="([\d.]+)"/.exec(p)![1]);
      const bottoms = [...p.matchAll(/yMax="([\d.]+)"/g)].map((x) => Number(x[1])).filter((y) => y < height - 40);
      expect(Math.max(...bottoms) / height, `page ${i + 1}`).toBeGreaterThan(0.5);
    });
    mkdirSync(ARTIFACTS, { recursive: true });
    const png = await runTool("pdftoppm", ["-png", "-r", "50", join(dir, "report.pdf"), join(ARTIFACTS, "page")]);
    expect(png.code, png.stderr).toBe(0);
  });

  it("is the same bytes when rendered again, and verify-pack re-derives it", async () => {
    expect(Buffer.from(await renderReport(model, { packHash: packHashOf(readFileSync(join(dir, "SHA256SUMS"), "utf8")), signingKey: model.signingKey! })).equals(readFileSync(join(dir, "report.pdf")))).toBe(true);
    const report = await verifyPack(dir, { checkpointKeys: [key.publicKey], renderReport });
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  });
});
