/**
 * verify-pack's check of attested evidence (attestation.ts): the attestations are re-derived
 * from the audit section's entries, which the audit log's checkpoint signs (the range proof
 * covers every one); each attested file in the pack must be the bytes whose SHA-256 and size
 * the entry records, and the entry's own inclusion proof must be in the pack (its proof is
 * checked against the checkpoint with the section's others, log-section-check.ts). A file
 * under attestations/ that no entry names is refused: nothing rides in unaccounted for.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ATTESTATIONS_DIR } from "./attestation.js";
import type { CheckList } from "./pack-checks.js";
import type { Attestation } from "./pack-model.js";

export async function checkAttestations(dir: string, checks: CheckList, present: ReadonlySet<string>, attestations: readonly Attestation[]): Promise<void> {
  let ok = true;
  const fail = (message: string, file: string) => {
    checks.fail("attestations", message, file);
    ok = false;
  };
  const named = new Set(attestations.map((a) => a.packFile));
  for (const path of [...present].filter((p) => p.startsWith(ATTESTATIONS_DIR)).sort()) {
    if (!named.has(path)) fail(`${path}: no evidence.attestation entry of the audit section names this file`, path);
  }
  const checked = new Set<string>();
  for (const a of attestations) {
    const where = `${a.logName} seq ${a.seq} attests ${a.file.name} for ${a.controlId}`;
    if (!present.has(a.proofFile)) fail(`${a.proofFile}: ${where}, but the entry's inclusion proof is missing`, a.proofFile);
    if (checked.has(a.packFile)) continue;
    checked.add(a.packFile);
    const bytes = present.has(a.packFile) ? await readFile(join(dir, a.packFile)).catch(() => undefined) : undefined;
    if (bytes === undefined) {
      fail(`${a.packFile}: missing; ${where}`, a.packFile);
      continue;
    }
    const digest = createHash("sha256").update(bytes).digest("hex");
    if (digest !== a.file.sha256 || bytes.byteLength !== a.file.size) fail(`${a.packFile}: SHA-256 ${digest} (${bytes.byteLength} bytes), but ${where} with SHA-256 ${a.file.sha256} (${a.file.size} bytes)`, a.packFile);
  }
  if (ok && attestations.length > 0) {
    checks.pass("attestations", `${checked.size} attested file${checked.size === 1 ? "" : "s"} (${attestations.map((a) => `${a.controlId}: ${a.packFile}`).join(", ")}): each the bytes whose SHA-256 its ledger entry records, each entry's inclusion proof in the pack`, ATTESTATIONS_DIR);
  }
}
