/**
 * How the capture reads its input when it is not a blocking pipe (pipe-reader.ts): a file,
 * a tty, a descriptor some other program made non-blocking. Node's stream, read as data
 * comes, with holds while the spool catches up.
 *
 * Not paced: a reader that pauses between reads of a pipe tmux writes lets tmux keep the
 * rest of the output in its own memory (pipe-reader.ts says why).
 */
import type { Readable } from "node:stream";

export interface StreamReaderOptions {
  onData(data: Buffer): void;
  /** Once, at the end of the input or on its error. */
  onEnd(error?: Error): void;
}

export class StreamReader {
  private holds = 0;
  private stopped = false;
  private reads$ = 0;

  constructor(
    private readonly input: Readable,
    private readonly options: StreamReaderOptions,
  ) {
    input.on("data", this.onData);
    input.once("end", this.onEnd);
    input.once("error", this.onEnd);
  }

  /** Reads taken so far. */
  get reads(): number {
    return this.reads$;
  }

  /** Holds the reading until the returned release is called. Holds add up: reading resumes when none is left. */
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
  }

  private readonly onData = (data: Buffer): void => {
    this.reads$++;
    this.options.onData(data);
  };

  private readonly onEnd = (error?: Error): void => {
    if (this.stopped) return;
    this.stop();
    this.options.onEnd(error);
  };
}
