/**
 * One entry of a log's archived prefix as the API serves an entry of the main tables: read from
 * the archive's rows file (archived-store.ts), with a format-2 entry's salts and values (which
 * stay in entry_secrets until erased or expired) and its removals. The records that made those
 * removals are archived too whenever the entry is (a record follows what it removes, and the
 * archive is a prefix), so they are read as the verifier reads them (archived-records.ts): each
 * taken only once checked against its tile and its commitment, its kind and request from the
 * record itself. The caller re-hashes the entry and checks it against the signed tree, as for
 * any entry it serves.
 */
import { toHex } from "../../core/encoding/index.js";
import { COMMITTED_FIELDS } from "../../core/entry/index.js";
import { REMOVAL_KINDS } from "../../core/erasure/index.js";
import { int8At } from "../raw-rows.js";
import type { ServedEntry, StoredRemoval, StoredValue } from "../records.js";
import type { LedgerStore, Log, RecordEntry } from "../store.js";
import { ArchiveReader } from "./archive-reader.js";
import { withArchive } from "./archived-store.js";
import { openArchive } from "./open-archive.js";

/** Entry `seq` of `log` when the archive holds it; undefined when the seq is not archived. */
export async function archivedEntry(store: LedgerStore, log: Log, seq: number): Promise<ServedEntry | undefined> {
  return (await archivedEntries(store, log, [seq]))[0];
}

/**
 * Entries `seqs` (ascending) of `log` that the archive holds, in that order; seqs past the
 * archived prefix are left out. One reader serves them all: seqs of one rows file read it once.
 */
export async function archivedEntries(store: LedgerStore, log: Log, seqs: readonly number[]): Promise<ServedEntry[]> {
  const last = (await store.archivedRanges(log.id)).at(-1);
  const archived = last?.toSeq ?? 0;
  const wanted = seqs.filter((seq) => seq < archived);
  if (!last || wanted.length === 0) return [];
  // Where the last range was written holds the whole prefix (withArchive reads it the same way).
  const reader = new ArchiveReader(openArchive(last.location), log.name);
  let records: Map<number, RecordEntry> | undefined;
  const out: ServedEntry[] = [];
  for (const seq of wanted) {
    const [entry] = await reader.entries(archived, seq, seq + 1);
    if (!entry) continue;
    const v2 = log.leafVersion === 2;
    const values: StoredValue[] = [];
    const removals: StoredRemoval[] = [];
    if (v2) {
      await store.scanSecrets(log.id, seq, seq + 1, (row, f, count) => {
        if (count !== 4 || f[1] !== 8 || f[3] !== 2 || f[5]! < 0 || f[7]! < 0 || int8At(row, f[0]!) !== seq) return;
        values.push({ field: row.readInt16BE(f[2]!), salt: toHex(row.subarray(f[4]!, f[4]! + f[5]!)), value: row.toString("utf8", f[6]!, f[6]! + f[7]!) });
      });
      const marks = await store.removals(log.id, seq, seq + 1);
      if (marks.length > 0) {
        records ??= new Map((await withArchive(store).recordEntries(log.id, REMOVAL_KINDS, await store.treeSize(log.id))).map((r) => [r.seq, r]));
        for (const m of marks) {
          // A record that is not read back checked authorizes nothing: the reader reports the value as removed without one.
          const record = records.get(m.recordSeq);
          if (record) removals.push({ field: COMMITTED_FIELDS.indexOf(m.field), recordSeq: m.recordSeq, recordKind: record.kind, recordPayload: record.payload });
        }
      }
    }
    out.push({
      logId: log.id, log: log.name, origin: log.origin, seq: entry.seq, kind: entry.kind, actor: entry.actor, action: entry.action, resource: entry.resource,
      outcome: entry.outcome, source: entry.source, occurredAt: new Date(entry.occurredAt), recordedAt: new Date(entry.recordedAt), tags: [...entry.tags],
      payload: v2 ? null : entry.payload, payloadHash: Buffer.from(entry.payloadHash), leafHash: Buffer.from(entry.leafHash), chainHash: Buffer.from(entry.chainHash),
      // The rows files do not keep it (docs/operations.md).
      idempotencyKey: null,
      leafVersion: log.leafVersion, values: v2 ? values : null, removals: v2 ? removals : null,
    });
  }
  return out;
}
