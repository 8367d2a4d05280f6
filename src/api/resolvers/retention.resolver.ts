/**
 * Retention policies over the API, scope admin: Log.retention reads a log's policy and
 * setRetentionPolicy changes it, each change a retention.policy entry of the tenant's audit
 * log (PCI DSS 10.2.1.6: changes to audit log settings), as `log retention` records it.
 */
import { Arg, Authorized, Ctx, FieldResolver, Int, Mutation, Resolver, Root } from "type-graphql";
import { meetsPciRetention } from "../../core/retention/index.js";
import { changeRetention, retentionOf } from "../../ledger/index.js";
import { actingKey, adminStore, tenantLog } from "../admin-log.js";
import { toApiError } from "../api-error.js";
import { db } from "../auth-checker.js";
import type { ApiContext } from "../context.js";
import { QUERY_COST } from "../limits.js";
import { Log } from "../types/log.type.js";
import { RetentionPolicy } from "../types/retention.type.js";

function toPolicy(p: { hotDays: number; clearDays: number; setBy: string | null; at: Date | null }): RetentionPolicy {
  return Object.assign(new RetentionPolicy(), { hotDays: p.hotDays, clearDays: p.clearDays, meetsPciDss: meetsPciRetention(p), setBy: p.setBy, setAt: p.at });
}

@Resolver(() => Log)
export class RetentionResolver {
  @Authorized("admin")
  @FieldResolver(() => RetentionPolicy, { description: "The log's retention policy (scope admin).", complexity: QUERY_COST })
  retention(@Root() log: Log, @Ctx() ctx: ApiContext): Promise<RetentionPolicy> {
    return db(ctx).use(async (tx) => toPolicy(await retentionOf(tx, await tx.findLog(log.name))));
  }

  @Authorized("admin")
  @Mutation(() => RetentionPolicy, { description: "Change what is given of a log's retention policy (the rest stays). Recorded in the tenant's audit log with the policy it replaced." })
  async setRetentionPolicy(
    @Arg("log", () => String) logName: string,
    @Arg("hotDays", () => Int, { nullable: true }) hotDays: number | null | undefined,
    @Arg("clearDays", () => Int, { nullable: true }) clearDays: number | null | undefined,
    @Ctx() ctx: ApiContext,
  ): Promise<RetentionPolicy> {
    const log = await tenantLog(ctx, logName);
    const { writer, originPrefix } = adminStore(ctx);
    const given = { ...(hotDays !== undefined && hotDays !== null ? { hotDays } : {}), ...(clearDays !== undefined && clearDays !== null ? { clearDays } : {}) };
    try {
      const by = actingKey(ctx);
      await changeRetention(writer, originPrefix, log.name, given, by);
      return toPolicy(await retentionOf(writer, log));
    } catch (error) {
      throw toApiError(error);
    }
  }
}
