/**
 * verify-pack's checks of what trust-files.ts writes: each C2SP tlog-proof (its checkpoint
 * under a trusted key and equal to the section's, its extra data hashing to the entry's leaf,
 * its inclusion proof, RFC 9162 §2.1.3.2), and the RFC 3161 token's binding to checkpoint.txt
 * (PKIStatus granted and the SHA-256 imprint of the note); the token's signature and the TSA's
 * certificate are for `openssl ts -verify`, the command pack.json gives.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { digestEqual, sha256 } from "../core/encoding/index.js";
import { leafHash, verifyInclusion } from "../core/merkle/index.js";
import { type Checkpoint, ed25519Verifier, parseTlogProof, verifyCheckpoint } from "../core/note/index.js";
import { checkTimeStampResponse } from "../core/timestamp/index.js";
import { checkPolicy, type WitnessPolicy } from "../core/cosign/index.js";
import { SHA256SUMS_FILE, SUMS_TIMESTAMP_FILE } from "../core/pack/index.js";
import type { CheckList } from "./pack-checks.js";
import type { LogStateJson } from "./pack-manifest.js";
import type { SectionCheck } from "./section-check.js";

function trusted(note: string, origin: string, keys: Uint8Array[]): Checkpoint {
  let last: unknown;
  for (const key of keys) {
    try {
      return verifyCheckpoint(note, ed25519Verifier(origin, key), origin);
    } catch (error) {
      last = error;
    }
  }
  throw last ?? new Error("no key to check it with");
}

export async function checkTlogProofs(s: SectionCheck, state: LogStateJson, cp: Checkpoint, seqs: readonly number[], leafOf: ReadonlyMap<number, Uint8Array>): Promise<void> {
  let ok = 0;
  for (const seq of seqs) {
    const file = `${state.inclusionPrefix}${seq}.tlog-proof`;
    try {
      const p = parseTlogProof(await readFile(join(s.dir, file), "utf8"));
      const proved = trusted(p.note, state.origin, s.trusted);
      if (proved.size !== cp.size || !digestEqual(proved.root, cp.root)) throw new Error("its checkpoint is not the section's");
      if (p.index !== seq) throw new Error(`index ${p.index}, want ${seq}`);
      const leaf = p.extra && leafHash(p.extra);
      const mine = leafOf.get(seq);
      if (!leaf || !mine || !digestEqual(leaf, mine)) throw new Error(`its extra data is not the leaf data of entry ${seq}`);
      verifyInclusion(seq, proved.size, leaf, p.proof, proved.root);
      ok++;
    } catch (error) {
      s.checks.fail("tlog-proof", `${file}: ${(error as Error).message}`, file);
    }
  }
  if (seqs.length > 0 && ok === seqs.length) s.checks.pass("tlog-proof", `${state.inclusionDir}: ${ok} C2SP tlog-proofs of ${state.name} verify: checkpoint, leaf data and inclusion`, state.inclusionDir);
}

/**
 * SHA256SUMS.tsr, when the pack has one or pack.json's instructions promise one: a granted
 * RFC 3161 token whose message imprint is the SHA-256 of SHA256SUMS as read (RFC 3161 §2.4.2).
 */
export async function checkSumsTimestamp(dir: string, checks: CheckList, sumsText: string, present: ReadonlySet<string>, promised: boolean): Promise<void> {
  if (!present.has(SUMS_TIMESTAMP_FILE)) {
    if (promised) checks.fail("timestamp", `${SUMS_TIMESTAMP_FILE} is missing, and pack.json's instructions verify it`, SUMS_TIMESTAMP_FILE);
    return;
  }
  try {
    checkTimeStampResponse(new Uint8Array(await readFile(join(dir, SUMS_TIMESTAMP_FILE))), sha256(new TextEncoder().encode(sumsText)));
    checks.pass("timestamp", `${SUMS_TIMESTAMP_FILE}: a granted RFC 3161 token over ${SHA256SUMS_FILE}; its signature: openssl ts -verify -data ${SHA256SUMS_FILE} -in ${SUMS_TIMESTAMP_FILE} -CAfile TSA-CA.pem`, SUMS_TIMESTAMP_FILE);
  } catch (error) {
    checks.fail("timestamp", `${SUMS_TIMESTAMP_FILE}: ${(error as Error).message}`, SUMS_TIMESTAMP_FILE);
  }
}

export async function checkTimestamp(s: SectionCheck, state: LogStateJson): Promise<void> {
  const file = state.timestampFile;
  if (!file) return;
  try {
    const note = await readFile(join(s.dir, state.checkpointFile));
    checkTimeStampResponse(new Uint8Array(await readFile(join(s.dir, file))), sha256(new Uint8Array(note)));
    s.checks.pass("timestamp", `${file}: a granted RFC 3161 token over ${state.checkpointFile}; its signature: openssl ts -verify -data ${state.checkpointFile} -in ${file} -CAfile TSA-CA.pem`, file);
  } catch (error) {
    s.checks.fail("timestamp", `${file}: ${(error as Error).message}`, file);
  }
}

/**
 * The auditor's witness policy (k of n, C2SP tlog-cosignature) on a subject log's checkpoint:
 * the cosignatures in checkpoint.cosigned.txt (none when the pack has no such file).
 */
export async function checkWitnessPolicy(dir: string, checks: CheckList, state: LogStateJson, policy: WitnessPolicy): Promise<void> {
  const file = state.cosignedFile ?? state.checkpointFile;
  try {
    const r = checkPolicy(await readFile(join(dir, file), "utf8"), policy);
    const names = r.cosigned.map((c) => c.name).join(", ") || "none";
    if (r.met) checks.pass("witnesses", `${file}: cosigned by ${r.cosigned.length} of the ${policy.cosigners.length} witnesses (quorum ${r.quorum}): ${names}`, file);
    else checks.fail("witnesses", `${file}: cosigned by ${r.cosigned.length}, the quorum is ${r.quorum}; missing ${r.missing.join(", ")}`, file);
  } catch (error) {
    checks.fail("witnesses", `${file}: ${(error as Error).message}`, file);
  }
}
