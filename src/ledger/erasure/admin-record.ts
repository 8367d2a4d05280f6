/**
 * Erasure and legal-hold actions, recorded in the tenant's audit log as well as in the log they
 * concern (PCI DSS 10.2.1.5 and 10.2.2: changes by administrators are logged with who, what,
 * when and the outcome). The audit entry names the log, the request or hold and its record in
 * that log — never a data subject: whom an erasure was for stays out of the audit log, or the
 * erasure would leave the subject's identity behind in a log nobody erases.
 */
import { ensureAuditLog } from "../audit-log.js";
import { LedgerError } from "../errors.js";
import type { LedgerStore } from "../store.js";

export type AdminActionKind = "erasure" | "legal_hold";

export interface AdminAction {
  kind: AdminActionKind;
  /** erasure.request, erasure.execute, erasure.approve, legal_hold.create, legal_hold.release. */
  action: string;
  /** The log acted on. */
  log: string;
  /** Who: an API key, an operator at the command line. */
  by: string;
  /** The program that acted for them: sealtrail-cli, sealtrail-api. */
  source: string;
}

/**
 * Runs `fn` and records its outcome in the audit log of the log's tenant: success with what
 * `describe` says of the result, or failure with the error's code (a refused request is a
 * failure the auditor must see). A log that does not exist is not recorded: no tenant owns it.
 */
export async function recordedAdminAction<T>(store: LedgerStore, originPrefix: string, a: AdminAction, fn: () => Promise<T>, describe: (result: T) => Record<string, unknown>): Promise<T> {
  const log = await store.findLog(a.log);
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    const code = error instanceof LedgerError ? error.code : "ERROR";
    await append(store, originPrefix, log.tenant, a, "failure", { log: log.name, error: code });
    throw error;
  }
  await append(store, originPrefix, log.tenant, a, "success", { log: log.name, ...describe(result) });
  return result;
}

async function append(store: LedgerStore, originPrefix: string, tenant: string, a: AdminAction, outcome: "success" | "failure", payload: Record<string, unknown>): Promise<void> {
  const audit = await ensureAuditLog(store, tenant, originPrefix);
  await store.appender().append(audit.name, [{ kind: a.kind, actor: a.by, action: a.action, resource: a.log, outcome, source: a.source, payload }]);
}
