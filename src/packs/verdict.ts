/**
 * verify-pack's verdict as the command and the pack's own verify.mjs give it: the same report
 * lines and the same exit status, so the two can be compared word for word. Pure.
 */
import type { PackVerification } from "./pack-checks.js";

/** Exit statuses (docs/cli.md, the auditor's guide): 1 and 3 are those of `sealtrail verify` too. */
export const PACK_EXIT = { verified: 0, failed: 1, witnesses: 3, authenticityUnknown: 4 } as const;

/** 1 when integrity or authenticity failed; else 3 when the witness policy is not met; else 4 when authenticity is unknown. */
export function exitStatus(r: PackVerification): number {
  if (r.verified) return PACK_EXIT.verified;
  if (r.integrity === "failed" || r.authenticity === "failed") return PACK_EXIT.failed;
  if (r.checks.some((c) => !c.ok && c.check === "witnesses")) return PACK_EXIT.witnesses;
  return PACK_EXIT.authenticityUnknown;
}

/** The report for a person: a line per check, the withheld payloads, both results, and the verdict last. */
export function human(r: PackVerification): string {
  const lines = r.checks.map((c) => `${c.ok ? "ok    " : "FAILED"} ${c.check}: ${c.message}`);
  const failed = r.checks.filter((c) => !c.ok).length;
  if (r.withheldPayloads > 0) lines.push(`withheld: ${r.withheldPayloads} payload${r.withheldPayloads === 1 ? " is" : "s are"} left out of the pack (null); their hashes still prove inclusion`);
  if (r.packHash) lines.push(`pack hash: ${r.packHash} (compare with the report's cover)`);
  if (r.signingKey) lines.push(`signing key: ${r.signingKey} (SHA-256 fingerprint; compare with the one you were given)`);
  lines.push(`integrity: ${r.integrity}`, `authenticity: ${r.authenticity}${r.authenticity === "unknown" ? " (no trusted verifier key given: the checkpoints were checked with the pack's own key; give --key with each log's verifier key)" : ""}`);
  const id = r.packId ?? "(unreadable)";
  lines.push(r.verified ? `verified pack ${id}`
    : failed > 0 ? `pack ${id} FAILED ${failed} check${failed === 1 ? "" : "s"}`
    : `pack ${id} NOT VERIFIED: intact, authenticity unknown`);
  return `${lines.join("\n")}\n`;
}
