/**
 * HIPAA Security Rule (45 CFR Part 164, Subpart C), the standards an audit log evidences.
 * The rule sets no log format or review frequency: the pack states the ones in force
 * (`hipaa/policy.json`).
 */
import type { Exporter } from "../exporter.js";
import { policyFile } from "./policy.js";

export const hipaa: Exporter = {
  id: "hipaa",
  framework: "HIPAA Security Rule",
  version: "45 CFR 164 Subpart C (2013 omnibus)",
  controls: [
    { id: "164.312(b)", attributes: ["session-ticket", "record-complete"], summary: "Activity in systems holding ePHI is recorded and examined (required)", method: "Inspect the sessions, log-ins, account, deployment and configuration events of the period", population: [{ log: "subject", kinds: ["tmux.session", "tmux.command", "access", "deploy", "config.change"] }, { log: "subject", tags: ["ephi"] }], exceptions: ["sequence-gap"] },
    { id: "164.312(c)(1)", summary: "ePHI is protected from improper alteration (standard)", method: "Re-perform the integrity attestation: the signed checkpoint covers every entry of the period", population: [], attestation: true },
    { id: "164.312(c)(2)", attributes: ["sweep-verified", "swept-day-before"], frequency: "daily", summary: "Electronic means confirm records were not altered (addressable)", method: "Inspect the integrity sweeps of the period; a failed sweep or a day without one is an exception", population: [{ log: "audit", kinds: ["sweep"] }], attestation: true, exceptions: ["failed-sweep", "sweep-gap"] },
    { id: "164.308(a)(1)(ii)(D)", summary: "Activity records are reviewed regularly (required)", method: "Inspect review sign-offs and the errors they cover; activity that was recorded but never reviewed is not a review", population: [{ log: "subject", actions: ["review.signoff"] }, { log: "audit", actions: ["review.signoff"] }, { log: "subject", kinds: ["error"] }], operation: { clauses: [{ log: "subject", actions: ["review.signoff"] }, { log: "audit", actions: ["review.signoff"] }], needs: "a review of the activity records signed off (action review.signoff) in the period" } },
    { id: "164.308(a)(5)(ii)(C)", attributes: ["active-account"], summary: "Log-in attempts are monitored and discrepancies reported (addressable)", method: "Inspect every log-in; more failed log-ins than the threshold in any 24 hours by one actor, or from one source address for several accounts, is an exception, as is activity by a removed account", population: [{ log: "subject", kinds: ["access"], actions: ["login"] }], exceptions: ["failed-logins", "failed-logins-source", "removed-account"] },
    { id: "164.316(b)(2)", summary: "Required documentation is kept six years", method: "Inspect the evidence packs built from this ledger (kept with the ledger's retention)", population: [{ log: "audit", kinds: ["pack.build"] }], ours: true },
  ],
  async render(view, files) {
    await files.writeText("hipaa/policy.json", policyFile(view.model));
  },
};
