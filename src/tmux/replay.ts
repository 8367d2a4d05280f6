/**
 * A pane's output rebuilt from the ledger: the `tmux.output` chunks of one pane stream in seq
 * order, as asciicast v2 (core/capture/asciicast.ts) or as the exact bytes. Reads through the
 * caller's connection, so row-level security decides what may be replayed.
 */
import { CastEncoder, castHeaderLine } from "../core/capture/index.js";
import { removalKind, removalRequest, type RemovalKindName } from "../core/erasure/index.js";
import type { LedgerStore } from "../ledger/index.js";
import { TmuxError } from "./tmux-error.js";

export interface PaneStream {
  server: string;
  pane: string;
  session: string;
  firstUs: number;
  chunks: number;
  width?: number;
  height?: number;
}

export interface ReplayTarget {
  log: string;
  /** Session name or id ($n). */
  session: string;
  pane?: string;
}

/** The pane streams recorded for a session, oldest first. */
export async function paneStreams(store: LedgerStore, target: ReplayTarget): Promise<PaneStream[]> {
  const rows = await store.paneStreams(target.log, target.session, target.pane);
  return rows.map((r) => ({ server: r.server, pane: r.pane, session: r.session, firstUs: r.firstUs, chunks: r.chunks, ...(r.width ? { width: r.width } : {}), ...(r.height ? { height: r.height } : {}) }));
}

export interface ReplayChunk {
  /** The entry's seq in the log. */
  entrySeq: number;
  seq: number;
  timeUs: number;
  frames: { at: number; afterUs: number }[];
  data: Buffer;
}

/** The stream's chunks in seq order, a page at a time. */
export async function* streamChunks(store: LedgerStore, log: string, stream: Pick<PaneStream, "server" | "pane">): AsyncGenerator<ReplayChunk> {
  for await (const rows of store.paneChunks(log, stream.server, stream.pane)) {
    for (const row of rows) {
      const p = JSON.parse(row.payload) as { seq: number; timeUs: number; frames?: [number, number][]; data: string };
      yield { entrySeq: row.seq, seq: p.seq, timeUs: p.timeUs, frames: (p.frames ?? [[0, 0]]).map(([at, afterUs]) => ({ at, afterUs })), data: Buffer.from(p.data, "base64") };
    }
  }
}

/** Chooses the stream: the one named by --pane (its latest run), else the session's first. */
export function chooseStream(streams: PaneStream[], target: ReplayTarget): PaneStream {
  if (streams.length === 0) {
    throw new TmuxError("NOT_FOUND", `no output recorded for session ${JSON.stringify(target.session)}${target.pane ? ` pane ${target.pane}` : ""} in log ${target.log}`);
  }
  return target.pane ? streams.at(-1)! : streams[0]!;
}

/** Chunks of the stream whose output was erased or expired (docs/erasure.md), and under which records. */
export interface ErasedGap {
  /** Chunk seqs [from, to] inclusive. */
  from: number;
  to: number;
  records: { recordSeq: number; kind: RemovalKindName; request: string | null; entries: number }[];
}

export interface ReplayReport {
  chunks: number;
  bytes: number;
  /** Seqs missing from the stream (redacted or never shipped) with no removal record between their neighbours: [from, to] inclusive. */
  gaps: [number, number][];
  /** Gaps where the log holds erased or expired terminal output between the neighbouring chunks. */
  erased: ErasedGap[];
}

/** The marker a replay shows where erased output was: which chunks, and the records that removed them. */
export function erasedMarker(gap: ErasedGap): string {
  const records = gap.records.map((r) => `${r.kind} record #${r.recordSeq}${r.request ? ` (request ${r.request})` : ""}`).join(", ");
  const chunks = gap.from === gap.to ? `chunk ${gap.from}` : `chunks ${gap.from}–${gap.to}`;
  return `[sealtrail: ${chunks} of this pane ${gap.records.some((r) => r.kind === "erasure") ? "erased" : "expired"} under ${records}]`;
}

/** Writes the cast (or, raw, the exact bytes) through `write`. */
export async function replay(store: LedgerStore, log: string, stream: PaneStream, format: "asciicast" | "raw", write: (data: string | Buffer) => void): Promise<ReplayReport> {
  const report: ReplayReport = { chunks: 0, bytes: 0, gaps: [], erased: [] };
  const encoder = new CastEncoder(stream.firstUs);
  if (format === "asciicast") {
    write(castHeaderLine({ width: stream.width ?? 80, height: stream.height ?? 24, timestamp: Math.floor(stream.firstUs / 1e6), title: `${stream.session} ${stream.pane}` }));
  }
  let expected = 0;
  let lastUs = stream.firstUs;
  let lastEntry = -1;
  for await (const chunk of streamChunks(store, log, stream)) {
    if (chunk.seq !== expected) {
      // An erased chunk no longer says which pane it was of: the erased terminal output
      // recorded between the neighbouring chunks is what the gap can be.
      const gone = await store.erasedOutput(log, lastEntry + 1, chunk.entrySeq);
      if (gone.length > 0) {
        const gap: ErasedGap = { from: expected, to: chunk.seq - 1, records: erasedRecords(gone) };
        report.erased.push(gap);
        if (format === "asciicast") {
          const lines = encoder.lines({ timeUs: lastUs, frames: [{ at: 0, afterUs: 0 }], data: Buffer.from(`\r\n${erasedMarker(gap)}\r\n`) });
          if (lines) write(lines);
        }
      } else report.gaps.push([expected, chunk.seq - 1]);
    }
    expected = chunk.seq + 1;
    lastEntry = chunk.entrySeq;
    report.chunks++;
    report.bytes += chunk.data.length;
    lastUs = chunk.timeUs;
    if (format === "raw") write(chunk.data);
    else {
      const lines = encoder.lines(chunk);
      if (lines) write(lines);
    }
  }
  if (format === "asciicast") {
    const rest = encoder.end(lastUs);
    if (rest) write(rest);
  }
  return report;
}

function erasedRecords(rows: readonly { recordSeq: number; recordKind: string | null; recordPayload: string | null }[]): ErasedGap["records"] {
  const byRecord = new Map<number, ErasedGap["records"][number]>();
  for (const r of rows) {
    const known = byRecord.get(r.recordSeq);
    if (known) known.entries++;
    else byRecord.set(r.recordSeq, { recordSeq: r.recordSeq, kind: removalKind(r.recordKind, r.recordPayload), request: removalRequest(r.recordPayload), entries: 1 });
  }
  return [...byRecord.values()];
}
