/**
 * The `evidence` queue's one job: build one pack (of one or more logs) for one tenant. Idempotent by construction:
 * the pack id is derived from the request and the ledger state, a rebuild writes the same
 * bytes, and the pack.build record is keyed by pack id, so a retried job records once.
 */
import { join } from "node:path";
import type { JobsOptions } from "bullmq";
import type { PackRequestInput } from "./pack-model.js";

export const EVIDENCE_QUEUE = "evidence";
export const EVIDENCE_JOB = "build-pack";

export interface EvidenceJobData {
  tenant: string;
  /** Checked again by the worker; jobs queued before packs covered several logs carry `log`. */
  request: PackRequestInput;
}

export interface EvidenceJobResult {
  packId: string;
  /** File name of the archive in the tenant's pack directory. */
  archive: string;
  sha256: string;
  bytes: number;
  recordSeq: number;
  controls: Record<string, number>;
  exceptions: number;
}

/** Progress as the job reports it (BullMQ job.progress). */
export interface EvidenceJobProgress {
  phase: string;
  done: number;
  total: number;
  /** 0 to 100, over the whole build. */
  percent: number;
}

/**
 * Retries are for the infrastructure (database or Redis away): five attempts from 5 s.
 * Requests that cannot succeed fail at once (UnrecoverableError). Jobs are kept 30 days, so
 * a finished pack's status and download stay reachable by its id.
 */
export const EVIDENCE_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: "exponential", delay: 5_000 },
  removeOnComplete: { age: 30 * 24 * 3600 },
  removeOnFail: { age: 30 * 24 * 3600 },
} as const satisfies JobsOptions;

/** Share of the whole build each phase stands for, in order (entries dominate). */
const PHASES: [string, number][] = [["entries", 70], ["audit", 10], ["proofs", 5], ["report", 10], ["seal", 5]];

export function overallPercent(phase: string, done: number, total: number): number {
  let before = 0;
  for (const [name, share] of PHASES) {
    if (name === phase) return Math.min(100, Math.round(before + (share * (total > 0 ? Math.min(done, total) / total : 1))));
    before += share;
  }
  return 0;
}

/** The archive of request `id` of `tenant` (tenant names are [A-Za-z0-9._-], ids UUIDs). */
export function packArchivePath(packDir: string, tenant: string, id: string): string {
  return join(packDir, tenant, `${id}.tar.gz`);
}
