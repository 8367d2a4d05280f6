/**
 * Legal holds (docs/erasure.md), scope admin: placed, released and listed on the tenant's
 * logs; each change recorded in the log and in the tenant's audit log.
 */
import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import type { HoldScope as LedgerHoldScope } from "../../core/erasure/index.js";
import { createHold, type HoldListing, listHolds, recordedAdminAction, releaseHold } from "../../ledger/index.js";
import { actingKey, adminStore, API_SOURCE, tenantLog } from "../admin-log.js";
import { toApiError } from "../api-error.js";
import { db } from "../auth-checker.js";
import type { ApiContext } from "../context.js";
import { QUERY_COST } from "../limits.js";
import { HoldScope, LegalHold, LegalHoldInput } from "../types/legal-hold.type.js";

function toHold(log: string, h: HoldListing): LegalHold {
  const s = h.scope;
  return Object.assign(new LegalHold(), {
    id: h.id, log,
    scope: Object.assign(new HoldScope(), {
      from: s.from ?? null, to: s.to ?? null, actors: s.actors ?? null, kinds: s.kinds ?? null, action: s.action ?? null, resource: s.resource ?? null, source: s.source ?? null, tags: s.tags ?? null,
    }),
    reason: h.reason, matter: h.matter ?? null, createdBy: h.createdBy, recordSeq: h.recordSeq,
    active: !h.released, releasedBy: h.released?.by ?? null, releaseReason: h.released?.reason ?? null, releaseSeq: h.released?.recordSeq ?? null,
  });
}

/** The input's scope, with absent and null members left out (the ledger checks the rest). */
function scopeOf(input: LegalHoldInput): LedgerHoldScope {
  const scope: Record<string, unknown> = {};
  for (const key of ["from", "to", "actors", "kinds", "action", "resource", "source", "tags"] as const) {
    const v = input[key];
    if (v !== undefined && v !== null) scope[key] = v;
  }
  return scope as LedgerHoldScope;
}

@Resolver(() => LegalHold)
export class LegalHoldResolver {
  @Authorized("admin")
  @Mutation(() => LegalHold, { description: "Place a legal hold on one of the tenant's logs: the entries it covers are never erased or expired until it is released. Recorded in the log and in the tenant's audit log." })
  async createLegalHold(@Arg("input", () => LegalHoldInput) input: LegalHoldInput, @Ctx() ctx: ApiContext): Promise<LegalHold> {
    const log = await tenantLog(ctx, input.log);
    const { writer, originPrefix } = adminStore(ctx);
    const by = actingKey(ctx);
    try {
      const hold = await recordedAdminAction(writer, originPrefix, { kind: "legal_hold", action: "legal_hold.create", log: log.name, by, source: API_SOURCE },
        () => createHold(writer, { log: log.name, scope: scopeOf(input), reason: input.reason, createdBy: by, ...(input.matter ? { matter: input.matter } : {}) }),
        (h) => ({ hold: h.id, recordSeq: h.recordSeq, scope: h.scope, reason: h.reason, ...(h.matter ? { matter: h.matter } : {}) }));
      return toHold(log.name, hold);
    } catch (error) {
      throw toApiError(error);
    }
  }

  @Authorized("admin")
  @Mutation(() => LegalHold, { description: "Release a legal hold; erasure and expiry of its entries may then proceed. Recorded in the log and in the tenant's audit log." })
  async releaseLegalHold(@Arg("log", () => String) logName: string, @Arg("id", () => String) id: string, @Arg("reason", () => String) reason: string, @Ctx() ctx: ApiContext): Promise<LegalHold> {
    const log = await tenantLog(ctx, logName);
    const { writer, originPrefix } = adminStore(ctx);
    const by = actingKey(ctx);
    try {
      await recordedAdminAction(writer, originPrefix, { kind: "legal_hold", action: "legal_hold.release", log: log.name, by, source: API_SOURCE }, () => releaseHold(writer, { log: log.name, hold: id, reason, releasedBy: by }), (r) => ({ hold: r.hold, recordSeq: r.recordSeq, reason }));
      const hold = (await listHolds(writer, log)).find((h) => h.id === id)!;
      return toHold(log.name, hold);
    } catch (error) {
      throw toApiError(error);
    }
  }

  @Authorized("admin")
  @Query(() => [LegalHold], { description: "The legal holds of one of the tenant's logs, active and released, oldest first.", complexity: QUERY_COST })
  async legalHolds(@Arg("log", () => String) logName: string, @Ctx() ctx: ApiContext): Promise<LegalHold[]> {
    const log = await tenantLog(ctx, logName);
    const holds = await db(ctx).use((tx) => listHolds(tx, log));
    ctx.rows.count += holds.length;
    return holds.map((h) => toHold(log.name, h));
  }
}
