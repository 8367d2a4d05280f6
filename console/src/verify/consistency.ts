/**
 * RFC 9162 §2.1.4.2: checks that a consistency proof links the root of the tree of `first`
 * leaves to the root of the tree of `second` leaves, node = SHA-256(0x01 || left || right)
 * (§2.1.1). Ported from the RFC's algorithm step for step; sizes stay below 2^53, so shifts are
 * divisions. Throws saying which step failed.
 */
import { concat, equal, sha256, toBase64 } from "./bytes.js";

const NODE = new Uint8Array([1]);
const node = (left: Uint8Array, right: Uint8Array) => sha256(concat(NODE, left, right));
const isPowerOfTwo = (n: number) => n > 0 && 2 ** Math.round(Math.log2(n)) === n;

export async function verifyConsistency(first: number, second: number, firstRoot: Uint8Array, secondRoot: Uint8Array, proof: readonly Uint8Array[]): Promise<void> {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 0 || first > second) throw new Error(`a tree of ${first} cannot be a prefix of a tree of ${second}`);
  for (const p of proof) if (p.length !== 32) throw new Error(`a proof hash has ${p.length} bytes, want 32`);
  if (first === second) {
    if (proof.length !== 0) throw new Error("a proof between equal sizes must be empty");
    if (!equal(firstRoot, secondRoot)) throw new Error("two different roots were signed for the same size");
    return;
  }
  // The empty tree is a prefix of every tree: nothing to prove (§2.1.4.2 step 1 asks first > 0).
  if (first === 0) return;
  if (proof.length === 0) throw new Error("the proof is empty");
  // Step 2: a first tree that is a full subtree is its own first node.
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) throw new Error("the proof is longer than the trees are deep");
    if (fn % 2 === 1 || fn === sn) {
      fr = await node(c, fr);
      sr = await node(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = await node(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new Error("the proof is shorter than the trees are deep");
  if (!equal(fr, firstRoot)) throw new Error(`the proof leads to ${toBase64(fr)} for size ${first}, but the signed root is ${toBase64(firstRoot)}`);
  if (!equal(sr, secondRoot)) throw new Error(`the proof leads to ${toBase64(sr)} for size ${second}, but the signed root is ${toBase64(secondRoot)}: the larger tree does not extend the smaller`);
}
