/**
 * verify-pack against the one who holds the pack key: files edited and the pack re-sealed
 * with the genuine key (a sampled entry's proof deleted, a population cut, controls.json
 * edited) fail, because populations and samples are re-derived from the checkpoint-anchored
 * entries; without a trusted key the pack is at best intact with authenticity unknown (exit
 * 4), never "verified"; a vkey named for another log is refused; withheld payloads are counted.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256 } from "../../src/core/encoding/index.js";
import { vkeyString } from "../../src/core/note/index.js";
import { renderReport } from "../../src/packs/pdf/report.js";
import { verifyPack } from "../../src/packs/verify-pack.js";
import { runCli } from "../support/cli.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { buildSoc2Pack, packWorkdir, reseal, seedPackLedger, SMALL_SOC2_REQUEST } from "../support/packs.js";

const key = testKey();
let ledger: TestLedger;
let work: string;
let genuine: string;
let vkeys: string[];
type Controls = { controls: { id: string; population: { file: string; count: number; sha256: string; sample: { seq: number; proof: string }[] } | null }[] };



let copies = 0;
function copy(): string {
  const dir = join(work, `copy-${++copies}`);
  cpSync(genuine, dir, { recursive: true });
  return dir;
}

const readControls = (dir: string) => JSON.parse(readFileSync(join(dir, "controls.json"), "utf8")) as Controls;
const failed = async (dir: string) => (await verifyPack(dir, { checkpointKeys: [key.publicKey] })).checks.filter((c) => !c.ok).map((c) => [c.check, c.file ?? ""]);
const keyArgs = () => vkeys.flatMap((v) => ["--key", v]);

beforeAll(async () => {
  ledger = await freshLedger("packauth");
  ({ work } = packWorkdir("packauth", key));
  await seedPackLedger(ledger.writer, key.privateKey);
  genuine = join(work, "genuine");
  await buildSoc2Pack(ledger.store, key.privateKey, genuine);
  const pack = JSON.parse(readFileSync(join(genuine, "pack.json"), "utf8")) as { ledger: { origin: string }[] };
  vkeys = pack.ledger.map((l) => vkeyString(l.origin, key.publicKey));
});

afterAll(async () => {
  await ledger?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("verify-pack's two results", () => {
  it("says verified, exit 0, only with a trusted key for every log: integrity and authenticity verified", async () => {
    const run = await runCli(["verify-pack", genuine, ...keyArgs()], {});
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/^integrity: verified\nauthenticity: verified\nverified pack [0-9a-f]+\n$/m);
    expect(run.stdout).toMatch(/^ok {4} populations: every population file, its count and SHA-256 in controls\.json, and the \d+ sampled entries re-derived/m);
  });

  it("without a key: intact, authenticity unknown, exit 4, and never 'verified pack'", async () => {
    const run = await runCli(["verify-pack", genuine], {});
    expect(run.code, run.stdout).toBe(4);
    expect(run.stdout).not.toMatch(/verified pack/);
    expect(run.stdout).toMatch(/^integrity: verified$/m);
    expect(run.stdout).toMatch(/^authenticity: unknown \(no trusted verifier key given/m);
    expect(run.stdout).toMatch(/NOT VERIFIED: intact, authenticity unknown\n$/);
    const report = await verifyPack(genuine);
    expect(report).toMatchObject({ verified: false, integrity: "verified", authenticity: "unknown" });
  });

  it("refuses a vkey whose name is not the origin of a log of the pack", async () => {
    const stranger = vkeyString("example.com/other/prod", key.publicKey);
    const run = await runCli(["verify-pack", genuine, "--key", stranger], {});
    expect(run.code, run.stdout).toBe(1);
    expect(run.stdout).toMatch(/^FAILED keys: --key example\.com\/other\/prod\+…: names no log of this pack/m);
    // Its key is not used for the logs it does not name: their checkpoints have no trusted key.
    expect(run.stdout).toMatch(/^FAILED checkpoint: logs\/prod\/checkpoint\.txt: /m);
    expect(run.stdout).toMatch(/^authenticity: failed$/m);
    // The right names, plus a stranger: still refused.
    expect((await runCli(["verify-pack", genuine, ...keyArgs(), "--key", stranger], {})).code).toBe(1);
  });
});

describe("tampering re-sealed with the genuine pack key", () => {
  it("fails when a sampled entry's inclusion proof is deleted", async () => {
    const dir = copy();
    const sampled = readControls(dir).controls.find((c) => (c.population?.sample.length ?? 0) > 0)!.population!.sample[0]!;
    rmSync(join(dir, sampled.proof));
    rmSync(join(dir, sampled.proof.replace(/\.json$/, ".tlog-proof")), { force: true });
    reseal(dir, key.privateKey);
    expect(await failed(dir)).toContainEqual(["inclusion", sampled.proof]);
    const run = await runCli(["verify-pack", dir, ...keyArgs()], {});
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^integrity: failed$/m);
    expect(run.stdout).toContain(`FAILED inclusion: ${sampled.proof}: entry ${sampled.seq} of prod is sampled for`);
  });

  it("fails when rows are cut from a population file and controls.json is made to agree", async () => {
    const dir = copy();
    const controls = readControls(dir);
    const population = controls.controls.find((c) => (c.population?.count ?? 0) > 3)!.population!;
    const rows = readFileSync(join(dir, population.file), "utf8").split("\r\n");
    const cut = [rows[0], ...rows.slice(3)].join("\r\n");
    writeFileSync(join(dir, population.file), cut);
    population.count -= 2;
    population.sha256 = Buffer.from(sha256(cut)).toString("hex");
    writeFileSync(join(dir, "controls.json"), JSON.stringify(controls, null, 2));
    reseal(dir, key.privateKey);
    const got = await failed(dir);
    expect(got).toContainEqual(["populations", population.file]);
    expect(got).toContainEqual(["populations", "controls.json"]);
  });

  it("fails when controls.json's sample is changed", async () => {
    const dir = copy();
    const controls = readControls(dir);
    const population = controls.controls.find((c) => (c.population?.sample.length ?? 0) > 1)!.population!;
    population.sample.pop();
    writeFileSync(join(dir, "controls.json"), JSON.stringify(controls, null, 2));
    reseal(dir, key.privateKey);
    // Any file changed changes the pack hash, which the report states: custody fails on it too.
    expect(await failed(dir)).toEqual([["custody", "report.pdf"], ["populations", "controls.json"], ["derived", "controls.json"]]);
  });

  it("counts payloads set to null, and fails them when withheld.json does not list them with why", async () => {
    const dir = copy();
    const file = join(dir, "logs", "prod", "events.jsonl");
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    const withheld = [2, 5].map((i) => {
      const e = JSON.parse(lines[i]!) as Record<string, unknown>;
      expect(e.payload).not.toBeNull();
      lines[i] = JSON.stringify({ ...e, payload: null });
      return e;
    });
    writeFileSync(file, `${lines.join("\n")}\n`);
    reseal(dir, key.privateKey);
    const report = await verifyPack(dir, { checkpointKeys: [key.publicKey] });
    // The hashes still hold: the events verify, and the payloads left out are counted.
    expect(report.checks.filter((c) => !c.ok).map((c) => [c.check, c.file])).toEqual([["custody", "report.pdf"], ["withheld", "withheld.json"]]);
    expect(report.withheldPayloads).toBe(withheld.length);
    const run = await runCli(["verify-pack", dir, ...keyArgs()], {});
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^withheld: 2 payloads are left out of the pack \(null\)/m);
    expect(run.stdout).toMatch(/^ok {4} events: logs\/prod\/events\.jsonl: .*; 2 payloads withheld/m);
    expect(run.stdout).toMatch(/^FAILED withheld: withheld\.json: payload 1 of the list is missing or extra; the events give prod seq \d+ as the next payload left out \(2 in all\)/m);
  });
});

describe("documents re-derived from the entries, edited and re-sealed with the genuine key", () => {
  type Doc = Record<string, unknown> & { controls: { id: string; result: string; exceptions: string[] }[]; exceptions: { id: string; remediation: string; description: string }[]; sweeps: { result: string }[] };
  const edit = (dir: string, file: string, change: (text: string) => string) => {
    const before = readFileSync(join(dir, file), "utf8");
    const after = change(before);
    expect(after).not.toBe(before);
    writeFileSync(join(dir, file), after);
    reseal(dir, key.privateKey);
  };
  const json = (change: (d: Doc) => void) => (text: string) => {
    const d = JSON.parse(text) as Doc;
    change(d);
    return `${JSON.stringify(d, null, 2)}\n`;
  };

  it("the genuine pack's documents all re-derive", async () => {
    const report = await verifyPack(genuine, { checkpointKeys: [key.publicKey] });
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.checks.find((c) => c.check === "derived")?.message).toMatch(/^pack\.json, controls\.json, withheld\.json, reconciliation\.json, oscal\/assessment-results\.json, oscal\/assessment-plan\.json, oscal\/catalog\.json, VERIFY\.md, soc2\/policy\.json: each re-derived/);
  });

  it.each([
    ["a control with exceptions made satisfied", "controls.json", json((d) => {
      const c = d.controls.find((x) => x.result === "exceptions")!;
      c.result = "satisfied";
      c.exceptions = [];
    })],
    ["an exception removed", "controls.json", json((d) => void d.exceptions.pop())],
    ["an exception's remediation rewritten", "controls.json", json((d) => void (d.exceptions[0]!.remediation = "closed"))],
    ["a failed sweep shown as verified", "controls.json", json((d) => void (d.sweeps.find((s) => s.result !== "verified")!.result = "verified"))],
    ["an OSCAL finding turned to satisfied", "oscal/assessment-results.json", (t: string) => t.replace('"state": "not-satisfied"', '"state": "satisfied"')],
    ["the OSCAL plan's period", "oscal/assessment-plan.json", (t: string) => t.replace(/"start": "[^"]+"/, '"start": "2025-03-02T00:00:00.000Z"')],
    ["a catalog statement", "oscal/catalog.json", (t: string) => t.replace(/"prose": "[^"]+"/, '"prose": "Anything goes."')],
    ["pack.json's totals", "pack.json", json((d) => void ((d.totals as { entries: number }).entries += 1))],
    ["the policy in force", "soc2/policy.json", (t: string) => t.replace(/"threshold":\d+/, '"threshold":1000')],
    ["VERIFY.md's steps", "VERIFY.md", (t: string) => t.replace("sha256sum -c --strict SHA256SUMS", "true")],
  ])("fails on %s, naming the file", async (_what, file, change) => {
    const dir = copy();
    edit(dir, file, change);
    expect(await failed(dir)).toContainEqual(["derived", file]);
    const run = await runCli(["verify-pack", dir, ...keyArgs()], {});
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`FAILED derived: ${file}: not what the checked entries and the request give`);
  });

  it("re-derives report.pdf byte for byte, and fails on one byte of its text changed and re-sealed", async () => {
    const good = await verifyPack(genuine, { checkpointKeys: [key.publicKey], renderReport });
    expect(good.checks.filter((c) => !c.ok)).toEqual([]);
    expect(good.checks.find((c) => c.file === "report.pdf")?.message).toMatch(/^report\.pdf: rendered again from the re-derived model, byte for byte/);
    // The pages' text is in compressed content streams: change one letter of the document's title (a plain string object).
    const dir = copy();
    const pdf = readFileSync(join(dir, "report.pdf"));
    const at = pdf.indexOf("(SOC 2 evidence pack ");
    expect(at).toBeGreaterThan(0);
    pdf[at + 1] = "T".charCodeAt(0);
    writeFileSync(join(dir, "report.pdf"), pdf);
    reseal(dir, key.privateKey);
    const report = await verifyPack(dir, { checkpointKeys: [key.publicKey], renderReport });
    expect(report.checks.filter((c) => !c.ok).map((c) => [c.check, c.file])).toEqual([["derived", "report.pdf"]]);
    expect(report.verified).toBe(false);
    const run = await runCli(["verify-pack", dir, ...keyArgs()], {});
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAILED derived: report\.pdf: not the report the checked entries and the request give \(\d+ bytes, the re-rendering \d+; first difference at byte \d+/m);
  });

  it("fails when a derived document is deleted from the pack and SHA256SUMS", async () => {
    const dir = copy();
    rmSync(join(dir, "oscal", "assessment-results.json"));
    reseal(dir, key.privateKey);
    expect(await failed(dir)).toContainEqual(["derived", "oscal/assessment-results.json"]);
  });
});

describe("the sampling seed", () => {
  const samples = (dir: string) => readControls(dir).controls.map((c) => c.population?.sample.map((x) => x.seq) ?? null);

  it("is the root of a checkpoint signed after the period ended, not something the requester can move", async () => {
    const pack = JSON.parse(readFileSync(join(genuine, "pack.json"), "utf8")) as { seed: string; sampling: { seed: string; source: string; log: string; method: string }; ledger: { name: string; checkpoint: { root: string } }[] };
    expect(pack.sampling).toMatchObject({ source: "checkpoint", log: "prod", seed: pack.ledger.find((l) => l.name === "prod")!.checkpoint.root });
    expect(pack.seed).toBe(pack.sampling.seed);
    expect(pack.sampling.method).toMatch(/^Seed: the root of logs\/prod\/checkpoint\.txt, the checkpoint of prod that covers entry \d+, recorded after the period ended/);
    // Asked for one second later: another pack id, the same sample.
    const later = join(work, "later");
    await buildSoc2Pack(ledger.store, key.privateKey, later, { ...SMALL_SOC2_REQUEST, requestedAt: "2025-03-10T09:00:01Z" });
    expect(JSON.parse(readFileSync(join(later, "pack.json"), "utf8")).packId).not.toBe(JSON.parse(readFileSync(join(genuine, "pack.json"), "utf8")).packId);
    expect(samples(later)).toEqual(samples(genuine));
    const run = await runCli(["verify-pack", genuine, ...keyArgs()], {});
    expect(run.stdout).toMatch(/^ok {4} sampling: Seed: the root of logs\/prod\/checkpoint\.txt/m);
  });

  it("is the auditor's when given, and says so", async () => {
    const chosen = join(work, "chosen");
    await buildSoc2Pack(ledger.store, key.privateKey, chosen, { ...SMALL_SOC2_REQUEST, seed: "auditor-2025-q1" });
    expect(JSON.parse(readFileSync(join(chosen, "pack.json"), "utf8")).sampling).toMatchObject({ seed: "auditor-2025-q1", source: "auditor", log: null });
    const report = await verifyPack(chosen, { checkpointKeys: [key.publicKey] });
    expect(report.verified).toBe(true);
    expect(report.checks.find((c) => c.check === "sampling")!.message).toBe("seed auditor-2025-q1, given by the auditor (--seed): compare it with the one you gave");
  });

  it("fails when pack.json claims a checkpoint seed that is not that checkpoint's root", async () => {
    const dir = copy();
    const pack = JSON.parse(readFileSync(join(dir, "pack.json"), "utf8")) as { sampling: { seed: string }; seed: string };
    pack.sampling.seed = pack.seed = Buffer.alloc(32, 7).toString("base64");
    writeFileSync(join(dir, "pack.json"), JSON.stringify(pack, null, 2));
    reseal(dir, key.privateKey);
    const got = await failed(dir);
    expect(got).toContainEqual(["sampling", "pack.json"]);
    expect(got).toContainEqual(["populations", "controls.json"]);
  });
});
