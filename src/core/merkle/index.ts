/**
 * RFC 9162 (RFC 6962) Merkle trees, ported from transparency-dev/merkle: hashing
 * (rfc6962), proof generation and verification (proof), node plans for stored trees
 * (proof.Nodes, compact.RangeNodes) and the appender's frontier (compact.Range).
 * Pure: no I/O. Vocabulary: a leaf hash is node (0, index); node (level, index) roots the
 * perfect subtree over leaves [index·2^level, (index+1)·2^level); a tree of `size` has the
 * leaves [0, size) and a `root`.
 *
 * The word-level functions at the end hash in place on 32-byte hashes held as eight
 * big-endian words (sha256.ts): the verifier's and the chain hash's hot loops use them
 * instead of a Uint8Array and a node:crypto call per hash.
 */
export {
  LEAF_PREFIX,
  NODE_PREFIX,
  compactRoot,
  leafHash,
  nodeHash,
  rootFromLeafHashes,
} from "./hash.js";
export { consistencyProof, inclusionProof } from "./proof.js";
export { rootFromInclusionProof, verifyConsistency, verifyInclusion } from "./verify.js";
export {
  consistencyProofNodes,
  inclusionProofNodes,
  proofFromNodes,
  rangeNodes,
  type NodeId,
  type ProofNode,
} from "./nodes.js";
export { appendToFrontier, type FrontierAppend, type NewNode } from "./frontier.js";
export { RangeAccumulator } from "./range-proof.js";
export { type BatchPlan, type BatchResult, type NodeLookup, planBatchInclusion, type VerifiedNode, verifyBatchInclusion } from "./batch-inclusion.js";
export { rootFromLeafWords } from "./hash.js";
export { loadWords, nodeHashWords, sha256Of64 } from "./sha256.js";
