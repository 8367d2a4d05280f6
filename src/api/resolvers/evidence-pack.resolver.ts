import { actorWithName } from "../principal.js";
import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from "type-graphql";
import { LedgerError } from "../../ledger/index.js";
import { enqueuePack, LIST_SCAN, listPackJobs, packJobStatus, type PackJobStatus } from "../../packs/evidence-queue.js";
import { findExporter } from "../../packs/exporters.js";
import { checkLogs, checkRequest, DEFAULT_APPROVAL_TAGS, MAX_PACK_LOGS, DEFAULT_FAILED_LOGIN_THRESHOLD } from "../../packs/request.js";
import { ApiError, toApiError } from "../api-error.js";
import { db } from "../auth-checker.js";
import type { ApiContext } from "../context.js";
import { DOWNLOAD_PREFIX, type EvidenceService } from "../evidence-service.js";
import { QUERY_COST } from "../limits.js";
import { DateTimeScalar } from "../scalars.js";
import { EvidencePack, EvidencePackStatus } from "../types/evidence-pack.type.js";

const DEFAULT_REQUESTS = 20;

function service(ctx: ApiContext): EvidenceService {
  if (!ctx.evidence) throw new ApiError("SERVICE_UNAVAILABLE", "evidence packs are not enabled on this server");
  return ctx.evidence;
}

/** Redis unreachable while queueing: the request was not taken, and the client is told so. */
function queueDown(error: unknown): never {
  throw new ApiError("SERVICE_UNAVAILABLE", "the evidence queue is unavailable; nothing was queued, try again", { cause: error });
}

export function toPack(s: PackJobStatus): EvidencePack {
  const r = s.data.request;
  return Object.assign(new EvidencePack(), {
    id: s.id,
    framework: r.framework,
    // Jobs queued before packs covered several logs carry `log`.
    logs: r.logs ? [...r.logs] : r.log !== undefined ? [r.log] : [],
    from: new Date(r.from),
    to: new Date(r.to),
    requestedBy: r.requestedBy,
    requestedAt: new Date(r.requestedAt),
    status: EvidencePackStatus[s.status],
    progress: s.progress.percent,
    phase: s.status === "COMPLETED" ? "done" : s.progress.phase,
    packId: s.result?.packId ?? null,
    downloadUrl: s.result ? `${DOWNLOAD_PREFIX}${s.id}.tar.gz` : null,
    sha256: s.result?.sha256 ?? null,
    bytes: s.result?.bytes ?? null,
    controls: s.result?.controls ?? null,
    error: s.error ?? null,
  });
}

@Resolver(() => EvidencePack)
export class EvidencePackResolver {
  @Authorized("packs:create")
  @Mutation(() => EvidencePack, { description: "Queue a signed evidence pack of one or more logs of the tenant for a period (ledger clock, [from, to)). The build is recorded in the tenant's audit log." })
  async requestEvidencePack(
    @Arg("framework", () => String) framework: string,
    @Arg("logs", () => [String], { description: `The logs to pack: 1 to ${MAX_PACK_LOGS} distinct logs of the tenant, each a section of the pack.` }) logs: string[],
    @Arg("from", () => DateTimeScalar) from: Date,
    @Arg("to", () => DateTimeScalar) to: Date,
    @Arg("sampleSize", () => Int, { nullable: true, description: "The auditor's fixed number of entries sampled per population (default: each control's size by its frequency, from the sampling table)." }) sampleSize: number | null,
    @Arg("seed", () => String, { nullable: true, description: "The auditor's seed of the samples (default: the root of the first checkpoint signed after the period ended; without one the build is refused)." }) seed: string | null,
    @Ctx() ctx: ApiContext,
  ): Promise<EvidencePack> {
    const evidence = service(ctx);
    const principal = ctx.principal!;
    let names: string[];
    try {
      names = checkLogs({ logs });
    } catch (error) {
      throw toApiError(error);
    }
    let exporterId: string;
    try {
      exporterId = findExporter(evidence.exporters, framework).id;
    } catch (error) {
      throw toApiError(error);
    }
    // Each log must be the tenant's: looked up through the request's row-level-secured view, so
    // another tenant's log is answered like one that does not exist.
    const found = await db(ctx).use(async (tx) => {
      const out = [];
      for (const name of names) out.push(await tx.findLog(name));
      return out;
    }).catch((error: unknown) => {
      if (error instanceof LedgerError && error.code === "LOG_NOT_FOUND") throw new ApiError("BAD_USER_INPUT", error.message);
      throw error;
    });
    ctx.rows.count += found.length;
    let request;
    try {
      request = checkRequest({
        framework: exporterId,
        logs: found.map((l) => l.name),
        from: from.toISOString(),
        to: to.toISOString(),
        requestedBy: actorWithName(principal),
        requestedAt: new Date().toISOString(),
        organisation: principal.tenant,
        scope: `${found.length === 1 ? "log" : "logs"} ${found.map((l) => `${l.name} (${l.origin})`).join(", ")} of tenant ${principal.tenant}`,
        ...(seed !== null ? { seed } : {}),
        ...(sampleSize !== null ? { sampleSize } : {}),
        failedLoginThreshold: DEFAULT_FAILED_LOGIN_THRESHOLD,
        approvalTags: [...DEFAULT_APPROVAL_TAGS],
      });
    } catch (error) {
      throw toApiError(error);
    }
    const data = { tenant: principal.tenant, request };
    const id = await enqueuePack(evidence.queue, data).catch(queueDown);
    return toPack({ id, data, status: "QUEUED", progress: { phase: "queued", done: 0, total: 0, percent: 0 }, result: undefined, error: undefined });
  }

  @Authorized("packs:create")
  @Query(() => [EvidencePack], {
    description: `The tenant's pack requests on this server's evidence queue, newest request first: by default those not built (queued, running, failed, with the failure's reason); a built pack is also in packBuilds, from the audit log. Requests are kept 30 days after they end; each status looks at the queue's newest ${LIST_SCAN} jobs of every tenant.`,
    complexity: ({ args }) => QUERY_COST + Math.min(Number(args.first ?? DEFAULT_REQUESTS), 10_000) * QUERY_COST,
  })
  async evidencePacks(
    @Arg("statuses", () => [EvidencePackStatus], { nullable: true, description: "Which (default QUEUED, RUNNING, FAILED)." }) statuses: EvidencePackStatus[] | null,
    @Arg("first", () => Int, { nullable: true, description: `How many (default ${DEFAULT_REQUESTS}, at most the server's page limit).` }) first: number | null,
    @Ctx() ctx: ApiContext,
  ): Promise<EvidencePack[]> {
    const limit = first ?? DEFAULT_REQUESTS;
    if (!Number.isInteger(limit) || limit < 1 || limit > ctx.maxPageSize) throw new ApiError("BAD_USER_INPUT", `first: got ${limit}, want 1–${ctx.maxPageSize}`);
    const wanted = statuses && statuses.length > 0 ? statuses : [EvidencePackStatus.QUEUED, EvidencePackStatus.RUNNING, EvidencePackStatus.FAILED];
    // Only the principal's tenant's jobs are kept (each job carries its tenant, as evidencePack checks).
    const jobs = await listPackJobs(service(ctx).queue, ctx.principal!.tenant, wanted, limit).catch((error: unknown) => {
      throw new ApiError("SERVICE_UNAVAILABLE", "the evidence queue is unavailable; try again", { cause: error });
    });
    return jobs.map(toPack);
  }

  @Authorized("packs:create")
  @Query(() => EvidencePack, { nullable: true, description: "A pack request of this tenant by id: status, progress and, when built, its download." })
  async evidencePack(@Arg("id", () => ID) id: string, @Ctx() ctx: ApiContext): Promise<EvidencePack | null> {
    const status = await packJobStatus(service(ctx).queue, ctx.principal!.tenant, id).catch(queueDown);
    return status ? toPack(status) : null;
  }
}
