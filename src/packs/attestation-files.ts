/**
 * The builder's side of attested evidence (attestation.ts): each attested file read from the
 * store by its hash and written into the pack, checked against the hash its ledger entry
 * commits to, with the entry's inclusion proof against the audit log's checkpoint (JSON and
 * C2SP tlog-proof, as a sampled entry's).
 */
import { createHash, type KeyObject } from "node:crypto";
import { toBase64 } from "../core/encoding/index.js";
import { formatEntryLine, type PackEntry } from "../core/pack/index.js";
import { AFTER_PERIOD_NAME, ATTESTATION_KIND, AttestationFinder, LATE_ATTESTATIONS_DIR } from "./attestation.js";
import type { LogState } from "./pack-model.js";
import { secretRulesMatched } from "./secrets.js";
import type { Exporter } from "./exporter.js";
import { inclusionProofFor, type LedgerStore } from "../ledger/index.js";
import { PackError } from "./pack-error.js";
import { type PeriodLog, periodOf } from "./pack-ledger.js";
import type { PackWriter } from "./pack-writer.js";
import { writeTlogProof } from "./trust-files.js";

export type { AttestationFinder };

/** The finder of a pack's attestations: of its framework's controls, over its period. */
export function attestationFinder(exporter: Exporter, request: { from: string; to: string }): AttestationFinder {
  return new AttestationFinder({ framework: exporter.id, controls: exporter.controls.map((c) => c.id), from: request.from, to: request.to });
}

/**
 * The audit log's period, under the smallest checkpoint that also covers the newest attestation
 * of the period recorded after it, and those attestations' seqs.
 */
export async function auditPeriod(store: LedgerStore, name: string | undefined, from: Date, to: Date, checkpointKey: KeyObject | undefined, finder: AttestationFinder): Promise<{ audit: PeriodLog | undefined; late: number[] }> {
  if (name === undefined) return { audit: undefined, late: [] };
  const audit = await periodOf(store, name, from, to, checkpointKey);
  const late = await lateAttestationSeqs(store, audit, finder);
  const newest = late.at(-1);
  if (newest === undefined || newest < audit.checkpoint.size) return { audit, late };
  return { audit: await periodOf(store, name, from, to, checkpointKey, newest), late };
}

/**
 * The seqs of the audit log's attestations for this pack recorded after its audit section
 * (attestation.ts): every one the ledger holds now, so the section's checkpoint is then chosen
 * to cover the newest (periodOf). One whose payload matches a secret rule is left out, as its
 * payload would be withheld from the section.
 */
export async function lateAttestationSeqs(store: LedgerStore, audit: PeriodLog, finder: AttestationFinder): Promise<number[]> {
  const seqs: number[] = [];
  for (const seq of await store.seqsOfKind(audit.log.id, ATTESTATION_KIND, audit.endSeq)) {
    const e = await entryAt(store, audit, seq);
    if (e.payload !== null && secretRulesMatched(e.payload).length === 0 && finder.acceptsLate(e)) seqs.push(seq);
  }
  return seqs;
}

async function entryAt(store: LedgerStore, audit: PeriodLog, seq: number): Promise<PackEntry> {
  let entry: PackEntry | undefined;
  for await (const batch of store.streamEntries(audit.log.id, audit.log.origin, seq, seq + 1)) entry = batch[0];
  if (!entry) throw new PackError("INCONSISTENT", `log ${audit.log.name}: entry ${seq} is missing: run sealtrail verify --log ${audit.log.name}`);
  return entry;
}

/**
 * The audit log's entries after the period up to the section's checkpoint, as the section's
 * after-period.jsonl (attestation.ts: payloads shown for attestations only), and each
 * attestation of the pack among them as attestations/recorded-after/<seq>.json: the entry's
 * line and its inclusion proof against that checkpoint, which auditPeriod chose to cover them.
 * The finder adds them after the section's own. Sets the section's afterPeriodFile.
 */
export async function writeLateAttestations(store: LedgerStore, writer: PackWriter, audit: PeriodLog | undefined, finder: AttestationFinder, state: LogState | undefined): Promise<void> {
  if (!audit || !state || audit.checkpoint.size <= audit.endSeq) return;
  const after = `${state.dir}${AFTER_PERIOD_NAME}`;
  const sink = await writer.open(after);
  const late: PackEntry[] = [];
  let expected = audit.endSeq;
  for await (const batch of store.streamEntries(audit.log.id, audit.log.origin, audit.endSeq, audit.checkpoint.size)) {
    for (const e of batch) {
      if (e.seq !== expected++) throw new PackError("INCONSISTENT", `log ${audit.log.name}: entry ${expected - 1} is missing: run sealtrail verify --log ${audit.log.name}`);
      const shown = e.kind === ATTESTATION_KIND && e.payload !== null && secretRulesMatched(e.payload).length === 0;
      if (shown && finder.acceptsLate(e)) late.push(e);
      const pending = sink.write(`${formatEntryLine(shown ? e : { ...e, payload: null })}\n`);
      if (pending) await pending;
    }
  }
  if (expected !== audit.checkpoint.size) throw new PackError("INCONSISTENT", `log ${audit.log.name}: entry ${expected} is missing: run sealtrail verify --log ${audit.log.name}`);
  await writer.close(sink);
  state.afterPeriodFile = after;
  for (const e of late) {
    const proof = await inclusionProofFor(store, audit.log.name, e.seq, audit.checkpoint.size);
    const file = `${LATE_ATTESTATIONS_DIR}${e.seq}.json`;
    await writer.writeText(file, `${JSON.stringify({ log: audit.log.name, origin: audit.log.origin, seq: e.seq, size: proof.size, leafHash: toBase64(proof.leafHash), proof: proof.proof.map(toBase64), entry: formatEntryLine(e) }, null, 2)}\n`);
    finder.addLate(e, audit.log.name, file);
  }
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
