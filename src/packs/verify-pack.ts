/**
 * Offline verification of a pack directory: what `sha256sum -c` and `openssl pkeyutl -verify`
 * check, and then what they cannot — the checkpoint's signature under a key the auditor
 * trusts, every entry re-hashed and chained, the range proof that the events are exactly the
 * signed tree's leaves for the period, each inclusion proof and the consistency proof from the
 * previous pack. Imports only the pure core: it needs no database and trusts nothing in the
 * pack but what it checks. Streams the events, so memory stays bounded.
 *
 * Its phases: the seal (pack-seal-check.ts), pack.json (pack-manifest.ts), each log's section
 * (log-section-check.ts), the populations and samples re-derived from the entries
 * (derived-check.ts). Integrity and authenticity are separate results (pack-checks.ts).
 */
import { attestationFinderOf, checkAttestationListing, checkAttestations } from "./attestation-check.js";
import { checkLateAttestations } from "./attestation-late-check.js";
import { builtInExporter, countPopulations, DerivedPopulations } from "./derived-check.js";
import type { Checkpoint } from "../core/note/index.js";
import type { PackEntry } from "../core/pack/index.js";
import type { LogStateJson } from "./pack-manifest.js";
import type { ReportRenderer } from "./derived-model.js";
import { checkCustody } from "./custody-check.js";
import { checkSection } from "./log-section-check.js";
import { reportErasures } from "./erasure-check.js";
import { type ErasureSummary, ErasureTally } from "./erasures.js";
import type { ReportSeal } from "./pack-hash.js";
import { CheckList, type PackVerification } from "./pack-checks.js";
import { type PackJson, readPackJson } from "./pack-manifest.js";
import { checkFiles, checkSignature } from "./pack-seal-check.js";
import { checkSumsTimestamp, checkWitnessPolicy } from "./trust-checks.js";
import type { WitnessPolicy } from "../core/cosign/index.js";
import { SUMS_TIMESTAMP_FILE } from "../core/pack/index.js";

export type { Authenticity, Check, CheckName, Integrity, PackVerification } from "./pack-checks.js";

/** A checkpoint verifier key: raw, for any log (a PEM file), or named (a vkey), for the log of that origin only. */
export type TrustedKey = Uint8Array | { name: string; publicKey: Uint8Array };

export interface VerifyPackOptions {
  /** Ed25519 keys the auditor trusts for checkpoints; else the pack's own key is used, said so, and authenticity is unknown. */
  checkpointKeys?: TrustedKey[];
  /** Raw Ed25519 public key the pack must be signed with; else signing-key.pem in the pack, and said so. */
  packKey?: Uint8Array;
  /** The auditor's witness policy: each subject log's checkpoint must carry these cosignatures. */
  witnesses?: WitnessPolicy;
  /** Renders report.pdf from the re-derived model, to compare byte for byte; without it the PDF rests on SHA256SUMS alone, and the report says so. */
  renderReport?: ReportRenderer;
}

export async function verifyPack(dir: string, options: VerifyPackOptions = {}): Promise<PackVerification> {
  const checks = new CheckList();
  const given = options.checkpointKeys ?? [];
  const withheld = { count: 0 };
  const erasures = new ErasureTally();
  let erased: ErasureSummary | undefined;
  let seal: ReportSeal | undefined;
  const done = (packId: string | null) => {
    const result = checks.result(packId, { trustedKeys: given.length > 0, withheldPayloads: withheld.count, ...seal });
    return erased ? { ...result, erased: { entries: erased.entries, values: erased.values, records: erased.records.map((r) => ({ log: r.log, seq: r.seq, kind: r.kind, request: r.request, entries: r.entries, values: r.values })) } } : result;
  };
  // 1. SHA256SUMS: every listed file present with its digest, nothing unlisted.
  const sealed = await checkFiles(dir, checks);
  if (!sealed) return done(null);
  // 2. The signature over SHA256SUMS.
  const packKey = await checkSignature(dir, sealed.sumsText, options.packKey, checks);
  // 2b. The pack hash and the key's fingerprint, as pack.json and report.pdf state them.
  seal = await checkCustody(dir, checks, sealed.present, sealed.sumsText, packKey);
  // 3. pack.json tells which logs, periods and checkpoints the pack claims.
  let pack: PackJson;
  try {
    pack = await readPackJson(dir, sealed.listedPaths);
  } catch (error) {
    checks.fail("manifest", `pack.json: ${(error as Error).message}`, "pack.json");
    return done(null);
  }
  // 3b. The TSA's token over SHA256SUMS, when there is one or pack.json says there is.
  const promised = Array.isArray(pack.verify) && pack.verify.some((c) => typeof c === "string" && c.includes(SUMS_TIMESTAMP_FILE));
  await checkSumsTimestamp(dir, checks, sealed.sumsText, sealed.present, promised);
  // A vkey names its log (C2SP signed-note): one named for no log of the pack is refused, and
  // each section's checkpoint is checked only with the keys for its origin.
  const origins = new Set(pack.ledger.map((l) => l.origin));
  for (const k of given) {
    if (!(k instanceof Uint8Array) && !origins.has(k.name)) checks.fail("keys", `--key ${k.name}+…: names no log of this pack (its logs: ${[...origins].join(", ")}); a vkey verifies only the log of its name`);
  }
  const keysFor = (origin: string): Uint8Array[] =>
    given.length > 0 ? given.flatMap((k) => (k instanceof Uint8Array ? [k] : k.name === origin ? [k.publicKey] : [])) : packKey ? [packKey] : [];
  const keyWords = given.length > 0 ? "a trusted verifier key" : "the pack's own key (not independent: authenticity unknown; give --key with the log's verifier key)";
  // 4–8. Each log's checkpoint, entries, range, inclusion and consistency proofs; the entries feed the re-derivation.
  const derived = DerivedPopulations.of(pack);
  // The attestations, found from the audit section's entries for every exporter's pack, a plugin's too (attestation-check.ts).
  const attestations = await attestationFinderOf(dir, pack, derived ? builtInExporter(pack) : undefined);
  const onEntry = (e: PackEntry, state: LogStateJson) => {
    derived?.add(e, state);
    if (state.role === "audit") attestations?.add(e, state.name, state.inclusionPrefix);
  };
  // The audit log's attestation entries after the period, up to its checkpoint (after-period-check.ts).
  const seen: PackEntry[] = [];
  const onAfterPeriod = (e: PackEntry) => void seen.push(e);
  let audit: { state: LogStateJson; cp: Checkpoint | undefined } | undefined;
  for (const state of pack.ledger) {
    const cp = await checkSection({ dir, checks, present: sealed.present, trusted: keysFor(state.origin), keyWords, from: pack.request.from, to: pack.request.to, withheld, erasures, onEntry, onAfterPeriod }, state);
    if (state.role === "audit") audit = { state, cp };
  }
  // Those recorded after the period, each proved in the audit checkpoint, none left out (attestation-late-check.ts).
  if (attestations) {
    const late = await checkLateAttestations(dir, checks, sealed.present, audit, attestations, audit?.state.afterPeriodFile !== undefined ? seen : undefined);
    if (late.withheld > 0) checks.pass("attestations", `${late.withheld} evidence.attestation entr${late.withheld === 1 ? "y" : "ies"} of the audit log after the period ha${late.withheld === 1 ? "s its" : "ve their"} payload withheld (a secret rule matched): not examined`, audit?.state.afterPeriodFile);
  }
  // The values erased or expired, each under a record proved in its section (erasure-check.ts).
  erased = reportErasures(checks, erasures);
  if (options.witnesses) for (const state of pack.ledger.filter((l) => l.role === "subject")) await checkWitnessPolicy(dir, checks, state, options.witnesses);
  // 9. Populations and samples re-derived from the checked entries (or, for a plugin's controls, counted).
  const entriesChecked = !checks.checks.some((c) => !c.ok && (c.check === "checkpoint" || c.check === "events" || c.check === "range"));
  if (!entriesChecked) checks.fail("populations", "not re-derived: the entries did not verify against their checkpoints");
  else if (derived) await derived.check(dir, checks, sealed.present, attestations?.found ?? [], options.renderReport, seal, erased);
  else await countPopulations(dir, checks);
  // A plugin's pack: its attested files and each control's list of them checked as a built-in's are.
  if (entriesChecked && !derived && attestations) {
    await checkAttestations(dir, checks, sealed.present, attestations.found);
    await checkAttestationListing(dir, checks, attestations.found);
  }
  return done(pack.packId);
}
