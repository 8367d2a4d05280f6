/**
 * The verifier in every pack: verify.mjs run with `node verify.mjs` in a copy of the pack in a
 * temporary directory outside the repository (no node_modules anywhere above it) gives the
 * same report and exit status as `sealtrail verify-pack`, on the genuine pack and on tampered
 * copies; VERIFY.md's sha256sum and openssl steps, the checkpoint's signed note included, run
 * as written.
 */
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { vkeyString } from "../../src/core/note/index.js";
import { reportInfo } from "../../src/packs/pack-hash.js";
import { ROOT, runCli, runTool } from "../support/cli.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { buildSoc2Pack, reseal, seedPackLedger } from "../support/packs.js";

const key = testKey();
let ledger: TestLedger;
let outside: string;
let genuine: string;
let origins: string[];
let vkeys: string[];



let copies = 0;
function copy(): string {
  const dir = join(outside, `copy-${++copies}`);
  cpSync(genuine, dir, { recursive: true });
  return dir;
}

/** node verify.mjs in the pack's directory, and sealtrail verify-pack on it: the same words and status. */
async function bothSay(dir: string, args: string[]): Promise<{ code: number; stdout: string }> {
  const node = await runTool(process.execPath, ["verify.mjs", ...args], dir);
  const cli = await runCli(["verify-pack", dir, ...args], {});
  expect(node.stderr).toBe("");
  // The one line that differs: verify.mjs carries no PDF renderer, so only sealtrail verify-pack re-renders report.pdf.
  const pdfLine = /^(ok {4}|FAILED) derived: report\.pdf: .*\n/m;
  if (node.stdout.includes("derived: report.pdf")) expect(node.stdout).toMatch(/^ok {4} derived: report\.pdf: not re-derived by this verifier, which carries no PDF renderer/m);
  // A pack whose files changed no longer has the pack hash its report prints: re-rendered, the report differs (one more failure than verify.mjs counts).
  const pdfFailed = /^FAILED derived: report\.pdf: /m.test(cli.stdout);
  if (cli.stdout.includes("derived: report.pdf")) expect(cli.stdout).toMatch(pdfFailed ? /^FAILED custody: /m : /^ok {4} derived: report\.pdf: rendered again from the re-derived model, byte for byte/m);
  const same = (out: string) => out.replace(pdfLine, "").replace(/FAILED \d+ checks?\n$/, pdfFailed ? "FAILED some checks\n" : "$&");
  expect(same(node.stdout)).toBe(same(cli.stdout));
  expect(node.code).toBe(cli.code);
  return node;
}

const keyArgs = () => vkeys.flatMap((v) => ["--key", v]);

beforeAll(async () => {
  ledger = await freshLedger("packverifier");
  await seedPackLedger(ledger.writer, key.privateKey);
  outside = mkdtempSync(join(tmpdir(), "sealtrail-verifier-"));
  genuine = join(outside, "genuine");
  await buildSoc2Pack(ledger.store, key.privateKey, genuine);
  const pack = JSON.parse(readFileSync(join(genuine, "pack.json"), "utf8")) as { ledger: { origin: string }[] };
  origins = pack.ledger.map((l) => l.origin);
  vkeys = origins.map((o) => vkeyString(o, key.publicKey));
});

afterAll(async () => {
  await ledger?.close();
  rmSync(outside, { recursive: true, force: true });
});

describe("verify.mjs", () => {
  it("is in the pack, sealed, and runs where no node_modules can be found", () => {
    const sums = readFileSync(join(genuine, "SHA256SUMS"), "utf8");
    expect(sums).toMatch(/ {2}verify\.mjs\n/);
    expect(sums).toMatch(/ {2}VERIFY\.md\n/);
    for (let dir = genuine; dir !== dirname(dir); dir = dirname(dir)) expect(existsSync(join(dir, "node_modules")), dir).toBe(false);
    expect(readFileSync(join(genuine, "verify.mjs"), "utf8")).not.toMatch(/^import .* from "(?!node:)/m);
    // The same file as the build's, as VERIFY.md tells the auditor to compare.
    expect(readFileSync(join(genuine, "verify.mjs")).equals(readFileSync(join(ROOT, "dist", "verifier", "verify.mjs")))).toBe(true);
  });

  it("gives verify-pack's verdict on the genuine pack: verified with the keys, exit 4 without", async () => {
    const verified = await bothSay(genuine, keyArgs());
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/\nverified pack [0-9a-f]+\n$/);
    const unknown = await bothSay(genuine, []);
    expect(unknown.code).toBe(4);
    expect(unknown.stdout).toMatch(/^authenticity: unknown/m);
    const json = await runTool(process.execPath, ["verify.mjs", "--json", ...keyArgs()], genuine);
    expect(JSON.parse(json.stdout)).toMatchObject({ verified: true, integrity: "verified", authenticity: "verified" });
  });

  it("gives verify-pack's verdict on tampered copies", async () => {
    // A sampled entry's proof deleted and the pack re-sealed with the genuine key.
    const deleted = copy();
    const controls = JSON.parse(readFileSync(join(deleted, "controls.json"), "utf8")) as { controls: { population: { sample: { proof: string }[] } | null }[] };
    const proof = controls.controls.flatMap((c) => c.population?.sample ?? [])[0]!.proof;
    rmSync(join(deleted, proof));
    reseal(deleted, key.privateKey);
    expect((await bothSay(deleted, keyArgs())).stdout).toContain(`FAILED inclusion: ${proof}: `);
    // One byte of the events flipped.
    const flipped = copy();
    const events = readFileSync(join(flipped, "logs", "prod", "events.jsonl"));
    events[100]! ^= 0x01;
    writeFileSync(join(flipped, "logs", "prod", "events.jsonl"), events);
    expect((await bothSay(flipped, keyArgs())).code).toBe(1);
    // A vkey for a log the pack does not hold.
    expect((await bothSay(genuine, ["--key", vkeyString("example.com/other", key.publicKey)])).code).toBe(1);
  });

  it("refuses a key it cannot read with exit 2 and its usage", async () => {
    const run = await runTool(process.execPath, ["verify.mjs", "--key", "no-such-file"], genuine);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^verify\.mjs: .*no-such-file.*\nusage: node verify\.mjs/);
  });
});

describe("VERIFY.md", () => {
  const blocks = () => [...readFileSync(join(genuine, "VERIFY.md"), "utf8").matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);

  it("its sha256sum and openssl steps pass on the pack", async () => {
    const [sums, seal] = blocks();
    for (const block of [sums!, seal!]) {
      const run = await runTool("bash", ["-euo", "pipefail", "-c", block], genuine);
      expect(run.code, run.stderr).toBe(0);
    }
  });

  it("defines the pack hash and the key fingerprint in words, and its commands recompute both as the report and pack.json state them", async () => {
    const guide = readFileSync(join(genuine, "VERIFY.md"), "utf8");
    expect(guide).toMatch(/pack hash[\s\S]*SHA-256 of the bytes of\s+SHA256SUMS with the one line naming report\.pdf removed/);
    expect(guide).toMatch(/fingerprint\s+is the SHA-256 of the raw 32-byte Ed25519 public key in signing-key\.pem/);
    const step = blocks()[3]!;
    expect(step).toContain("sha256sum");
    const run = await runTool("bash", ["-euo", "pipefail", "-c", step], genuine);
    expect(run.code, run.stderr).toBe(0);
    const [packHash, fingerprint] = run.stdout.trim().split("\n").map((l) => l.split(/\s+/)[0]!);
    // What the pack states: pack.json's custody names the key; the report's document information carries both.
    const pack = JSON.parse(readFileSync(join(genuine, "pack.json"), "utf8")) as { custody: { signingKey: { fingerprint: string } } };
    expect(fingerprint).toBe(pack.custody.signingKey.fingerprint);
    expect(fingerprint).toBe(createHash("sha256").update(key.publicKey).digest("hex"));
    expect(reportInfo(readFileSync(join(genuine, "report.pdf")))).toEqual({ packHash, signingKey: fingerprint });
    // And what verify-pack recomputes.
    const verified = await runCli(["verify-pack", genuine, ...keyArgs(), "--json"], {});
    expect(JSON.parse(verified.stdout)).toMatchObject({ packHash, signingKey: fingerprint });
    // A file changed after sealing moves the hash the commands give.
    const changed = copy();
    writeFileSync(join(changed, "controls.json"), `${readFileSync(join(changed, "controls.json"), "utf8")} `);
    reseal(changed, key.privateKey);
    const again = await runTool("bash", ["-euo", "pipefail", "-c", step], changed);
    expect(again.stdout.split(/\s+/)[0]).not.toBe(packHash);
  });

  it("checks each checkpoint's signed note with openssl under the right vkey, and not under another", async () => {
    const steps = blocks()[2]!;
    const pack = JSON.parse(readFileSync(join(genuine, "pack.json"), "utf8")) as { ledger: { origin: string; checkpointFile: string }[] };
    const work = copy();
    const other = vkeyString(origins[0]!, testKey().publicKey);
    for (const [i, l] of pack.ledger.entries()) {
      const script = steps.replace(/^CHECKPOINT=.*$/m, `CHECKPOINT=${l.checkpointFile}`).replace(/^ORIGIN=.*$/m, `ORIGIN='${l.origin}'`).replace(/^VKEY=.*$/m, `VKEY='${vkeys[i]}'`);
      const run = await runTool("bash", ["-euo", "pipefail", "-c", script], work);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/Signature Verified Successfully/);
    }
    const wrong = steps.replace(/^VKEY=.*$/m, `VKEY='${other}'`);
    const run = await runTool("bash", ["-uo", "pipefail", "-c", wrong], work);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toMatch(/Signature Verification Failure/);
  });
});
