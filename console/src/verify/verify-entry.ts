/**
 * "Verify in this browser": every step the console takes to check one entry against the log's
 * signed checkpoint, with nothing trusted but the verifier key (shown, to compare with the
 * organization's copy) and WebCrypto. Each step reports what it computed and what it expected.
 */
import { equal, fromBase64, toBase64, toHex } from "./bytes.js";
import { type EntryFields, leafHashOf, payloadHashOf } from "./leaf.js";
import { rootFromInclusionProof } from "./merkle.js";
import { openNote, parseCheckpoint, parseVerifierKey } from "./note.js";

export interface Step {
  id: string;
  title: string;
  ok: boolean;
  detail: string;
}

export interface ProofInput {
  entry: EntryFields & { leafHash: string; payload: unknown; payloadRedacted: boolean };
  proof: { leafIndex: number; treeSize: number; hashes: readonly string[]; root: string; note: string | null };
  verifierKey: string | null;
  /** The log's leaf format (docs/leaf-format.md); format 2 commits to salted values the API does not serve. */
  leafVersion: number;
}

/** Runs the steps in order, stopping at the first failure; `onStep` shows each as it lands. */
export async function verifyEntry(input: ProofInput, onStep: (step: Step) => void = () => {}): Promise<{ ok: boolean; steps: Step[] }> {
  const steps: Step[] = [];
  const run = async (id: string, title: string, check: () => Promise<string>): Promise<boolean> => {
    let step: Step;
    try {
      step = { id, title, ok: true, detail: await check() };
    } catch (error) {
      step = { id, title, ok: false, detail: (error as Error).message };
    }
    steps.push(step);
    onStep(step);
    return step.ok;
  };
  const { entry, proof } = input;
  let computedRoot: Uint8Array = new Uint8Array();
  const ok =
    (await run("payload", "Payload hash", async () => {
      if (input.leafVersion !== 1) return `Format ${input.leafVersion} leaves commit to salted values; the console takes the leaf hash as stored and proves it below`;
      if (entry.payloadRedacted) return "The payload was redacted; its hash stays committed in the leaf.";
      const got = await payloadHashOf(entry.payload);
      if (!equal(got, fromBase64(entry.payloadHash))) throw new Error(`SHA-256 of the payload's canonical JSON is ${toBase64(got)}, the entry says ${entry.payloadHash}: the payload was altered`);
      return `SHA-256(RFC 8785 canonical payload) = ${toBase64(got)}`;
    })) &&
    (await run("leaf", "Leaf hash (RFC 9162 §2.1.1)", async () => {
      if (input.leafVersion !== 1) return `Format ${input.leafVersion}: the leaf commits to salted actor, resource and payload (the server checked them before serving this entry)`;
      const got = await leafHashOf(entry);
      if (!equal(got, fromBase64(entry.leafHash))) throw new Error(`SHA-256(0x00 ‖ canonical fields) is ${toBase64(got)}, the ledger says ${entry.leafHash}: the entry's fields were altered`);
      return `SHA-256(0x00 ‖ canonical fields) = ${toBase64(got)}`;
    })) &&
    (await run("path", "Inclusion path (RFC 9162 §2.1.3.2)", async () => {
      if (proof.leafIndex !== entry.seq) throw new Error(`the proof is for leaf ${proof.leafIndex}, not seq ${entry.seq}`);
      computedRoot = await rootFromInclusionProof(proof.leafIndex, proof.treeSize, fromBase64(entry.leafHash), proof.hashes.map(fromBase64));
      return `${proof.hashes.length} hashes from leaf ${proof.leafIndex} lead to root ${toBase64(computedRoot)} of a tree of ${proof.treeSize.toLocaleString("en-US")}`;
    })) &&
    (await run("key", "Verifier key", async () => {
      if (!input.verifierKey) throw new Error("the server gave no verifier key for this log: ask your administrator to set SEALTRAIL_VERIFIER_KEY");
      const key = await parseVerifierKey(input.verifierKey);
      if (key.name !== entry.origin) throw new Error(`the key is for ${key.name}, not this log's origin ${entry.origin}`);
      return `${input.verifierKey} (key id ${toHex(key.keyId)}); compare it with the copy your organization keeps`;
    })) &&
    (await run("signature", "Checkpoint signature (C2SP signed-note, Ed25519)", async () => {
      if (!proof.note) throw new Error(`no checkpoint was signed at tree size ${proof.treeSize}`);
      await openNote(proof.note, await parseVerifierKey(input.verifierKey!));
      return `The Ed25519 signature of ${entry.origin} verifies over the checkpoint`;
    })) &&
    (await run("root", "Checkpoint commits to the root", async () => {
      const body = parseCheckpoint((await openNote(proof.note!, await parseVerifierKey(input.verifierKey!))).text);
      if (body.origin !== entry.origin) throw new Error(`the checkpoint is for ${body.origin}, not ${entry.origin}`);
      if (body.size !== proof.treeSize) throw new Error(`the checkpoint is of size ${body.size}, the proof of ${proof.treeSize}`);
      if (!equal(body.root, computedRoot)) throw new Error(`the signed root is ${toBase64(body.root)}, the proof leads to ${toBase64(computedRoot)}: this entry is not the one the log signed`);
      return `Signed root ${toBase64(body.root)} at size ${body.size.toLocaleString("en-US")} equals the computed root`;
    }));
  return { ok, steps };
}
