/**
 * verify-pack's custody check: the pack hash recomputed from SHA256SUMS and the fingerprint of
 * the key whose signature over SHA256SUMS was checked (pack-hash.ts), compared with what
 * pack.json states (the fingerprint) and what report.pdf states in its document information
 * (both). The report's pages are compared by rendering them again with these values
 * (derived-model.ts), which sealtrail verify-pack does and verify.mjs cannot.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { CheckList } from "./pack-checks.js";
import { keyFingerprint, packHashOf, REPORT_FILE, reportInfo, type ReportSeal } from "./pack-hash.js";

/** The seal values as computed here; the report is rendered again with them. */
export async function checkCustody(dir: string, checks: CheckList, present: ReadonlySet<string>, sumsText: string, packKey: Uint8Array | undefined): Promise<ReportSeal> {
  const seal: ReportSeal = { packHash: packHashOf(sumsText), signingKey: packKey ? keyFingerprint(packKey) : "" };
  const stated = await readFile(join(dir, "pack.json"), "utf8").then((t) => (JSON.parse(t) as { custody?: { signingKey?: { fingerprint?: unknown } } }).custody?.signingKey?.fingerprint, () => undefined);
  const report: Partial<ReportSeal> = present.has(REPORT_FILE) ? await readFile(join(dir, REPORT_FILE)).then((b) => reportInfo(b), () => ({})) : {};
  const problems: string[] = [];
  if (!packKey) problems.push("the signing key could not be read, so its fingerprint is unknown");
  // Packs built before the custody page stated these have neither in pack.json nor in the report.
  const older = stated === undefined && report.packHash === undefined && report.signingKey === undefined;
  if (!older) {
    if (stated !== seal.signingKey) problems.push(`pack.json states signing key ${String(stated)}, the key that signed SHA256SUMS is ${seal.signingKey || "unknown"}`);
    if (report.signingKey !== seal.signingKey) problems.push(`${REPORT_FILE} states signing key ${report.signingKey ?? "none"}, the key that signed SHA256SUMS is ${seal.signingKey || "unknown"}`);
    if (report.packHash !== seal.packHash) problems.push(`${REPORT_FILE} states pack hash ${report.packHash ?? "none"}, SHA256SUMS gives ${seal.packHash}`);
  }
  const what = `pack hash ${seal.packHash} (SHA-256 of SHA256SUMS without ${REPORT_FILE}'s line); signing key ${seal.signingKey || "unknown"} (SHA-256 of its raw Ed25519 public key)`;
  if (problems.length > 0) checks.fail("custody", `${what}: ${problems.join("; ")}`, problems.some((p) => p.startsWith("pack.json")) ? "pack.json" : REPORT_FILE);
  else checks.pass("custody", older ? `${what}; the pack states neither (built before its custody page did)` : `${what}; pack.json states the same fingerprint and ${REPORT_FILE} the same values (its document information; its pages are compared under derived)`);
  return seal;
}
