import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../src/core/encoding/index.js";
import { consistencyProof, inclusionProof, leafHash, nodeHash, rootFromInclusionProof, rootFromLeafHashes, verifyConsistency, verifyInclusion, sha256Of64 } from "../../src/core/merkle/index.js";
import { ReferenceTree, refNodeHash, testLeafHashes } from "./merkle-reference.js";

const hex = (h: string): Uint8Array => fromHex(h)!;
const hexes = (hashes: readonly Uint8Array[]): string[] => hashes.map(toHex);
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

// RFC 6962 test tree, as in transparency-dev/merkle proof/verify_test.go.
const rfcEntries = [
  "",
  "00",
  "10",
  "2021",
  "3031",
  "40414243",
  "5051525354555657",
  "606162636465666768696a6b6c6d6e6f",
].map(hex);
const rfcLeafHashes = rfcEntries.map(leafHash);
/** Roots of the RFC test tree for sizes 1..8. */
const rfcRoots = [
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

describe("hashing (rfc6962_test.go)", () => {
  it("matches the reference hasher vectors", () => {
    expect(toHex(rootFromLeafHashes([]))).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    expect(toHex(leafHash(new Uint8Array(0)))).toBe(
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    );
    expect(toHex(leafHash(utf8("L123456")))).toBe(
      "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56",
    );
    expect(toHex(nodeHash(utf8("N123"), utf8("N456")))).toBe(
      "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb",
    );
  });

  it("separates leaves from nodes and depends on child order", () => {
    const [a, b] = [leafHash(utf8("Hello")), leafHash(utf8("World"))];
    const joined = new Uint8Array([...a, ...b]);
    expect(toHex(nodeHash(a, b))).not.toBe(toHex(leafHash(joined)));
    expect(toHex(nodeHash(a, b))).not.toBe(toHex(nodeHash(b, a)));
  });

  it("hashes two-leaf trees like node:crypto for every value of the last byte", () => {
    // The word-level SHA-256 precomputes the second block per last byte: cover all 256.
    for (let byte = 0; byte < 256; byte++) {
      const left = new Uint8Array(randomBytes(32));
      const right = new Uint8Array(randomBytes(32));
      right[31] = byte;
      expect(toHex(rootFromLeafHashes([left, right]))).toBe(toHex(refNodeHash(left, right)));
      expect(toHex(nodeHash(left, right))).toBe(toHex(refNodeHash(left, right)));
    }
  });

  it("hashes 64-byte messages (chain inputs) like node:crypto, at any offsets", () => {
    for (let i = 0; i < 500; i++) {
      const a = new Uint8Array(randomBytes(40 + (i % 7)));
      const b = new Uint8Array(randomBytes(33 + (i % 5)));
      const [aAt, bAt] = [i % 9, i % 2];
      const out = new Uint8Array(40);
      sha256Of64(a, aAt, b, bAt, out, 3);
      const want = createHash("sha256").update(a.subarray(aAt, aAt + 32)).update(b.subarray(bAt, bAt + 32)).digest();
      expect(toHex(out.subarray(3, 35))).toBe(toHex(want));
    }
  });
});

describe("rootFromLeafHashes", () => {
  it("gives the RFC 6962 test tree roots for sizes 1..8", () => {
    for (let size = 1; size <= 8; size++) {
      expect(toHex(rootFromLeafHashes(rfcLeafHashes.slice(0, size)))).toBe(rfcRoots[size - 1]);
    }
  });

  it("matches MTH for sizes 0..300 of random leaves", () => {
    const leaves = Array.from({ length: 300 }, () => new Uint8Array(randomBytes(32)));
    const ref = new ReferenceTree(leaves);
    for (let size = 0; size <= 300; size++) {
      expect(toHex(rootFromLeafHashes(leaves.slice(0, size)))).toBe(toHex(ref.mth(0, size)));
    }
  });
});

describe("inclusion proofs", () => {
  // [index, size, proof] from verify_test.go inclusionProofs (there 1-based leaf numbers).
  const known: [number, number, string[]][] = [
    [0, 1, []],
    [0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]],
    [5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]],
    [2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]],
    [1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]],
  ];

  it.each(known)("reproduces the reference proof for index %i in size %i", (index, size, proof) => {
    expect(hexes(inclusionProof(index, size, rfcLeafHashes))).toEqual(proof);
    const leaf = rfcLeafHashes[index]!;
    verifyInclusion(index, size, leaf, proof.map(hex), hex(rfcRoots[size - 1]!));
    verifyInclusion(BigInt(index), BigInt(size), leaf, proof.map(hex), hex(rfcRoots[size - 1]!));
  });

  it("equals PATH for every index < size <= 70, and verifies", () => {
    const leaves = testLeafHashes(70);
    const ref = new ReferenceTree(leaves);
    for (let size = 1; size <= 70; size++) {
      const root = ref.mth(0, size);
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(index, size, leaves);
        expect(hexes(proof)).toEqual(hexes(ref.path(index, 0, size)));
        expect(toHex(rootFromInclusionProof(index, size, leaves[index]!, proof))).toBe(toHex(root));
        verifyInclusion(index, size, leaves[index]!, proof, root);
      }
    }
  });
});

describe("consistency proofs", () => {
  // [size1, size2, proof] from verify_test.go consistencyProofs.
  const known: [number, number, string[]][] = [
    [1, 1, []],
    [1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]],
    [6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]],
    [2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]],
    [6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]],
  ];

  it.each(known)("reproduces the reference proof from %i to %i", (size1, size2, proof) => {
    expect(hexes(consistencyProof(size1, size2, rfcLeafHashes))).toEqual(proof);
    const [root1, root2] = [hex(rfcRoots[size1 - 1]!), hex(rfcRoots[size2 - 1]!)];
    verifyConsistency(size1, size2, proof.map(hex), root1, root2);
    verifyConsistency(BigInt(size1), BigInt(size2), proof.map(hex), root1, root2);
  });

  it("equals PROOF for every size1 <= size2 <= 70, and verifies", () => {
    const leaves = testLeafHashes(70);
    const ref = new ReferenceTree(leaves);
    for (let size2 = 0; size2 <= 70; size2++) {
      for (let size1 = 0; size1 <= size2; size1++) {
        const proof = consistencyProof(size1, size2, leaves);
        expect(hexes(proof)).toEqual(hexes(ref.proof(size1, size2)));
        verifyConsistency(size1, size2, proof, ref.mth(0, size1), ref.mth(0, size2));
      }
    }
  });
});
