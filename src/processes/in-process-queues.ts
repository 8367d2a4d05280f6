/**
 * The queues of `sealtrail up` when there is no Redis: the same job functions the BullMQ
 * workers run (processIngestJob, processEvidenceJob), called in this process behind the
 * producer interfaces the API uses (IngestProducer, EvidenceProducer). An adapter, not a
 * second implementation.
 *
 * What this mode gives up (docs/zero-setup.md): no separate worker processes; no queue that
 * outlives the process. So an ingest "job" runs to its commit before `add` returns: a receipt
 * is only ever given for events already appended, and a crash loses nothing that was
 * acknowledged. A pack request that was accepted but not yet built when the process stops is
 * lost (the client sees no such request after a restart and asks again).
 */
import type { KeyObject } from "node:crypto";
import type { IngestJobHandle, IngestProducer } from "../ingest/ingest-queue.js";
import type { IngestJobData, IngestJobResult } from "../ingest/ingest-job.js";
import { type IngestDeps, processIngestJob } from "../ingest/process-ingest-job.js";
import type { EvidenceJobData, EvidenceJobProgress, EvidenceJobResult } from "../packs/evidence-job.js";
import type { EvidenceJobView, EvidenceProducer, JobState } from "../packs/evidence-queue.js";
import { type EvidenceWorkerOptions, processEvidenceJob } from "../packs/evidence-worker.js";

/** Results kept for re-sent job ids (a caller retrying after a lost answer). */
const REMEMBERED_JOBS = 10_000;

export class InProcessIngestQueue implements IngestProducer {
  private readonly finished = new Map<string, IngestJobResult>();

  constructor(private readonly deps: IngestDeps) {}

  async waitUntilReady(): Promise<void> {}

  /** Appends the job's events before resolving; throws (nothing appended) when the job fails. */
  async add(_name: string, data: IngestJobData, options: { jobId: string }): Promise<IngestJobHandle> {
    const result = await processIngestJob(this.deps, { id: options.jobId, data });
    this.finished.set(options.jobId, result);
    if (this.finished.size > REMEMBERED_JOBS) this.finished.delete(this.finished.keys().next().value!);
    return {
      getState: async () => "completed",
      retry: async () => {},
      waitUntilFinished: async () => result,
    };
  }
}

interface PackJob extends EvidenceJobView {
  id: string;
  state: "waiting" | "active" | "completed" | "failed";
}

export type EvidenceRunDeps = Omit<EvidenceWorkerOptions, "redisUrl" | "queueName" | "prefix" | "concurrency"> & { packKey: KeyObject };

/** Pack requests built one at a time, in order, in this process; their status is kept in memory. */
export class InProcessEvidenceQueue implements EvidenceProducer {
  private readonly jobs = new Map<string, PackJob>();
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly deps: EvidenceRunDeps, private readonly onDone: (id: string, outcome: EvidenceJobResult | Error) => void = () => {}) {}

  async add(_name: string, data: EvidenceJobData, options: { jobId: string }): Promise<void> {
    const job: PackJob = { id: options.jobId, data, state: "waiting", progress: { phase: "queued", done: 0, total: 0, percent: 0 }, returnvalue: undefined as unknown as EvidenceJobResult, failedReason: "" };
    this.jobs.set(job.id, job);
    this.chain = this.chain.then(() => this.build(job));
  }

  async getJobState(id: string): Promise<string> {
    return this.jobs.get(id)?.state ?? "unknown";
  }

  async getJob(id: string): Promise<EvidenceJobView | undefined> {
    return this.jobs.get(id);
  }

  async getJobs(types: JobState[], start: number, end: number, asc: boolean): Promise<PackJob[]> {
    const all = [...this.jobs.values()].filter((j) => (types as string[]).includes(j.state));
    return (asc ? all : all.reverse()).slice(start, end + 1);
  }

  /** Resolves once every request added so far is built (or failed). */
  drain(): Promise<void> {
    return this.chain;
  }

  private async build(job: PackJob): Promise<void> {
    job.state = "active";
    try {
      job.returnvalue = await processEvidenceJob({ ...this.deps, redisUrl: "", concurrency: 1 }, {
        id: job.id,
        data: job.data,
        updateProgress: async (p: EvidenceJobProgress) => void (job.progress = p),
      });
      job.state = "completed";
      this.onDone(job.id, job.returnvalue);
    } catch (error) {
      job.failedReason = (error as Error).message;
      job.state = "failed";
      this.onDone(job.id, error as Error);
    }
  }
}
