/**
 * SOC 2: 2017 Trust Services Criteria (points of focus revised 2022), the common criteria an
 * audit log evidences. Summaries are ours; the criteria text is AICPA's and is not shipped.
 */
import type { Exporter } from "../exporter.js";
import { policyFile } from "./policy.js";

const LOGIN = ["login", "logout"];
/** Administrator activity: sessions with their capture start and stop, the commands run and the output captured (PCI DSS 10.2.1.2's counterpart). */
const ADMIN = ["tmux.session", "tmux.command", "tmux.output"];
const REVIEW = { clauses: [{ log: "subject", actions: ["review.signoff"] }, { log: "audit", actions: ["review.signoff"] }], needs: "a periodic access review signed off (action review.signoff) in the period" } as const;

export const soc2: Exporter = {
  id: "soc2",
  framework: "SOC 2",
  version: "2017 Trust Services Criteria (points of focus rev. 2022)",
  controls: [
    { id: "CC6.1", attributes: ["session-ticket", "active-account"], summary: "Logical access to assets is protected", method: "Inspect the population of privileged terminal sessions (commands run and output captured included) and log-ins; re-perform the sample against the ledger proofs", population: [{ log: "subject", kinds: ADMIN }, { log: "subject", kinds: ["access"], actions: LOGIN }] },
    { id: "CC6.2", attributes: ["active-account"], summary: "Users are registered and removed with authorisation", method: "Inspect every account creation and removal in the period", population: [{ log: "subject", kinds: ["access"], actions: ["account.create", "account.remove"] }], exceptions: ["removed-account"] },
    { id: "CC6.3", attributes: ["active-account"], summary: "Least privilege, with periodic access review", method: "Inspect privilege and credential changes; the periodic access review must be signed off in the period", population: [{ log: "subject", kinds: ["access"], actions: ["privilege.grant", "privilege.revoke", "credential.change"] }, { log: "subject", actions: ["review.signoff"] }], operation: REVIEW },
    { id: "CC6.6", attributes: ["active-account"], summary: "Boundary protection for access from outside", method: "Inspect access events tagged external", population: [{ log: "subject", kinds: ["access"], tags: ["external"] }], ours: true },
    { id: "CC6.8", attributes: ["approved-by-another"], summary: "Unauthorised software is prevented or detected", method: "Inspect every configuration change; one without an approval tag is an exception", population: [{ log: "subject", kinds: ["config.change"] }], exceptions: ["unapproved-change"] },
    { id: "CC7.1", attributes: ["approved-by-another", "sweep-verified", "swept-day-before"], summary: "Changes that introduce vulnerabilities are detected", method: "Inspect configuration changes and the integrity sweeps of the log; any failed sweep or day without one is an exception", population: [{ log: "subject", kinds: ["config.change"] }, { log: "audit", kinds: ["sweep"] }], attestation: true, exceptions: ["failed-sweep", "sweep-gap"] },
    { id: "CC7.2", attributes: ["active-account"], summary: "Anomalies are monitored and security events analysed", method: "Inspect failed log-ins and integrity alerts; more failed log-ins than the threshold in any 24 hours by one actor, or from one source address for several accounts, is an exception, as is activity by a removed account", population: [{ log: "subject", kinds: ["access"], outcome: "failure" }, { log: "audit", kinds: ["integrity.alert"] }], exceptions: ["failed-logins", "failed-logins-source", "removed-account", "sequence-gap"] },
    { id: "CC7.3", summary: "Security events are evaluated as possible incidents", method: "Inspect error events and failed sweeps; each period needs incident records evaluating them", population: [{ log: "subject", kinds: ["error"] }, { log: "audit", kinds: ["sweep"], outcome: "failure" }], exceptions: ["failed-sweep"], operation: { clauses: [{ log: "subject", kinds: ["incident"] }], needs: "an incident record (kind incident) evaluating the period's security events" } },
    { id: "CC7.4", summary: "Incidents are responded to", method: "Inspect error events and the responses recorded to them", population: [{ log: "subject", kinds: ["error"] }, { log: "subject", kinds: ["incident"] }], operation: { clauses: [{ log: "subject", kinds: ["incident"], actions: ["incident.respond", "incident.resolve", "incident.close"] }], needs: "an incident response recorded (kind incident, action incident.respond, incident.resolve or incident.close)" }, ours: true },
    { id: "CC8.1", attributes: ["approved-by-another"], summary: "Changes are authorised, tested, approved and deployed", method: "Inspect the complete population of deployments and configuration changes; a finished deployment or a configuration change without an approval tag is an exception", population: [{ log: "subject", kinds: ["deploy", "config.change"] }], exceptions: ["unapproved-deploy", "unapproved-change"] },
  ],
  async render(view, files) {
    await files.writeText("soc2/policy.json", policyFile(view.model));
  },
};
