/**
 * RFC 9162 §2.1.3.2: the root an inclusion proof leads to, from the leaf hash at `index` in a
 * tree of `size` leaves, with node = SHA-256(0x01 || left || right) (§2.1.1). Ported from the
 * RFC's algorithm step for step; sizes stay below 2^53, so halving is done with division.
 */
import { concat, sha256 } from "./bytes.js";

const NODE = new Uint8Array([1]);

export async function rootFromInclusionProof(index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[]): Promise<Uint8Array> {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) throw new Error(`leaf index ${index} is not inside a tree of size ${size}`);
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (p.length !== 32) throw new Error(`a proof hash has ${p.length} bytes, want 32`);
    if (sn === 0) throw new Error("the proof is longer than the tree is deep");
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(concat(NODE, p, r));
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await sha256(concat(NODE, r, p));
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new Error("the proof is shorter than the tree is deep");
  return r;
}
