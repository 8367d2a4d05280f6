/**
 * Reads of a log's archived prefix: leaf hashes from its level 0 tiles, entries from its rows
 * files. A file missing or not of its size is INCONSISTENT: the archive does not hold what its
 * recorded range says, which the verifier reports as tampering.
 */
import { HASH_SIZE } from "../../core/encoding/index.js";
import { type PackEntry, parseEntryLine } from "../../core/pack/index.js";
import { LedgerError } from "../errors.js";
import type { ArchiveStore } from "./archive-store.js";
import { rowsKey, tileKey, tileOf } from "./archive-layout.js";

const decoder = new TextDecoder();

export class ArchiveReader {
  // The last file read: streams and tile reads walk a log in order.
  private cached: { key: string; value: Uint8Array | PackEntry[] } | undefined;

  constructor(
    private readonly archive: ArchiveStore,
    private readonly log: string,
  ) {}

  get location(): string {
    return this.archive.location;
  }

  /** The leaf hashes of seqs [from, to) of an archive of `size` entries (to ≤ size). */
  async leafHashes(size: number, from: number, to: number): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for (let seq = from; seq < to; ) {
      const { index, width } = tileOf(seq, size);
      const tile = await this.file(tileKey(this.log, 0, index, width), width * HASH_SIZE);
      const first = index * 256;
      for (; seq < to && seq < first + width; seq++) out.push(tile.subarray((seq - first) * HASH_SIZE, (seq - first + 1) * HASH_SIZE));
    }
    return out;
  }

  /** The entries of seqs [from, to) of an archive of `size` entries, `log` set to the log's origin. */
  async entries(size: number, from: number, to: number): Promise<PackEntry[]> {
    const out: PackEntry[] = [];
    for (let seq = from; seq < to; ) {
      const { index, width } = tileOf(seq, size);
      const rows = await this.rows(index, width);
      const first = index * 256;
      for (; seq < to && seq < first + width; seq++) out.push(rows[seq - first]!);
    }
    return out;
  }

  /**
   * The entries of `kinds` among seqs [0, to) of an archive of `size` entries. A rows file is
   * canonical JSON, so an entry of kind k has `"kind":k` verbatim: only files and lines holding
   * one are parsed, and a scan for a log's few records reads the rest as text only.
   */
  async entriesOfKinds(size: number, to: number, kinds: readonly string[]): Promise<PackEntry[]> {
    const needles = kinds.map((k) => `"kind":${JSON.stringify(k)}`);
    const out: PackEntry[] = [];
    for (let first = 0; first < to; first += 256) {
      const { index, width } = tileOf(first, size);
      const key = rowsKey(this.log, index, width);
      const text = decoder.decode(await this.archive.get(key) ?? new Uint8Array(0));
      if (!needles.some((n) => text.includes(n))) continue;
      for (const e of await this.rows(index, width)) if (e.seq < to && kinds.includes(e.kind)) out.push(e);
    }
    return out;
  }

  private async rows(index: number, width: number): Promise<PackEntry[]> {
    const key = rowsKey(this.log, index, width);
    if (this.cached?.key === key) return this.cached.value as PackEntry[];
    const text = decoder.decode(await this.file(key));
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    let rows: PackEntry[];
    try {
      rows = lines.map((line, i) => parseEntryLine(line, i + 1));
    } catch (error) {
      throw new LedgerError("INCONSISTENT", `archive ${this.archive.location}: ${key}: ${(error as Error).message}: verify the log`, { cause: error });
    }
    if (rows.length !== width || rows.some((r, i) => r.seq !== index * 256 + i)) {
      throw new LedgerError("INCONSISTENT", `archive ${this.archive.location}: ${key} does not hold seqs ${index * 256}..${index * 256 + width - 1}: verify the log`);
    }
    this.cached = { key, value: rows };
    return rows;
  }

  private async file(key: string, length?: number): Promise<Uint8Array> {
    if (this.cached?.key === key) return this.cached.value as Uint8Array;
    const data = await this.archive.get(key);
    if (data === undefined || (length !== undefined && data.length !== length)) {
      throw new LedgerError("INCONSISTENT", `archive ${this.archive.location}: ${key} is ${data === undefined ? "missing" : `${data.length} bytes, not ${length}`}: verify the log`);
    }
    this.cached = { key, value: data };
    return data;
  }
}
