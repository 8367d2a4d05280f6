/**
 * Offline verification of a pack directory: what `sha256sum -c` and `openssl pkeyutl -verify`
 * check, and then what they cannot — the checkpoint's signature under a key the auditor
 * trusts, every entry re-hashed and chained, the range proof that the events are exactly the
 * signed tree's leaves for the period, each inclusion proof and the consistency proof from the
 * previous pack. Imports only the pure core: it needs no database and trusts nothing in the
 * pack but what it checks. Streams the events, so memory stays bounded.
 *
 * Its phases: the seal (pack-seal-check.ts), pack.json (pack-manifest.ts), each log's section
 * (log-section-check.ts), the populations (population-check.ts).
 */
import { checkSection } from "./log-section-check.js";
import { CheckList, type PackVerification } from "./pack-checks.js";
import { type PackJson, readPackJson } from "./pack-manifest.js";
import { checkFiles, checkSignature } from "./pack-seal-check.js";
import { checkPopulations } from "./population-check.js";
import { checkWitnessPolicy } from "./trust-checks.js";
import type { WitnessPolicy } from "../core/cosign/index.js";

export type { Check, CheckName, PackVerification } from "./pack-checks.js";

export interface VerifyPackOptions {
  /** Raw Ed25519 public keys the auditor trusts for checkpoints; else the pack's own key is used, and said so. */
  checkpointKeys?: Uint8Array[];
  /** Raw Ed25519 public key the pack must be signed with; else signing-key.pem in the pack, and said so. */
  packKey?: Uint8Array;
  /** The auditor's witness policy: each subject log's checkpoint must carry these cosignatures. */
  witnesses?: WitnessPolicy;
}

export async function verifyPack(dir: string, options: VerifyPackOptions = {}): Promise<PackVerification> {
  const checks = new CheckList();
  // 1. SHA256SUMS: every listed file present with its digest, nothing unlisted.
  const sealed = await checkFiles(dir, checks);
  if (!sealed) return checks.result(null);
  // 2. The signature over SHA256SUMS.
  const packKey = await checkSignature(dir, sealed.sumsText, options.packKey, checks);
  // 3. pack.json tells which logs, periods and checkpoints the pack claims.
  let pack: PackJson;
  try {
    pack = await readPackJson(dir, sealed.listedPaths);
  } catch (error) {
    checks.fail("manifest", `pack.json: ${(error as Error).message}`, "pack.json");
    return checks.result(null);
  }
  // 4–8. Each log's checkpoint, entries, range, inclusion and consistency proofs.
  const trusted = options.checkpointKeys && options.checkpointKeys.length > 0 ? options.checkpointKeys : packKey ? [packKey] : [];
  const keyWords = options.checkpointKeys?.length ? "a trusted verifier key" : "the pack's own key (not independent: give --key with the log's verifier key)";
  const section = { dir, checks, present: sealed.present, trusted, keyWords, from: pack.request.from, to: pack.request.to };
  for (const state of pack.ledger) await checkSection(section, state);
  if (options.witnesses) for (const state of pack.ledger.filter((l) => l.role === "subject")) await checkWitnessPolicy(dir, checks, state, options.witnesses);
  // 9. Population files hold the counts controls.json states.
  await checkPopulations(dir, checks);
  return checks.result(pack.packId);
}
