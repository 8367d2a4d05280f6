import { Arg, Authorized, Ctx, Int, Query, Resolver } from "type-graphql";
import { auditLogName } from "../../ledger/index.js";
import { packJobStatus } from "../../packs/evidence-queue.js";
import { PACK_BUILD_KIND } from "../../packs/pack-ledger.js";
import { ApiError } from "../api-error.js";
import { db } from "../auth-checker.js";
import type { ApiContext } from "../context.js";
import { count } from "../ledger-view.js";
import { QUERY_COST } from "../limits.js";
import { BigIntScalar } from "../scalars.js";
import { PackBuild } from "../types/pack-build.type.js";
import { servedEvents } from "../verified-reads.js";
import { toPack } from "./evidence-pack.resolver.js";

const DEFAULT_BUILDS = 20;

interface BuildPayload {
  packId?: string;
  framework?: string;
  logs?: { log: string }[];
  from?: string;
  to?: string;
  requestedAt?: string;
  sha256sums?: string;
  buildId?: string;
  recipient?: string;
  note?: string;
}

@Resolver(() => PackBuild)
export class PackBuildResolver {
  @Authorized("packs:create")
  @Query(() => [PackBuild], {
    description: "The evidence packs built for this tenant, newest first, from its audit log's pack.build records (each checked like any entry served). Page with `before` (the recordSeq of the last one seen).",
    complexity: ({ args }) => QUERY_COST + Math.min(Number(args.first ?? DEFAULT_BUILDS), 10_000) * QUERY_COST,
  })
  async packBuilds(
    @Arg("first", () => Int, { nullable: true, description: `How many (default ${DEFAULT_BUILDS}, at most the server's page limit).` }) first: number | undefined,
    @Arg("before", () => BigIntScalar, { nullable: true, description: "Only builds recorded before this recordSeq." }) before: bigint | undefined,
    @Ctx() ctx: ApiContext,
  ): Promise<PackBuild[]> {
    const limit = first ?? DEFAULT_BUILDS;
    if (!Number.isInteger(limit) || limit < 1 || limit > ctx.maxPageSize) throw new ApiError("BAD_USER_INPUT", `first: got ${limit}, want 1–${ctx.maxPageSize}`);
    const beforeSeq = before === undefined || before === null ? undefined : count("before", before);
    const tenant = ctx.principal!.tenant;
    // The tenant's own audit log, read through its row-level-secured view: another tenant's builds are not there to find.
    const events = await db(ctx).use(async (tx) => servedEvents(ctx, tx, await tx.newestOfKind(auditLogName(tenant), PACK_BUILD_KIND, limit, beforeSeq === undefined ? {} : { before: beforeSeq })));
    ctx.rows.count += events.length;
    return Promise.all(events.map(async (e) => {
      const p = (e.payload ?? {}) as BuildPayload;
      const requestId = p.buildId?.startsWith("job:") ? p.buildId.slice(4) : null;
      const job = requestId && ctx.evidence ? await packJobStatus(ctx.evidence.queue, tenant, requestId).catch(() => undefined) : undefined;
      return Object.assign(new PackBuild(), {
        recordSeq: e.seq, packId: p.packId ?? "", framework: p.framework ?? "", logs: (p.logs ?? []).map((l) => l.log),
        from: new Date(p.from ?? 0), to: new Date(p.to ?? 0), requestedBy: e.actor ?? "", requestedAt: new Date(p.requestedAt ?? e.occurredAt),
        builtAt: e.occurredAt, builtBy: e.source, sha256sums: p.sha256sums ?? "", recipient: p.recipient ?? null, note: p.note ?? null,
        requestId, request: job ? toPack(job) : null,
      });
    }));
  }
}
