import { Arg, Authorized, Ctx, FieldResolver, Query, Resolver, Root } from "type-graphql";
import { vkeyString } from "../../core/note/index.js";
import { auditLogName, LedgerError } from "../../ledger/index.js";
import { db } from "../auth-checker.js";
import type { ApiContext } from "../context.js";
import { servedCheckpoint } from "../verified-reads.js";
import { BigIntScalar } from "../scalars.js";
import { Checkpoint } from "../types/checkpoint.type.js";
import { Log } from "../types/log.type.js";
import { Sweep } from "../types/sweep.type.js";
import { LOGS_ESTIMATE, QUERY_COST } from "../limits.js";

// Each field that runs a query costs QUERY_COST in the operation's estimate (limits.ts).
@Resolver(() => Log)
export class LogResolver {
  @Authorized("events:read")
  @Query(() => [Log], { description: "The tenant's logs, by name (its audit log included).", complexity: ({ childComplexity }) => QUERY_COST + LOGS_ESTIMATE * childComplexity })
  async logs(@Ctx() ctx: ApiContext): Promise<Log[]> {
    const logs = await db(ctx).use((tx) => tx.listLogs());
    ctx.rows.count += logs.length;
    return logs.map((log) => Object.assign(new Log(), log));
  }

  @Authorized("events:read")
  @Query(() => Log, { nullable: true, description: "One log by name; null when the tenant has no such log." })
  async log(@Arg("name", () => String) name: string, @Ctx() ctx: ApiContext): Promise<Log | null> {
    try {
      const log = await db(ctx).use((tx) => tx.findLog(name));
      ctx.rows.count += 1;
      return Object.assign(new Log(), log);
    } catch (error) {
      if (error instanceof LedgerError && error.code === "LOG_NOT_FOUND") return null;
      throw error;
    }
  }

  @FieldResolver(() => BigIntScalar, { description: "Tree size: the number of entries.", complexity: QUERY_COST })
  size(@Root() log: Log, @Ctx() ctx: ApiContext): Promise<number> {
    return db(ctx).use((tx) => tx.treeSize(log.id));
  }

  @Authorized("proofs:read")
  @FieldResolver(() => Checkpoint, { nullable: true, description: "The newest signed checkpoint.", complexity: ({ childComplexity }) => QUERY_COST + childComplexity })
  async latestCheckpoint(@Root() log: Log, @Ctx() ctx: ApiContext): Promise<Checkpoint | null> {
    return db(ctx).use(async (tx) => {
      const c = await tx.latestCheckpoint(log.id);
      return c ? servedCheckpoint(ctx, tx, log, c) : null;
    });
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: "The C2SP note verifier key its checkpoints verify with (name+keyid+base64), as this server holds it; null when the server was given no key. Compare it with the vkey you trust before relying on it.",
  })
  verifierKey(@Root() log: Log, @Ctx() ctx: ApiContext): string | null {
    return ctx.verifierPublicKey ? vkeyString(log.origin, ctx.verifierPublicKey) : null;
  }

  @FieldResolver(() => Sweep, { nullable: true, description: "The newest integrity sweep of this log; null before the first.", complexity: ({ childComplexity }) => QUERY_COST + childComplexity })
  async lastSweep(@Root() log: Log, @Ctx() ctx: ApiContext): Promise<Sweep | null> {
    const record = await db(ctx).use((tx) => tx.lastSweepRecord(auditLogName(log.tenant), log.name));
    return record ? Object.assign(new Sweep(), record) : null;
  }
}
