/**
 * Copies a log's new checkpoints to the witness store, each only after checking that it
 * extends the newest witnessed one: the consistency proof served by the database must link
 * the witnessed root to the new signed root (RFC 9162 §2.1.4.2). A database whose history was
 * rewritten and re-signed, even with the right key, cannot produce that proof, and the worker
 * refuses to witness it (INCONSISTENT) rather than let the store vouch for it.
 */
import { verifyCheckpoint, ed25519Verifier } from "../core/note/index.js";
import { verifyConsistency } from "../core/merkle/index.js";
import { consistencyProofFor, type LedgerStore, type Log } from "../ledger/index.js";
import { type Witness, WitnessError } from "./witness.js";

/** Witnesses every stored checkpoint of `log` newer than its newest copy; returns the sizes written. */
export async function witnessCheckpoints(store: LedgerStore, log: Log, publicKey: Uint8Array, witness: Witness): Promise<number[]> {
  const verifier = ed25519Verifier(log.origin, publicKey);
  const open = (note: string, what: string) => {
    try {
      return verifyCheckpoint(note, verifier, log.origin);
    } catch (error) {
      throw new WitnessError("SIGNATURE_INVALID", `${what} of ${log.name} does not verify with the trusted key: ${(error as Error).message}`, { cause: error });
    }
  };
  const sizes = await witness.sizes(log.origin);
  const newest = sizes.at(-1);
  let last = newest === undefined ? undefined : { size: newest, root: open(await witness.read(log.origin, newest), `the witness copy at size ${newest}`).root };
  const rows = await store.checkpointsAbove(log.id, newest ?? -1);
  const written: number[] = [];
  for (const row of rows) {
    const checkpoint = open(row.note, `the checkpoint at size ${row.size}`);
    if (Number(checkpoint.size) !== row.size) throw new WitnessError("SIGNATURE_INVALID", `the checkpoint row at size ${row.size} of ${log.name} holds a note of size ${checkpoint.size}`);
    if (last) {
      try {
        const proof = await consistencyProofFor(store, log.name, last.size, row.size);
        verifyConsistency(last.size, row.size, proof.proof, last.root, checkpoint.root);
      } catch (error) {
        throw new WitnessError(
          "INCONSISTENT",
          `the checkpoint of ${log.name} at size ${row.size} does not extend the witnessed one at size ${last.size}: refused (${(error as Error).message})`,
          { cause: error },
        );
      }
    }
    if ((await witness.put(log.origin, row.size, row.note)) === "written") written.push(row.size);
    last = { size: row.size, root: checkpoint.root };
  }
  return written;
}
