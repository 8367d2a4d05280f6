/**
 * The consistency of two consecutive signed checkpoints, checked in the browser with nothing
 * trusted but the verifier key: both notes' Ed25519 signatures (C2SP signed-note), the roots
 * and sizes they sign, and the server's consistency proof between them (RFC 9162 §2.1.4.2)
 * walked from those signed roots, not from any root the server states beside them.
 */
import { fromBase64 } from "./bytes.js";
import { verifyConsistency } from "./consistency.js";
import { openNote, parseCheckpoint, parseVerifierKey } from "./note.js";

export interface SignedCheckpoint {
  size: number;
  note: string;
}

export interface PairResult {
  ok: boolean;
  detail: string;
}

export async function verifyPair(verifierKey: string | null, older: SignedCheckpoint, newer: SignedCheckpoint, proof: { fromSize: number; toSize: number; hashes: readonly string[] }): Promise<PairResult> {
  try {
    if (!verifierKey) throw new Error("the server gave no verifier key for this log: ask your administrator to set SEALTRAIL_VERIFIER_KEY");
    const key = await parseVerifierKey(verifierKey);
    const [a, b] = await Promise.all([older, newer].map(async (c) => {
      const body = parseCheckpoint((await openNote(c.note, key)).text);
      if (body.size !== c.size) throw new Error(`the checkpoint listed at size ${c.size} signs size ${body.size}`);
      return body;
    }));
    if (proof.fromSize !== older.size || proof.toSize !== newer.size) throw new Error(`the proof is between sizes ${proof.fromSize} and ${proof.toSize}, not ${older.size} and ${newer.size}`);
    await verifyConsistency(a!.size, b!.size, a!.root, b!.root, proof.hashes.map(fromBase64));
    return { ok: true, detail: a!.size === 0 ? "both signatures verify; the empty tree is a prefix of every tree" : `both signatures verify; ${proof.hashes.length} proof hashes link the signed roots (RFC 9162 §2.1.4.2)` };
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  }
}
