/**
 * A private redis-server for `sealtrail up` when no REDIS_URL is given and one is on the PATH:
 * bound to 127.0.0.1 on a free port, with a password generated at each start, its append-only
 * file in the state directory (appendfsync everysec: a queued job survives a crash of the
 * server, at most the last second of jobs of a machine crash is lost). Like PostgreSQL it runs
 * in a process group of its own and is stopped last; a server left by a killed `sealtrail up`
 * (its pid is in redis.pid) is stopped on the next start.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { PlatformError } from "./platform-error.js";
import { commandLine, freePort, lastLines, processAlive, waitFor } from "./processes.js";
import type { StateHome } from "./state-home.js";

export interface PrivateRedis {
  url: string;
  pid: number;
  recovered: number | undefined;
  /** SHUTDOWN: the append-only file is flushed, then the server exits. */
  stop(): Promise<void>;
}

/** The redis-server on the PATH, or undefined. */
export function findRedisServer(env: NodeJS.ProcessEnv): string | undefined {
  const found = spawnSync("/bin/sh", ["-c", "command -v redis-server"], { env, encoding: "utf8" });
  const path = found.stdout?.trim();
  return found.status === 0 && path ? path : undefined;
}

export async function startPrivateRedis(binary: string, home: StateHome, logFile: string): Promise<PrivateRedis> {
  mkdirSync(home.redis, { recursive: true, mode: 0o700 });
  const pidFile = join(home.redis, "redis.pid");
  const recovered = await stopLeftover(pidFile);
  const port = await freePort();
  const password = randomBytes(24).toString("hex");
  const log = openSync(logFile, "a");
  const args = ["--bind", "127.0.0.1", "--port", String(port), "--dir", home.redis, "--appendonly", "yes", "--appendfsync", "everysec",
    "--save", "", "--maxmemory-policy", "noeviction", "--protected-mode", "yes"];
  // The password goes through stdin (a config file read from "-"), not the command line ps shows.
  const child = spawn(binary, ["-", ...args], { detached: true, stdio: ["pipe", log, log] });
  child.stdin!.end(`requirepass ${password}\n`);
  closeSync(log);
  writeFileSync(pidFile, `${child.pid}\n`, { mode: 0o600 });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const url = `redis://:${password}@127.0.0.1:${port}`;
  await waitFor("redis-server ready", async () => {
    if (gone) throw new PlatformError("REDIS_FAILED", `redis-server exited while starting: ${lastLines(readFileSync(logFile, "utf8"))} (full log: ${logFile})`);
    return (await ping(url)) ? true : undefined;
  }, 30_000, "REDIS_FAILED", 100);
  return { url, pid: child.pid!, recovered, stop: () => stopChild(child, exited, url, pidFile) };
}

async function stopLeftover(pidFile: string): Promise<number | undefined> {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, "utf8").trim());
  } catch {
    return undefined;
  }
  rmSync(pidFile, { force: true });
  if (!Number.isSafeInteger(pid) || pid <= 0 || !processAlive(pid) || !/redis-server/.test(commandLine(pid))) return undefined;
  // SIGTERM: redis-server flushes its append-only file and exits.
  process.kill(pid, "SIGTERM");
  await waitFor(`the redis-server left running (pid ${pid}) to stop`, () => (processAlive(pid) ? undefined : true), 30_000, "REDIS_FAILED");
  return pid;
}

async function ping(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function stopChild(child: ChildProcess, exited: Promise<void>, url: string, pidFile: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM");
    const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), 30_000).unref());
    if (!(await Promise.race([exited.then(() => true), timeout]))) {
      child.kill("SIGKILL");
      throw new PlatformError("REDIS_FAILED", `redis-server (${url.replace(/:[^:@]*@/, ":***@")}) did not stop within 30 s; killed`);
    }
  }
  rmSync(pidFile, { force: true });
}
