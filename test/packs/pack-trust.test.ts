/**
 * Packs carry the checkpoint's witness cosignatures, its RFC 3161 token (verified here with
 * `openssl ts -verify` as pack.json instructs, against a real TSA made at test time) and a
 * C2SP tlog-proof per sampled entry; verify-pack checks the tlog-proofs and the token's binding.
 */
import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkPolicy, cosignerVkey, parseCosignerVkey, witnessPolicy } from "../../src/core/cosign/index.js";
import { parseTlogProof, vkeyString } from "../../src/core/note/index.js";
import { cosignLog } from "../../src/integrity/cosign-log.js";
import { timeStamp } from "../../src/integrity/time-stamp-checkpoint.js";
import { findLog } from "../../src/ledger/postgres/logs.js";
import { saveTimeStamp } from "../../src/ledger/postgres/time-stamps.js";
import { buildPack } from "../../src/packs/build-pack.js";
import { soc2 } from "../../src/packs/frameworks/soc2.js";
import { verifyPack } from "../../src/packs/verify-pack.js";
import { trustedLogs } from "../../src/witness/add-checkpoint.js";
import { startWitnessServer } from "../../src/witness/witness-server.js";
import { WitnessState } from "../../src/witness/witness-state.js";
import { runCli, runTool } from "../support/cli.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { ORIGIN_PREFIX, PERIOD, seedPackLedger } from "../support/packs.js";
import { startTestTsa, type TestTsa } from "../support/tsa.js";

const key = testKey();
const wKey = testKey();
const cosigner = cosignerVkey("witness.test/packs", wKey.publicKey);
let ledger: TestLedger;
let tsa: TestTsa;
let work: string;
let out: string;

beforeAll(async () => {
  [ledger, tsa, work] = await Promise.all([freshLedger("packtrust"), startTestTsa(), mkdtemp(join(tmpdir(), "sealtrail-packtrust-"))]);
  await seedPackLedger(ledger.writer, key.privateKey);
  const log = await findLog(ledger.writer, "prod");
  const witness = await startWitnessServer({ name: "witness.test/packs", privateKey: wKey.privateKey, logs: trustedLogs([vkeyString(log.origin, key.publicKey)]), state: new WitnessState(join(work, "witness")) });
  try {
    expect((await cosignLog(ledger.store, log, [{ url: witness.url, cosigner: parseCosignerVkey(cosigner) }])).cosigned).toEqual(["witness.test/packs"]);
  } finally {
    await witness.close();
  }
  const checkpoint = (await ledger.store.latestCheckpoint(log.id))!;
  await saveTimeStamp(ledger.writer, log.id, checkpoint.size, tsa.url, await timeStamp(tsa.url, checkpoint.note));
  out = join(work, "pack");
  await buildPack({
    timeStamp: (data) => timeStamp(tsa.url, data),
    store: ledger.store, exporter: soc2, out, packKey: key.privateKey, checkpointKey: key.privateKey, generator: { name: "sealtrail", version: "test" }, originPrefix: ORIGIN_PREFIX,
    request: { framework: "soc2", logs: ["prod"], from: PERIOD.from, to: PERIOD.to, requestedBy: "auditor@example.com", requestedAt: "2025-03-10T09:00:00Z", organisation: "Acme", scope: "prod", sampleSize: 5, failedLoginThreshold: 5, approvalTags: ["approved"] },
  });
}, 120_000);
afterAll(async () => {
  await Promise.all([ledger?.close(), tsa?.close()]);
  await rm(work, { recursive: true, force: true });
});

describe("packs carry cosignatures, time-stamps and tlog-proofs", () => {
  it("verify-pack checks the tlog-proofs and the token, and the pack verifies", async () => {
    const report = await verifyPack(out, { checkpointKeys: [key.publicKey] });
    expect(report.verified).toBe(true);
    const names = report.checks.filter((c) => c.ok).map((c) => c.check);
    expect(names).toContain("tlog-proof");
    expect(names).toContain("timestamp");
    expect(report.checks.find((c) => c.ok && c.file === "SHA256SUMS.tsr")?.message).toMatch(/^SHA256SUMS\.tsr: a granted RFC 3161 token over SHA256SUMS/);
  });

  it("verify-pack refuses a SHA256SUMS.tsr that does not bind SHA256SUMS, and a missing one pack.json promises", async () => {
    const swapped = join(work, "swapped");
    await runTool("cp", ["-r", out, swapped]);
    // A genuine token of the same TSA, over another file (the checkpoint): the imprint differs.
    await copyFile(join(swapped, "logs/prod/checkpoint.tsr"), join(swapped, "SHA256SUMS.tsr"));
    const bad = await verifyPack(swapped, { checkpointKeys: [key.publicKey] });
    expect(bad.verified).toBe(false);
    expect(bad.checks.find((c) => !c.ok && c.check === "timestamp")?.file).toBe("SHA256SUMS.tsr");
    await rm(join(swapped, "SHA256SUMS.tsr"));
    const missing = await verifyPack(swapped, { checkpointKeys: [key.publicKey] });
    expect(missing.checks.find((c) => !c.ok && c.check === "timestamp")?.message).toMatch(/SHA256SUMS\.tsr is missing/);
  });

  it("a TSA that does not answer fails the build with TIME_STAMP, leaving no pack", async () => {
    const dead = join(work, "dead");
    const refused = buildPack({
      timeStamp: (data) => timeStamp("http://127.0.0.1:9/", data),
      store: ledger.store, exporter: soc2, out: dead, packKey: key.privateKey, checkpointKey: key.privateKey, generator: { name: "sealtrail", version: "test" }, originPrefix: ORIGIN_PREFIX,
      request: { framework: "soc2", logs: ["prod"], from: PERIOD.from, to: PERIOD.to, requestedBy: "auditor@example.com", requestedAt: "2025-03-10T09:00:00Z", organisation: "Acme", scope: "prod", sampleSize: 5, failedLoginThreshold: 5, approvalTags: ["approved"] },
    });
    await expect(refused).rejects.toMatchObject({ code: "TIME_STAMP" });
    await expect(readFile(join(dead, "SHA256SUMS"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("the checkpoint's cosignatures meet a policy of the witness; each tlog-proof carries them", async () => {
    const pack = JSON.parse(await readFile(join(out, "pack.json"), "utf8"));
    const subject = pack.ledger.find((l: { role: string }) => l.role === "subject");
    const cosigned = await readFile(join(out, subject.cosignedFile), "utf8");
    expect(checkPolicy(cosigned, witnessPolicy([parseCosignerVkey(cosigner)], 1)).met).toBe(true);
    const controls = JSON.parse(await readFile(join(out, "controls.json"), "utf8"));
    const proofFile: string = controls.controls.flatMap((c: { population: { sample: { proof: string }[] } | null }) => c.population?.sample ?? [])[0].proof;
    const proof = parseTlogProof(await readFile(join(out, proofFile.replace(/\.json$/, ".tlog-proof")), "utf8"));
    expect(proof.note).toBe(cosigned);
    expect(JSON.parse(new TextDecoder().decode(proof.extra))).toMatchObject({ log: `${ORIGIN_PREFIX}/prod`, v: 1 });
  });

  it("verify-pack --witness … --quorum k: exit 0 when the cosignatures meet it, 3 when they fall short", async () => {
    const other = cosignerVkey("witness.test/other", testKey().publicKey);
    const vkey = vkeyString(`${ORIGIN_PREFIX}/prod`, key.publicKey);
    const audit = vkeyString(`${ORIGIN_PREFIX}/sealtrail.audit.acme`, key.publicKey);
    const met = await runCli(["verify-pack", out, "--key", vkey, "--key", audit, "--witness", cosigner, "--witness", other, "--quorum", "1"], {});
    expect(met.stderr).toBe("");
    expect(met.stdout).toMatch(/ok +witnesses: logs\/prod\/checkpoint\.cosigned\.txt: cosigned by 1 of the 2 witnesses/);
    expect(met.code).toBe(0);
    const short = await runCli(["verify-pack", out, "--key", vkey, "--key", audit, "--witness", cosigner, "--witness", other], {});
    expect(short.stdout).toContain("FAILED witnesses");
    expect(short.code).toBe(3);
  });

  it("the tokens (checkpoint and SHA256SUMS) verify with the exact openssl commands pack.json gives, and the TSA's CA alone", async () => {
    const pack = JSON.parse(await readFile(join(out, "pack.json"), "utf8"));
    const commands: string[] = pack.verify.filter((c: string) => c.startsWith("openssl ts -verify"));
    expect(commands).toHaveLength(2);
    expect(commands[0]).toMatch(/^openssl ts -verify -data \S+checkpoint\.txt -in \S+checkpoint\.tsr -CAfile TSA-CA\.pem$/);
    expect(commands[1]).toBe("openssl ts -verify -data SHA256SUMS -in SHA256SUMS.tsr -CAfile TSA-CA.pem");
    expect(await readFile(join(out, "VERIFY.md"), "utf8")).toContain(commands[1]);
    const copy = join(work, "copy");
    await runTool("cp", ["-r", out, copy]);
    await copyFile(tsa.caFile, join(copy, "TSA-CA.pem"));
    for (const command of commands) {
      const [program, ...args] = command.split(" ");
      const run = await runTool(program!, args, copy);
      expect(run.stdout + run.stderr).toContain("Verification: OK");
      expect(run.code).toBe(0);
    }
  });
});
