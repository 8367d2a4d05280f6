/**
 * What a pack carries beyond the operator's own signature: the checkpoint's witness
 * cosignatures (C2SP tlog-cosignature) in `checkpoint.cosigned.txt`, its RFC 3161 time-stamp
 * token in `checkpoint.tsr` (over checkpoint.txt, the note as it was stamped; verify with
 * `openssl ts -verify -data checkpoint.txt -in checkpoint.tsr -CAfile <the TSA's CA>`), and
 * per sampled entry a C2SP tlog-proof whose extra data is the entry's leaf data.
 */
import { leafData, type EntryMetadata } from "../core/entry/index.js";
import { formatTlogProof } from "../core/note/index.js";
import { type LedgerStore, withCosignatures } from "../ledger/index.js";
import type { Section } from "./log-section.js";
import type { PeriodLog } from "./pack-ledger.js";
import type { PackWriter } from "./pack-writer.js";

export interface TrustFiles {
  /** The checkpoint note with its cosignature lines (the note alone when none). */
  cosignedNote: string;
  cosignedFile: string | null;
  timestampFile: string | null;
}

const base = (section: Section) => section.checkpointFile.replace(/\.txt$/, "");

export async function writeTrustFiles(store: LedgerStore, writer: PackWriter, period: PeriodLog, section: Section): Promise<TrustFiles> {
  const lines = await store.cosignaturesAt(period.log.id, period.checkpoint.size);
  const cosignedNote = withCosignatures(period.checkpoint.note, lines);
  const cosignedFile = lines.length > 0 ? `${base(section)}.cosigned.txt` : null;
  if (cosignedFile) await writer.writeText(cosignedFile, cosignedNote);
  const token = await store.timeStampAt(period.log.id, period.checkpoint.size);
  const timestampFile = token ? `${base(section)}.tsr` : null;
  if (token && timestampFile) await writer.writeBytes(timestampFile, token.token);
  return { cosignedNote, cosignedFile, timestampFile };
}

/** `<inclusionDir><seq>.tlog-proof` beside the JSON proof of the same entry. */
export async function writeTlogProof(writer: PackWriter, jsonFile: string, entry: EntryMetadata, proof: Uint8Array[], cosignedNote: string): Promise<void> {
  const text = formatTlogProof({ extra: new TextEncoder().encode(leafData(entry)), index: entry.seq, proof, note: cosignedNote });
  await writer.writeText(jsonFile.replace(/\.json$/, ".tlog-proof"), text);
}
