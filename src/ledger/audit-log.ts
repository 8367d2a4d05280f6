/**
 * Each tenant's audit log: the ledger records its own use there — reads through the API
 * (`ledger.read`, PCI DSS 10.2.1.3), API keys made and revoked (10.2.1.5), and (later) sweeps
 * and pack builds. It is an ordinary log, hash-chained and checkpointed like any other, under
 * a reserved name so that no user can create or squat it.
 */
import { LedgerError } from "./errors.js";
import { RESERVED_NAME_PREFIX } from "../core/entry/index.js";
import type { LedgerStore, Log } from "./store.js";

export const AUDIT_LOG_PREFIX = `${RESERVED_NAME_PREFIX}audit.`;

export function auditLogName(tenant: string): string {
  return `${AUDIT_LOG_PREFIX}${tenant}`;
}

/** The tenant's audit log, created on first use (needs the writer role). */
export async function ensureAuditLog(store: LedgerStore, tenant: string, originPrefix: string): Promise<Log> {
  const name = auditLogName(tenant);
  try {
    return await store.findLog(name);
  } catch (error) {
    if (!(error instanceof LedgerError) || error.code !== "LOG_NOT_FOUND") throw error;
  }
  try {
    return await store.createLog(name, { tenant, origin: `${originPrefix}/${name}`, system: true });
  } catch (error) {
    // Two processes made it at once: the other one's log is as good.
    if (error instanceof LedgerError && error.code === "LOG_EXISTS") return store.findLog(name);
    throw error;
  }
}
