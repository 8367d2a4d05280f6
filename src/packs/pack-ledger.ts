/**
 * What the pack builder asks of the ledger: the period of each log as a seq range, the signed
 * checkpoint covering it, the previous pack of the log, and the record of each build in the
 * tenant's audit log (PCI DSS 10.2.1.3: access to the audit logs is itself logged).
 */
import type { KeyObject } from "node:crypto";
import { userInfo } from "node:os";
import { toBase64, toHex } from "../core/encoding/index.js";
import { auditLogName, checkpointLog, ensureAuditLog, LedgerError, type LedgerStore, type Log } from "../ledger/index.js";
import { PackError } from "./pack-error.js";

export const PACK_BUILD_KIND = "pack.build";

export interface PeriodLog {
  log: Log & { size: number };
  firstSeq: number;
  endSeq: number;
  checkpoint: { size: number; root: Uint8Array; note: string };
}

/**
 * The log's entries recorded in [from, to) and the smallest stored checkpoint covering them
 * (and the entry just after them, when there is one):
 * the smallest, so that later growth of the log does not change the pack. When none covers
 * the period yet, one is signed with `checkpointKey` (the checkpointer refuses a tree that does
 * not extend the last signed one); without a key that is NO_CHECKPOINT. `alsoCover`: a seq after
 * the period the checkpoint must cover too (the newest attestation of the period recorded after
 * it, attestation.ts).
 */
export async function periodOf(store: LedgerStore, name: string, from: Date, to: Date, checkpointKey: KeyObject | undefined, alsoCover = -1): Promise<PeriodLog> {
  const log = await store.findLogWithSize(name);
  const firstSeq = await store.seqRecordedFrom(log.id, log.size, from);
  const endSeq = await store.seqRecordedFrom(log.id, log.size, to);
  // Preferably one that also covers the first entry after the period, so the pack can prove
  // that entry was recorded after the period (a boundary witness); else one that covers the
  // period alone (the pack then says the period reaches the end of the signed tree).
  const cover = Math.min(endSeq + 1, log.size);
  // A format-2 log's erased values are shown with the records that removed them, each proved in
  // this checkpoint's tree (erasure-records.ts): it must cover the newest of them too.
  const records = log.leafVersion === 2 ? await removalRecordSeqs(store, log.id, firstSeq, endSeq) : [];
  const needed = Math.max(endSeq, (records.at(-1) ?? -1) + 1, alsoCover + 1);
  let row = await store.checkpointCovering(log.id, needed, Math.max(cover, needed));
  if (!row) {
    if (!checkpointKey) throw new PackError("NO_CHECKPOINT", `no signed checkpoint of log ${name} covers the period (entries up to seq ${needed - 1}): run sealtrail checkpoint --log ${name}, or set SEALTRAIL_SIGNING_KEY`);
    try {
      const { checkpoint } = await checkpointLog(store, name, checkpointKey);
      row = checkpoint;
    } catch (error) {
      if (error instanceof LedgerError && error.code === "INCONSISTENT") throw new PackError("INCONSISTENT", error.message, { cause: error });
      throw error;
    }
  }
  // The note's signature is not checked here: it may be a rotated key's, and verify-pack checks
  // it against the key the auditor holds.
  return { log, firstSeq, endSeq, checkpoint: { size: row.size, root: new Uint8Array(row.root), note: row.note } };
}

/** The seqs of the records that removed values of a format-2 log's entries [firstSeq, endSeq) (erasure-records.ts). */
export async function removalRecordSeqs(store: LedgerStore, logId: number, firstSeq: number, endSeq: number): Promise<number[]> {
  if (endSeq <= firstSeq) return [];
  return [...new Set((await store.removals(logId, firstSeq, endSeq)).map((r) => r.recordSeq))].sort((a, b) => a - b);
}

/** The tenant's audit log, when it exists and is not one of the logs packed itself. */
export async function auditLogOf(store: LedgerStore, tenant: string, subjects: readonly string[]): Promise<string | undefined> {
  const name = auditLogName(tenant);
  if (subjects.includes(name)) return undefined;
  return (await store.logExists(name)) ? name : undefined;
}

export interface PreviousPack {
  packId: string;
  size: number;
  root: Uint8Array;
  note: string;
}

type RecordedCheckpoint = { size?: unknown; root?: unknown; note?: unknown };
type BuildPayload = { packId?: unknown; log?: unknown; checkpoint?: RecordedCheckpoint; logs?: { log?: unknown; checkpoint?: RecordedCheckpoint }[] };

/**
 * The newest earlier pack covering `logName` recorded in the audit log whose checkpoint of that
 * log is smaller than `size`: a rebuild of the same request (same checkpoint) never finds
 * itself, so it stays byte-identical. Reads both record shapes: `{ log, checkpoint }` of
 * single-log packs and `{ logs: [{ log, checkpoint }] }`.
 */
export async function previousPack(store: LedgerStore, auditLog: string | undefined, logName: string, size: number): Promise<PreviousPack | undefined> {
  if (auditLog === undefined) return undefined;
  const payloads = await store.payloadsOfKind(auditLog, PACK_BUILD_KIND);
  let best: PreviousPack | undefined;
  for (const payload of payloads) {
    const p = payload === null ? undefined : (JSON.parse(payload) as BuildPayload);
    if (typeof p?.packId !== "string") continue;
    const covered = Array.isArray(p.logs) ? p.logs : [{ log: p.log, checkpoint: p.checkpoint }];
    const cp = covered.find((c) => c?.log === logName)?.checkpoint;
    if (typeof cp?.size !== "number" || typeof cp.note !== "string" || typeof cp.root !== "string") continue;
    if (cp.size >= size || (best && best.size >= cp.size)) continue;
    best = { packId: p.packId, size: cp.size, root: new Uint8Array(Buffer.from(cp.root, "base64")), note: cp.note };
  }
  return best;
}

export interface BuildRecord {
  packId: string;
  framework: string;
  /** Each subject log with the checkpoint the pack was built from, sorted by name. */
  logs: { log: string; checkpoint: { size: number; root: Uint8Array; note: string } }[];
  from: string;
  to: string;
  requestedBy: string;
  requestedAt: string;
  sha256sums: Uint8Array;
  /** Who ran the build (the CLI user, or the worker). */
  builtBy?: string;
  /** This build: every build and rebuild of a pack is recorded, once each (a retried job keeps its id). */
  buildId: string;
  recipient?: string;
  note?: string;
}

/** Appends the pack.build entry; idempotent per pack id and SHA256SUMS (a retried job records once). */
export async function recordBuild(store: LedgerStore, tenant: string, originPrefix: string, r: BuildRecord): Promise<number> {
  const audit = await ensureAuditLog(store, tenant, originPrefix);
  const [receipt] = await store.appender().append(audit.name, [{
    kind: PACK_BUILD_KIND,
    actor: r.requestedBy,
    action: PACK_BUILD_KIND,
    // The logs read, as one resource: a single-log pack names its log, as it always has.
    resource: r.logs.map((l) => l.log).join(","),
    source: r.builtBy ?? `${userInfo().username}@sealtrail-pack`,
    occurredAt: new Date(),
    payload: {
      packId: r.packId,
      framework: r.framework,
      logs: r.logs.map((l) => ({ log: l.log, checkpoint: { size: l.checkpoint.size, root: toBase64(l.checkpoint.root), note: l.checkpoint.note } })),
      from: r.from,
      to: r.to,
      requestedAt: r.requestedAt,
      sha256sums: toHex(r.sha256sums),
      buildId: r.buildId,
      ...(r.recipient ? { recipient: r.recipient } : {}),
      ...(r.note ? { note: r.note } : {}),
    },
    // Per build, not per pack: a rebuild of the same bytes is another access to the audit trail (PCI DSS 10.2.1.3) and is recorded too.
    idempotencyKey: `${PACK_BUILD_KIND}:${r.packId}:${r.buildId}`,
  }]);
  return receipt!.seq;
}
