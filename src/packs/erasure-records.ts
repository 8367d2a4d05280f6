/**
 * What the builder reads for a format-2 log's section (docs/packs.md, "Erased values"): the
 * salts and clear values of the period's entries, the removals marked in the ledger, and the
 * erasure and expiry entries that authorized them, written to the section's records file with
 * their opened payloads and inclusion proofs in the section's checkpoint.
 */
import { digestEqual, fromHex, toBase64, toHex } from "../core/encoding/index.js";
import { COMMITTED_FIELDS, valueCommitment } from "../core/entry/index.js";
import { type ErasedFields, formatEntryLine, type OpenedFields, type PackEntry } from "../core/pack/index.js";
import { inclusionProofFor, int8At, type LedgerStore, type ValueRemoval } from "../ledger/index.js";
import { ERASURE_RECORDS_NAME, type ErasureTally } from "./erasures.js";
import { type PeriodLog, removalRecordSeqs } from "./pack-ledger.js";
import { PackError } from "./pack-error.js";
import type { PackWriter } from "./pack-writer.js";

type Secret = { salt: string; value: string };

/** The salts (hex) and values of seqs [from, to), by seq and field number. */
export async function secretsOf(store: LedgerStore, logId: number, from: number, to: number): Promise<Map<number, Map<number, Secret>>> {
  const out = new Map<number, Map<number, Secret>>();
  await store.scanSecrets(logId, from, to, (row, f, count) => {
    // Columns seq int8, field int2, salt bytea, value text (store.ts); anything else is not a value to show.
    if (count !== 4 || f[1] !== 8 || f[3] !== 2 || f[5]! < 0 || f[7]! < 0) return;
    const seq = int8At(row, f[0]!);
    let fields = out.get(seq);
    if (!fields) out.set(seq, (fields = new Map()));
    fields.set(row.readInt16BE(f[2]!), { salt: toHex(row.subarray(f[4]!, f[4]! + f[5]!)), value: row.toString("utf8", f[6]!, f[6]! + f[7]!) });
  });
  return out;
}

/**
 * A format-2 entry with its values as the ledger holds them: each field opened (salt and value)
 * or marked erased with the record the ledger names. Whether they open their commitments and
 * whether the record covers them is the tally's check, as verify-pack makes it.
 */
export function withValues(e: PackEntry, secrets: Map<number, Secret> | undefined, removals: readonly ValueRemoval[]): PackEntry {
  const values: OpenedFields = {};
  const erased: ErasedFields = {};
  let payload: string | null = null;
  COMMITTED_FIELDS.forEach((field, n) => {
    const s = secrets?.get(n);
    if (s && field === "payload") {
      values.payload = { salt: s.salt };
      payload = s.value;
    } else if (s) values[field as "actor" | "resource"] = s;
    else {
      const removal = removals.find((r) => r.seq === e.seq && r.field === field);
      if (removal) erased[field] = removal.recordSeq;
    }
  });
  return { ...e, payload, values, ...(Object.keys(erased).length > 0 ? { erased } : {}) };
}

/**
 * The records file of a section: every erasure or expiry entry that removed a value of the
 * period, as an events line with its payload opened, and its inclusion proof in the section's
 * checkpoint (which periodOf chose to cover them). Null when no value of the period was removed.
 */
export async function writeErasureRecords(store: LedgerStore, writer: PackWriter, period: PeriodLog, dir: string, tally: ErasureTally): Promise<string | null> {
  const { log, firstSeq, endSeq, checkpoint } = period;
  const seqs = await removalRecordSeqs(store, log.id, firstSeq, endSeq);
  if (seqs.length === 0) return null;
  const file = `${dir}${ERASURE_RECORDS_NAME}`;
  const records: { entry: string; proof: string[] }[] = [];
  for (const seq of seqs) {
    if (seq >= checkpoint.size) throw new PackError("INCONSISTENT", `log ${log.name}: the record ${seq} that removed values of the period came after the checkpoint at size ${checkpoint.size} was chosen: build the pack again`);
    let entry: PackEntry | undefined;
    for await (const batch of store.streamEntries(log.id, log.origin, seq, seq + 1)) entry = batch[0];
    if (!entry) throw new PackError("INCONSISTENT", `log ${log.name}: entry ${seq} is missing: run sealtrail verify --log ${log.name}`);
    // The ledger's own records keep their values (docs/erasure.md): the payload is opened, actor and resource stay committed.
    const payload = (await secretsOf(store, log.id, seq, seq + 1)).get(seq)?.get(COMMITTED_FIELDS.indexOf("payload"));
    const line: PackEntry = payload ? { ...entry, payload: payload.value, values: { payload: { salt: payload.salt } } } : entry;
    if (!payload || !digestEqual(valueCommitment(fromHex(payload.salt)!, payload.value), entry.payloadHash)) throw new PackError("INCONSISTENT", `log ${log.name}: the payload of record ${seq} is gone or does not open its commitment: run sealtrail verify --log ${log.name}`);
    try {
      tally.addRecord(log.name, file, line);
    } catch (error) {
      throw new PackError("INCONSISTENT", `log ${log.name}: entry ${seq}, named as the record of a removal, is not one: ${(error as Error).message}: run sealtrail verify --log ${log.name}`, { cause: error });
    }
    const proof = await inclusionProofFor(store, log.name, seq, checkpoint.size);
    records.push({ entry: formatEntryLine(line), proof: proof.proof.map(toBase64) });
  }
  await writer.writeText(file, `${JSON.stringify({
    log: log.name,
    origin: log.origin,
    checkpointSize: checkpoint.size,
    description: "The erasure and expiry entries of this log that removed values of the period's entries (their erased markers name them by seq). Each entry is an events line with its payload opened (values.payload.salt: SHA-256(salt || payload) is the payload_commitment its leaf holds) and an inclusion proof (RFC 9162 section 2.1.3) of its leaf in the tree of the section's checkpoint. A record names seqs and fields, never the values.",
    records,
  }, null, 2)}\n`);
  return file;
}
