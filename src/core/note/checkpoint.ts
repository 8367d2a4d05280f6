import { CoreError } from "../errors.js";
import { HASH_SIZE, fromBase64, toBase64 } from "../encoding/index.js";
import { hasOnlyNoteCharacters, openNote, signNote, type Signer, type Verifier } from "./note.js";

/**
 * C2SP transparency log checkpoints (https://c2sp.org/tlog-checkpoint): the text of a signed
 * note holding origin, tree size and root hash. Parsing follows torchwood's ParseCheckpoint
 * (an extension of sumdb/tlog.ParseTree), with the size read as an unsigned 64-bit integer.
 */

/** Tree sizes are uint64 ("Note text": the number of leaves). */
export const MAX_TREE_SIZE = 2n ** 64n - 1n;

export interface Checkpoint {
  /** Identifies the log; by our convention equal to the log's key name. */
  origin: string;
  /** Number of leaves in the tree. */
  size: bigint;
  /** RFC 6962 Merkle tree hash at `size` (HASH_SIZE bytes). */
  root: Uint8Array;
  /** Opaque, non-empty extension lines, without their newlines; usually none. */
  extensions: string[];
}

export interface CheckpointInput {
  origin: string;
  size: bigint | number;
  root: Uint8Array;
  extensions?: readonly string[];
}

/** No leading zeros, except the empty tree's "0" ("Note text" item 2). */
const TREE_SIZE = /^(0|[1-9][0-9]{0,19})$/;

function malformed(message: string): CoreError {
  return new CoreError("CHECKPOINT_MALFORMED", message);
}

/** A line a note can carry: no newline, no other control character, valid Unicode. */
function isNoteLine(line: string): boolean {
  return typeof line === "string" && !line.includes("\n") && hasOnlyNoteCharacters(line);
}

/**
 * The checkpoint text: origin, decimal size, base64 root, then the extension lines, each
 * ended by a newline. Preconditions (INVALID_ARGUMENT): non-empty origin and extension lines
 * that are note lines; an integer size in [0, 2^64 − 1] (a number must be a safe integer);
 * a HASH_SIZE-byte root.
 */
export function formatCheckpoint(cp: CheckpointInput): string {
  if (cp.origin === "" || !isNoteLine(cp.origin)) {
    throw new CoreError("INVALID_ARGUMENT", `origin ${JSON.stringify(cp.origin)} is empty or not a note line`);
  }
  const size = toTreeSize(cp.size);
  if (!(cp.root instanceof Uint8Array) || cp.root.length !== HASH_SIZE) {
    throw new CoreError("INVALID_ARGUMENT", `root: got ${cp.root?.length} bytes, want ${HASH_SIZE}`);
  }
  const extensions = cp.extensions ?? [];
  for (const line of extensions) {
    if (line === "" || !isNoteLine(line)) {
      throw new CoreError("INVALID_ARGUMENT", `extension line ${JSON.stringify(line)} is empty or not a note line`);
    }
  }
  return [cp.origin, size.toString(), toBase64(cp.root), ...extensions].map((l) => `${l}\n`).join("");
}

function toTreeSize(size: bigint | number): bigint {
  if (typeof size === "number" && !Number.isSafeInteger(size)) {
    throw new CoreError("INVALID_ARGUMENT", `size ${size} is not a safe integer`);
  }
  if (typeof size !== "number" && typeof size !== "bigint") {
    throw new CoreError("INVALID_ARGUMENT", `size: got a ${typeof size}, want a bigint or number`);
  }
  const n = BigInt(size);
  if (n < 0n || n > MAX_TREE_SIZE) throw new CoreError("INVALID_ARGUMENT", `size ${n} is outside [0, 2^64 - 1]`);
  return n;
}

/**
 * Parses checkpoint text (the note text, final newline included). Throws CHECKPOINT_MALFORMED
 * unless: at least three lines, each ended by a newline; a non-empty origin; a size without
 * sign, leading zeros or other characters that fits in uint64; a root in canonical base64 of
 * exactly HASH_SIZE bytes; extension lines non-empty. The text alone proves nothing: only
 * parse what openNote (or verifyCheckpoint) has verified.
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (typeof text !== "string" || !text.endsWith("\n")) throw malformed("checkpoint text must end with a newline");
  if (!hasOnlyNoteCharacters(text)) {
    throw malformed("checkpoint text has a control character or lone surrogate");
  }
  const lines = text.slice(0, -1).split("\n");
  const [origin, sizeLine, rootLine, ...extensions] = lines;
  if (origin === undefined || sizeLine === undefined || rootLine === undefined) {
    throw malformed(`got ${lines.length} lines, want at least 3`);
  }
  if (origin === "") throw malformed("empty origin");
  if (!TREE_SIZE.test(sizeLine) || BigInt(sizeLine) > MAX_TREE_SIZE) {
    throw malformed(`tree size ${JSON.stringify(sizeLine)} is not a decimal uint64 without leading zeros`);
  }
  const root = fromBase64(rootLine);
  if (root === undefined || root.length !== HASH_SIZE) {
    throw malformed(`root hash ${JSON.stringify(rootLine)} is not canonical base64 of ${HASH_SIZE} bytes`);
  }
  if (extensions.includes("")) throw malformed("empty extension line");
  return { origin, size: BigInt(sizeLine), root, extensions };
}

/**
 * The signed checkpoint note. The spec says the log's key name SHOULD match the origin
 * ("Signatures"); we require it, so that verifyCheckpoint's default check holds for our logs.
 */
export function signCheckpoint(cp: CheckpointInput, signer: Signer): string {
  if (cp.origin !== signer.name) {
    throw new CoreError("INVALID_ARGUMENT", `origin: got ${JSON.stringify(cp.origin)}, want the key name ${JSON.stringify(signer.name)}`);
  }
  return signNote(formatCheckpoint(cp), [signer]);
}

/**
 * Opens the note with `verifier` (NOTE_MALFORMED, SIGNATURE_INVALID), then parses its text
 * (CHECKPOINT_MALFORMED). The origin must equal `expectedOrigin`, by default the verifier's key
 * name: a valid signature over another log's checkpoint vouches for nothing here, so a mismatch
 * is SIGNATURE_INVALID (torchwood likewise fails its policy check as an unverified note).
 * Other signatures (witnesses, rotated keys) are ignored, as the note spec requires.
 */
export function verifyCheckpoint(note: string | Uint8Array, verifier: Verifier, expectedOrigin?: string): Checkpoint {
  const { text } = openNote(note, [verifier]);
  const cp = parseCheckpoint(text);
  const want = expectedOrigin ?? verifier.name;
  if (cp.origin !== want) {
    throw new CoreError("SIGNATURE_INVALID", `origin: got ${JSON.stringify(cp.origin)}, want ${JSON.stringify(want)}`);
  }
  return cp;
}
