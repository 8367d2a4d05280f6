// An example third-party exporter: NIST SP 800-53 Rev. 5 audit controls, from the event-kind
// mapping in sealtrail's documentation. Load it with
//   SEALTRAIL_PACK_EXPORTERS=examples/exporters/nist-800-53.mjs sealtrail pack --framework nist-800-53 …
// An exporter is a plain object (see src/packs/exporter.ts): id, framework, version, controls
// (requirement id, a one-line summary of your own, the method, the population as clauses over
// the subject logs (every log the pack was asked for) or the tenant's audit log, the exception
// kinds that count against it) and an optional render(view, files) that adds files under "<id>/".

/** @type {import("../../src/packs/exporter.js").Exporter} */
const exporter = {
  id: "nist-800-53",
  framework: "NIST SP 800-53",
  version: "Rev. 5",
  controls: [
    { id: "AU-2", summary: "The events to log are chosen and logged", method: "Inspect sessions and data access", population: [{ log: "subject", kinds: ["tmux.session"] }, { log: "subject", tags: ["chd", "ephi"] }] },
    { id: "AU-6", summary: "Audit records are reviewed and analysed", method: "Inspect review sign-offs", population: [{ log: "subject", actions: ["review.signoff"] }] },
    { id: "AU-9", summary: "Audit information is protected", method: "Re-perform the integrity attestation; inspect sweeps", population: [{ log: "audit", kinds: ["sweep", "ledger.read", "pack.build"] }], attestation: true, exceptions: ["failed-sweep", "sweep-gap"] },
    { id: "AC-7", summary: "Unsuccessful log-on attempts are limited", method: "Inspect failed log-ins", population: [{ log: "subject", kinds: ["access"], actions: ["login"], outcome: "failure" }], exceptions: ["failed-logins"] },
    { id: "CM-3", summary: "Configuration changes are controlled", method: "Inspect deployments and configuration changes", population: [{ log: "subject", kinds: ["deploy", "config.change"] }], exceptions: ["unapproved-deploy"] },
  ],
  /**
   * Adds a count of the period's entries per subject log and kind, read from the pack's own view
   * of the ledger. The view streams every subject log in turn; an entry names its log by origin,
   * and the model's sections map origins to names.
   */
  async render(view, files) {
    const names = new Map(view.model.logs.map((l) => [l.origin, l.name]));
    const counts = new Map();
    for await (const entry of view.entries("subject")) {
      const key = `${names.get(entry.log)},${entry.kind}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const lines = [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, n]) => `${key},${n}\r\n`);
    await files.writeText("nist-800-53/kinds.csv", `log,kind,entries\r\n${lines.join("")}`);
  },
};

export default exporter;
