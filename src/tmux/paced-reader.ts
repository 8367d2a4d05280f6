/**
 * How the capture reads its pipe: paced, and held while the spool catches up.
 *
 * tmux hands a pane's output to the pipe in pieces of a few KiB, as it reads them from the
 * pty. A reader that takes each piece as it comes, as `cat` does, wakes ten thousand times a
 * second or more while a pane streams output. On a machine with few cores each wakeup
 * (a context switch, often a cross-CPU interrupt) costs CPU that comes out of tmux's share,
 * and a pane prints only as fast as tmux reads it.
 *
 * So after a read that emptied the pipe, the next read waits `paceMs`. What tmux writes
 * meanwhile collects in the pipe (and, once that is full, in tmux's own buffer) and is read
 * in full buffers: about a hundred reads a second instead of ten thousand. A lone burst,
 * such as a keystroke's echo, is still read at once; bytes that follow within `paceMs` are
 * read (and stamped) up to `paceMs` late, well inside a chunk's span (MAX_CHUNK_SPAN_US) and
 * below what a replay can show.
 */
import type { Readable } from "node:stream";

/**
 * Node reads a pipe into buffers of libuv's suggested size, 64 KiB (uv__read): a read that
 * returns less found the pipe empty.
 */
const READ_BUFFER_BYTES = 64 * 1024;

export interface PacedReaderOptions {
  /** Wait after a read that emptied the pipe; 0 reads as data comes. */
  paceMs: number;
  onData(data: Buffer): void;
  /** Once, at the end of the input or on its error. */
  onEnd(error?: Error): void;
}

export class PacedReader {
  private holds = 0;
  private stopped = false;
  private reads$ = 0;
  private readonly pacing = new Set<NodeJS.Timeout>();

  constructor(
    private readonly input: Readable,
    private readonly options: PacedReaderOptions,
  ) {
    input.on("data", this.onData);
    input.once("end", this.onEnd);
    input.once("error", this.onEnd);
  }

  /** Reads taken so far. */
  get reads(): number {
    return this.reads$;
  }

  /**
   * Holds the reading until the returned release is called (the pipe fills and tmux waits,
   * as for any slow reader). Holds add up: reading resumes when none is left.
   */
  hold(): () => void {
    if (this.holds++ === 0) this.input.pause();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holds === 0 && !this.stopped) this.input.resume();
    };
  }

  /** Stops reading for good: no more onData or onEnd. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.input.off("data", this.onData);
    this.input.off("end", this.onEnd);
    this.input.off("error", this.onEnd);
    for (const timer of this.pacing) clearTimeout(timer);
    this.pacing.clear();
  }

  private readonly onData = (data: Buffer): void => {
    this.reads$++;
    if (this.options.paceMs > 0 && data.length < READ_BUFFER_BYTES) {
      const release = this.hold();
      const timer = setTimeout(() => {
        this.pacing.delete(timer);
        release();
      }, this.options.paceMs);
      this.pacing.add(timer);
    }
    this.options.onData(data);
  };

  private readonly onEnd = (error?: Error): void => {
    if (this.stopped) return;
    this.stop();
    this.options.onEnd(error);
  };
}
