/** The capture's side of the shipping thread (ship-thread.ts): one batch in flight at a time. */
import { Worker } from "node:worker_threads";
import type { OutputChunk } from "../core/capture/index.js";
import type { CaptureConfig } from "./capture-config.js";
import type { ShipReply } from "./ship-thread.js";
import type { PaneInfo } from "./tmux-events.js";
import { TmuxError } from "./tmux-error.js";

/** How long close() lets the thread close its queue before stopping it. */
const CLOSE_WAIT_MS = 1_000;

export class ShipThread {
  private readonly worker: Worker;
  private next = 1;
  private readonly pending = new Map<number, { resolve(ok: boolean): void; reject(error: Error): void }>();

  constructor(config: CaptureConfig, pane: PaneInfo) {
    this.worker = startWorker(new URL("./ship-thread.js", import.meta.url), { config, pane });
    this.worker.on("message", (reply: ShipReply | "closed") => {
      if (reply === "closed") return;
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ("error" in reply) waiter?.reject(new TmuxError("CONFIG", reply.error));
      else waiter?.resolve(reply.ok);
    });
    this.worker.on("error", (error) => this.failAll(error));
    this.worker.on("exit", () => this.failAll(new TmuxError("CONFIG", "the shipping thread exited")));
  }

  /** True once the queue accepted the chunks; false when it is unavailable (retry later). */
  send(chunks: OutputChunk[]): Promise<boolean> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, chunks });
    });
  }

  /**
   * The thread closes its queue (QUIT to Redis) and says so, and is then stopped: left to
   * end by itself it lingered about 2 s on ioredis's timers when Redis was away, and longer
   * at nice 19 on a busy machine, holding the pane past the drain's bound. Past CLOSE_WAIT_MS
   * it is stopped unasked. A batch still in flight then is not lost: the spool was not
   * advanced for it, and its re-send carries the same idempotency keys.
   */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      this.worker.once("exit", () => resolve());
      this.worker.on("message", (reply: ShipReply | "closed") => {
        if (reply === "closed") resolve();
      });
    });
    this.worker.postMessage("close");
    await Promise.race([closed, new Promise((r) => setTimeout(r, CLOSE_WAIT_MS))]);
    await this.worker.terminate();
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}

const LOWER_PRIORITY = `try { require("node:os").setPriority(Number(require("node:fs").readlinkSync("/proc/thread-self").split("/").pop()), 19); } catch {}`;

/**
 * A worker thread on a module of this package. Run from the TypeScript sources (the tests,
 * through vitest; tsx is a dev dependency), the thread registers tsx itself first.
 */
function startWorker(url: URL, workerData: unknown): Worker {
  const ts = new URL(url.href.replace(/\.js$/, ".ts"));
  if (import.meta.url.endsWith(".ts")) {
    // Resolved here: an eval'd thread resolves bare names from the working directory.
    const tsx = import.meta.resolve("tsx/esm/api");
    // The priority first: compiling the sources is shipping work too.
    const code = `${LOWER_PRIORITY}; import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(ts.href)}); })`;
    return new Worker(code, { eval: true, workerData });
  }
  return new Worker(url, { workerData });
}
