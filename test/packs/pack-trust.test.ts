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

  it("the token verifies with the exact openssl command pack.json gives, and the TSA's CA alone", async () => {
    const pack = JSON.parse(await readFile(join(out, "pack.json"), "utf8"));
    const command: string = pack.verify.find((c: string) => c.startsWith("openssl ts -verify"));
    expect(command).toMatch(/^openssl ts -verify -data \S+checkpoint\.txt -in \S+checkpoint\.tsr -CAfile TSA-CA\.pem$/);
    const copy = join(work, "copy");
    await runTool("cp", ["-r", out, copy]);
    await copyFile(tsa.caFile, join(copy, "TSA-CA.pem"));
    const [program, ...args] = command.split(" ");
    const run = await runTool(program!, args, copy);
    expect(run.stdout + run.stderr).toContain("Verification: OK");
    expect(run.code).toBe(0);
  });
});
