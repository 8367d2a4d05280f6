import type { Alert } from "../core/sweep/index.js";

/**
 * Where alerts go: the `alerts` queue (alert-queue.ts), which delivers them to every webhook
 * until each acknowledges. `raise` resolves once the alert is durable (in Redis), not
 * delivered.
 */
export interface AlertSink {
  raise(alert: Alert): Promise<void>;
}
