/**
 * The checkpointer: signs the current tree head of a log as a C2SP tlog-checkpoint in a
 * signed note and stores it. The note's signer name is the log's origin, as the
 * tlog-checkpoint spec asks; one Ed25519 key can so sign many logs, each with its own key ID.
 */
import type { KeyObject } from "node:crypto";
import { signCheckpoint, verifyCheckpoint, rawPublicKey, ed25519Signer, ed25519Verifier } from "../core/note/index.js";
import { digestEqual, toHex } from "../core/encoding/index.js";
import { verifyConsistency } from "../core/merkle/index.js";
import { LedgerError } from "./errors.js";
import { consistencyProofFor, rootAt } from "./proofs.js";
import type { LedgerStore, StoredCheckpoint } from "./store.js";

export type { StoredCheckpoint } from "./records.js";

/**
 * Sign and store a checkpoint of the current tree. Taken under the log's append lock so the
 * size and root are those of one committed state. When the newest checkpoint already covers
 * the current size, it is returned instead (`created: false`). A tree that does not extend the
 * newest checkpoint is refused with INCONSISTENT.
 */
export async function checkpointLog(
  store: LedgerStore,
  logName: string,
  key: KeyObject,
  /**
   * The newest checkpoint the signer knows from outside the database (witness copies, its own
   * memory): the database's newest checkpoint can be deleted with the tail, so the tree must
   * extend this one too, or it is refused with INCONSISTENT.
   */
  outside?: { size: number; root: Uint8Array },
): Promise<{ checkpoint: StoredCheckpoint; created: boolean }> {
  const log = await store.findLog(logName);
  const signer = (() => {
    try {
      return ed25519Signer(log.origin, key);
    } catch (error) {
      throw new LedgerError("KEY_UNAVAILABLE", `signing key: ${(error as Error).message}`, { cause: error });
    }
  })();
  return store.withLogLock(log.id, async (locked) => {
    const size = await locked.treeSize(log.id);
    const latest = await locked.latestCheckpoint(log.id);
    const root = await rootAt(locked, log.id, size);
    if (outside) await extendsOutside(locked, log.name, size, root, outside);
    if (latest) {
      // Never sign a tree that does not extend the last signed one: that would launder a
      // truncation or a rewrite into a valid signature (RFC 9162 §2.1.4).
      const previous = signedRoot(latest, log.origin, key);
      if (size < latest.size) throw new LedgerError("INCONSISTENT", `log ${log.name} has ${size} entries but was checkpointed at ${latest.size}: verify the log`);
      if (size === latest.size) {
        if (!digestEqual(root, previous)) throw new LedgerError("INCONSISTENT", `log ${log.name} no longer has the root of its checkpoint at ${size}: verify the log`);
        return { checkpoint: latest, created: false };
      }
      const proof = await consistencyProofFor(locked, log.name, latest.size, size);
      try {
        verifyConsistency(latest.size, size, proof.proof, previous, root);
      } catch (error) {
        throw new LedgerError("INCONSISTENT", `log ${log.name} is not an extension of its checkpoint at ${latest.size}: verify the log`, { cause: error });
      }
    }
    const note = signCheckpoint({ origin: log.origin, size, root }, signer);
    const checkpoint = await locked.insertCheckpoint(log.id, { size, root, note, keyId: toHex(signer.keyId) });
    return { checkpoint, created: true };
  });
}

/**
 * The root the newest checkpoint vouches for: from its signed note when this key signed it,
 * else (after a key rotation) from the stored row.
 */
function signedRoot(latest: StoredCheckpoint, origin: string, key: KeyObject): Uint8Array {
  try {
    return verifyCheckpoint(latest.note, ed25519Verifier(origin, rawPublicKey(key)), origin).root;
  } catch {
    return new Uint8Array(latest.root);
  }
}

/** Throws INCONSISTENT unless the tree (size, root) extends the checkpoint known outside the database (RFC 9162 §2.1.4.2). */
async function extendsOutside(store: LedgerStore, name: string, size: number, root: Uint8Array, outside: { size: number; root: Uint8Array }): Promise<void> {
  if (size < outside.size) throw new LedgerError("INCONSISTENT", `log ${name} has ${size} entries but a checkpoint at ${outside.size} was signed and kept outside the database: truncated, refused; verify the log`);
  if (size === outside.size) {
    if (!digestEqual(root, outside.root)) throw new LedgerError("INCONSISTENT", `log ${name} no longer has the root of its checkpoint at ${size} kept outside the database: refused; verify the log`);
    return;
  }
  try {
    verifyConsistency(outside.size, size, (await consistencyProofFor(store, name, outside.size, size)).proof, outside.root, root);
  } catch (error) {
    throw new LedgerError("INCONSISTENT", `log ${name} is not an extension of its checkpoint at ${outside.size} kept outside the database: refused; verify the log`, { cause: error });
  }
}
