/**
 * What admin mutations share: the log named must be one of the tenant's (found in the request's
 * row-level-secured view, so another tenant's log is as unknown as a missing one), then the
 * change is made with the writer pool and recorded in the tenant's audit log.
 */
import { actorWithName } from "./principal.js";
import { LedgerError, type Log } from "../ledger/index.js";
import { ApiError } from "./api-error.js";
import { db } from "./auth-checker.js";
import type { ApiContext } from "./context.js";

/** The tenant's log `name`; BAD_USER_INPUT when the tenant has none of that name. */
export async function tenantLog(ctx: ApiContext, name: string): Promise<Log> {
  try {
    const log = await db(ctx).use((tx) => tx.findLog(name));
    ctx.rows.count += 1;
    return log;
  } catch (error) {
    if (error instanceof LedgerError && error.code === "LOG_NOT_FOUND") throw new ApiError("BAD_USER_INPUT", `unknown log ${JSON.stringify(name)}`);
    throw error;
  }
}

export function adminStore(ctx: ApiContext): NonNullable<ApiContext["admin"]> {
  if (!ctx.admin) throw new ApiError("SERVICE_UNAVAILABLE", "this server cannot make changes to the ledger");
  return ctx.admin;
}

/** Who acts, as recorded: the API key or the person signed in (as pack requests name them). */
export function actingKey(ctx: ApiContext): string {
  return actorWithName(ctx.principal!);
}

export const API_SOURCE = "sealtrail-api";
