/**
 * What `sealtrail tmux attach` hands to the capture processes and hooks it starts: written
 * once per tmux server run as `<spool dir>/tmux-<server run>/capture.json` (mode 0600, it may
 * hold a Redis password or an API token), read by every capture and hook, so no secret goes on a command
 * line where `ps` would show it.
 */
import { readFileSync, writeFileSync, renameSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { CAPTURE_PRIORITIES, type CaptureApiSetting, type CapturePriority } from "../config/index.js";
import { TmuxError } from "./tmux-error.js";

export interface CaptureConfig {
  /** The ledger log the events go to. */
  log: string;
  /** The ingest queue's Redis, unless the events go to the API. */
  redisUrl: string;
  queue: string;
  /** Ship to the API over HTTP(S) with this events:write key instead of Redis (transport.ts). */
  api?: CaptureApiSetting;
  /** BullMQ key prefix, when not the default. */
  prefix?: string;
  maxPayloadBytes: number;
  /** The user the events name as actor. */
  user: string;
  host: string;
  /** `<server start time>-<server pid>` */
  server: string;
  /** The tmux server's socket. */
  socket: string;
  /** The captures' scheduling (capture-priority.ts); absent (a file from before it existed): idle. */
  priority?: CapturePriority;
}

export const CONFIG_FILE = "capture.json";

export function serverDir(spoolRoot: string, server: string): string {
  return join(spoolRoot, `tmux-${server}`);
}

export function writeCaptureConfig(dir: string, config: CaptureConfig): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = join(dir, `${CONFIG_FILE}.tmp`);
    writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, join(dir, CONFIG_FILE));
  } catch (error) {
    throw new TmuxError("SPOOL", `spool ${dir}: ${(error as Error).message}`, { cause: error });
  }
}

export function readCaptureConfig(dir: string): CaptureConfig {
  let text: string;
  try {
    text = readFileSync(join(dir, CONFIG_FILE), "utf8");
  } catch (error) {
    throw new TmuxError("CONFIG", `${join(dir, CONFIG_FILE)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} (run sealtrail tmux attach first)`, { cause: error });
  }
  let config: Partial<CaptureConfig>;
  try {
    config = JSON.parse(text) as Partial<CaptureConfig>;
  } catch (error) {
    throw new TmuxError("CONFIG", `${join(dir, CONFIG_FILE)}: not JSON`, { cause: error });
  }
  const api = config.api;
  if (api !== undefined && (typeof api?.url !== "string" || typeof api.token !== "string" || api.token === "")) throw new TmuxError("CONFIG", `${join(dir, CONFIG_FILE)}: api: want a url and a token`);
  for (const field of ["log", "user", "host", "server", "socket", ...(api ? [] : (["redisUrl", "queue"] as const))] as const) {
    if (typeof config[field] !== "string" || config[field] === "") throw new TmuxError("CONFIG", `${join(dir, CONFIG_FILE)}: ${field}: missing`);
  }
  if (!Number.isSafeInteger(config.maxPayloadBytes) || config.maxPayloadBytes! <= 0) throw new TmuxError("CONFIG", `${join(dir, CONFIG_FILE)}: maxPayloadBytes: want a positive integer`);
  if (config.priority !== undefined && !CAPTURE_PRIORITIES.includes(config.priority)) throw new TmuxError("CONFIG", `${join(dir, CONFIG_FILE)}: priority: got ${JSON.stringify(config.priority)}, want ${CAPTURE_PRIORITIES.join(" or ")}`);
  return config as CaptureConfig;
}
