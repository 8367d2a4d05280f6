/**
 * How the capture reads pipe-pane's socket: with blocking reads in a thread of its own, into
 * a ring shared with the capture's main thread, which takes what has arrived every `pollMs`.
 *
 * tmux writes a pane's output to the pipe at most 16 KiB at a time (libevent's per-write
 * limit), and its end of the socket buffers about 208 KiB (net.core.wmem_default). What the
 * pane prints while a reader sleeps past that stays in tmux's own memory, and tmux, busy with
 * the pane, did not drain it while the pane streamed: a capture reading in paced batches
 * (10 ms after each short read) left 155–162 MB of a 200 MB `cat` in tmux's memory
 * (BENCHMARKS.md), so a pane printing for long enough would grow tmux as long as it printed.
 * So the pipe is read as `cat` reads it: a blocking read(2) that the kernel wakes as soon as
 * tmux writes, without an event loop between. After a read shorter than one of tmux's
 * writes the thread naps NAP_MS, so that a streaming pane is read a millisecond's worth at a
 * time rather than once per write: at tmux's fastest here (about 60 MB/s) a millisecond
 * brings about 60 KB, well within what the socket buffers. The main thread,
 * which stamps, chunks and spools, wakes at once for the first bytes after a quiet spell (a
 * keystroke's echo is stamped as it comes) and then every `pollMs` while output streams:
 * bytes are stamped up to `pollMs` late, well inside a chunk's span (MAX_CHUNK_SPAN_US).
 */
import { Worker } from "node:worker_threads";

/**
 * Slots of the shared control array (Int32: the positions count bytes modulo 2^32, and
 * their difference, never more than the ring, is exact in 32-bit arithmetic).
 */
const WRITTEN = 0; // bytes the thread has read into the ring
const CONSUMED = 1; // bytes the main thread has taken out of it
const STATE = 2; // 0 reading, 1 end of input, 2 read error
const READS = 3; // reads that returned bytes
const FULL = 4; // times the thread found the ring full and waited for the main thread

/** libevent writes at most 16 KiB at a time (MAX_TO_WRITE_EVER): a shorter read took less than one of tmux's writes. */
const SMALL_READ_BYTES = 16 * 1024;
const NAP_MS = 1;

/**
 * The reading thread, as plain JavaScript evaluated by the Worker (no compile step, so it
 * reads from the moment the capture starts). A full ring blocks it, and tmux then keeps the
 * output, as for any slow reader; the main thread only holds the ring while the spool
 * catches up with the disk.
 */
const THREAD_SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
const { readSync } = require("node:fs");
const ring = new Uint8Array(workerData.ring);
const control = new Int32Array(workerData.control);
const size = ring.length;
let written = 0;
for (;;) {
  const consumed = Atomics.load(control, ${CONSUMED});
  const free = size - ((written - consumed) | 0);
  if (free === 0) {
    Atomics.add(control, ${FULL}, 1);
    Atomics.wait(control, ${CONSUMED}, consumed);
    continue;
  }
  const at = (written >>> 0) % size;
  let n;
  try {
    n = readSync(workerData.fd, ring, at, Math.min(free, size - at));
  } catch (error) {
    if (error.code === "EINTR") continue;
    // A non-blocking descriptor (the caller should have given a stream instead): look again shortly.
    if (error.code === "EAGAIN") {
      Atomics.wait(control, ${STATE}, 0, 5);
      continue;
    }
    parentPort.postMessage(String(error && error.message));
    Atomics.store(control, ${STATE}, 2);
    Atomics.notify(control, ${WRITTEN});
    break;
  }
  if (n === 0) {
    Atomics.store(control, ${STATE}, 1);
    Atomics.notify(control, ${WRITTEN});
    break;
  }
  written = (written + n) | 0;
  Atomics.add(control, ${READS}, 1);
  Atomics.store(control, ${WRITTEN}, written);
  Atomics.notify(control, ${WRITTEN});
  // The pipe had less than one of tmux's writes: let a millisecond's worth collect.
  if (n < ${SMALL_READ_BYTES}) Atomics.wait(control, ${STATE}, 0, ${NAP_MS});
}
`;

export interface PipeReaderOptions {
  /** How often the main thread takes what has arrived while output streams. */
  pollMs: number;
  /** Bytes that arrived, in order; a view of the ring, valid only during the call. */
  onData(data: Uint8Array): void;
  /** Once, at the end of the input or on a read error. */
  onEnd(error?: Error): void;
  /** Ring size, a power of two (default 4 MiB: 70 ms of tmux's fastest output here). */
  ringBytes?: number;
}

export class PipeReader {
  private readonly ring: Uint8Array;
  private readonly control: Int32Array;
  private readonly worker: Worker;
  private consumed = 0;
  private holds = 0;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private failure: string | undefined;

  /** `fd`: a blocking pipe or socket (fdinfo flags without O_NONBLOCK). */
  constructor(
    fd: number,
    private readonly options: PipeReaderOptions,
  ) {
    const ringBytes = options.ringBytes ?? 4 << 20;
    // A power of two divides 2^32: ring positions stay right where the counts wrap.
    if (ringBytes <= 0 || (ringBytes & (ringBytes - 1)) !== 0) throw new TypeError(`PipeReader: ringBytes ${ringBytes} is not a power of two`);
    const ring = new SharedArrayBuffer(ringBytes);
    const control = new SharedArrayBuffer(5 * Int32Array.BYTES_PER_ELEMENT);
    this.ring = new Uint8Array(ring);
    this.control = new Int32Array(control);
    this.worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { fd, ring, control } });
    this.worker.on("message", (message: string) => {
      this.failure = message;
    });
    this.worker.on("error", (error) => {
      this.failure ??= error.message;
      Atomics.store(this.control, STATE, 2);
      this.take();
    });
    this.waitForBytes();
  }

  /** Reads of the pipe so far. */
  get reads(): number {
    return Atomics.load(this.control, READS) >>> 0;
  }

  /**
   * Times the reading thread found the ring full and had to wait: the main thread fell behind
   * the pane (held, or short of CPU), and tmux kept the output meanwhile.
   */
  get ringFullWaits(): number {
    return Atomics.load(this.control, FULL) >>> 0;
  }

  /**
   * Stops taking bytes until the returned release is called: the ring fills, the thread
   * waits and tmux keeps the output, as for any slow reader. Holds add up.
   */
  hold(): () => void {
    this.holds++;
    clearTimeout(this.timer);
    this.timer = undefined;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holds === 0) this.take();
    };
  }

  /** Stops for good: no more onData or onEnd. The thread, perhaps blocked in a read, no longer keeps the process alive. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    this.worker.unref();
  }

  /** Idle: wakes for the first bytes after a quiet spell, or for the end. */
  private waitForBytes(): void {
    if (this.stopped || this.holds > 0) return;
    const seen = Atomics.load(this.control, WRITTEN);
    if (seen !== this.consumed || Atomics.load(this.control, STATE) !== 0) return this.take();
    const wait = Atomics.waitAsync(this.control, WRITTEN, seen);
    if (!wait.async) return this.take();
    void wait.value.then(() => this.take());
  }

  /** Takes what has arrived; looks again after pollMs while bytes keep coming. */
  private take(): void {
    if (this.stopped || this.holds > 0 || this.timer !== undefined) return;
    // The state before the count: the thread stores its last count before the end.
    const state = Atomics.load(this.control, STATE);
    const written = Atomics.load(this.control, WRITTEN);
    if (written === this.consumed) {
      if (state === 0) return this.waitForBytes();
      this.stop();
      return this.options.onEnd(state === 2 ? new Error(`read: ${this.failure ?? "failed"}`) : undefined);
    }
    while (this.consumed !== written && !this.stopped) {
      const at = (this.consumed >>> 0) % this.ring.length;
      const n = Math.min((written - this.consumed) | 0, this.ring.length - at);
      this.options.onData(this.ring.subarray(at, at + n));
      this.consumed = (this.consumed + n) | 0;
    }
    Atomics.store(this.control, CONSUMED, this.consumed);
    Atomics.notify(this.control, CONSUMED);
    if (this.stopped || this.holds > 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.take();
    }, this.options.pollMs);
  }
}
