/**
 * The pane spool's lock (src/tmux/pane-lock.ts): held while its process lives, taken over
 * once it is gone, never taken over when its content cannot be read, and released only by
 * its holder; and a capture whose pipe closed gives the lock up in bounded time.
 */
import { execFileSync, spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, open, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { procStat } from "../../bench/support.js";
import { paneDir, runCapture } from "../../src/tmux/capture.js";
import { TmuxError } from "../../src/tmux/tmux-error.js";
import { writeCaptureConfig } from "../../src/tmux/capture-config.js";
import { lockHolder, tryLockPane } from "../../src/tmux/pane-lock.js";
import { PaneSpool } from "../../src/tmux/pane-spool.js";
import { until } from "../support/ingest.js";
import { bytesWritten, pipeFrom, spooledBytes } from "../support/tmux.js";

/** Field 22 of /proc/PID/stat (proc(5)): the process's start time in clock ticks since boot. */
function startTime(pid: number): string {
  return procStat(pid)[22 - 3]!;
}

const root = mkdtempSync(join(tmpdir(), "sealtrail-pane-lock-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * A server directory whose captures ship to a port where nothing listens (every add fails, as
 * when Redis is down), at the normal scheduling class: they run in this test's own process.
 */
function serverWithoutRedis(name: string): string {
  const server = join(root, name);
  writeCaptureConfig(server, { log: "tty", redisUrl: "redis://127.0.0.1:9", queue: "test-unreachable", maxPayloadBytes: 1 << 20, user: "alice", host: "host-1", server: "1-1", socket: "unused", priority: "normal" });
  return server;
}

describe("pane lock", () => {
  it("is held while its holder lives and taken over once it is gone", async () => {
    const dir = join(root, "a");
    const holder = spawn("sleep", ["30"], { stdio: "ignore" });
    const exited = new Promise((resolve) => holder.once("exit", resolve));
    try {
      expect(tryLockPane(dir)).toBeDefined(); // creates the directory; released below
      writeFileSync(join(dir, "capture.pid"), `${holder.pid}\n`);
      expect(tryLockPane(dir)).toBeUndefined();
    } finally {
      holder.kill("SIGKILL");
    }
    await exited;
    const lock = tryLockPane(dir);
    expect(lock).toBeDefined();
    expect(readFileSync(join(dir, "capture.pid"), "utf8")).toBe(`${process.pid} ${startTime(process.pid)}\n`);
    lock!.release();
    expect(() => readFileSync(join(dir, "capture.pid"))).toThrow(/ENOENT/);
  });

  it("takes over a lock whose pid a later process took (the start time differs), not one whose start time matches", async () => {
    const dir = join(root, "d");
    const other = spawn("sleep", ["30"], { stdio: "ignore" });
    try {
      await new Promise((r) => other.once("spawn", r));
      tryLockPane(dir)!.release();
      const start = startTime(other.pid!);
      writeFileSync(join(dir, "capture.pid"), `${other.pid} ${start}\n`);
      expect(tryLockPane(dir)).toBeUndefined();
      expect(lockHolder(dir)).toBe(other.pid);
      // The dead holder had this pid but started at another time: the live process is not it.
      writeFileSync(join(dir, "capture.pid"), `${other.pid} ${Number(start) + 1}\n`);
      expect(lockHolder(dir)).toBeUndefined();
      const lock = tryLockPane(dir);
      expect(lock).toBeDefined();
      lock!.release();
    } finally {
      other.kill("SIGKILL");
    }
  });

  it("never takes over a lock whose content cannot be read (a holder mid-write, or damage)", () => {
    const dir = join(root, "b");
    tryLockPane(dir)!.release();
    writeFileSync(join(dir, "capture.pid"), "");
    expect(tryLockPane(dir)).toBeUndefined();
    writeFileSync(join(dir, "capture.pid"), "garbage");
    expect(tryLockPane(dir)).toBeUndefined();
  });

  it("is released only by its holder", () => {
    const dir = join(root, "c");
    const lock = tryLockPane(dir)!;
    // Another process took the spool over meanwhile (this one was thought dead).
    writeFileSync(join(dir, "capture.pid"), "999999999\n");
    lock.release();
    expect(readFileSync(join(dir, "capture.pid"), "utf8")).toBe("999999999\n");
  });
});

describe("capture after its pipe closes", () => {
  it("stops shipping within seconds while Redis is away, keeps the rest in its spool and frees the pane for the next capture", async () => {
    const server = serverWithoutRedis("server");
    const input = new PassThrough();
    const capture = runCapture({ serverDir: server, pane: { pane: "%7", session: "main" }, input, stop: new AbortController().signal }).catch((error: unknown) => error);
    input.end(Buffer.from("output typed while the queue was away\r\n"));
    // The clock starts once the capture has spooled the output, which it does as it sees the
    // input's end: what is timed is the drain's bound (DRAIN_AFTER_END_MS, 5 s) and the spool's
    // close, not the capture's start, which on a busy machine can itself take seconds. Under
    // 9 s: the pane's next capture waits 10 s for the lock. The pane is freed before the
    // shipping thread and the transport close, which while Redis is away can take seconds more
    // (with two CPU-bound loops on two CPUs, 9.9 s to the capture's end).
    await until("the output in the spool", () => spooledBytes(paneDir(server, "%7")) >= 39);
    const spooledAt = Date.now();
    // In-process, tryLockPane would take this process's own lock as its to take over: watch
    // the lock file instead.
    await until("the pane freed", () => !existsSync(join(paneDir(server, "%7"), "capture.pid")), 15_000);
    expect(Date.now() - spooledAt).toBeLessThan(9_000);
    const summary = await capture;
    expect(summary).toMatchObject({ readBytes: 39, spooledChunks: 1 });
    const spool = PaneSpool.open(paneDir(server, "%7"));
    expect(spool.unshipped).toBe(1);
    await spool.close();
    // The next capture of the pane gets its lock at once.
    const lock = tryLockPane(paneDir(server, "%7"));
    expect(lock).toBeDefined();
    lock!.release();
  }, 30_000);

  it("says in its log when it fell behind the pane: the reading thread found its ring full", async () => {
    const server = serverWithoutRedis("server-behind");
    // A writer of 8 MiB in 64 KiB writes on a blocking pipe, as pipe-pane's socket is at the
    // capture's end: the first write, then it waits for "go" so the rest comes while the main
    // thread is busy. Its wchar (proc(5)) counts the writes done.
    const pipe = pipeFrom(`const fs = require("node:fs"); const b = Buffer.alloc(1 << 16, 7); fs.writeSync(1, b);
      while (!fs.existsSync(process.argv[1] + "/go")) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
      for (let i = 1; i < 128; i++) fs.writeSync(1, b);`);
    try {
      const capture = runCapture({ serverDir: server, pane: { pane: "%9", session: "main" }, input: pipe.fd, stop: new AbortController().signal });
      // The reading thread is running once the first write is in the spool.
      await until("the first 64 KiB spooled", () => spooledBytes(paneDir(server, "%9")) >= 1 << 16, 30_000);
      writeFileSync(join(pipe.dir, "go"), "");
      // The main thread busy (no event loop turn, nothing taken out of the ring) until the writer
      // has put 4 MiB more in and stalled for 300 ms: the thread filled its 4 MiB ring and waits.
      // A fixed busy time was too short on a loaded machine for 4 MiB to move.
      const started = Date.now();
      let written = -1;
      let since = started;
      while (Date.now() - started < 25_000) {
        const now = bytesWritten(pipe.child.pid!);
        if (now !== written) {
          written = now;
          since = Date.now();
        } else if (written >= (1 << 16) + (4 << 20) && Date.now() - since > 300) break;
      }
      const summary = await capture;
      expect(summary.readBytes).toBe(8 << 20);
      expect(readFileSync(join(paneDir(server, "%9"), "capture.log"), "utf8")).toMatch(/ behind: the reading thread found its ring full \((once|\d+ times) so far\); tmux held the pane's output meanwhile; the capture was short of CPU\n/);
    } finally {
      pipe.close();
    }
  }, 90_000);

  it("says it fell behind because the spool waited, when the spool's writes held the reading", async () => {
    const server = serverWithoutRedis("server-behind-spool");
    // The spool writes on libuv's pool: each of its four threads blocked opening a FIFO no one
    // writes yet, as on a stalled disk, at no CPU cost.
    const gates = Array.from({ length: 4 }, (_, i) => join(root, `gate-${i}.fifo`));
    const opened = gates.map((gate) => {
      execFileSync("mkfifo", [gate]);
      return new Promise<number>((resolve, reject) => open(gate, "r", (error, fd) => (error ? reject(error) : resolve(fd))));
    });
    // From a second on (past the capture's start-up), 96 MiB at about 25 MB/s, which the
    // capture keeps up with: more than the 64 MiB the spool may have unwritten before it holds
    // the reading.
    const pipe = pipeFrom(`let i = 0; setTimeout(() => { const t = setInterval(() => { process.stdout.write(Buffer.alloc(1 << 20, 7)); if (++i === 96) clearInterval(t); }, 40); }, 1000)`);
    try {
      const capture = runCapture({ serverDir: server, pane: { pane: "%10", session: "main" }, input: pipe.fd, stop: new AbortController().signal });
      // The disk comes back once the writer is held (64 MiB unwritten in the spool, the 4 MiB
      // ring full): past 66 MiB and no further for 500 ms, where it writes every 40 ms.
      // Waited for, not timed: the writer may be slow to start on a busy machine.
      let last = { bytes: -1, since: Date.now() };
      await until("the writer held", () => {
        const bytes = bytesWritten(pipe.child.pid!);
        if (bytes !== last.bytes) last = { bytes, since: Date.now() };
        return bytes >= 66 << 20 && Date.now() - last.since >= 500;
      }, 30_000);
      for (const gate of gates) closeSync(openSync(gate, "w"));
      for (const gateFd of await Promise.all(opened)) closeSync(gateFd);
      const summary = await capture;
      expect(summary.readBytes).toBe(96 << 20);
      expect(readFileSync(join(paneDir(server, "%10"), "capture.log"), "utf8")).toMatch(/ behind: the reading thread found its ring full \((once|\d+ times) so far\); tmux held the pane's output meanwhile; the spool was waiting for the disk\n/);
    } finally {
      pipe.close();
    }
  }, 60_000);

  it("a failed read ends the capture with an INPUT error, keeping what was read before it", async () => {
    const server = serverWithoutRedis("server-read-error");
    const input = new PassThrough();
    const capture = runCapture({ serverDir: server, pane: { pane: "%8", session: "main" }, input, stop: new AbortController().signal }).catch((error: unknown) => error);
    input.write(Buffer.from("read before the failure\r\n"));
    await new Promise((r) => setTimeout(r, 100));
    input.destroy(Object.assign(new Error("EIO: i/o error, read"), { code: "EIO" }));
    const error = await capture;
    expect(error).toBeInstanceOf(TmuxError);
    expect(error).toMatchObject({ code: "INPUT", message: "pane %8: EIO: i/o error, read" });
    expect(readFileSync(join(paneDir(server, "%8"), "capture.log"), "utf8")).toMatch(/end: read 25 bytes in 1 reads, spooled 1 chunks[^\n]*\n[^\n]* failed: pane %8: EIO: i\/o error, read\n$/);
    const spool = PaneSpool.open(paneDir(server, "%8"));
    expect(spool.unshipped).toBe(1);
    await spool.close();
  }, 20_000);
});
