/**
 * Auditor-controlled sampling (issue 19, item 3): sample sizes follow the sampling table by
 * the control's frequency and its population's size; the default seed is the root of a
 * checkpoint signed after the period ended, so moving --requested-at moves nothing; without
 * such a checkpoint and without the auditor's seed the build is refused (NO_SEED), writing
 * nothing; the method is stated in pack.json and the PDF.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PackError } from "../../src/packs/pack-error.js";
import { SAMPLE_SIZES, sampleSizeFor } from "../../src/packs/sampling.js";
import { verifyPack } from "../../src/packs/verify-pack.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { buildSoc2Pack, packWorkdir, seedPackLedger, SMALL_SOC2_REQUEST } from "../support/packs.js";

type Controls = { controls: { id: string; population: { count: number; sampling: { frequency: string; size: number; basis: string }; sample: { seq: number }[] } | null }[] };

const key = testKey();
let ledger: TestLedger;
let work: string;
const { sampleSize: _, ...TABLE_REQUEST } = SMALL_SOC2_REQUEST;
const controlsOf = (dir: string) => JSON.parse(readFileSync(join(dir, "controls.json"), "utf8")) as Controls;

beforeAll(async () => {
  ledger = await freshLedger("packsample");
  ({ work } = packWorkdir("packsample", key));
  await seedPackLedger(ledger.writer, key.privateKey);
}, 120_000);

afterAll(async () => {
  await ledger?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("the sampling table", () => {
  it("gives 1, 2, 2–5, 5–15, 20–40 and 25–60 by frequency", () => {
    expect(SAMPLE_SIZES).toEqual({ annual: [1, 1], quarterly: [2, 2], monthly: [2, 5], weekly: [5, 15], daily: [20, 40], "many-times-daily": [25, 60] });
  });

  it("takes the low end up to 250 items, the high end from 2,500, linear between, never more than the population", () => {
    expect(sampleSizeFor("many-times-daily", 20_549, undefined)).toBe(60);
    expect(sampleSizeFor("many-times-daily", 2_500, undefined)).toBe(60);
    expect(sampleSizeFor("many-times-daily", 1_375, undefined)).toBe(43);
    expect(sampleSizeFor("many-times-daily", 250, undefined)).toBe(25);
    expect(sampleSizeFor("many-times-daily", 4, undefined)).toBe(4);
    expect(sampleSizeFor("daily", 90, undefined)).toBe(20);
    expect(sampleSizeFor("daily", 365, undefined)).toBe(22);
    expect(sampleSizeFor("weekly", 13, undefined)).toBe(5);
    expect(sampleSizeFor("quarterly", 1, undefined)).toBe(1);
    expect(sampleSizeFor("annual", 1, undefined)).toBe(1);
    // The auditor's fixed size overrides the table, capped at the population.
    expect(sampleSizeFor("many-times-daily", 20_549, 100)).toBe(100);
    expect(sampleSizeFor("daily", 3, 100)).toBe(3);
  });
});

describe("a pack sampled by the table", () => {
  it("draws each control's sample at its table size, states why, and re-derives under verify-pack", async () => {
    const dir = join(work, "table");
    await buildSoc2Pack(ledger.store, key.privateKey, dir, TABLE_REQUEST);
    for (const c of controlsOf(dir).controls) {
      if (!c.population) continue;
      const want = sampleSizeFor("many-times-daily", c.population.count, undefined);
      expect(c.population.sample, c.id).toHaveLength(want);
      expect(c.population.sampling).toEqual({ frequency: "many-times-daily", size: want, basis: expect.stringContaining(`${want} of ${c.population.count}: a control operating many times daily is sampled 25–60 by the table`) });
    }
    const pack = JSON.parse(readFileSync(join(dir, "pack.json"), "utf8")) as { request: Record<string, unknown>; sampling: { source: string; method: string } };
    expect(pack.request).not.toHaveProperty("sampleSize");
    expect(pack.sampling.source).toBe("checkpoint");
    expect(pack.sampling.method).toMatch(/annual 1, quarterly 2, monthly 2–5, weekly 5–15: the AICPA Audit Guide Audit Sampling's small-population table; daily 20–40, many times a day 25–60/);
    // The method is printed in the PDF too.
    const text = execFileSync("pdftotext", ["-layout", join(dir, "report.pdf"), "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
    expect(text).toContain("quarterly 2, monthly 2–5");
    const report = await verifyPack(dir, { checkpointKeys: [key.publicKey] });
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.verified).toBe(true);
  });

  it("draws the same samples when --requested-at moves: the seed is not the requester's", async () => {
    const a = join(work, "at-9");
    const b = join(work, "at-10");
    await buildSoc2Pack(ledger.store, key.privateKey, a, { ...TABLE_REQUEST, requestedAt: "2025-03-10T09:00:00Z" });
    await buildSoc2Pack(ledger.store, key.privateKey, b, { ...TABLE_REQUEST, requestedAt: "2025-03-10T10:00:01Z" });
    const samples = (dir: string) => controlsOf(dir).controls.map((c) => c.population?.sample.map((s) => s.seq) ?? null);
    expect(JSON.parse(readFileSync(join(a, "pack.json"), "utf8")).packId).not.toBe(JSON.parse(readFileSync(join(b, "pack.json"), "utf8")).packId);
    expect(samples(b)).toEqual(samples(a));
    expect(samples(a).some((s) => s !== null && s.length > 0)).toBe(true);
  });

  it("is refused (NO_SEED) when no checkpoint after the period exists and the auditor gave no seed, and written nothing", async () => {
    // The seeded log ends on 2025-03-06: a period to April has no entry after it yet.
    const dir = join(work, "no-seed");
    const late = { ...TABLE_REQUEST, from: "2025-03-05T00:00:00Z", to: "2025-04-01T00:00:00Z" };
    const error = await buildSoc2Pack(ledger.store, key.privateKey, dir, late).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PackError);
    expect((error as PackError).code).toBe("NO_SEED");
    expect(existsSync(dir)).toBe(false);
    // With the auditor's seed it builds, and says whose seed it is.
    await buildSoc2Pack(ledger.store, key.privateKey, dir, { ...late, seed: "auditor-q1" });
    expect(JSON.parse(readFileSync(join(dir, "pack.json"), "utf8")).sampling).toMatchObject({ seed: "auditor-q1", source: "auditor" });
  });
});
