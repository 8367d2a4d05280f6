import { Arg, Authorized, Ctx, Int, Query, Resolver } from "type-graphql";
import { auditLogName } from "../../ledger/index.js";
import { ApiError } from "../api-error.js";
import { db } from "../auth-checker.js";
import type { ApiContext } from "../context.js";
import { count } from "../ledger-view.js";
import { BigIntScalar } from "../scalars.js";
import { Sweep } from "../types/sweep.type.js";

const DEFAULT_SWEEPS = 20;

@Resolver(() => Sweep)
export class SweepResolver {
  @Authorized("events:read")
  @Query(() => [Sweep], {
    description: "Integrity sweeps of a log, newest first, as recorded in its tenant's audit log. Page with `before` (the recordSeq of the last one seen).",
    complexity: ({ args, childComplexity }) => 10 + Math.min(Number(args.first ?? DEFAULT_SWEEPS), 10_000) * childComplexity,
  })
  async sweeps(
    @Arg("log", () => String) logName: string,
    @Arg("first", () => Int, { nullable: true, description: "How many (default 20, at most the server's page limit)." }) first: number | undefined,
    @Arg("before", () => BigIntScalar, { nullable: true, description: "Only sweeps recorded before this recordSeq." }) before: bigint | undefined,
    @Ctx() ctx: ApiContext,
  ): Promise<Sweep[]> {
    const size = first ?? DEFAULT_SWEEPS;
    if (!Number.isInteger(size) || size < 1 || size > ctx.maxPageSize) throw new ApiError("BAD_USER_INPUT", `first: got ${size}, want 1–${ctx.maxPageSize}`);
    const beforeSeq = before === undefined || before === null ? undefined : count("before", before);
    const records = await db(ctx).use(async (tx) => {
      const log = await tx.findLog(logName);
      return tx.sweepRecords(auditLogName(log.tenant), log.name, size, beforeSeq);
    });
    ctx.rows.count += records.length;
    return records.map((r) => Object.assign(new Sweep(), r));
  }
}
