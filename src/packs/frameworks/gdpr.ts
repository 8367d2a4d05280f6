/**
 * GDPR (Regulation (EU) 2016/679), the articles an audit log helps a controller demonstrate:
 * accountability (Art. 5(2)), records of processing (Art. 30), security of processing
 * (Art. 32(1)(b) and (d)) and the documentation of personal data breaches (Art. 33(5)).
 * Article numbers are the Regulation's; the summaries are ours, and so is every mapping of
 * a ledger population to an article (the Regulation names no log), marked as such.
 * Entries about personal data are those tagged `personal` (our data class, like `chd`).
 */
import { ERASURE_KIND } from "../../core/erasure/index.js";
import type { Exporter } from "../exporter.js";
import { policyFile } from "./policy.js";

export const gdpr: Exporter = {
  id: "gdpr",
  framework: "GDPR",
  version: "Regulation (EU) 2016/679",
  controls: [
    { id: "Art. 5(2)", summary: "The controller can demonstrate compliance with the processing principles (accountability)", method: "Re-perform the integrity attestation, and inspect the ledger's records of its own reads and evidence packs", population: [{ log: "audit", kinds: ["pack.build", "ledger.read"] }], attestation: true, ours: true },
    { id: "Art. 30", summary: "Processing activities are recorded", method: "Inspect the entries tagged with the personal-data class (personal) and the erasures recorded in the period", population: [{ log: "subject", tags: ["personal"] }, { log: "subject", kinds: [ERASURE_KIND] }], ours: true },
    { id: "Art. 32(1)(b)", attributes: ["session-ticket", "active-account"], summary: "Processing systems keep their confidentiality and integrity", method: "Inspect log-ins, privilege changes and privileged sessions; more failed log-ins than the threshold in any 24 hours by one actor or one source address, and activity by a removed account, are exceptions", population: [{ log: "subject", kinds: ["access"], actions: ["login", "privilege.grant", "privilege.revoke", "account.remove"] }, { log: "subject", kinds: ["tmux.session", "tmux.command"] }], exceptions: ["failed-logins", "failed-logins-source", "removed-account"], ours: true },
    { id: "Art. 32(1)(d)", attributes: ["sweep-verified", "swept-day-before"], summary: "Security measures are regularly tested and evaluated", method: "Inspect the integrity sweeps of the period; a failed sweep or a day without one is an exception", population: [{ log: "audit", kinds: ["sweep"] }], attestation: true, exceptions: ["failed-sweep", "sweep-gap"], ours: true },
    { id: "Art. 33(5)", summary: "Personal data breaches are documented: facts, effects and remedial action", method: "Inspect incident records and integrity alerts; a breach needs its incident record with the response taken", population: [{ log: "subject", kinds: ["incident"] }, { log: "audit", kinds: ["integrity.alert"] }], operation: { clauses: [{ log: "subject", kinds: ["incident"], actions: ["incident.respond", "incident.resolve", "incident.close"] }], needs: "an incident record with its response (kind incident, action incident.respond, incident.resolve or incident.close)" }, ours: true },
  ],
  async render(view, files) {
    await files.writeText("gdpr/policy.json", policyFile(view.model));
  },
};
