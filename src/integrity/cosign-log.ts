/**
 * Submits a log's newest checkpoint to each configured cosigning witness (C2SP tlog-witness)
 * that has not cosigned it yet, and stores the cosignatures returned. Witnesses are asked one
 * after another; one that is down or refuses does not keep the others from cosigning.
 */
import { toHex } from "../core/encoding/index.js";
import { consistencyProofFor, type LedgerStore, type Log } from "../ledger/index.js";
import { CosigningError } from "../witness/witness-error.js";
import { cosignCheckpoint, type WitnessEndpoint } from "./cosign-checkpoint.js";

export interface CosignOutcome {
  cosigned: string[];
  failed: { witness: string; error: CosigningError }[];
  /** The newest checkpoint's size and how many of the configured witnesses have cosigned it. */
  size: number | null;
  cosignedBy: number;
}

export async function cosignLog(store: LedgerStore, log: Log, witnesses: readonly WitnessEndpoint[]): Promise<CosignOutcome> {
  const outcome: CosignOutcome = { cosigned: [], failed: [], size: null, cosignedBy: 0 };
  const checkpoint = await store.latestCheckpoint(log.id);
  if (!checkpoint || witnesses.length === 0) return outcome;
  outcome.size = checkpoint.size;
  const have = new Set((await store.cosignaturesAt(log.id, checkpoint.size)).map((c) => `${c.witness}+${c.keyId}`));
  outcome.cosignedBy = witnesses.filter((w) => have.has(`${w.cosigner.name}+${toHex(w.cosigner.keyId)}`)).length;
  for (const w of witnesses) {
    const keyId = toHex(w.cosigner.keyId);
    if (have.has(`${w.cosigner.name}+${keyId}`)) continue;
    try {
      const guess = (await store.lastCosignedSize(log.id, w.cosigner.name, keyId)) ?? 0;
      const proof = async (old: number) => (await consistencyProofFor(store, log.name, old, checkpoint.size)).proof;
      const cosignature = await cosignCheckpoint(w, checkpoint.note, checkpoint.size, Math.min(guess, checkpoint.size), proof);
      await store.saveCosignature(log.id, checkpoint.size, w.cosigner.name, keyId, cosignature.line);
      outcome.cosigned.push(w.cosigner.name);
      outcome.cosignedBy++;
    } catch (error) {
      if (!(error instanceof CosigningError)) throw error;
      outcome.failed.push({ witness: w.cosigner.name, error });
    }
  }
  return outcome;
}
