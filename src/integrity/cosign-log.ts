/**
 * Submits a log's newest checkpoint to each configured cosigning witness (C2SP tlog-witness)
 * that has not cosigned it yet, and stores the cosignatures returned. Witnesses are asked one
 * after another; one that is down or refuses does not keep the others from cosigning.
 */
import { toHex } from "../core/encoding/index.js";
import type { LedgerStore, Log } from "../ledger/store.js";
import { consistencyProofFor } from "../ledger/proofs.js";
import { CosigningError } from "../witness/witness-error.js";
import { cosignCheckpoint, type WitnessEndpoint } from "./cosign-checkpoint.js";

export interface CosignOutcome {
  cosigned: string[];
  failed: { witness: string; error: CosigningError }[];
}

export async function cosignLog(store: LedgerStore, log: Log, witnesses: readonly WitnessEndpoint[]): Promise<CosignOutcome> {
  const outcome: CosignOutcome = { cosigned: [], failed: [] };
  const checkpoint = await store.latestCheckpoint(log.id);
  if (!checkpoint || witnesses.length === 0) return outcome;
  const have = new Set((await store.cosignaturesAt(log.id, checkpoint.size)).map((c) => `${c.witness}+${c.keyId}`));
  for (const w of witnesses) {
    const keyId = toHex(w.cosigner.keyId);
    if (have.has(`${w.cosigner.name}+${keyId}`)) continue;
    try {
      const guess = (await store.lastCosignedSize(log.id, w.cosigner.name, keyId)) ?? 0;
      const proof = async (old: number) => (await consistencyProofFor(store, log.name, old, checkpoint.size)).proof;
      const cosignature = await cosignCheckpoint(w, checkpoint.note, checkpoint.size, Math.min(guess, checkpoint.size), proof);
      await store.saveCosignature(log.id, checkpoint.size, w.cosigner.name, keyId, cosignature.line);
      outcome.cosigned.push(w.cosigner.name);
    } catch (error) {
      if (!(error instanceof CosigningError)) throw error;
      outcome.failed.push({ witness: w.cosigner.name, error });
    }
  }
  return outcome;
}
