/**
 * Generates test/vectors/merkle/inclusion.json and consistency.json: Merkle proofs and the
 * error verifyInclusion / verifyConsistency must give for them, after transparency-dev/merkle
 * testdata/ (each valid proof, then the corruptions of proof/verify_test.go, then ours).
 *
 *   npx tsx test/vectors/generate-merkle.ts
 *
 * Deterministic. Proofs and wantErr come from test/core/merkle-reference.ts, the RFC 9162
 * definitions written out, never from src/, so the vectors check the implementation.
 * test/core/merkle-vectors.test.ts checks the committed files against this generator.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ReferenceTree, refLeafHash, testLeafHashes } from "../core/merkle-reference.js";

type WantErr = false | "INVALID_ARGUMENT" | "PROOF_MALFORMED" | "PROOF_MISMATCH";

export interface InclusionVector {
  desc: string;
  index: number;
  size: number;
  leafHash: string;
  proof: string[];
  root: string;
  wantErr: WantErr;
}

export interface ConsistencyVector {
  desc: string;
  size1: number;
  size2: number;
  root1: string;
  proof: string[];
  root2: string;
  wantErr: WantErr;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, "hex"));
const isSize = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;
const sameList = (a: readonly string[], b: readonly Uint8Array[]): boolean =>
  a.length === b.length && a.every((h, i) => h === hex(b[i]!));

// From verify_test.go.
const SOME_HASH = "abacaba000000000000000000000000000000000000000000060061e00123456";
const EMPTY_ROOT = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const WRONG_LEAF = hex(new TextEncoder().encode("WrongLeaf"));
const WRONG_ROOT = hex(new TextEncoder().encode("WrongRoot"));

/** Lengths of PATH(m, D[n]) and PROOF(m, D[n]) by the RFC's recursion, without hashing. */
function pathLength(m: number, n: number): number {
  if (n <= 1) return 0;
  let k = 1;
  while (k * 2 < n) k *= 2;
  return 1 + (m < k ? pathLength(m, k) : pathLength(m - k, n - k));
}
function proofLength(m: number, n: number, b = true): number {
  if (m === 0) return 0; // sealtrail: a proof from the empty tree is empty.
  if (m === n) return b ? 0 : 1;
  let k = 1;
  while (k * 2 < n) k *= 2;
  return 1 + (m <= k ? proofLength(m, k, b) : proofLength(m - k, n - k, false));
}

/**
 * What verifyInclusion must report, decided from the reference tree alone. "Valid" means
 * exactly the tree's own proof; that matches the verifier only for corruptions it can see
 * (the verifier sees the size only through the proof's shape), so add cases with care:
 * merkle-vectors.test.ts will say if one disagrees.
 */
function inclusionWant(tree: ReferenceTree, v: Omit<InclusionVector, "desc" | "wantErr">): WantErr {
  if (!isSize(v.index) || !isSize(v.size) || v.index >= v.size) return "INVALID_ARGUMENT";
  if (v.leafHash.length !== 64 || v.root.length !== 64) return "INVALID_ARGUMENT";
  if (v.proof.some((h) => h.length !== 64)) return "PROOF_MALFORMED";
  if (v.proof.length !== pathLength(v.index, v.size)) return "PROOF_MALFORMED";
  const valid =
    v.size <= tree.leafHashes.length &&
    v.leafHash === hex(tree.leafHashes[v.index]!) &&
    v.root === hex(tree.mth(0, v.size)) &&
    sameList(v.proof, tree.path(v.index, 0, v.size));
  return valid ? false : "PROOF_MISMATCH";
}

/** What verifyConsistency must report, decided from the reference tree alone. */
function consistencyWant(tree: ReferenceTree, v: Omit<ConsistencyVector, "desc" | "wantErr">): WantErr {
  if (!isSize(v.size1) || !isSize(v.size2) || v.size1 > v.size2) return "INVALID_ARGUMENT";
  if (v.root1.length !== 64 || v.root2.length !== 64) return "INVALID_ARGUMENT";
  if (v.proof.some((h) => h.length !== 64)) return "PROOF_MALFORMED";
  if (v.proof.length !== proofLength(v.size1, v.size2)) return "PROOF_MALFORMED";
  // Without a proof the verifier can only compare roots: every tree extends the empty one,
  // and two trees of one size are consistent when their roots are equal.
  if (v.size1 === 0 || v.size1 === v.size2) {
    const valid = (v.size1 !== 0 || v.root1 === EMPTY_ROOT) && (v.size1 !== v.size2 || v.root1 === v.root2);
    return valid ? false : "PROOF_MISMATCH";
  }
  const valid =
    v.size2 <= tree.leafHashes.length &&
    v.root1 === hex(tree.mth(0, v.size1)) &&
    v.root2 === hex(tree.mth(0, v.size2)) &&
    sameList(v.proof, tree.proof(v.size1, v.size2));
  return valid ? false : "PROOF_MISMATCH";
}

/** proof with element i's first byte XOR mask. */
function flipped(proof: readonly string[], i: number, mask: number): string[] {
  return proof.map((h, j) => (j === i ? hex(bytes(h).map((b, k) => (k === 0 ? b ^ mask : b))) : h));
}

/** The corruptions of verify_test.go corruptInclusionProof; `extra` adds sealtrail's own. */
function inclusionCases(tree: ReferenceTree, index: number, size: number, extra: boolean): InclusionVector[] {
  const base = {
    index,
    size,
    leafHash: hex(tree.leafHashes[index]!),
    proof: tree.path(index, 0, size).map(hex),
    root: hex(tree.mth(0, size)),
  };
  const { proof, root } = base;
  type Case = [string, Partial<typeof base>];
  const cases: Case[] = [
    ["happy path", {}],
    ["index - 1", { index: index - 1 }],
    ["index + 1", { index: index + 1 }],
    ["index ^ 2", { index: index ^ 2 }],
    ["size * 2", { size: size * 2 }],
    ["size / 2", { size: Math.floor(size / 2) }],
    ["wrong leaf", { leafHash: WRONG_LEAF }],
    ["empty root", { root: EMPTY_ROOT }],
    ["random root", { root: SOME_HASH }],
    ["trailing garbage", { proof: [...proof, ""] }],
    ["trailing root", { proof: [...proof, root] }],
    ["preceding garbage", { proof: ["", ...proof] }],
    ["preceding root", { proof: [root, ...proof] }],
    ...proof.map((_, i): Case => [`modified proof[${i}] bit 3`, { proof: flipped(proof, i, 8) }]),
  ];
  if (proof.length > 0) cases.push(["removed component", { proof: proof.slice(0, -1) }]);
  if (proof.length > 1) cases.push(["inserted component", { proof: [SOME_HASH, proof[0]!, ...proof.slice(1)] }]);
  if (extra) {
    // Not "size + 1": the verifier sees the size only through the proof's shape, so a
    // proof can fit a larger size too; size and root must come from one checkpoint.
    cases.push(["index = size", { index: size }]);
    cases.push(["leaf hash as root", { root: base.leafHash }], ["short root", { root: root.slice(2) }]);
    proof.forEach((h, i) => cases.push([`short proof[${i}]`, { proof: proof.map((x, j) => (j === i ? h.slice(2) : x)) }]));
    if (proof.length > 1) cases.push(["swapped components", { proof: [proof[1]!, proof[0]!, ...proof.slice(2)] }]);
  }
  return cases.map(([desc, change]) => {
    const v = { ...base, ...change };
    return { desc: `${index} in ${size}: ${desc}`, ...v, wantErr: inclusionWant(tree, v) };
  });
}

/** The corruptions of verify_test.go corruptConsistencyProof; `extra` adds sealtrail's own. */
function consistencyCases(tree: ReferenceTree, size1: number, size2: number, extra: boolean): ConsistencyVector[] {
  const base = {
    size1,
    size2,
    root1: hex(tree.mth(0, size1)),
    proof: tree.proof(size1, size2).map(hex),
    root2: hex(tree.mth(0, size2)),
  };
  const { proof, root1, root2 } = base;
  type Case = [string, Partial<typeof base>];
  const cases: Case[] = [
    ["happy path", {}],
    ["size1 - 1", { size1: size1 - 1 }],
    ["size1 + 1", { size1: size1 + 1 }],
    ["size1 ^ 2", { size1: size1 ^ 2 }],
    ["size2 * 2", { size2: size2 * 2 }],
    ["size2 / 2", { size2: Math.floor(size2 / 2) }],
    ["wrong root1", { root1: WRONG_ROOT }],
    ["wrong root2", { root2: WRONG_ROOT }],
    ["swapped roots", { root1: root2, root2: root1 }],
    ["empty proof", { proof: [] }],
    ["trailing garbage", { proof: [...proof, ""] }],
    ["trailing root1", { proof: [...proof, root1] }],
    ["trailing root2", { proof: [...proof, root2] }],
    ["preceding garbage", { proof: ["", ...proof] }],
    ["preceding root1", { proof: [root1, ...proof] }],
    ["preceding root2", { proof: [root2, ...proof] }],
    ["preceding proof[0]", { proof: [proof[0]!, ...proof] }],
    ["truncated proof", { proof: proof.slice(0, -1) }],
    ...proof.map((_, i): Case => [`modified proof[${i}] bit 4`, { proof: flipped(proof, i, 16) }]),
  ];
  if (extra) {
    cases.push(["size1 = 0", { size1: 0 }], ["size2 = size1", { size2: size1 }]);
    cases.push(["random root1", { root1: SOME_HASH }], ["random root2", { root2: SOME_HASH }]);
    proof.forEach((h, i) => cases.push([`short proof[${i}]`, { proof: proof.map((x, j) => (j === i ? h.slice(2) : x)) }]));
  }
  return cases.map(([desc, change]) => {
    const v = { ...base, ...change };
    return { desc: `${size1} to ${size2}: ${desc}`, ...v, wantErr: consistencyWant(tree, v) };
  });
}

/** The RFC 6962 test tree of verify_test.go, and a larger one for deeper proofs. */
function trees(): { rfc: ReferenceTree; big: ReferenceTree } {
  const entries = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];
  return { rfc: new ReferenceTree(entries.map((e) => refLeafHash(bytes(e)))), big: new ReferenceTree(testLeafHashes(70)) };
}

export function generateInclusionVectors(): InclusionVector[] {
  const { rfc, big } = trees();
  const vectors: InclusionVector[] = [];
  for (let size = 1; size <= 8; size++) {
    for (let index = 0; index < size; index++) vectors.push(...inclusionCases(rfc, index, size, false));
  }
  for (const [index, size] of [[37, 70], [5, 13]] as const) {
    vectors.push(...inclusionCases(big, index, size, true));
  }
  const leaf = hex(rfc.leafHashes[0]!);
  const edge = (desc: string, index: number, size: number) => {
    const v = { index, size, leafHash: leaf, proof: [], root: leaf };
    vectors.push({ desc, ...v, wantErr: inclusionWant(rfc, v) });
  };
  edge("empty tree", 0, 0);
  edge("fractional index", 0.5, 1);
  edge("size 2^53 is not a safe integer", 0, 2 ** 53);
  return vectors;
}

export function generateConsistencyVectors(): ConsistencyVector[] {
  const { rfc, big } = trees();
  const vectors: ConsistencyVector[] = [];
  for (let size2 = 1; size2 <= 8; size2++) {
    for (let size1 = 1; size1 < size2; size1++) vectors.push(...consistencyCases(rfc, size1, size2, false));
  }
  for (const [size1, size2] of [[37, 70], [5, 13]] as const) {
    vectors.push(...consistencyCases(big, size1, size2, true));
  }
  const [empty, r3, r8] = [EMPTY_ROOT, hex(rfc.mth(0, 3)), hex(rfc.mth(0, 8))];
  const edge = (desc: string, size1: number, size2: number, root1: string, root2: string, proof: string[] = []) => {
    const v = { size1, size2, root1, proof, root2 };
    vectors.push({ desc, ...v, wantErr: consistencyWant(rfc, v) });
  };
  edge("0 to 0", 0, 0, empty, empty);
  edge("0 to 0: other root2", 0, 0, empty, r3);
  edge("0 to 8", 0, 8, empty, r8);
  edge("0 to 8: root1 not the empty root", 0, 8, r3, r8);
  edge("0 to 8: non-empty proof", 0, 8, empty, r8, [r8]);
  edge("3 to 3", 3, 3, r3, r3);
  edge("3 to 3: roots differ", 3, 3, r3, r8);
  edge("3 to 3: non-empty proof", 3, 3, r3, r3, [r3]);
  edge("8 to 3", 8, 3, r8, r3);
  edge("size2 2^53 is not a safe integer", 3, 2 ** 53, r3, r8);
  return vectors;
}

/** One vector per line: reviewable diffs, and each file stays under 300 KB. */
export function formatVectors(vectors: readonly object[]): string {
  return `[\n${vectors.map((v) => `  ${JSON.stringify(v)}`).join(",\n")}\n]\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [name, vectors] of [
    ["inclusion", generateInclusionVectors()],
    ["consistency", generateConsistencyVectors()],
  ] as const) {
    const out = new URL(`./merkle/${name}.json`, import.meta.url);
    writeFileSync(out, formatVectors(vectors));
    console.log(`wrote ${vectors.length} vectors to ${fileURLToPath(out)}`);
  }
}
