/**
 * "Verify this recording": every chunk's entry checked in this browser exactly as the Events
 * drawer checks one entry (payload hash, leaf hash, RFC 9162 inclusion path, Ed25519 signed
 * checkpoint), and the gaps in the chunk seqs stated with the verified chunks that bound them.
 */
import type { ResultOf } from "../graphql";
import { verifyEntry } from "../verify/verify-entry";
import type { RecordedEntryFields } from "./documents";

type Entry = ResultOf<typeof RecordedEntryFields>;
type Proof = { leafIndex: number | string; treeSize: number | string; hashes: readonly string[]; root: string; checkpoint: { note: string } | null };

export interface ChunkVerdict {
  chunkSeq: number;
  entrySeq: number;
  ok: boolean;
  /** The first failed step, when not ok. */
  failure?: string;
  treeSize?: number;
}

export interface GapProof {
  from: number;
  to: number;
  /** The verified chunks either side (undefined when the gap is at the start). */
  before?: ChunkVerdict;
  after?: ChunkVerdict;
}

export async function verifyChunks(
  log: { origin: string; verifierKey: string | null; leafVersion: number },
  chunks: Entry[],
  proofs: Map<number, Proof>,
  onChunk: (v: ChunkVerdict) => void,
): Promise<ChunkVerdict[]> {
  const verdicts: ChunkVerdict[] = [];
  for (const e of chunks) {
    const chunkSeq = Number((e.payload as { seq: number }).seq);
    const entrySeq = Number(e.seq);
    const proof = proofs.get(entrySeq);
    let verdict: ChunkVerdict;
    if (!proof) verdict = { chunkSeq, entrySeq, ok: false, failure: "the server gave no inclusion proof for this chunk" };
    else {
      const result = await verifyEntry({
        entry: { origin: log.origin, seq: entrySeq, kind: e.kind, actor: e.actor ?? "", action: e.action, resource: e.resource ?? "", outcome: e.outcome, source: e.source, occurredAt: e.occurredAt, recordedAt: e.recordedAt, tags: e.tags, payloadHash: e.payloadHash, leafHash: e.leafHash, payload: e.payload, payloadRedacted: e.payloadRedacted },
        proof: { leafIndex: Number(proof.leafIndex), treeSize: Number(proof.treeSize), hashes: proof.hashes, root: proof.root, note: proof.checkpoint?.note ?? null },
        verifierKey: log.verifierKey,
        leafVersion: log.leafVersion,
      });
      const bad = result.steps.find((s) => !s.ok);
      verdict = { chunkSeq, entrySeq, ok: result.ok, treeSize: Number(proof.treeSize), ...(bad ? { failure: `${bad.title}: ${bad.detail}` } : {}) };
    }
    verdicts.push(verdict);
    onChunk(verdict);
  }
  return verdicts;
}

/** The gaps with the chunks that bound them, from the chunks' own seqs (not the server's word). */
export function provableGaps(verdicts: ChunkVerdict[]): GapProof[] {
  const sorted = [...verdicts].sort((a, b) => a.chunkSeq - b.chunkSeq);
  const gaps: GapProof[] = [];
  let expected = 0;
  let previous: ChunkVerdict | undefined;
  for (const v of sorted) {
    if (v.chunkSeq > expected) gaps.push({ from: expected, to: v.chunkSeq - 1, ...(previous ? { before: previous } : {}), after: v });
    expected = Math.max(expected, v.chunkSeq + 1);
    previous = v;
  }
  return gaps;
}
