import { CoreError } from "../errors.js";
import { HASH_SIZE, sha256 } from "../encoding/index.js";
import { loadWords, nodeHashWords, storeWords } from "./sha256.js";

/** RFC 9162 §2.1.1 domain separation: a leaf hash is SHA-256(0x00 || entry). */
export const LEAF_PREFIX = 0x00;
/** RFC 9162 §2.1.1 domain separation: a node hash is SHA-256(0x01 || left || right). */
export const NODE_PREFIX = 0x01;

/** Reused by every nodeHash of two 32-byte children. */
const nodeWords = new Int32Array(16);

/** The leaf hash of an entry's bytes (RFC 9162 §2.1.1). */
export function leafHash(data: Uint8Array): Uint8Array {
  const input = new Uint8Array(1 + data.length);
  input[0] = LEAF_PREFIX;
  input.set(data, 1);
  return sha256(input);
}

/**
 * The hash of an interior node from its children's hashes (RFC 9162 §2.1.1). Children of
 * any length are hashed as given, as the reference's HashChildren does.
 */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length === HASH_SIZE && right.length === HASH_SIZE) {
    // In JS on words (sha256.ts): no call into node:crypto for a 65-byte message.
    loadWords(nodeWords, 0, left);
    loadWords(nodeWords, 8, right);
    nodeHashWords(nodeWords, 0, 8, 0);
    return storeWords(nodeWords, 0);
  }
  const input = new Uint8Array(1 + left.length + right.length);
  input[0] = NODE_PREFIX;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return sha256(input);
}

/** RFC 9162 §2.1.1: the hash of an empty tree is the hash of the empty string. */
export function emptyRoot(): Uint8Array {
  return sha256(new Uint8Array(0));
}

/** Throws INVALID_ARGUMENT unless `hash` is a 32-byte Uint8Array. */
export function checkHash(name: string, hash: unknown): asserts hash is Uint8Array {
  if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) {
    const got = hash instanceof Uint8Array ? `${hash.length} bytes` : typeof hash;
    throw new CoreError("INVALID_ARGUMENT", `${name}: got ${got}, want ${HASH_SIZE} bytes`);
  }
}

/**
 * MTH(D[0:n]) of RFC 9162 §2.1.1 for the given leaf hashes.
 * Precondition: every element is a 32-byte leaf hash (else INVALID_ARGUMENT).
 */
export function rootFromLeafHashes(hashes: readonly Uint8Array[]): Uint8Array {
  return subtreeRoot(hashes, 0, hashes.length);
}

/**
 * MTH(D[begin:end]) for 0 <= begin <= end <= hashes.length, computed like compact.Range:
 * a stack of perfect-subtree roots, merged as each leaf arrives (leaf i closes one subtree
 * per trailing one bit of i - begin), then folded right to left. n leaves cost n-1 node
 * hashes and O(log n) memory, with the stack kept as words so nothing is allocated.
 */
export function subtreeRoot(hashes: readonly Uint8Array[], begin: number, end: number): Uint8Array {
  if (begin === end) return emptyRoot();
  // 54 perfect subtrees cover any safe-integer range; one more slot for the incoming leaf.
  const words = new Int32Array(8 * 56);
  let top = 0; // Number of subtree roots on the stack.
  for (let i = begin; i < end; i++) {
    const hash = hashes[i];
    // Checked inline: building checkHash's name for each of a million leaves costs ~10%.
    if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) checkHash(`leafHashes[${i}]`, hash);
    loadWords(words, 8 * top++, hash);
    for (let pos = i - begin; pos % 2 === 1; pos = (pos - 1) / 2) {
      top--;
      nodeHashWords(words, 8 * (top - 1), 8 * top, 8 * (top - 1));
    }
  }
  for (; top > 1; top--) nodeHashWords(words, 8 * (top - 2), 8 * (top - 1), 8 * (top - 2));
  return storeWords(words, 0);
}

/**
 * rootFromLeafHashes of the first n leaf hashes held as words, eight big-endian words each
 * (loadWords), in leafWords[0, 8n): the verifier keeps a range's leaves so, not as 2^16 Buffers.
 */
export function rootFromLeafWords(leafWords: Int32Array, n: number): Uint8Array {
  if (n === 0) return emptyRoot();
  if (8 * n > leafWords.length) throw new CoreError("INVALID_ARGUMENT", `n: got ${n}, want at most ${leafWords.length / 8}`);
  const words = new Int32Array(8 * 56);
  let top = 0;
  for (let i = 0; i < n; i++) {
    words.set(leafWords.subarray(8 * i, 8 * i + 8), 8 * top++);
    for (let pos = i; pos % 2 === 1; pos = (pos - 1) / 2) {
      top--;
      nodeHashWords(words, 8 * (top - 1), 8 * top, 8 * (top - 1));
    }
  }
  for (; top > 1; top--) nodeHashWords(words, 8 * (top - 2), 8 * (top - 1), 8 * (top - 2));
  return storeWords(words, 0);
}

/**
 * Root of a tree from the hashes of its compact range rangeNodes(0, size), left to right:
 * folded right to left with nodeHash, as compact.Range.GetRootHash does. An empty list is
 * the empty tree. The same fold turns a ProofNode's hashes into its proof element.
 */
export function compactRoot(hashes: readonly Uint8Array[]): Uint8Array {
  let i = hashes.length - 1;
  let root = hashes[i];
  if (root === undefined) return emptyRoot();
  checkHash(`hashes[${i}]`, root);
  while (i-- > 0) {
    const left = hashes[i];
    checkHash(`hashes[${i}]`, left);
    root = nodeHash(left, root);
  }
  return root;
}
