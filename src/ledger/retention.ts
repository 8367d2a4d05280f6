/**
 * A log's retention policy, read and changed (PCI DSS 10.5.1). Every change is recorded in the
 * tenant's audit log as a `retention.policy` entry naming who set it, the new policy and the
 * one it replaced (10.2.1.6: changes to audit log settings are logged).
 */
import { DEFAULT_RETENTION, type RetentionPolicy, retentionEvent, retentionPolicy } from "../core/retention/index.js";
import { ensureAuditLog } from "./audit-log.js";
import type { LedgerStore, Log } from "./store.js";

/** The policy in force for log `log`: its newest row, else the defaults. */
export async function retentionOf(store: LedgerStore, log: Log): Promise<RetentionPolicy & { setBy: string | null; at: Date | null }> {
  const stored = await store.retentionPolicyOf(log.id);
  return stored ? { hotDays: stored.hotDays, clearDays: stored.clearDays, setBy: stored.setBy, at: stored.at } : { ...DEFAULT_RETENTION, setBy: null, at: null };
}

/**
 * Sets what is given of log `logName`'s policy (the rest stays), records the change in the
 * audit log, and returns both policies; INVALID_ARGUMENT (CoreError) for days out of range,
 * before anything is stored.
 */
export async function changeRetention(store: LedgerStore, originPrefix: string, logName: string, given: Partial<RetentionPolicy>, by: string): Promise<{ policy: RetentionPolicy; previous: RetentionPolicy | null }> {
  const log = await store.findLog(logName);
  const stored = await store.retentionPolicyOf(log.id);
  const previous = stored ? { hotDays: stored.hotDays, clearDays: stored.clearDays } : null;
  const policy = retentionPolicy(given, previous ?? DEFAULT_RETENTION);
  const audit = await ensureAuditLog(store, log.tenant, originPrefix);
  await store.setRetentionPolicy(log.id, policy, by);
  await store.appender().append(audit.name, [retentionEvent(log.name, { action: "retention.policy", by, policy, previous }, by)]);
  return { policy, previous };
}
