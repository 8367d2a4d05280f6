/**
 * The OS user the embedded PostgreSQL runs as. PostgreSQL refuses to run as root (its
 * postmaster checks geteuid() and exits), so when `sealtrail up` runs as root — as in CI and
 * containers — the server runs as the OS user `postgres`, which is created (a system user
 * without a home or login shell) when it does not exist. Otherwise the server runs as the
 * user running `sealtrail up`.
 */
import { execFileSync } from "node:child_process";
import { userInfo } from "node:os";
import { PlatformError } from "./platform-error.js";
import type { RunAs } from "./processes.js";

export const SERVER_USER = "postgres";

export interface ServerUser {
  /** Set when the server runs as another user than this process (only when root). */
  as: RunAs | undefined;
  /** For messages: who runs the server, and whether that user was just created. */
  name: string;
  created: boolean;
}

export function serverUser(): ServerUser {
  if (process.getuid?.() !== 0) return { as: undefined, name: userInfo().username, created: false };
  let created = false;
  let ids = lookup();
  if (!ids) {
    try {
      execFileSync("useradd", ["--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", SERVER_USER], { stdio: "pipe" });
    } catch (error) {
      throw new PlatformError("STATE_DIR", `running as root: PostgreSQL must run as another user, and creating the OS user ${SERVER_USER} failed: ${(error as Error).message}`, { cause: error });
    }
    created = true;
    ids = lookup();
    if (!ids) throw new PlatformError("STATE_DIR", `useradd ${SERVER_USER} succeeded but the user cannot be found`);
  }
  return { as: { ...ids, name: SERVER_USER }, name: SERVER_USER, created };
}

function lookup(): { uid: number; gid: number } | undefined {
  try {
    const [uid, gid] = ["-u", "-g"].map((flag) => Number(execFileSync("id", [flag, SERVER_USER], { stdio: ["ignore", "pipe", "ignore"] }).toString().trim()));
    return { uid: uid!, gid: gid! };
  } catch {
    return undefined;
  }
}
