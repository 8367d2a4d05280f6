/**
 * ISO/IEC 27001:2022 Annex A, the controls an audit log evidences (logging, monitoring, change
 * and configuration management, access rights, authentication, protection of records, the
 * collection of evidence, incident assessment and response). Control numbers are ISO's; the
 * summaries are ours (the standard's text is copyrighted and not shipped). Annex A names no
 * log format or review frequency: the pack states the ones in force (`iso27001/policy.json`).
 */
import type { Exporter } from "../exporter.js";
import { policyFile } from "./policy.js";

/** Administrator activity: sessions with their capture start and stop, the commands run and the output captured. */
const ADMIN = ["tmux.session", "tmux.command", "tmux.output"];
const REVIEW = { clauses: [{ log: "subject", actions: ["review.signoff"] }, { log: "audit", actions: ["review.signoff"] }], needs: "a review of access rights signed off (action review.signoff) in the period" } as const;

export const iso27001: Exporter = {
  id: "iso27001",
  framework: "ISO/IEC 27001",
  version: "2022 Annex A",
  controls: [
    { id: "A.5.18", attributes: ["active-account"], summary: "Access rights are provisioned, reviewed, changed and removed as the access policy says", method: "Inspect every account creation and removal and every privilege change; the access rights must be reviewed (signed off) in the period; activity by a removed account is an exception", population: [{ log: "subject", kinds: ["access"], actions: ["account.create", "account.remove", "privilege.grant", "privilege.revoke", "credential.change"] }], operation: REVIEW, exceptions: ["removed-account"] },
    { id: "A.5.25", summary: "Security events are assessed and decided on as incidents or not", method: "Inspect error events and failed sweeps; the period needs incident records assessing them", population: [{ log: "subject", kinds: ["error"] }, { log: "audit", kinds: ["sweep"], outcome: "failure" }], exceptions: ["failed-sweep"], operation: { clauses: [{ log: "subject", kinds: ["incident"] }], needs: "an incident record (kind incident) assessing the period's security events" } },
    { id: "A.5.26", summary: "Incidents are responded to as the documented procedures say", method: "Inspect incident records and the responses recorded to them", population: [{ log: "subject", kinds: ["incident"] }], operation: { clauses: [{ log: "subject", kinds: ["incident"], actions: ["incident.respond", "incident.resolve", "incident.close"] }], needs: "an incident response recorded (kind incident, action incident.respond, incident.resolve or incident.close)" } },
    { id: "A.5.28", summary: "Evidence about security events is identified, collected and preserved", method: "Re-perform the integrity attestation of the packed entries, and inspect the ledger's records of its own reads and evidence packs", population: [{ log: "audit", kinds: ["pack.build", "ledger.read"] }], attestation: true },
    { id: "A.5.33", attributes: ["sweep-verified", "swept-day-before"], summary: "Records are protected from loss, destruction, falsification and unauthorised access", method: "Re-perform the integrity attestation and inspect the integrity sweeps; a failed sweep or a day without one is an exception", population: [{ log: "audit", kinds: ["sweep", "integrity.alert"] }], attestation: true, exceptions: ["failed-sweep", "sweep-gap"] },
    { id: "A.8.2", attributes: ["session-ticket"], summary: "Privileged access rights are restricted and managed", method: "Inspect privilege grants and revocations and the privileged terminal sessions (commands run and output captured included)", population: [{ log: "subject", kinds: ["access"], actions: ["privilege.grant", "privilege.revoke"] }, { log: "subject", kinds: ADMIN }] },
    { id: "A.8.5", attributes: ["active-account"], summary: "Authentication is secure; log-in attempts are monitored", method: "Inspect every log-in; more failed log-ins than the threshold in any 24 hours by one actor, or from one source address for several accounts, is an exception", population: [{ log: "subject", kinds: ["access"], actions: ["login"] }], exceptions: ["failed-logins", "failed-logins-source"] },
    { id: "A.8.9", attributes: ["approved-by-another"], summary: "Configurations are established, documented, monitored and reviewed", method: "Inspect every configuration change; one without an approval tag is an exception", population: [{ log: "subject", kinds: ["config.change"] }], exceptions: ["unapproved-change"] },
    { id: "A.8.15", attributes: ["record-complete"], summary: "Logs of activities, exceptions, faults and other events are produced, kept, protected and analysed", method: "Re-perform the integrity attestation (hash chain, range proof, signed checkpoint); check every entry of the period for the six record fields, an empty one is an exception; inspect sessions, log-ins, account, deployment and configuration events", population: [{ log: "subject", kinds: [...ADMIN, "access", "deploy", "config.change"] }], attestation: true, exceptions: ["missing-field", "sequence-gap"] },
    { id: "A.8.16", attributes: ["active-account"], summary: "Networks, systems and applications are monitored for anomalous behaviour", method: "Inspect the log-ins and access attempts monitored and the integrity alerts; more failed log-ins than the threshold in any 24 hours by one actor or one source address, and activity by a removed account, are exceptions", population: [{ log: "subject", kinds: ["access"], actions: ["login"] }, { log: "subject", kinds: ["access"], outcome: "failure" }, { log: "audit", kinds: ["integrity.alert"] }], exceptions: ["failed-logins", "failed-logins-source", "removed-account"] },
    { id: "A.8.32", attributes: ["approved-by-another"], summary: "Changes to systems are subject to change management", method: "Inspect the complete population of deployments and configuration changes; a finished deployment or a configuration change without an approval tag is an exception", population: [{ log: "subject", kinds: ["deploy", "config.change"] }], exceptions: ["unapproved-deploy", "unapproved-change"] },
  ],
  async render(view, files) {
    await files.writeText("iso27001/policy.json", policyFile(view.model));
  },
};
