/**
 * What a new checkpoint must extend besides the database: the newest witness copy of the log
 * (SEALTRAIL_WITNESS_DIR) and the newest checkpoint this process signed. The integrity worker's
 * checkpoint job and `sealtrail checkpoint` both sign through here, so a checkpoint signed by
 * hand is checked and witnessed as the worker's are (docs/security.md).
 */
import type { KeyObject } from "node:crypto";
import { ed25519Verifier, rawPublicKey, verifyCheckpoint } from "../core/note/index.js";
import { checkpointLog, type LedgerStore, type Log, type StoredCheckpoint } from "../ledger/index.js";
import { type Witness, WitnessError } from "./witness.js";
import { witnessCheckpoints } from "./witness-checkpoints.js";

/** The newer of the witness store's newest copy (verified with the signing key) and the process's own memory. */
export async function knownOutside(
  memory: ReadonlyMap<string, { size: number; root: Uint8Array }> | undefined,
  witness: Witness | undefined,
  log: Log,
  publicKey: Uint8Array,
): Promise<{ size: number; root: Uint8Array } | undefined> {
  let known = memory?.get(log.origin);
  if (witness) {
    const newest = (await witness.sizes(log.origin).catch((error: unknown) => {
      throw new WitnessError("STORE", `witness store ${witness.location}: ${(error as Error).message}`, { cause: error });
    })).at(-1);
    if (newest !== undefined && (known === undefined || newest > known.size)) {
      let checkpoint;
      try {
        checkpoint = verifyCheckpoint(await witness.read(log.origin, newest), ed25519Verifier(log.origin, publicKey), log.origin);
      } catch (error) {
        throw new WitnessError("SIGNATURE_INVALID", `the witness copy of ${log.name} at size ${newest} does not verify with the signing key: ${(error as Error).message}`, { cause: error });
      }
      known = { size: Number(checkpoint.size), root: checkpoint.root };
    }
  }
  return known;
}


/**
 * Signs a checkpoint of the log's tree once it extends the newest witness copy (else LedgerError
 * INCONSISTENT, nothing signed), then copies the log's new checkpoints to the witness store.
 */
export async function signWitnessed(store: LedgerStore, logName: string, key: KeyObject, witness: Witness | undefined): Promise<{ checkpoint: StoredCheckpoint; created: boolean; witnessed: number[] }> {
  const log = await store.findLog(logName);
  const publicKey = rawPublicKey(key);
  const outside = await knownOutside(undefined, witness, log, publicKey);
  const { checkpoint, created } = await checkpointLog(store, log.name, key, outside);
  const witnessed = witness ? await witnessCheckpoints(store, log, publicKey, witness) : [];
  return { checkpoint, created, witnessed };
}
