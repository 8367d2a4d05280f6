/**
 * A witness round trip per checkpoint (C2SP tlog-witness add-checkpoint): the log grows by
 * --grow entries, its new checkpoint is sent with the consistency proof from the last
 * cosigned size, and the witness verifies the log's signature and the proof, cosigns, and
 * persists its state (write, fsync, rename, directory fsync) before answering. Baseline, in
 * the same runs: the same request bodies POSTed to a node:http server that only writes and
 * fsyncs them, the least any witness that persists its state must do.
 *
 *   npx tsx bench/witness.ts [--checkpoints N] [--grow G] [--runs R]
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, open, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cosignerVkey, parseCosignerVkey } from "../src/core/cosign/index.js";
import { consistencyProof, leafHash, rootFromLeafHashes } from "../src/core/merkle/index.js";
import { ed25519Signer, rawPublicKey, signCheckpoint, vkeyString } from "../src/core/note/index.js";
import { toBase64 } from "../src/core/encoding/index.js";
import { cosignCheckpoint } from "../src/integrity/cosign-checkpoint.js";
import { trustedLogs } from "../src/witness/add-checkpoint.js";
import { startWitnessServer } from "../src/witness/witness-server.js";
import { WitnessState } from "../src/witness/witness-state.js";
import { median, parseFlags } from "./support.js";

const flags = parseFlags(process.argv.slice(2), { checkpoints: 200, grow: 100, runs: 3 });
const ORIGIN = "bench.example/witnessed";
const logKey = generateKeyPairSync("ed25519").privateKey;
const witnessKey = generateKeyPairSync("ed25519").privateKey;
const signer = ed25519Signer(ORIGIN, logKey);
const cosigner = parseCosignerVkey(cosignerVkey("bench.example/witness", rawPublicKey(witnessKey)));

/** The log's checkpoints and proofs, made before timing: only the round trips are measured. */
const leaves: Uint8Array[] = [];
const steps: { size: number; old: number; note: string; proof: Uint8Array[] }[] = [];
for (let i = 0, old = 0; i < flags.checkpoints; i++) {
  for (let j = 0; j < flags.grow; j++) leaves.push(leafHash(new TextEncoder().encode(`entry ${leaves.length}`)));
  const size = leaves.length;
  steps.push({ size, old, note: signCheckpoint({ origin: ORIGIN, size, root: rootFromLeafHashes(leaves) }, signer), proof: old === 0 ? [] : consistencyProof(old, size, leaves) });
  old = size;
}
const body = (s: (typeof steps)[number]) => `old ${s.old}\n${s.proof.map((h) => `${toBase64(h)}\n`).join("")}\n${s.note}`;

const dir = await mkdtemp(join(tmpdir(), "sealtrail-bench-witness-"));
try {
  const baseline = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const file = await open(join(dir, "baseline"), "w");
      await file.write(Buffer.concat(chunks));
      await file.sync();
      await file.close();
      res.writeHead(200).end("ok\n");
    });
  });
  await new Promise<void>((resolve) => baseline.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${(baseline.address() as AddressInfo).port}`;
  const ours: number[] = [];
  const base: number[] = [];
  for (let r = 0; r < flags.runs; r++) {
    const state = new WitnessState(join(dir, `state-${r}`));
    const witness = await startWitnessServer({ name: cosigner.name, privateKey: witnessKey, logs: trustedLogs([vkeyString(ORIGIN, rawPublicKey(logKey))]), state });
    const times: number[] = [];
    for (const s of steps) {
      const t0 = performance.now();
      await cosignCheckpoint({ url: witness.url, cosigner }, s.note, s.size, s.old, async () => s.proof);
      times.push(performance.now() - t0);
    }
    await witness.close();
    const baseTimes: number[] = [];
    for (const s of steps) {
      const t0 = performance.now();
      await (await fetch(`${baseUrl}/add-checkpoint`, { method: "POST", body: body(s) })).text();
      baseTimes.push(performance.now() - t0);
    }
    ours.push(median(times));
    base.push(median(baseTimes));
    console.log(`run ${r + 1}: witness round trip median ${median(times).toFixed(2)} ms (p99 ${times.sort((a, b) => a - b)[Math.floor(times.length * 0.99)]!.toFixed(2)}); POST + fsync ${median(baseTimes).toFixed(2)} ms; ratio ${(median(times) / median(baseTimes)).toFixed(2)}x`);
  }
  console.log(`${flags.checkpoints} checkpoints of +${flags.grow} entries: witness ${median(ours).toFixed(2)} ms per checkpoint, baseline ${median(base).toFixed(2)} ms, ratio ${(median(ours) / median(base)).toFixed(2)}x`);
  await new Promise((resolve) => baseline.close(resolve));
} finally {
  await rm(dir, { recursive: true, force: true });
}
