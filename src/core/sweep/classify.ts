/**
 * From raw per-range findings to tamper classes (tamper.ts). The stored leaf hash of a row
 * still commits to the seq it was appended at, so a row that moved can be recognised by
 * recomputing its leaf for another seq: one seq down after an insertion, one seq up after a
 * deletion with renumbering, anywhere else after a reorder.
 */
import { entryLeafHash } from "../entry/index.js";
import { digestEqual } from "../encoding/index.js";
import type { RawFinding, StoredEntry } from "./range-check.js";
import { compareFindings, type Finding } from "./tamper.js";

const MAX_SEARCH_CANDIDATES = 256;

export function classifyEntryFindings(origin: string, raw: readonly RawFinding[]): Finding[] {
  const sorted = [...raw].sort((a, b) => a.seq - b.seq);
  const leafBySeq = new Map<number, Extract<RawFinding, { type: "leaf" }>>();
  for (const f of sorted) if (f.type === "leaf") leafBySeq.set(f.seq, f);

  // Rows moved further than one seq: look for the seq they came from among the other
  // positions whose rows do not match (a swap leaves both ends mismatched).
  // The search costs carried × candidates leaf hashes: bounded, whatever the damage.
  const search = leafBySeq.size <= MAX_SEARCH_CANDIDATES;
  const moved = new Map<number, number | null>();
  for (const f of leafBySeq.values()) {
    moved.set(f.seq, f.movedFrom ?? (search && f.entry ? searchOrigin(origin, f.entry, leafBySeq) : null));
  }

  const out: Finding[] = [];
  const suppressed = new Set<number>();
  let run: { offset: number; lastSeq: number } | null = null;
  for (const f of sorted) {
    switch (f.type) {
      case "gap":
        out.push({ class: "entry_deleted", seq: f.seq, until: f.foundSeq, message: f.foundSeq - f.seq === 1 ? `seq ${f.seq} is missing` : `seqs ${f.seq}..${f.foundSeq - 1} are missing` });
        break;
      case "payload":
        out.push({ class: "payload_edited", seq: f.seq, message: `payload of seq ${f.seq} does not match its payload hash` });
        break;
      case "absent":
        out.push({ class: "value_removed", seq: f.seq, field: f.field, message: `the ${f.field} of seq ${f.seq} was removed without an erasure or expiry record that covers it` });
        break;
      case "value":
        out.push({ class: f.field === "payload" ? "payload_edited" : "metadata_edited", seq: f.seq, field: f.field, message: `the ${f.field} of seq ${f.seq} does not match its commitment` });
        break;
      case "chain":
        if (!leafBySeq.has(f.seq)) out.push({ class: "chain_broken", seq: f.seq, message: `chain hash of seq ${f.seq} does not follow from seq ${f.seq - 1}` });
        break;
      case "leaf": {
        const from = moved.get(f.seq) ?? null;
        if (from === null) {
          out.push({ class: "metadata_edited", seq: f.seq, message: `metadata of seq ${f.seq} does not match its leaf hash` });
          break;
        }
        // The far end of a swap was reported with its near end.
        if (from < f.seq && moved.get(from) === f.seq) break;
        const offset = f.seq - from;
        // A shifted run (every row one seq off) is one event, reported at its start.
        if (run && run.offset === offset && run.lastSeq === f.seq - 1 && Math.abs(offset) === 1) {
          run.lastSeq = f.seq;
          break;
        }
        run = { offset, lastSeq: f.seq };
        if (offset === 1) {
          // Row of seq s-1 now sits at s: something was inserted at s-1.
          suppressed.add(f.seq - 1);
          out.push({ class: "entry_inserted", seq: f.seq - 1, message: `an entry was inserted at seq ${f.seq - 1}; later entries were renumbered` });
        } else if (offset === -1 && moved.get(f.seq + 1) !== f.seq) {
          out.push({ class: "entry_deleted", seq: f.seq, message: `the entry at seq ${f.seq} was deleted; later entries were renumbered` });
        } else {
          out.push({ class: "entries_reordered", seq: f.seq, message: `the entry at seq ${f.seq} was appended as seq ${from}` });
        }
      }
    }
  }
  return out
    .filter((f) => !(f.seq !== null && suppressed.has(f.seq) && (f.class === "metadata_edited" || f.class === "chain_broken")))
    .sort(compareFindings);
}

function searchOrigin(origin: string, entry: StoredEntry, candidates: Map<number, unknown>): number | null {
  for (const seq of candidates.keys()) {
    if (seq !== entry.seq && digestEqual(entryLeafHash({ ...entry, log: origin, seq }), entry.leafHash)) return seq;
  }
  return null;
}
