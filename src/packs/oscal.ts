/**
 * The pack as OSCAL 1.0.6 (NIST, public domain), three documents under oscal/ that a GRC tool
 * can follow from one to the next:
 * - catalog.json: the framework's requirements as an OSCAL catalog, with our own one-line
 *   summaries (never the standard's text) as statements and the test procedure as the
 *   objective, so every control id and objective id the other two name resolves;
 * - assessment-plan.json: what is assessed (each log as a component and assessment subject,
 *   the sealtrail build as the assessment platform), the controls reviewed, the period;
 * - assessment-results.json: imports the plan; one result for the period with the same
 *   subjects, an observation per control (method TEST only where a test procedure ran: an
 *   exception rule or the integrity attestation re-performed; EXAMINE where a population was
 *   inspected; no test where none ran), its origin (the sealtrail tool), subjects and relevant
 *   evidence (hrefs relative to oscal/, each with its back-matter resource carrying the file's
 *   SHA-256 where the model holds it), a finding per control from its test, and a risk per
 *   exception (root cause and management response as management states them).
 * UUIDs are derived from the pack id, so the documents are byte-identical on rebuild. Pure.
 */
import { canonicalize, sha256, toHex } from "../core/encoding/index.js";
import { packUuid } from "../core/pack/index.js";
import type { ControlOutcome, PackModel } from "./pack-model.js";

export const OSCAL_FILE = "oscal/assessment-results.json";
export const OSCAL_PLAN_FILE = "oscal/assessment-plan.json";
export const OSCAL_CATALOG_FILE = "oscal/catalog.json";
export const OSCAL_VERSION = "1.0.6";
const NS = "https://sealtrail.dev/ns/oscal";

/**
 * An OSCAL token (an XML NCName) for a requirement id: `<exporter>-` and the id lower-cased,
 * runs of characters other than letters, digits, `.` and `_` turned into `-`
 * (164.312(c)(2) → hipaa-164.312-c-2).
 */
export function oscalControlId(exporterId: string, controlId: string): string {
  const id = controlId.toLowerCase().replace(/[^a-z0-9._]+/g, "-").replace(/^-+|-+$/g, "");
  return `${exporterId.replace(/[^A-Za-z0-9._-]/g, "-")}-${id}`.replace(/^[^A-Za-z_]/, "_");
}

/** The catalog's objective of a control: its test procedure, which findings target. */
export const oscalObjectiveId = (exporterId: string, controlId: string): string => `${oscalControlId(exporterId, controlId)}_obj`;

const render = (doc: unknown): string => `${JSON.stringify(JSON.parse(canonicalize(doc)), null, 2)}\n`;
const prop = (name: string, value: string) => ({ name, ns: NS, value });
const subjectsOf = (m: PackModel) => m.logs.filter((l) => l.role === "subject");

function metadata(m: PackModel, title: string, extra: Record<string, unknown> = {}) {
  const org = packUuid(m.packId, "party:organisation");
  const requester = packUuid(m.packId, "party:requester");
  return {
    title,
    "last-modified": m.request.requestedAt,
    version: m.packId,
    "oscal-version": OSCAL_VERSION,
    props: [prop("pack-id", m.packId), prop("framework-version", m.exporter.version)],
    roles: [{ id: "prepared-for", title: "Organisation whose system is assessed" }, { id: "requester", title: "Who requested the evidence pack" }],
    parties: [{ uuid: org, type: "organization", name: m.request.organisation }, { uuid: requester, type: "person", name: m.request.requestedBy }],
    "responsible-parties": [{ "role-id": "prepared-for", "party-uuids": [org] }, { "role-id": "requester", "party-uuids": [requester] }],
    ...extra,
  };
}

/** Each log of the pack as a component (the assessment subjects), and the sealtrail build as the tool. */
function components(m: PackModel) {
  return m.logs.map((l) => ({
    uuid: packUuid(m.packId, `component:${l.name}`),
    type: l.role === "subject" ? "service" : "software",
    title: l.role === "subject" ? `Log ${l.name}` : `Audit log ${l.name}`,
    description: `${l.role === "subject" ? "The ledger log" : "The tenant's audit log"} ${l.name} (origin ${l.origin}), entries ${l.firstSeq} to ${l.endSeq - 1} of the period under a checkpoint of size ${l.checkpoint.size}.`,
    status: { state: "operational" },
  }));
}

function assessmentAssets(m: PackModel) {
  const tool = packUuid(m.packId, "component:generator");
  return {
    components: [{ uuid: tool, type: "software", title: `${m.generator.name} ${m.generator.version}`, description: `The evidence pack builder: it read the entries of the period under signed checkpoints, re-hashed them, and ran each control's test (exporter ${m.exporter.id}).`, status: { state: "operational" } }],
    "assessment-platforms": [{ uuid: packUuid(m.packId, "platform"), title: `${m.generator.name} evidence pack build`, "uses-components": [{ "component-uuid": tool }] }],
  };
}

const reviewedControls = (m: PackModel) => ({
  "control-selections": [{ "include-controls": m.controls.map((c) => ({ "control-id": oscalControlId(m.exporter.id, c.spec.id) })) }],
  "control-objective-selections": [{ "include-objectives": m.controls.map((c) => ({ "objective-id": oscalObjectiveId(m.exporter.id, c.spec.id) })) }],
});

const assessmentSubjects = (m: PackModel) => [{
  type: "component",
  description: `The ledger logs of the period ${m.request.from} to ${m.request.to} (UTC, ledger clock) and the tenant's audit log. System boundary: ${m.request.scope}.`,
  "include-subjects": m.logs.map((l) => ({ "subject-uuid": packUuid(m.packId, `component:${l.name}`), type: "component" })),
}];

/** Our summaries of the framework's requirements as an OSCAL catalog. */
export function oscalCatalog(m: PackModel): string {
  return render({
    catalog: {
      uuid: packUuid(m.packId, "catalog"),
      metadata: {
        ...metadata(m, `${m.exporter.framework} ${m.exporter.version}: requirement ids with sealtrail's summaries`),
        remarks: "Requirement ids are the framework's own; every statement here is sealtrail's one-line summary, not the standard's text. Controls marked mapping=ours are sealtrail's judgement. Each control's objective is the test procedure the pack ran.",
      },
      controls: m.controls.map((c) => {
        const id = oscalControlId(m.exporter.id, c.spec.id);
        return {
          id,
          class: "sealtrail-summary",
          title: c.spec.id,
          props: [{ name: "label", value: c.spec.id }, prop("mapping", c.spec.ours ? "ours" : "framework")],
          parts: [
            { id: `${id}_smt`, name: "statement", prose: `${c.spec.summary}${c.spec.ours ? " (mapping is sealtrail's own)" : ""}.` },
            { id: oscalObjectiveId(m.exporter.id, c.spec.id), name: "objective", prose: `${c.spec.method}.` },
          ],
        };
      }),
    },
  });
}

/** The plan the results import: subjects, controls, the platform that tested them, the period. */
export function oscalPlan(m: PackModel): string {
  return render({
    "assessment-plan": {
      uuid: packUuid(m.packId, "assessment-plan"),
      metadata: metadata(m, `Assessment plan: ${m.exporter.framework} evidence for ${subjectsOf(m).map((l) => l.name).join(", ")}, ${m.request.from} to ${m.request.to}`, { links: [{ href: "catalog.json", rel: "reference", text: "the controls assessed" }] }),
      "import-ssp": { href: "catalog.json", remarks: "The pack holds no system security plan: the controls assessed are those of catalog.json, and the system boundary is stated in the assessment subjects." },
      "local-definitions": { components: components(m) },
      "reviewed-controls": reviewedControls(m),
      "assessment-subjects": assessmentSubjects(m),
      "assessment-assets": assessmentAssets(m),
      tasks: [{
        uuid: packUuid(m.packId, "task:period"),
        type: "action",
        title: "Test the controls over the period",
        description: `Each control's test procedure (catalog.json, its objective) run over the entries recorded from ${m.request.from} to ${m.request.to}; samples of ${m.request.sampleSize} drawn with seed ${m.seed}.`,
        timing: { "within-date-range": { start: m.request.from, end: m.request.to } },
      }],
    },
  });
}

/** A pack file as a back-matter resource, its link relative to oscal/, its SHA-256 when the model holds it. */
interface Evidence { path: string; sha256?: string; what: string }

function evidenceFiles(m: PackModel): Map<string, Evidence> {
  const files = new Map<string, Evidence>();
  const add = (e: Evidence) => files.set(e.path, { ...files.get(e.path), ...e });
  for (const l of m.logs) {
    add({ path: l.eventsFile, sha256: l.eventsSha256, what: `the entries of ${l.name} in the period` });
    add({ path: l.checkpointFile, sha256: toHex(sha256(l.checkpoint.note)), what: `the signed checkpoint of ${l.name}` });
    add({ path: l.rangeFile, what: `the range proof of ${l.name}'s period` });
    add({ path: l.inclusionDir, what: `inclusion proofs of the sampled entries of ${l.name}` });
    if (l.previous) add({ path: l.previous.proofFile, what: `the consistency proof from pack ${l.previous.packId}` });
  }
  for (const c of m.controls) {
    if (c.population) add({ path: c.population.file, sha256: c.population.sha256, what: `the population of ${c.spec.id}` });
    for (const a of c.attestations ?? []) {
      add({ path: a.packFile, sha256: a.file.sha256, what: `the file ${a.by} attested for ${c.spec.id} (${a.logName} seq ${a.seq}), for the auditor to inspect` });
      add({ path: a.proofFile, what: `the inclusion proof of the attestation entry ${a.logName} seq ${a.seq}, which records the file's SHA-256` });
    }
    for (const path of c.evidence) if (!files.has(path)) add({ path, what: "evidence" });
  }
  return files;
}

const resourceUuid = (m: PackModel, path: string) => packUuid(m.packId, `resource:${path}`);

/** TEST where a procedure was re-performed (an exception rule, attributes tested on the sample, the integrity attestation), EXAMINE where a population was inspected. */
function methodOf(c: ControlOutcome): "TEST" | "EXAMINE" {
  return c.result !== "not tested" && c.result !== "attested" && (c.spec.attestation || (c.spec.exceptions?.length ?? 0) > 0 || (c.spec.attributes?.length ?? 0) > 0) ? "TEST" : "EXAMINE";
}

export function oscalDocument(m: PackModel): string {
  const subjects = subjectsOf(m);
  const files = evidenceFiles(m);
  const tool = packUuid(m.packId, "component:generator");
  const logUuid = (name: string) => packUuid(m.packId, `component:${name}`);
  const exceptionsById = new Map(m.exceptions.map((x) => [x.id, x]));
  const obs = m.controls.map((c) => {
    const p = c.population;
    const logs = [...new Set([...(c.spec.attestation ? subjects.map((l) => l.name) : []), ...(c.spec.population.some((x) => x.log === "subject") ? subjects.map((l) => l.name) : []), ...(c.spec.population.some((x) => x.log === "audit") ? m.logs.filter((l) => l.role === "audit").map((l) => l.name) : [])])];
    return {
      uuid: packUuid(m.packId, `observation:${c.spec.id}`),
      title: `${c.spec.id} evidence`,
      description: `${c.spec.summary}${c.spec.ours ? " (mapping is sealtrail's own)" : ""}. ${c.spec.method}. ${c.result === "not tested" ? `Not tested: ${c.reason}.` : `Result: ${c.result}; ${c.reason}.`}`,
      props: [
        prop("result", c.result),
        prop("population-count", String(p?.count ?? 0)),
        ...(p ? [prop("population-sha256", p.sha256), prop("sample-size", String(p.sample.length))] : []),
        ...(c.operation ? [prop("operation-count", String(c.operation.count))] : []),
      ],
      methods: [methodOf(c)],
      types: ["control-objective"],
      origins: [{ actors: [{ type: "tool", "actor-uuid": tool }] }],
      ...(logs.length > 0 ? { subjects: logs.map((name) => ({ "subject-uuid": logUuid(name), type: "component" })) } : {}),
      ...(c.evidence.length > 0 ? {
        "relevant-evidence": c.evidence.map((path) => ({
          href: `../${path}`,
          description: `${files.get(path)?.what ?? "evidence"}: ${path}`,
          links: [{ href: `#${resourceUuid(m, path)}`, rel: "reference" }],
        })),
      } : {}),
      collected: m.request.requestedAt,
    };
  });
  const risks = m.exceptions.map((x) => ({
    uuid: packUuid(m.packId, `risk:${x.id}`),
    title: `${x.id}: ${x.kind}`,
    description: `${x.description}${x.seqs.length > 0 ? ` (${x.logName} seq ${x.seqs.slice(0, 20).join(", ")}${x.seqs.length > 20 ? ", …" : ""})` : ""}.`,
    statement: `Root cause: ${x.rootCause}. Management response: ${x.managementResponse}.`,
    props: [prop("exception-kind", x.kind), ...(x.day ? [prop("day", x.day)] : [])],
    status: "open",
    remediations: [{ uuid: packUuid(m.packId, `remediation:${x.id}`), lifecycle: "recommendation", title: `Remediate ${x.id}`, description: x.remediation }],
    ...(x.controls.length > 0 ? { "related-observations": x.controls.map((id) => ({ "observation-uuid": packUuid(m.packId, `observation:${id}`) })) } : {}),
  }));
  const findings = m.controls.map((c, i) => ({
    uuid: packUuid(m.packId, `finding:${c.spec.id}`),
    title: `${c.spec.id}: ${c.result}`,
    description: c.result === "satisfied" ? `The test of ${c.spec.id} over the period found no exception: ${c.reason}.`
      : c.result === "exceptions" ? `The test of ${c.spec.id} found exceptions: ${c.reason}${c.exceptionIds.length > 0 ? ` (${c.exceptionIds.join(", ")})` : ""}.`
      : c.result === "attested" ? `Tested by inspection of attested evidence, which the auditor concludes on: ${c.reason}.`
      : `Not tested: ${c.reason}.`,
    origins: [{ actors: [{ type: "tool", "actor-uuid": tool }] }],
    target: {
      type: "objective-id",
      "target-id": oscalObjectiveId(m.exporter.id, c.spec.id),
      status: c.result === "satisfied" ? { state: "satisfied", reason: "pass" }
        : c.result === "exceptions" ? { state: "not-satisfied", reason: "fail" }
        : c.result === "attested" ? { state: "not-satisfied", reason: "other", remarks: "Attested evidence is carried for the auditor to inspect; the ledger holds none the test could re-perform, so it is not called satisfied until the auditor concludes." }
        : { state: "not-satisfied", reason: "other", remarks: "Not tested: the period holds no evidence the test needs." },
    },
    "related-observations": [{ "observation-uuid": obs[i]!.uuid }],
    ...(c.exceptionIds.length > 0 ? { "related-risks": c.exceptionIds.filter((id) => exceptionsById.has(id)).map((id) => ({ "risk-uuid": packUuid(m.packId, `risk:${id}`) })) } : {}),
  }));
  const resources = [...files.values()].sort((a, b) => (a.path < b.path ? -1 : 1)).map((f) => ({
    uuid: resourceUuid(m, f.path),
    title: f.path,
    description: `${f.what}${f.sha256 ? "" : "; its SHA-256 is in ../SHA256SUMS"}.`,
    rlinks: [{ href: `../${f.path}`, ...(f.sha256 ? { hashes: [{ algorithm: "SHA-256", value: f.sha256 }] } : {}) }],
  }));
  const doc = {
    "assessment-results": {
      uuid: packUuid(m.packId, "assessment-results"),
      metadata: metadata(m, `${m.exporter.framework} evidence for ${subjects.map((l) => l.name).join(", ")}, ${m.request.from} to ${m.request.to}`, { links: [{ href: "catalog.json", rel: "reference", text: "the controls assessed" }] }),
      "import-ap": { href: "assessment-plan.json" },
      results: [{
        uuid: packUuid(m.packId, "result"),
        title: `${m.exporter.framework} ${m.exporter.version}`,
        description: `Evidence pack ${m.packId} of ${subjects.length === 1 ? "log" : "logs"} ${subjects.map((l) => `${l.name} (${l.origin}), entries ${l.firstSeq} to ${l.endSeq - 1}, checkpoint size ${l.checkpoint.size}`).join("; ")}.`,
        start: m.request.from,
        end: m.request.to,
        "local-definitions": { components: components(m), "assessment-assets": assessmentAssets(m) },
        "reviewed-controls": reviewedControls(m),
        observations: obs,
        ...(risks.length > 0 ? { risks } : {}),
        findings,
      }],
      "back-matter": { resources },
    },
  };
  return render(doc);
}

/** The three OSCAL documents by their path in the pack, results first. */
export function oscalDocuments(m: PackModel): [string, string][] {
  return [[OSCAL_FILE, oscalDocument(m)], [OSCAL_PLAN_FILE, oscalPlan(m)], [OSCAL_CATALOG_FILE, oscalCatalog(m)]];
}
