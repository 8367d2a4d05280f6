/**
 * RFC 9162 (RFC 6962) Merkle trees, ported from transparency-dev/merkle: hashing
 * (rfc6962), proof generation and verification (proof), node plans for stored trees
 * (proof.Nodes, compact.RangeNodes) and the appender's frontier (compact.Range).
 * Pure: no I/O. Vocabulary: a leaf hash is node (0, index); node (level, index) roots the
 * perfect subtree over leaves [index·2^level, (index+1)·2^level); a tree of `size` has the
 * leaves [0, size) and a `root`.
 */
export {
  LEAF_PREFIX,
  NODE_PREFIX,
  compactRoot,
  leafHash,
  nodeHash,
  rootFromLeafHashes,
} from "./merkle-hash.js";
export { consistencyProof, inclusionProof } from "./merkle-proof.js";
export { rootFromInclusionProof, verifyConsistency, verifyInclusion } from "./merkle-verify.js";
export {
  consistencyProofNodes,
  inclusionProofNodes,
  proofFromNodes,
  rangeNodes,
  type NodeId,
  type ProofNode,
} from "./merkle-nodes.js";
export { appendToFrontier, type FrontierAppend, type NewNode } from "./merkle-frontier.js";
