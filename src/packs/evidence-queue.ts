/**
 * The producer's side of the `evidence` queue and the status of a request. Job ids are the
 * request ids handed to the client; a job answers only to the tenant that asked for it.
 */
import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { producerConnection } from "../redis/connection.js";
import { EVIDENCE_JOB, EVIDENCE_JOB_OPTIONS, EVIDENCE_QUEUE, type EvidenceJobData, type EvidenceJobProgress, type EvidenceJobResult } from "./evidence-job.js";

export type EvidenceQueue = Queue<EvidenceJobData, EvidenceJobResult, typeof EVIDENCE_JOB>;

/**
 * What the API uses of the evidence queue: BullMQ's Queue (EvidenceQueue) has this shape, and
 * so has the in-process queue of `sealtrail up` without Redis.
 */
export interface EvidenceProducer {
  add(name: typeof EVIDENCE_JOB, data: EvidenceJobData, options: { jobId: string }): Promise<unknown>;
  getJobState(id: string): Promise<string>;
  getJob(id: string): Promise<EvidenceJobView | undefined>;
}

export interface EvidenceJobView {
  data: EvidenceJobData;
  progress: unknown;
  returnvalue: EvidenceJobResult;
  failedReason: string;
}

export function openEvidenceQueue(redisUrl: string, options: { name?: string; prefix?: string } = {}): EvidenceQueue {
  return new Queue<EvidenceJobData, EvidenceJobResult, typeof EVIDENCE_JOB>(options.name ?? EVIDENCE_QUEUE, {
    connection: producerConnection(redisUrl),
    ...(options.prefix ? { prefix: options.prefix } : {}),
    defaultJobOptions: EVIDENCE_JOB_OPTIONS,
  });
}

export async function enqueuePack(queue: EvidenceProducer, data: EvidenceJobData): Promise<string> {
  const id = randomUUID();
  await queue.add(EVIDENCE_JOB, data, { jobId: id });
  return id;
}

export type PackStatus = "QUEUED" | "RUNNING" | "COMPLETED" | "FAILED";

export interface PackJobStatus {
  id: string;
  data: EvidenceJobData;
  status: PackStatus;
  progress: EvidenceJobProgress;
  result: EvidenceJobResult | undefined;
  error: string | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The request `id` of `tenant`; undefined when there is none (or it is another tenant's). */
export async function packJobStatus(queue: EvidenceProducer, tenant: string, id: string): Promise<PackJobStatus | undefined> {
  if (!UUID.test(id)) return undefined;
  // The state first, then the job: a job read before it failed or completed and a state read
  // after would show FAILED without its reason, or COMPLETED without its result.
  const state = await queue.getJobState(id);
  const job = await queue.getJob(id);
  if (!job || job.data.tenant !== tenant) return undefined;
  const status: PackStatus = state === "completed" ? "COMPLETED" : state === "failed" ? "FAILED" : state === "active" ? "RUNNING" : "QUEUED";
  const p = job.progress as Partial<EvidenceJobProgress> | number;
  const progress: EvidenceJobProgress = typeof p === "object" && p !== null
    ? { phase: String(p.phase ?? "queued"), done: Number(p.done ?? 0), total: Number(p.total ?? 0), percent: Number(p.percent ?? 0) }
    : { phase: status === "COMPLETED" ? "done" : "queued", done: 0, total: 0, percent: status === "COMPLETED" ? 100 : 0 };
  if (status === "COMPLETED") progress.percent = 100;
  return { id, data: job.data, status, progress, result: status === "COMPLETED" ? job.returnvalue : undefined, error: status === "FAILED" ? job.failedReason : undefined };
}
