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
  /** Jobs in these BullMQ states, newest first, `start` to `end` (included) of each. */
  getJobs(types: JobState[], start: number, end: number, asc: boolean): Promise<(EvidenceJobView & { id?: string | undefined })[]>;
}

/** The BullMQ job states a pack request passes through (delayed: waiting for a retry). */
export type JobState = "waiting" | "delayed" | "prioritized" | "active" | "failed" | "completed";

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

/** The BullMQ states each listed status gathers. */
const STATES_OF: Record<PackStatus, JobState[]> = { QUEUED: ["waiting", "delayed", "prioritized"], RUNNING: ["active"], FAILED: ["failed"], COMPLETED: ["completed"] };

/**
 * Most jobs of each state looked at per listing: the queue is shared by every tenant and has no
 * index by tenant, so a listing reads the newest jobs of each state and keeps the tenant's.
 */
export const LIST_SCAN = 1000;

/**
 * The pack requests of `tenant` on the queue in the given statuses, newest request first, at
 * most `limit`: each with its state, progress, result or failure reason, read as packJobStatus
 * reads one (a job whose state changed between the listing and its read is shown as it is now).
 */
export async function listPackJobs(queue: EvidenceProducer, tenant: string, statuses: readonly PackStatus[], limit: number): Promise<PackJobStatus[]> {
  const found: PackJobStatus[] = [];
  for (const status of new Set(statuses)) {
    const jobs = await queue.getJobs(STATES_OF[status], 0, LIST_SCAN - 1, false);
    for (const job of jobs) {
      if (!job?.id || job.data?.tenant !== tenant) continue;
      const now = await packJobStatus(queue, tenant, job.id);
      if (now && statuses.includes(now.status)) found.push(now);
    }
  }
  const unique = [...new Map(found.map((j) => [j.id, j])).values()];
  return unique.sort((a, b) => Date.parse(b.data.request.requestedAt) - Date.parse(a.data.request.requestedAt)).slice(0, limit);
}
