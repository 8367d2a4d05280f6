import { canonicalize } from "../../core/encoding/index.js";
import type { PackModel } from "../pack-model.js";

/**
 * The parameters in force when the pack was built, stated rather than implied: HIPAA sets no
 * log format or review frequency, and an auditor re-performing a PCI DSS or SOC 2 test needs
 * the thresholds and sample rules used.
 */
export function policyFile(model: Readonly<PackModel>): string {
  const r = model.request;
  return `${canonicalize({
    framework: model.exporter.framework,
    frameworkVersion: model.exporter.version,
    logFormat: "logs/<log>/events.jsonl (and audit/events.jsonl): one RFC 8785 canonical JSON entry a line; leaf = SHA-256(0x00 || canonical JSON of the entry's metadata and payload hash) (RFC 9162)",
    period: { from: r.from, to: r.to, clock: "recorded_at (the ledger's clock, UTC)" },
    integrityChecks: "signed C2SP checkpoint, Merkle range proof of the period, integrity sweeps recorded in the tenant's audit log",
    sampling: { ...(r.sampleSize !== undefined ? { size: r.sampleSize } : { sizes: "by each control's frequency (controls.json: population.sampling)" }), seed: model.seed, seedSource: model.sampling.source, rule: 'the entries of lowest SHA-256("<seed>\\n<origin>\\n<seq>") in hex' },
    exceptions: {
      failedLogins: { threshold: r.failedLoginThreshold, window: "any 24 hours, sliding, by occurred_at", keyedBy: "actor; and source address when several accounts failed from it" },
      removedAccounts: "any entry of a log by an account after its account.remove in that log, until an account.create",
      approvalTags: [...r.approvalTags], approvalRequiredOf: "deploy.finish and every config.change",
      sweepExpected: "at least one per UTC day of the period",
    },
  })}\n`;
}
