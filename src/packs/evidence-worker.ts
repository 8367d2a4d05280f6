/**
 * The BullMQ worker of the `evidence` queue: builds the pack into the tenant's directory as a
 * .tar.gz, reports progress, and returns the pack id and the archive's SHA-256. A request that
 * cannot succeed (unknown framework or log, another tenant's log among the logs, a ledger that
 * does not verify, no checkpoint and no key) fails at once; anything else retries with the job's backoff.
 */
import type { KeyObject } from "node:crypto";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { PACK_DIR_MODE } from "./pack-writer.js";
import { join } from "node:path";
import { type Job, UnrecoverableError, Worker } from "bullmq";
import { workerConnection } from "../redis/connection.js";
import { LedgerError, type LedgerStore } from "../ledger/index.js";
import { buildPack } from "./build-pack.js";
import { EVIDENCE_QUEUE, type EvidenceJobData, type EvidenceJobProgress, type EvidenceJobResult, overallPercent, packArchivePath } from "./evidence-job.js";
import type { Exporter } from "./exporter.js";
import { findExporter } from "./exporters.js";
import { PackError } from "./pack-error.js";
import { checkLogs } from "./request.js";
import { toHex } from "../core/encoding/index.js";
import { parseSha256Sums, SHA256SUMS_FILE, SIGNATURE_FILE, SIGNING_KEY_FILE, SUMS_TIMESTAMP_FILE } from "../core/pack/index.js";
import { sha256File } from "./pack-reading.js";
import { writeTarGz } from "./tar-gz.js";

export interface EvidenceWorkerOptions {
  store: LedgerStore;
  redisUrl: string;
  queueName?: string;
  prefix?: string;
  concurrency: number;
  /** Packs go to <packDir>/<tenant>/<job id>.tar.gz. */
  packDir: string;
  packKey: KeyObject;
  checkpointKey?: KeyObject;
  /** Time-stamps each pack's SHA256SUMS (SEALTRAIL_TSA_URL), as buildPack's option. */
  timeStamp?: (data: string) => Promise<Uint8Array>;
  exporters: Map<string, Exporter>;
  originPrefix: string;
  generator: { name: string; version: string };
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export type EvidenceWorker = Worker<EvidenceJobData, EvidenceJobResult>;

const PERMANENT = new Set(["INVALID_REQUEST", "EXPORTER_INVALID", "NO_CHECKPOINT", "NO_SEED", "INCONSISTENT"]);

export async function processEvidenceJob(o: EvidenceWorkerOptions, job: { id: string; data: EvidenceJobData; updateProgress(p: EvidenceJobProgress): Promise<unknown> }): Promise<EvidenceJobResult> {
  const { tenant, request } = job.data;
  const exporter = findExporter(o.exporters, request.framework);
  // The writer role bypasses row-level security: the tenant's claim on each log is checked here.
  // checkLogs also reads the single `log` of jobs queued before packs covered several logs.
  for (const name of checkLogs(request)) {
    const log = await o.store.findLog(name);
    if (log.tenant !== tenant) throw new PackError("INVALID_REQUEST", `no log named ${JSON.stringify(name)}`);
  }
  const dir = join(o.packDir, tenant);
  await mkdir(dir, { recursive: true, mode: PACK_DIR_MODE });
  const out = join(dir, job.id);
  const archive = packArchivePath(o.packDir, tenant, job.id);
  // A retry after a crash rebuilds from scratch: the same request gives the same bytes.
  await rm(out, { recursive: true, force: true });
  await rm(`${archive}.partial`, { force: true });
  let last = 0;
  const built = await buildPack({
    store: o.store, request, exporter, out, packKey: o.packKey, ...(o.checkpointKey ? { checkpointKey: o.checkpointKey } : {}), ...(o.timeStamp ? { timeStamp: o.timeStamp } : {}),
    generator: o.generator, originPrefix: o.originPrefix, builtBy: "sealtrail-evidence-worker", ...(job.id ? { buildId: `job:${job.id}` } : {}),
    onProgress: (p) => {
      const now = Date.now();
      if (now - last < 250 && p.done < p.total) return;
      last = now;
      void job.updateProgress({ ...p, percent: overallPercent(p.phase, p.done, p.total) }).catch(() => {});
    },
  });
  const files = [...parseSha256Sums(built.sha256sums).map((f) => f.path), SHA256SUMS_FILE, SIGNATURE_FILE, SIGNING_KEY_FILE, ...(built.model.sumsTimeStamped ? [SUMS_TIMESTAMP_FILE] : [])];
  await writeTarGz(out, files, `${archive}.partial`, Math.floor(Date.parse(built.model.request.requestedAt) / 1000));
  await rename(`${archive}.partial`, archive);
  await rm(out, { recursive: true, force: true });
  const counts: Record<string, number> = { satisfied: 0, exceptions: 0, attested: 0, "not tested": 0 };
  for (const c of built.model.controls) counts[c.result] = (counts[c.result] ?? 0) + 1;
  await job.updateProgress({ phase: "done", done: 1, total: 1, percent: 100 });
  return { packId: built.packId, archive: `${job.id}.tar.gz`, sha256: toHex(await sha256File(archive)), bytes: (await stat(archive)).size, recordSeq: built.recordSeq, controls: counts, exceptions: built.model.exceptions.length };
}

export function startEvidenceWorker(o: EvidenceWorkerOptions): EvidenceWorker {
  const processor = async (job: Job<EvidenceJobData, EvidenceJobResult>): Promise<EvidenceJobResult> => {
    try {
      return await processEvidenceJob(o, { id: job.id!, data: job.data, updateProgress: (p) => job.updateProgress(p) });
    } catch (error) {
      const permanent = (error instanceof PackError && PERMANENT.has(error.code)) || (error instanceof LedgerError && (error.code === "LOG_NOT_FOUND" || error.code === "INVALID_INPUT"));
      if (permanent) throw new UnrecoverableError(`${(error as PackError | LedgerError).code}: ${(error as Error).message}`);
      throw error;
    }
  };
  return new Worker<EvidenceJobData, EvidenceJobResult>(o.queueName ?? EVIDENCE_QUEUE, processor, {
    connection: workerConnection(o.redisUrl),
    ...(o.prefix ? { prefix: o.prefix } : {}),
    concurrency: o.concurrency,
    ...(o.lockDurationMs ? { lockDuration: o.lockDurationMs } : {}),
    ...(o.stalledIntervalMs ? { stalledInterval: o.stalledIntervalMs } : {}),
  });
}
