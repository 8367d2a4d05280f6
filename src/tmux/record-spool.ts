/**
 * The spool of lifecycle and command records of one tmux server run: one file per record in
 * `<server dir>/records/`, written by the short-lived hook and shell-hook processes (any
 * number at once, so no shared file and no seq to agree on). A file holds one spool record
 * (core/capture/spool-record.ts) whose body is the event's JSON, idempotency key included; it is
 * fsynced, with its directory, before the hook counts it as taken, and deleted once the
 * queue has accepted it. A torn file (a hook killed mid-write) fails its checksum and is
 * dropped: it was never taken.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { EventInput } from "../core/entry/index.js";
import { encodeRecord, scanRecords } from "../core/capture/index.js";
import { syncDir } from "./spool-segments.js";
import { TmuxError } from "./tmux-error.js";

export const RECORDS_DIR = "records";
const RECORD = /^\d{16}-[0-9a-f]{16}\.rec$/;

/** A unique, time-ordered file name; the event's key is derived from it by the caller. */
export function recordName(timeUs: number): string {
  return `${String(timeUs).padStart(16, "0")}-${randomBytes(8).toString("hex")}.rec`;
}

export function writeRecord(serverDir: string, name: string, event: EventInput): void {
  const dir = join(serverDir, RECORDS_DIR);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = join(dir, `${name}.tmp`);
    const fd = openSync(tmp, "wx", 0o600);
    try {
      const record = encodeRecord(Buffer.from(JSON.stringify(event), "utf8"));
      for (let at = 0; at < record.length; ) at += writeSync(fd, record, at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(dir, name));
    syncDir(dir);
  } catch (error) {
    throw new TmuxError("SPOOL", `spool ${dir}: ${(error as Error).message}`, { cause: error });
  }
}

export interface SpooledRecord {
  name: string;
  event: EventInput;
}

/** The records waiting, oldest first; torn files are deleted. */
export function pendingRecords(serverDir: string, max: number): SpooledRecord[] {
  const dir = join(serverDir, RECORDS_DIR);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => RECORD.test(n)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new TmuxError("SPOOL", `spool ${dir}: ${(error as Error).message}`, { cause: error });
  }
  const out: SpooledRecord[] = [];
  for (const name of names.slice(0, max)) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(dir, name));
    } catch {
      continue; // shipped and deleted by another process meanwhile
    }
    const scan = scanRecords(bytes);
    if (scan.bodies.length !== 1 || scan.stop) {
      rmSync(join(dir, name), { force: true });
      continue;
    }
    out.push({ name, event: JSON.parse(scan.bodies[0]!.toString("utf8")) as EventInput });
  }
  return out;
}

export function removeRecords(serverDir: string, names: readonly string[]): void {
  for (const name of names) rmSync(join(serverDir, RECORDS_DIR, name), { force: true });
}
