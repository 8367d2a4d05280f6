/**
 * asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/): a header line, then one
 * `[time, "o", data]` line per output event, newline-delimited JSON. `data` is text, so the
 * pane's bytes are decoded as UTF-8 across chunk boundaries (a sequence split between two
 * chunks decodes whole); bytes that are not UTF-8 become U+FFFD in the cast only: the
 * ledger keeps them exactly.
 */
import type { OutputChunk } from "./output-chunk.js";

export interface CastHeader {
  width: number;
  height: number;
  /** Unix time of the recording's start, in seconds. */
  timestamp: number;
  title?: string;
  env?: Record<string, string>;
}

export function castHeaderLine(header: CastHeader): string {
  const { width, height, timestamp, title, env } = header;
  return `${JSON.stringify({ version: 2, width, height, timestamp, ...(title ? { title } : {}), ...(env ? { env } : {}) })}\n`;
}

/** Output events of a pane's chunks, fed in seq order; times are seconds after `startUs`. */
export class CastEncoder {
  private readonly decoder = new TextDecoder("utf-8", { fatal: false });
  private lastTime = 0;

  constructor(private readonly startUs: number) {}

  lines(chunk: Pick<OutputChunk, "timeUs" | "frames" | "data">): string {
    let out = "";
    const frames = chunk.frames.length > 0 ? chunk.frames : [{ at: 0, afterUs: 0 }];
    for (let i = 0; i < frames.length; i++) {
      const end = i + 1 < frames.length ? frames[i + 1]!.at : chunk.data.length;
      const text = this.decoder.decode(chunk.data.subarray(frames[i]!.at, end), { stream: true });
      if (text === "") continue;
      out += this.event(chunk.timeUs + frames[i]!.afterUs, text);
    }
    return out;
  }

  /** What the decoder still holds (a sequence cut short at the very end). */
  end(atUs: number): string {
    const text = this.decoder.decode();
    return text === "" ? "" : this.event(atUs, text);
  }

  private event(timeUs: number, text: string): string {
    // Times never go backwards: a chunk stamped early (clock step) plays at once.
    this.lastTime = Math.max(this.lastTime, Math.round(timeUs - this.startUs) / 1e6);
    return `${JSON.stringify([this.lastTime, "o", text])}\n`;
  }
}
