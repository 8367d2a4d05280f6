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
import { Socket, type SocketConstructorOpts } from "node:net";
import type { Readable } from "node:stream";

/**
 * A stream's reads come in buffers of libuv's suggested size, 64 KiB (uv__read), and reads
 * into a space() are offered at least that: a read that returns less found the pipe empty.
 * One that returns as much or more found the pipe full, with tmux likely holding more, and
 * is followed by another at once.
 */
const READ_BUFFER_BYTES = 64 * 1024;

export interface PacedReaderOptions {
  /** Wait after a read that emptied the pipe; 0 reads as data comes. */
  paceMs: number;
  /**
   * Where the next read of a pipe given by its fd puts its bytes (net.Socket's `onread`): the
   * reader then allocates nothing and copies nothing. Asked again after every read.
   */
  space?: () => Uint8Array;
  /** The bytes of one read: with `space`, a view of (the start of) what space() returned. */
  onData(data: Buffer): void;
  /** Once, at the end of the input or on its error. */
  onEnd(error?: Error): void;
}

export class PacedReader {
  private holds = 0;
  private stopped = false;
  private reads$ = 0;
  private readonly pacing = new Set<NodeJS.Timeout>();
  private readonly input: Readable;
  /** The socket made for an fd: destroyed on stop, which frees the fd. */
  private readonly owned: Socket | undefined;

  /** `input`: a stream, or the fd of a pipe or socket to read with `options.space`. */
  constructor(
    input: Readable | number,
    private readonly options: PacedReaderOptions,
  ) {
    if (typeof input === "number") {
      const space = options.space;
      if (!space) throw new TypeError("PacedReader: an fd is read into options.space");
      // `onread` is read by the Socket constructor too (lib/net.js), not only by connect().
      const onread = { buffer: space, callback: (n: number, buffer: Uint8Array) => this.onRead(Buffer.from(buffer.buffer, buffer.byteOffset, n), n < Math.min(buffer.length, READ_BUFFER_BYTES)) };
      this.input = this.owned = new Socket({ fd: input, readable: true, writable: false, onread } as SocketConstructorOpts);
    } else {
      this.input = input;
      this.owned = undefined;
      input.on("data", this.onData);
    }
    this.input.once("end", this.onEnd);
    this.input.once("error", this.onEnd);
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
    this.owned?.destroy();
  }

  private readonly onData = (data: Buffer): void => this.onRead(data, data.length < READ_BUFFER_BYTES);

  /** `emptied`: the read found less than a full buffer, so the pipe is empty for now. */
  private onRead(data: Buffer, emptied: boolean): void {
    if (this.stopped) return;
    this.reads$++;
    if (this.options.paceMs > 0 && emptied) {
      const release = this.hold();
      const timer = setTimeout(() => {
        this.pacing.delete(timer);
        release();
      }, this.options.paceMs);
      this.pacing.add(timer);
    }
    this.options.onData(data);
  }

  private readonly onEnd = (error?: Error): void => {
    if (this.stopped) return;
    this.stop();
    this.options.onEnd(error);
  };
}
