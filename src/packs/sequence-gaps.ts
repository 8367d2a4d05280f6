/**
 * Reconciliation of the subject logs to their sources while the period streams: entries per
 * (log, source), and gaps in the chunk sequences of tmux capture. Each captured pane stream
 * (host, tmux server, pane: the parts of its chunks' idempotency key, tmux/tmux-events.ts)
 * numbers its `tmux.output` chunks 0, 1, 2… without a hole; a chunk seq missing between two
 * chunks of the period is output the ledger never received (or a payload not shown, which
 * withheld.json lists). Webhook and API sources carry delivery ids, not sequences: only chunk
 * sequences can be checked. Streaming and linear: per stream, the runs of consecutive chunk
 * seqs seen (chunks arrive in order but for retries), so memory is the streams and their gaps.
 * A stream's chunks before its first in the period belong to earlier periods and are not gaps.
 * Pure; the builder and verify-pack feed it the same entries (exceptions.ts).
 */
import type { PackEntry } from "../core/pack/index.js";

/** Gaps listed one by one; past that they are counted. */
export const MAX_GAPS_LISTED = 200;
const MAX_NULLS = 100_000;

/** A chunk of a stream: its chunk seq and the entry that holds it. */
export interface ChunkRef {
  chunk: number;
  seq: number;
}

export interface SequenceGap {
  log: string;
  source: string;
  /** host/server/pane. */
  stream: string;
  /** Missing chunk seqs [from, to], inclusive. */
  from: number;
  to: number;
  missing: number;
  /** The chunks (and their entries) on either side of the gap: the evidence around it. */
  before: ChunkRef;
  after: ChunkRef;
  /** tmux.output entries of the log between those two whose payload the pack does not show (withheld.json): they may be the missing chunks. */
  notShownBetween: number;
}

export interface Reconciliation {
  /** Entries of the period per subject log and source, by log then source. */
  sources: { log: string; source: string; entries: number }[];
  /** Every chunk stream seen in the period, by log then stream. */
  streams: { log: string; source: string; stream: string; chunks: number; first: number; last: number; gaps: number; missing: number }[];
  /** The gaps, by log, stream and chunk seq; the first MAX_GAPS_LISTED. */
  gaps: SequenceGap[];
  gapCount: number;
  /** tmux.output entries whose payload the pack does not show, so whose chunk seq is unknown. */
  chunksNotShown: number;
}

interface Run {
  from: ChunkRef;
  to: ChunkRef;
}

interface Stream {
  log: string;
  source: string;
  stream: string;
  chunks: number;
  runs: Run[];
}

export class SequenceTracker {
  private readonly sources = new Map<string, { log: string; source: string; entries: number }>();
  private readonly streams = new Map<string, Stream>();
  /** Per log, the seqs of tmux.output entries whose payload is not shown, in seq order. */
  private readonly nulls = new Map<string, number[]>();
  private chunksNotShown = 0;
  private result: Reconciliation | undefined;

  /** Every entry of subject log `logName`, in seq order. */
  add(e: PackEntry, logName: string): void {
    const key = `${logName}\n${e.source}`;
    const s = this.sources.get(key);
    if (s) s.entries++;
    else this.sources.set(key, { log: logName, source: e.source, entries: 1 });
    if (e.kind !== "tmux.output") return;
    if (e.payload === null) {
      this.chunksNotShown++;
      const list = this.nulls.get(logName) ?? [];
      if (list.length < MAX_NULLS) list.push(e.seq);
      this.nulls.set(logName, list);
      return;
    }
    // A payload without a stream and chunk seq is not a capture's chunk: nothing to reconcile.
    const chunk = chunkOf(e.payload);
    if (!chunk) return;
    const id = `${logName}\n${chunk.stream}`;
    let stream = this.streams.get(id);
    if (!stream) this.streams.set(id, (stream = { log: logName, source: e.source, stream: chunk.stream, chunks: 0, runs: [] }));
    stream.chunks++;
    insert(stream.runs, { chunk: chunk.seq, seq: e.seq });
  }

  /** The reconciliation, computed once. */
  finish(): Reconciliation {
    if (this.result) return this.result;
    const byName = <T extends { log: string }>(a: T, b: T, k: (x: T) => string) => (a.log < b.log ? -1 : a.log > b.log ? 1 : k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0);
    const sources = [...this.sources.values()].sort((a, b) => byName(a, b, (x) => x.source));
    const gaps: SequenceGap[] = [];
    let gapCount = 0;
    const streams = [...this.streams.values()].sort((a, b) => byName(a, b, (x) => x.stream)).map((s) => {
      let missing = 0;
      for (let i = 1; i < s.runs.length; i++) {
        const before = s.runs[i - 1]!.to;
        const after = s.runs[i]!.from;
        missing += after.chunk - before.chunk - 1;
        gapCount++;
        if (gaps.length < MAX_GAPS_LISTED) {
          gaps.push({ log: s.log, source: s.source, stream: s.stream, from: before.chunk + 1, to: after.chunk - 1, missing: after.chunk - before.chunk - 1, before, after, notShownBetween: this.notShownBetween(s.log, before.seq, after.seq) });
        }
      }
      return { log: s.log, source: s.source, stream: s.stream, chunks: s.chunks, first: s.runs[0]!.from.chunk, last: s.runs.at(-1)!.to.chunk, gaps: s.runs.length - 1, missing };
    });
    this.result = { sources, streams, gaps, gapCount, chunksNotShown: this.chunksNotShown };
    return this.result;
  }

  /** Payloads not shown of tmux.output entries of `log` with seq strictly between a and b (in either order). */
  private notShownBetween(log: string, a: number, b: number): number {
    const list = this.nulls.get(log) ?? [];
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    return lowerBound(list, hi) - lowerBound(list, lo + 1);
  }
}

/** A stream id (host/server/pane) in words that wrap only at spaces: pane %1 of server default on db-1. */
export function streamWords(stream: string): string {
  const [host, server, ...pane] = stream.split("/");
  return `pane ${pane.join("/")} of server ${server}${host ? ` on ${host}` : ""}`;
}

/** The stream and chunk seq of a tmux.output payload; undefined when it does not carry them. */
function chunkOf(payload: string): { stream: string; seq: number } | undefined {
  let p: { host?: unknown; server?: unknown; pane?: unknown; seq?: unknown };
  try {
    p = JSON.parse(payload) as typeof p;
  } catch {
    return undefined;
  }
  if (typeof p !== "object" || p === null || typeof p.server !== "string" || typeof p.pane !== "string" || !Number.isSafeInteger(p.seq) || (p.seq as number) < 0) return undefined;
  return { stream: `${typeof p.host === "string" ? p.host : ""}/${p.server}/${p.pane}`, seq: p.seq as number };
}

/** Adds a chunk to a stream's sorted, disjoint runs of consecutive chunk seqs; a chunk seen already is ignored. */
function insert(runs: Run[], c: ChunkRef): void {
  const last = runs.at(-1);
  // The usual case: the next chunk of the stream, or one after a gap.
  if (!last || c.chunk > last.to.chunk + 1) {
    runs.push({ from: c, to: c });
    return;
  }
  if (c.chunk === last.to.chunk + 1) {
    last.to = c;
    return;
  }
  // A chunk recorded out of order: the first run ending at or after it.
  let lo = 0;
  let hi = runs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (runs[mid]!.to.chunk < c.chunk) lo = mid + 1;
    else hi = mid;
  }
  const run = runs[lo]!;
  if (c.chunk >= run.from.chunk) return;
  const prev = lo > 0 ? runs[lo - 1]! : undefined;
  const joinsPrev = prev !== undefined && prev.to.chunk + 1 === c.chunk;
  const joinsNext = run.from.chunk - 1 === c.chunk;
  if (joinsPrev && joinsNext) {
    prev.to = run.to;
    runs.splice(lo, 1);
  } else if (joinsPrev) prev.to = c;
  else if (joinsNext) run.from = c;
  else runs.splice(lo, 0, { from: c, to: c });
}

function lowerBound(list: readonly number[], x: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
