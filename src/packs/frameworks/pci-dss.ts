/**
 * PCI DSS v4.0.1 Requirement 10 (log and monitor all access). Requirement numbers are PCI
 * SSC's; the summaries are ours (the standard's text is copyrighted and not shipped).
 */
import type { Exporter } from "../exporter.js";
import { policyFile } from "./policy.js";

export const pciDss: Exporter = {
  id: "pci-dss",
  framework: "PCI DSS",
  version: "4.0.1",
  controls: [
    { id: "10.2.1.1", attributes: ["record-complete"], summary: "Each user's access to cardholder data is logged", method: "Inspect the entries tagged with the cardholder-data class (chd)", population: [{ log: "subject", tags: ["chd"] }] },
    { id: "10.2.1.2", attributes: ["session-ticket", "record-complete"], summary: "All administrative actions, interactive shell use included, are logged", method: "Inspect the captured terminal sessions, the commands run in them and the output captured", population: [{ log: "subject", kinds: ["tmux.session", "tmux.command", "tmux.output"] }] },
    { id: "10.2.1.3", attributes: ["record-complete"], summary: "All access to the audit logs is logged", method: "Inspect the ledger's own read and pack-build records", population: [{ log: "audit", kinds: ["ledger.read", "pack.build"] }] },
    { id: "10.2.1.4", attributes: ["record-complete", "active-account"], summary: "Invalid logical access attempts are logged", method: "Inspect failed log-ins and denied requests; more than the threshold in any 24 hours by one actor, or from one source address for several accounts, is an exception, as is activity by a removed account", population: [{ log: "subject", kinds: ["access"], outcome: "failure" }, { log: "audit", kinds: ["ledger.read"], outcome: "failure" }], exceptions: ["failed-logins", "failed-logins-source", "removed-account"] },
    { id: "10.2.1.5", attributes: ["record-complete"], summary: "Changes to accounts and credentials are logged", method: "Inspect account, privilege, credential and API key changes", population: [{ log: "subject", kinds: ["access"], actions: ["account.create", "account.remove", "credential.change", "privilege.grant", "privilege.revoke"] }, { log: "audit", kinds: ["access"], actions: ["api_key.created", "api_key.revoked"] }] },
    { id: "10.2.1.6", attributes: ["record-complete"], summary: "Starting, stopping and pausing of logging is logged", method: "Inspect logging and capture-agent lifecycle events", population: [{ log: "subject", actions: ["logging.start", "logging.stop", "logging.pause", "agent.start", "agent.stop"] }, { log: "subject", kinds: ["tmux.session"], actions: ["capture.start", "capture.stop"] }] },
    { id: "10.2.1.7", attributes: ["record-complete"], summary: "Creation and deletion of system-level objects is logged", method: "Inspect deployments and configuration changes", population: [{ log: "subject", kinds: ["deploy", "config.change"] }] },
    { id: "10.2.2", summary: "Each record holds user, event type, time, outcome, origin and affected resource", method: "Check every entry of the period for the six record fields; an empty one is an exception", population: [], attestation: true, exceptions: ["missing-field"] },
    { id: "10.3.2", summary: "Audit logs are protected from modification", method: "Re-perform the integrity attestation: hash chain, Merkle range proof and signed checkpoint", population: [], attestation: true },
    { id: "10.3.4", attributes: ["sweep-verified", "swept-day-before"], frequency: "daily", summary: "Changes to logs are detected and alerted", method: "Inspect integrity sweeps and alerts; a failed sweep or a day without one is an exception", population: [{ log: "audit", kinds: ["sweep", "integrity.alert"] }], attestation: true, exceptions: ["failed-sweep", "sweep-gap"] },
    { id: "10.4.1", frequency: "daily", summary: "Audit logs are reviewed at least daily", method: "Inspect review sign-off records", population: [{ log: "subject", actions: ["review.signoff"] }, { log: "audit", actions: ["review.signoff"] }], operation: { clauses: [{ log: "subject", actions: ["review.signoff"] }, { log: "audit", actions: ["review.signoff"] }], needs: "log reviews signed off (action review.signoff) in the period" } },
    { id: "10.7.2", summary: "Failures of critical security controls are detected, alerted and recorded", method: "Inspect failed sweeps, integrity alerts and error events; a failed sweep, a day the sweep did not run (the control itself failing), or a gap in a captured pane's chunk sequence (output the logging never received) is an exception", population: [{ log: "audit", kinds: ["sweep"], outcome: "failure" }, { log: "audit", kinds: ["integrity.alert"] }, { log: "subject", kinds: ["error"] }], exceptions: ["failed-sweep", "sweep-gap", "sequence-gap"] },
  ],
  async render(view, files) {
    await files.writeText("pci-dss/policy.json", policyFile(view.model));
  },
};
