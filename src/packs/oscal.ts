/**
 * The pack as an OSCAL 1.0.6 assessment-results document (NIST, public domain): one result
 * for the period, the framework's controls as reviewed controls, one observation per control
 * (its population, sample and method) and one finding per control (satisfied or not).
 * UUIDs are derived from the pack id, so the document is byte-identical on rebuild. Pure.
 */
import { canonicalize } from "../core/encoding/index.js";
import { packUuid } from "../core/pack/index.js";
import type { PackModel } from "./pack-model.js";

export const OSCAL_FILE = "oscal/assessment-results.json";
export const OSCAL_VERSION = "1.0.6";

/**
 * An OSCAL token (an XML NCName) for a requirement id: `<exporter>-` and the id lower-cased,
 * runs of characters other than letters, digits, `.` and `_` turned into `-`
 * (164.312(c)(2) → hipaa-164.312-c-2).
 */
export function oscalControlId(exporterId: string, controlId: string): string {
  const id = controlId.toLowerCase().replace(/[^a-z0-9._]+/g, "-").replace(/^-+|-+$/g, "");
  return `${exporterId.replace(/[^A-Za-z0-9._-]/g, "-")}-${id}`.replace(/^[^A-Za-z_]/, "_");
}

export function oscalDocument(m: PackModel): string {
  const subjects = m.logs.filter((l) => l.role === "subject");
  const names = subjects.map((l) => l.name).join(", ");
  const obs = m.controls.map((c) => {
    const p = c.population;
    const evidence = c.evidence.map((href) => ({ href, description: `pack file ${href}` }));
    return {
      uuid: packUuid(m.packId, `observation:${c.spec.id}`),
      title: `${c.spec.id} evidence`,
      description: `${c.spec.summary}${c.spec.ours ? " (mapping is sealtrail's own)" : ""}. ${c.spec.method}.`,
      props: [
        { name: "population-count", ns: "https://sealtrail.dev/ns/oscal", value: String(p?.count ?? 0) },
        ...(p ? [{ name: "population-sha256", ns: "https://sealtrail.dev/ns/oscal", value: p.sha256 }] : []),
        ...(p ? [{ name: "sample-size", ns: "https://sealtrail.dev/ns/oscal", value: String(p.sample.length) }] : []),
      ],
      methods: ["TEST"],
      types: ["control-objective"],
      ...(evidence.length > 0 ? { "relevant-evidence": evidence } : {}),
      collected: m.request.requestedAt,
    };
  });
  const findings = m.controls.map((c, i) => ({
    uuid: packUuid(m.packId, `finding:${c.spec.id}`),
    title: `${c.spec.id}: ${c.result}`,
    description: c.result === "satisfied"
      ? `The evidence of the period supports ${c.spec.id}.`
      : c.result === "exceptions"
        ? `Exceptions: ${c.exceptionIds.join(", ")}.`
        : `Not tested: ${c.reason}.`,
    target: {
      type: "objective-id",
      "target-id": oscalControlId(m.exporter.id, c.spec.id),
      status: { state: c.result === "satisfied" ? "satisfied" : "not-satisfied", reason: c.result === "satisfied" ? "pass" : c.result === "exceptions" ? "fail" : "other" },
    },
    "related-observations": [{ "observation-uuid": obs[i]!.uuid }],
  }));
  const doc = {
    "assessment-results": {
      uuid: packUuid(m.packId, "assessment-results"),
      metadata: {
        title: `${m.exporter.framework} evidence for ${names}, ${m.request.from} to ${m.request.to}`,
        "last-modified": m.request.requestedAt,
        version: m.packId,
        "oscal-version": OSCAL_VERSION,
        props: [
          { name: "pack-id", ns: "https://sealtrail.dev/ns/oscal", value: m.packId },
          { name: "framework-version", ns: "https://sealtrail.dev/ns/oscal", value: m.exporter.version },
        ],
      },
      "import-ap": { href: "../pack.json", remarks: "No separate assessment plan: pack.json states the request, scope and parameters." },
      results: [{
        uuid: packUuid(m.packId, "result"),
        title: `${m.exporter.framework} ${m.exporter.version}`,
        description: `Evidence pack ${m.packId} of ${subjects.length === 1 ? "log" : "logs"} ${subjects.map((l) => `${l.name} (${l.origin}), entries ${l.firstSeq} to ${l.endSeq - 1}, checkpoint size ${l.checkpoint.size}`).join("; ")}.`,
        start: m.request.from,
        end: m.request.to,
        "reviewed-controls": {
          "control-selections": [{
            "include-controls": m.controls.map((c) => ({ "control-id": oscalControlId(m.exporter.id, c.spec.id) })),
          }],
        },
        observations: obs,
        findings,
      }],
    },
  };
  return `${JSON.stringify(JSON.parse(canonicalize(doc)), null, 2)}\n`;
}
