/**
 * tmux tests: a tmux server of the test's own on a private socket (`-L sealtrail-test-<hex>`,
 * no config file), capture into a spool directory of its own, and the processes it starts
 * (capture pipes, hooks) killed afterwards even when the test failed.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { type AddressInfo, connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeChunkBody, scanRecords } from "../../src/core/capture/index.js";
import { lockHolder } from "../../src/tmux/pane-lock.js";
import type { Sql } from "../../src/ledger/postgres/db.js";
import { until } from "./ingest.js";

export const BIN = join(fileURLToPath(new URL("../../", import.meta.url)), "bin", "sealtrail.js");
export const INVOCATION = [process.execPath, BIN];

export interface TestTmux {
  socket: string;
  spool: string;
  dir: string;
  run(...args: string[]): string;
  /** Kills the server, every capture process that wrote a pid file, and removes the files. */
  close(): void;
}

export function testTmux(): TestTmux {
  const socket = `sealtrail-test-${randomBytes(6).toString("hex")}`;
  const dir = mkdtempSync(join(tmpdir(), "sealtrail-tmux-"));
  const spool = join(dir, "spool");
  const run = (...args: string[]) => execFileSync("tmux", ["-L", socket, "-f", "/dev/null", ...args], { encoding: "utf8", timeout: 10_000 });
  return {
    socket,
    spool,
    dir,
    run,
    close() {
      try {
        run("kill-server");
      } catch {
        // already gone
      }
      for (const pid of capturePids(spool)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // exited by itself
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Pids of the live capture processes holding pane spools under `spool`. A lock file left by a
 * killed capture may name a pid that an unrelated process (another test's tmux server) has
 * taken since; lockHolder checks the start time, so such a process is never signalled.
 */
export function capturePids(spool: string): number[] {
  const pids: number[] = [];
  if (!existsSync(spool)) return pids;
  for (const server of readdirSync(spool)) {
    const serverDir = join(spool, server);
    for (const pane of readdirSync(serverDir).filter((n) => n.startsWith("pane-"))) {
      const pid = lockHolder(join(serverDir, pane));
      if (pid !== undefined) pids.push(pid);
    }
  }
  return pids;
}

export interface LedgerChunk {
  seq: number;
  key: string;
  pane: string;
  server: string;
  timeUs: number;
  data: Buffer;
  text: string;
  width?: number;
  height?: number;
}

/** The chunks of one pane stream (server run + pane) in the ledger, by seq. */
export async function ledgerChunks(sql: Sql, server: string, pane: string): Promise<LedgerChunk[]> {
  const rows = await sql<{ payload: string; key: string }[]>`
    select payload, idempotency_key as key from entries where kind = 'tmux.output' order by seq`;
  return rows
    .map((row) => {
      const p = JSON.parse(row.payload) as { seq: number; pane: string; server: string; timeUs: number; data: string; text: string; width?: number; height?: number };
      return { seq: p.seq, key: row.key, pane: p.pane, server: p.server, timeUs: p.timeUs, data: Buffer.from(p.data, "base64"), text: p.text, width: p.width, height: p.height };
    })
    .filter((c) => c.pane === pane && c.server === server)
    .sort((a, b) => a.seq - b.seq);
}

/** The pane's bytes in the ledger, after checking its chunks are 0..n-1, each once. */
export function joined(chunks: LedgerChunk[]): Buffer {
  chunks.forEach((c, i) => {
    if (c.seq !== i) throw new Error(`chunk ${i}: got seq ${c.seq} (a gap or a duplicate)`);
  });
  return Buffer.concat(chunks.map((c) => c.data));
}

/** Waits until the pane's bytes in the ledger are `want` long (then the caller compares them). */
export async function untilLedgerHas(sql: Sql, server: string, pane: string, bytes: number, timeoutMs = 40_000): Promise<LedgerChunk[]> {
  let chunks: LedgerChunk[] = [];
  await until(`${bytes} bytes of pane ${pane} in the ledger`, async () => {
    chunks = await ledgerChunks(sql, server, pane);
    return chunks.reduce((n, c) => n + c.data.length, 0) >= bytes;
  }, timeoutMs);
  return chunks;
}

/**
 * A pane command that passes bytes through unchanged: the tty's output processing off
 * (`stty -opost`: no \n → \r\n) and no echo; before each file it waits for a key
 * (send-keys), then prints it; at the end it waits again.
 */
export function catPaneCommand(...files: string[]): string {
  return `stty raw -echo -opost; ${files.map((f) => `head -c1 >/dev/null; cat '${f}'; `).join("")}head -c1 >/dev/null`;
}

/** Bytes of output a pane spool holds (every checked chunk record, shipped or not, still on disk). */
export function spooledBytes(paneDir: string): number {
  if (!existsSync(paneDir)) return 0;
  let bytes = 0;
  for (const name of readdirSync(paneDir).filter((n) => n.endsWith(".seg")).sort()) {
    for (const body of scanRecords(readFileSync(join(paneDir, name))).bodies) bytes += decodeChunkBody(body).data.length;
  }
  return bytes;
}

/** The acknowledged position of a pane spool: the queue has every byte before `offset`. */
export function ackedOffset(paneDir: string): number {
  try {
    return (JSON.parse(readFileSync(join(paneDir, "acked"), "utf8")) as { offset: number }).offset;
  } catch {
    return 0;
  }
}

/** A redis-server of the test's own, on a free port, persisting every write (appendfsync always) so a restart keeps the queue. */
export interface PrivateRedis {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function privateRedis(dir: string): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const redis: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--maxmemory-policy", "noeviction"], { stdio: "ignore" });
      await until("the private redis to accept connections", () => canConnect(port), 10_000);
    },
    async stop() {
      const c = child;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((r) => c.once("exit", r));
      c.kill("SIGTERM");
      await exited;
    },
  };
  await redis.start();
  return redis;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export interface PipeFrom {
  /** The read end. */
  fd: number;
  /** The writer (`sh` exec'd into node: the same pid). */
  child: ChildProcess;
  /** A directory of the pipe's own, for files the writer and the test share (the writer's process.argv[1]). */
  dir: string;
  /** Kills the writer, closes the read end and removes the directory. */
  close(): void;
}

/**
 * A writer process on a real pipe (a FIFO, blocking at both ends, as pipe-pane's socket is
 * at the capture's end) running `code` (node -e, with the pipe's directory in
 * process.argv[1]), and the read end's fd.
 */
export function pipeFrom(code: string): PipeFrom {
  const dir = mkdtempSync(join(tmpdir(), "sealtrail-pipe-"));
  const fifo = join(dir, "fifo");
  execFileSync("mkfifo", [fifo]);
  // The shell opens the write end (waiting for a reader), so this open does not wait forever.
  const child = spawn("sh", ["-c", `exec "$0" -e "$1" "$2" > "$2/fifo"`, process.execPath, code, dir], { stdio: ["ignore", "inherit", "inherit"] });
  const fd = openSync(fifo, "r");
  return {
    fd,
    child,
    dir,
    close() {
      child.kill("SIGKILL");
      try {
        closeSync(fd);
      } catch {
        // closed
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Bytes a process has written so far (write(2) and the like): wchar of /proc/PID/io (proc(5)). */
export function bytesWritten(pid: number): number {
  return Number(/^wchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, "utf8"))?.[1] ?? 0);
}
