/**
 * The ledger's own records (erasures, expiries, legal holds and their releases; docs/erasure.md)
 * that lie in a log's archived prefix. A retention run moves old entries to the archive, records
 * included; the removals and holds they made still stand, so whoever reads a log's records
 * reads them there too. Each is read from the archive's rows file and taken only when it is
 * the entry its level 0 tile holds (its leaf re-hashed) and its payload is the one its leaf
 * commits to: a format-1 payload from the rows file against its hash, a format-2 payload from
 * the secrets table (the ledger's own records are never erased or expired) against its
 * commitment. Anything else authorizes nothing, and the verifier's own checks of the archived
 * range report it.
 */
import { digestEqual } from "../../core/encoding/index.js";
import { entryLeafHash, payloadHash, SALT_SIZE, valueCommitment } from "../../core/entry/index.js";
import type { PackEntry } from "../../core/pack/index.js";
import { int8At } from "../raw-rows.js";
import type { LedgerStore, RecordEntry } from "../store.js";
import type { ArchiveReader } from "./archive-reader.js";

/** The field number of the payload in the secrets table (core/entry commitment.ts). */
const PAYLOAD_FIELD = 2;

/** Records of `kinds` among seqs [0, min(size, archived)) of the archive, in seq order. */
export async function archivedRecords(store: LedgerStore, reader: ArchiveReader, logId: number, archived: number, kinds: readonly string[], size: number): Promise<RecordEntry[]> {
  const out: RecordEntry[] = [];
  for (const e of await reader.entriesOfKinds(archived, Math.min(size, archived), kinds)) {
    const [tiled] = await reader.leafHashes(archived, e.seq, e.seq + 1);
    if (!tiled || !digestEqual(tiled, e.leafHash) || !digestEqual(entryLeafHash(e), e.leafHash)) continue;
    const payload = e.v === 2 ? await openedPayload(store, logId, e) : e.payload !== null && digestEqual(payloadHash(e.payload), e.payloadHash) ? e.payload : null;
    out.push({ seq: e.seq, kind: e.kind, payload });
  }
  return out;
}

/** A format-2 entry's clear payload when its salt and value are still there and open its commitment; null otherwise. */
async function openedPayload(store: LedgerStore, logId: number, e: PackEntry): Promise<string | null> {
  let payload: string | null = null;
  await store.scanSecrets(logId, e.seq, e.seq + 1, (row, f, count) => {
    if (count !== 4 || f[1] !== 8 || f[3] !== 2 || int8At(row, f[0]!) !== e.seq || row.readInt16BE(f[2]!) !== PAYLOAD_FIELD || f[5] !== SALT_SIZE || f[7]! < 0) return;
    const salt = row.subarray(f[4]!, f[4]! + f[5]!);
    const value = row.toString("utf8", f[6]!, f[6]! + f[7]!);
    if (digestEqual(valueCommitment(salt, value), e.payloadHash)) payload = value;
  });
  return payload;
}
