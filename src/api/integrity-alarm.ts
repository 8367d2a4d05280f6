/**
 * What the API does when a verified read finds the ledger changed (read-verifier.ts): besides
 * answering LEDGER_INCONSISTENT, it says so on the server's log, raises a `read.inconsistent`
 * alert through the integrity alerts (the same webhooks as sweeps, PCI DSS 10.7.2) and records
 * it in the tenant's audit log as an `integrity.alert` entry. One alert per log and hour: a
 * tampered row is met by every read that reaches it.
 */
import { type Alert, alertEvent, alertId } from "../core/sweep/index.js";
import { ensureAuditLog, type LedgerStore } from "../ledger/index.js";

/** Where alerts go (the integrity worker's `alerts` queue in `sealtrail serve`). */
export interface AlertRaiser {
  raise(alert: Alert): Promise<void>;
}

export const API_ACTOR = "sealtrail-api";

export class IntegrityAlarm {
  private readonly raised = new Set<string>();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly writer: LedgerStore,
    private readonly originPrefix: string,
    private readonly alerts: AlertRaiser | undefined,
    private readonly log: (message: string) => void,
  ) {}

  report(tenant: string, inconsistency: { log: string; seq: number | null; message: string }, at = new Date()): void {
    const run = `read:${at.toISOString().slice(0, 13)}`;
    const id = alertId("read.inconsistent", inconsistency.log, run);
    if (this.raised.has(id)) return;
    if (this.raised.size > 10_000) this.raised.clear();
    this.raised.add(id);
    this.log(`INTEGRITY: tenant ${tenant}: ${inconsistency.message}`);
    const alert: Alert = {
      id, type: "read.inconsistent", log: inconsistency.log, tenant, at: at.toISOString(), message: inconsistency.message,
      tamperClass: null, firstBadSeq: inconsistency.seq, fromSeq: null, toSize: null, run,
    };
    const work = this.deliver(tenant, alert).catch((error) => {
      // Tried again by the next read that meets the change.
      this.raised.delete(id);
      this.log(`INTEGRITY: the alert ${id} (${inconsistency.log}) was NOT raised: ${(error as Error).message}`);
    });
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  private async deliver(tenant: string, alert: Alert): Promise<void> {
    await this.alerts?.raise(alert);
    const audit = await ensureAuditLog(this.writer, tenant, this.originPrefix);
    await this.writer.appender().append(audit.name, [{ ...alertEvent(alert, API_ACTOR), source: API_ACTOR }]);
  }

  /** Waits for the alerts being raised (the server's close). */
  async settle(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
