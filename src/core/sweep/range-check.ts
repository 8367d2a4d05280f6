/**
 * Checks of a contiguous range of stored entries, in seq order: each payload against its
 * payload_hash, each leaf recomputed from the metadata against the stored leaf hash, each
 * chain hash against the previous one and the leaf. Ranges are independent, so a log can be
 * verified by several threads at once; the findings are raw and classified afterwards
 * (classify.ts), once every range is in.
 */
import { chainHash, type CommittedField, entryLeafHash, type EntryMetadata } from "../entry/index.js";
import { digestEqual, HASH_SIZE, sha256 } from "../encoding/index.js";
import { loadWords, sha256Of64 } from "../merkle/index.js";

export interface StoredEntry extends EntryMetadata {
  /** Canonical payload (text, or its UTF-8 bytes); null once redacted. */
  payload: string | Uint8Array | null;
  leafHash: Uint8Array;
  chainHash: Uint8Array;
}

export type RawFinding =
  /** Seqs [seq, foundSeq) are missing: the next stored row has foundSeq. */
  | { type: "gap"; seq: number; foundSeq: number }
  | { type: "payload"; seq: number }
  /** movedFrom: the seq this row's stored leaf hash was computed for, when it is seq ± 1. */
  | { type: "leaf"; seq: number; movedFrom: number | null; entry: StoredEntry | null }
  | { type: "chain"; seq: number }
  /** A committed value (v1: the payload; v2: any committed field) is gone from storage. */
  | { type: "absent"; seq: number; field: CommittedField }
  /** A v2 value no longer matches its commitment. */
  | { type: "value"; seq: number; field: CommittedField };

/** Leaf mismatches carried with their rows for the cross-range move search (classify.ts). */
const MAX_CARRIED_ENTRIES = 64;
/** Findings kept per range: enough to classify, bounded whatever the damage. */
export const MAX_RANGE_FINDINGS = 1000;

/** Where a row's stored byte fields lie, for addStored: offsets into `bytes`. */
export interface StoredRow {
  bytes: Uint8Array;
  /** Canonical payload text (UTF-8) at payloadAt, or -1 once redacted. */
  payloadLength: number;
  payloadAt: number;
  /** The three stored digests, HASH_SIZE bytes each. */
  payloadHashAt: number;
  leafHashAt: number;
  chainHashAt: number;
}

export class RangeCheck {
  /**
   * Recomputed leaf hashes of [start, end), eight big-endian words each (loadWords); zero
   * where a seq is missing. Kept as words, not 2^16 Buffers, for the range's Merkle tree.
   */
  readonly leafWords: Int32Array;
  readonly findings: RawFinding[] = [];
  private next: number;
  private previousChain: Uint8Array | null;
  private readonly lastChain = new Uint8Array(HASH_SIZE);
  private readonly chain = new Uint8Array(HASH_SIZE);
  private carried = 0;

  /**
   * @param previousChain chain hash of entry start-1 (GENESIS for 0); null when the first row
   *   added is entry start-1 itself, read only for its chain hash.
   */
  constructor(
    readonly origin: string,
    readonly start: number,
    readonly end: number,
    previousChain: Uint8Array | null,
    /** The log's leaf format: in v1 a missing payload is a finding, in v2 values are checked apart (addValueFinding). */
    readonly version: 1 | 2 = 1,
  ) {
    this.next = previousChain === null ? start - 1 : start;
    this.previousChain = previousChain;
    this.leafWords = new Int32Array(8 * (end - start));
  }

  /** Rows of [start, end) seen. */
  rows = 0;

  add(e: StoredEntry): void {
    if (!this.place(e.seq)) {
      if (e.seq === this.start - 1) this.previousChain = e.chainHash;
      return;
    }
    if (e.payloadHash.length !== HASH_SIZE || e.leafHash.length !== HASH_SIZE || e.chainHash.length !== HASH_SIZE) {
      this.malformedAt(e.seq);
      return;
    }
    if (e.payload !== null && !digestEqual(sha256(e.payload), e.payloadHash)) this.report({ type: "payload", seq: e.seq });
    // A v1 payload can only be missing under a removal record (the verifier decides); a v2 entry keeps none here.
    if (e.payload === null && (e.v ?? 1) === 1) this.report({ type: "absent", seq: e.seq, field: "payload" });
    const leaf = entryLeafHash(e);
    loadWords(this.leafWords, 8 * (e.seq - this.start), leaf);
    if (!digestEqual(leaf, e.leafHash)) {
      let movedFrom: number | null = null;
      for (const s of [e.seq - 1, e.seq + 1]) {
        if (s >= 0 && digestEqual(entryLeafHash({ ...e, seq: s }), e.leafHash)) movedFrom = s;
      }
      const carry = this.carried++ < MAX_CARRIED_ENTRIES;
      this.report({ type: "leaf", seq: e.seq, movedFrom, entry: carry ? copyEntry(e) : null });
    }
    if (this.previousChain !== null && !digestEqual(chainHash(this.previousChain, e.leafHash), e.chainHash)) {
      this.report({ type: "chain", seq: e.seq });
    }
    this.previousChain = e.chainHash;
  }

  /**
   * add() for a well-formed row without decoding it, the verifier's common case: `leafInput`
   * is "\0" + leafData of the row (leaf-bytes.ts). Only a row that passes every check is taken:
   * then the state changes exactly as add() would change it, and the result is true. Otherwise
   * nothing changes and the result is false: the caller gives the decoded row to add(), which
   * reports what is wrong. Digests are public, so a plain comparison does.
   */
  addStored(seq: number, leafInput: Uint8Array, row: StoredRow): boolean {
    const expected = this.next < this.start ? this.start : this.next;
    if (seq !== expected || seq >= this.end) return false;
    const bytes = row.bytes;
    if (row.payloadLength >= 0) {
      const payload = bytes.subarray(row.payloadAt, row.payloadAt + row.payloadLength);
      if (!equalAt(sha256(payload), bytes, row.payloadHashAt)) return false;
    } else if (this.version === 1) return false; // add() reports the missing payload.
    const leaf = sha256(leafInput);
    if (!equalAt(leaf, bytes, row.leafHashAt)) return false;
    if (this.previousChain !== null) {
      sha256Of64(this.previousChain, 0, bytes, row.leafHashAt, this.chain, 0); // chainHash, in place
      if (!equalAt(this.chain, bytes, row.chainHashAt)) return false;
    }
    this.next = seq + 1;
    this.rows++;
    loadWords(this.leafWords, 8 * (seq - this.start), leaf);
    for (let i = 0; i < HASH_SIZE; i++) this.lastChain[i] = bytes[row.chainHashAt + i]!;
    this.previousChain = this.lastChain;
    return true;
  }

  /** A finding about a v2 value, from the check of the range's salts and values. */
  addValueFinding(f: Extract<RawFinding, { type: "absent" | "value" }>): void {
    this.report(f);
  }

  /** A row whose stored fields cannot even be decoded (a NULL tag, an infinite date, …). */
  addMalformed(seq: number): void {
    if (this.place(seq)) this.malformedAt(seq);
  }

  private malformedAt(seq: number): void {
    this.leafWords.fill(0, 8 * (seq - this.start), 8 * (seq - this.start + 1));
    this.report({ type: "leaf", seq, movedFrom: null, entry: null });
    this.previousChain = null;
  }

  /**
   * Account for the row at `seq` in seq order; false when it lies outside [start, end). A
   * missing row start-1 is the previous range's finding: here the chain just cannot be linked.
   */
  private place(seq: number): boolean {
    if (seq < this.start || seq >= this.end) return false;
    if (this.next < this.start) this.next = this.start;
    if (seq !== this.next) {
      if (seq > this.next) {
        this.report({ type: "gap", seq: this.next, foundSeq: seq });
        this.leafWords.fill(0, 8 * (this.next - this.start), 8 * (seq - this.start));
      }
      // A chain across a gap cannot be checked; the gap is the finding.
      this.previousChain = null;
    }
    this.next = seq + 1;
    this.rows++;
    return true;
  }

  /** Call once every row has been added. */
  finish(): void {
    if (this.next < this.end) {
      this.report({ type: "gap", seq: Math.max(this.next, this.start), foundSeq: this.end });
      this.leafWords.fill(0, 8 * (Math.max(this.next, this.start) - this.start));
    }
  }

  private report(f: RawFinding): void {
    if (this.findings.length < MAX_RANGE_FINDINGS) this.findings.push(f);
  }
}

/** a equals the HASH_SIZE bytes of b at offset `at`. */
function equalAt(a: Uint8Array, b: Uint8Array, at: number): boolean {
  for (let i = 0; i < HASH_SIZE; i++) if (a[i] !== b[at + i]) return false;
  return true;
}

function copyEntry(e: StoredEntry): StoredEntry {
  return {
    ...e,
    payload: e.payload === null || typeof e.payload === "string" ? e.payload : new Uint8Array(e.payload),
    tags: [...e.tags],
    payloadHash: new Uint8Array(e.payloadHash),
    leafHash: new Uint8Array(e.leafHash),
    chainHash: new Uint8Array(e.chainHash),
  };
}
