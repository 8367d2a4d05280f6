/**
 * The builder's side of attested evidence (attestation.ts): each attested file read from the
 * store by its hash and written into the pack, checked against the hash its ledger entry
 * commits to, with the entry's inclusion proof against the audit log's checkpoint (JSON and
 * C2SP tlog-proof, as a sampled entry's).
 */
import { createHash } from "node:crypto";
import { toBase64 } from "../core/encoding/index.js";
import { AttestationFinder } from "./attestation.js";
import type { Exporter } from "./exporter.js";
import { inclusionProofFor, type LedgerStore } from "../ledger/index.js";
import { PackError } from "./pack-error.js";
import type { PeriodLog } from "./pack-ledger.js";
import type { PackWriter } from "./pack-writer.js";
import { writeTlogProof } from "./trust-files.js";

export type { AttestationFinder };

/** The finder of a pack's attestations: of its framework's controls, over its period. */
export function attestationFinder(exporter: Exporter, request: { from: string; to: string }): AttestationFinder {
  return new AttestationFinder({ framework: exporter.id, controls: exporter.controls.map((c) => c.id), from: request.from, to: request.to });
}

export async function writeAttestations(store: LedgerStore, writer: PackWriter, tenant: string, finder: AttestationFinder, audit: PeriodLog | undefined, cosignedNote: string | undefined): Promise<void> {
  const { found: attestations, entries } = finder;
  if (attestations.length === 0) return;
  if (!audit || cosignedNote === undefined) throw new PackError("INCONSISTENT", "attestations found without the audit section that holds them");
  const written = new Set(writer.files().map((f) => f.path));
  for (const a of attestations) {
    if (!written.has(a.packFile)) {
      const bytes = await store.attestationFile(tenant, new Uint8Array(Buffer.from(a.file.sha256, "hex")));
      const got = bytes === undefined ? undefined : createHash("sha256").update(bytes).digest("hex");
      if (got !== a.file.sha256 || bytes!.byteLength !== a.file.size) {
        throw new PackError("ATTESTATION_FILE", `${a.logName} seq ${a.seq} attests ${a.file.name} (SHA-256 ${a.file.sha256}, ${a.file.size} bytes) for ${a.controlId}, but the store ${bytes === undefined ? "holds no such file" : `holds other bytes (SHA-256 ${got}, ${bytes.byteLength} bytes)`}`);
      }
      await writer.writeBytes(a.packFile, bytes!);
      written.add(a.packFile);
    }
    if (!written.has(a.proofFile)) {
      const proof = await inclusionProofFor(store, audit.log.name, a.seq, audit.checkpoint.size);
      await writer.writeText(a.proofFile, `${JSON.stringify({ log: audit.log.name, origin: audit.log.origin, seq: a.seq, size: proof.size, leafHash: toBase64(proof.leafHash), proof: proof.proof.map(toBase64) }, null, 2)}\n`);
      const entry = entries.get(a.seq);
      if (entry) await writeTlogProof(writer, a.proofFile, entry, proof.proof, cosignedNote);
      written.add(a.proofFile);
    }
  }
}
