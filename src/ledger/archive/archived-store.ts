/**
 * A LedgerStore that reads a log's archived prefix from the archive where the main tables no
 * longer hold it, so that proofs, tiles, packs and the appender's reads go on as before: leaf
 * hashes (level 0 of the tree and of the tiles), entries, chain hashes and the seq recorded at
 * a time, and the ledger's own records (erasures, expiries, holds). Everything else, and
 * everything past the archived prefix, is the wrapped store's.
 * The verifier reads archived ranges itself (integrity/verify-range.ts).
 */
import type { NodeId } from "../../core/merkle/index.js";
import type { PackEntry } from "../../core/pack/index.js";
import { LedgerError } from "../errors.js";
import type { LedgerStore, NodeRow, RecordEntry, TenantView } from "../store.js";
import { assembleNodes, planNodeRead, STORED_NODE_MIN_LEVEL } from "../tree.js";
import { ArchiveReader } from "./archive-reader.js";
import type { ArchiveStore } from "./archive-store.js";
import { archivedRecords } from "./archived-records.js";
import { openArchive } from "./open-archive.js";

/**
 * `store` reading archived ranges from `archive`, or, without one, from where each log's last
 * archived range was recorded to be (archived_ranges.location).
 */
export function withArchive<T extends LedgerStore>(store: T, archive?: ArchiveStore): T {
  // Wrapped already: reading the archive twice would give its records twice.
  if (archive === undefined && (store as unknown as Record<symbol, unknown>)[ARCHIVE_AWARE] === true) return store;
  const base = ((store as unknown as Record<symbol, unknown>)[UNWRAPPED] as T | undefined) ?? store;
  const reads = new ArchivedReads(base, archive);
  return new Proxy(base, {
    get(target, prop, receiver) {
      if (prop === ARCHIVE_AWARE) return true;
      if (prop === UNWRAPPED) return target;
      if (typeof prop === "string" && OVERRIDDEN.has(prop)) {
        const own = (reads as unknown as Record<string, unknown>)[prop] as (...args: unknown[]) => unknown;
        return own.bind(reads);
      }
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

const OVERRIDDEN = new Set(["levelHashes", "fetchNodes", "streamEntries", "chainHashAt", "seqRecordedFrom", "recordEntries", "withLogLock", "tenantView"]);
const ARCHIVE_AWARE = Symbol("archive-aware");
const UNWRAPPED = Symbol("unwrapped");

class ArchivedReads {
  private readonly readers = new Map<number | string, ArchiveReader>();

  constructor(
    private readonly store: LedgerStore,
    private readonly archive: ArchiveStore | undefined,
  ) {}

  private async reader(log: number | string): Promise<ArchiveReader> {
    const known = this.readers.get(log);
    if (known) return known;
    const found = typeof log === "string" ? await this.store.findLog(log) : (await this.store.listLogs()).find((l) => l.id === log);
    if (!found) throw new LedgerError("LOG_NOT_FOUND", `no log with id ${log}`);
    const location = this.archive ? undefined : (await this.store.archivedRanges(found.id)).at(-1)?.location;
    if (!this.archive && location === undefined) throw new LedgerError("INCONSISTENT", `log ${found.name} has no archived range`);
    const reader = new ArchiveReader(this.archive ?? openArchive(location!), found.name);
    this.readers.set(log, reader);
    return reader;
  }

  async levelHashes(logId: number, level: number, from: number, to: number): Promise<Buffer[]> {
    const archived = level === 0 && from < to ? await this.store.archivedTo(logId) : 0;
    if (from >= archived) return this.store.levelHashes(logId, level, from, to);
    const cold = await (await this.reader(logId)).leafHashes(archived, from, Math.min(to, archived));
    const hot = to > archived ? await this.store.levelHashes(logId, 0, archived, to) : [];
    return [...cold.map((h) => Buffer.from(h)), ...hot];
  }

  async fetchNodes(log: number | string, ids: readonly NodeId[]): Promise<Map<number, Uint8Array>> {
    try {
      return await this.store.fetchNodes(log, ids);
    } catch (error) {
      if (!(error instanceof LedgerError) || error.code !== "INCONSISTENT") throw error;
      const archived = await this.store.archivedTo(log);
      const { leaves } = planNodeRead(ids);
      const cold = leaves.filter((seq) => seq < archived).sort((a, b) => a - b);
      if (cold.length === 0) throw error;
      const reader = await this.reader(log);
      const rows: NodeRow[] = [];
      for (const seq of cold) rows.push({ level: 0, idx: seq, hash: Buffer.from((await reader.leafHashes(archived, seq, seq + 1))[0]!) });
      const hotIds: NodeId[] = [
        ...ids.filter((id) => id.level >= STORED_NODE_MIN_LEVEL),
        ...leaves.filter((seq) => seq >= archived).map((seq) => ({ level: 0, index: seq })),
      ];
      const hot = hotIds.length > 0 ? await this.store.fetchNodes(log, hotIds) : new Map<number, Uint8Array>();
      for (const [key, hash] of hot) rows.push({ level: key % 64, idx: Math.floor(key / 64), hash: Buffer.from(hash) });
      return assembleNodes(rows, ids, log);
    }
  }

  async *streamEntries(logId: number, origin: string, from: number, to: number): AsyncGenerator<PackEntry[]> {
    const archived = from < to ? await this.store.archivedTo(logId) : 0;
    if (from < archived) {
      const reader = await this.reader(logId);
      for (let at = from; at < Math.min(to, archived); at += 256) yield reader.entries(archived, at, Math.min(at + 256, to, archived));
    }
    if (to > Math.max(from, archived)) yield* this.store.streamEntries(logId, origin, Math.max(from, archived), to);
  }

  /** The ledger's own records of `kinds`: the archived prefix's (archived-records.ts), then the main tables'. */
  async recordEntries(logId: number, kinds: readonly string[], size: number): Promise<RecordEntry[]> {
    const hot = await this.store.recordEntries(logId, kinds, size);
    const archived = await this.store.archivedTo(logId);
    if (archived === 0) return hot;
    const cold = await archivedRecords(this.store, await this.reader(logId), logId, archived, kinds, size);
    return [...cold, ...hot.filter((r) => r.seq >= archived)];
  }

  async chainHashAt(logId: number, seq: number): Promise<Uint8Array | undefined> {
    const hot = await this.store.chainHashAt(logId, seq);
    if (hot !== undefined || seq < 0) return hot;
    const archived = await this.store.archivedTo(logId);
    if (seq >= archived) return undefined;
    return (await (await this.reader(logId)).entries(archived, seq, seq + 1))[0]!.chainHash;
  }

  /** Smallest seq in [0, size] recorded at or after `at`: the main tables' answer, or the archive's when it is at its edge. */
  async seqRecordedFrom(logId: number, size: number, at: Date): Promise<number> {
    const hot = await this.store.seqRecordedFrom(logId, size, at);
    const archived = await this.store.archivedTo(logId);
    if (hot > archived || archived === 0) return hot;
    const reader = await this.reader(logId);
    let lo = 0;
    let hi = archived;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const [entry] = await reader.entries(archived, mid, mid + 1);
      if (Date.parse(entry!.recordedAt) < at.getTime()) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  withLogLock<T>(logId: number, fn: (locked: LedgerStore) => Promise<T>): Promise<T> {
    return this.store.withLogLock(logId, (locked) => fn(withArchive(locked, this.archive)));
  }

  tenantView(tenant: string, timeoutMs: number): TenantView {
    const view = this.store.tenantView(tenant, timeoutMs);
    return {
      use: (fn) => view.use((store) => fn(withArchive(store, this.archive))),
      close: () => view.close(),
    };
  }
}
