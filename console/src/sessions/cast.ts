/**
 * A pane's recording as the player plays it: the chunks' exact bytes (the ones the proof
 * covers, decoded from their payloads) laid out as an asciicast v2 stream, with the shell
 * hook's commands as markers. The same layout as `sealtrail tmux replay` (core/capture/asciicast.ts).
 */
import { fromBase64 } from "../verify/bytes";

export interface Chunk {
  /** The entry's seq in its log. */
  entrySeq: number;
  /** The chunk's seq in its pane stream. */
  seq: number;
  timeUs: number;
  frames: [number, number][];
  data: Uint8Array;
  text: string;
  width?: number;
  height?: number;
}

export interface Command {
  entrySeq: number;
  timeUs: number;
  command: string;
  exitCode: number;
  cwd: string;
}

export interface Recording {
  chunks: Chunk[];
  commands: Command[];
  startUs: number;
  width: number;
  height: number;
  /** The asciicast v2 text the player is given. */
  cast: string;
  /** Seconds from the start at which each chunk plays (its first frame). */
  chunkAt: number[];
  /** Seconds from the start of each command (markers). */
  commandAt: number[];
}

type ChunkPayload = { seq: number; timeUs: number; frames?: [number, number][]; data: string; text?: string; width?: number; height?: number };
type CommandPayload = { command: string; exitCode: number; cwd: string; timeUs?: number };

export function chunkOf(entry: { seq: number | string; payload: unknown; occurredAt: string }): Chunk {
  const p = entry.payload as ChunkPayload;
  return { entrySeq: Number(entry.seq), seq: p.seq, timeUs: p.timeUs, frames: p.frames ?? [[0, 0]], data: fromBase64(p.data), text: p.text ?? "", ...(p.width ? { width: p.width } : {}), ...(p.height ? { height: p.height } : {}) };
}

export function commandOf(entry: { seq: number | string; payload: unknown; occurredAt: string }): Command {
  const p = entry.payload as CommandPayload;
  return { entrySeq: Number(entry.seq), timeUs: p.timeUs ?? Date.parse(entry.occurredAt) * 1000, command: p.command, exitCode: p.exitCode, cwd: p.cwd };
}

export function buildRecording(chunks: Chunk[], commands: Command[]): Recording {
  const startUs = chunks[0]?.timeUs ?? commands[0]?.timeUs ?? 0;
  const width = chunks.find((c) => c.width)?.width ?? 80;
  const height = chunks.find((c) => c.height)?.height ?? 24;
  const decoder = new TextDecoder("utf-8", { fatal: false });
  let last = 0;
  const at = (timeUs: number) => (last = Math.max(last, Math.round(timeUs - startUs) / 1e6));
  const lines = [JSON.stringify({ version: 2, width, height, timestamp: Math.floor(startUs / 1e6) })];
  const chunkAt: number[] = [];
  for (const chunk of chunks) {
    const frames = chunk.frames.length > 0 ? chunk.frames : [[0, 0] as [number, number]];
    chunkAt.push(Math.max(last, Math.round(chunk.timeUs - startUs) / 1e6));
    frames.forEach(([offset, afterUs], i) => {
      const end = i + 1 < frames.length ? frames[i + 1]![0] : chunk.data.length;
      const text = decoder.decode(chunk.data.subarray(offset, end), { stream: true });
      if (text !== "") lines.push(JSON.stringify([at(chunk.timeUs + afterUs), "o", text]));
    });
  }
  const rest = decoder.decode();
  if (rest) lines.push(JSON.stringify([last, "o", rest]));
  const sorted = [...commands].sort((a, b) => a.timeUs - b.timeUs);
  const commandAt = sorted.map((c) => Math.max(0, Math.round(c.timeUs - startUs) / 1e6));
  return { chunks, commands: sorted, startUs, width, height, cast: `${lines.join("\n")}\n`, chunkAt, commandAt };
}

/**
 * The chunk where the next match of `needle` (case-insensitive) after chunk `from` starts, or
 * -1. The chunks' texts are searched joined, so a match cut by a chunk boundary is found too.
 */
export function findInRecording(recording: Recording, needle: string, from = -1): number {
  const want = needle.toLowerCase();
  if (!want) return -1;
  const starts: number[] = [];
  let joined = "";
  for (const chunk of recording.chunks) {
    starts.push(joined.length);
    joined += chunk.text.toLowerCase();
  }
  const begin = from + 1 < starts.length ? starts[from + 1]! : joined.length;
  const at = joined.indexOf(want, begin);
  if (at < 0) return -1;
  let i = starts.length - 1;
  while (i > 0 && starts[i]! > at) i--;
  return i;
}
