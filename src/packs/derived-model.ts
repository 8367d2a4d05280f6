/**
 * The pack's model rebuilt by verify-pack from what it has just checked: the request and the
 * sections as pack.json states them (each section's bounds are proved against its signed
 * checkpoint), and the populations, samples, exceptions, sweeps and counts re-derived from the
 * checked entries. Every document the builder renders from the model (pack.json,
 * controls.json, the OSCAL results, VERIFY.md, the exporter's own files) is rendered again
 * from it and compared byte for byte: whoever holds the pack key can re-sign an edited
 * document, but cannot make it follow from entries signed by the log's key. Pure but for
 * reading the pack's files.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ERASURES_FILE, type ErasureSummary } from "./erasures.js";
import { controlsJson, erasuresJson, packJson, RECONCILIATION_FILE, reconciliationJson, WITHHELD_FILE, withheldJson } from "./documents.js";
import type { WithheldPayload } from "./secrets.js";
import type { ExceptionFinder } from "./exceptions.js";
import type { Exporter } from "./exporter.js";
import type { EntryTally, OperationTally } from "./model-parts.js";
import { parametersOf, populationFile, populationSampling } from "./model-parts.js";
import { oscalDocuments } from "./oscal.js";
import type { CheckList } from "./pack-checks.js";
import type { Attestation, LogState, PackModel, Population, SampleEntry } from "./pack-model.js";
import { populationQuery } from "./population.js";
import { controlOutcomes } from "./results.js";
import { SUMS_TIMESTAMP_FILE } from "../core/pack/index.js";
import { verifyGuide, VERIFY_GUIDE_FILE } from "./verifier-files.js";
import { REPORT_FILE, type ReportSeal } from "./pack-hash.js";

/** A population as re-derived: its count, the SHA-256 of its file and its sample. */
export interface DerivedPopulation {
  controlId: string;
  count: number;
  sha256: string;
  sample: SampleEntry[];
}

export interface Rederived {
  exporter: Exporter;
  populations: DerivedPopulation[];
  finder: ExceptionFinder;
  tally: EntryTally;
  operations: OperationTally;
  /** The attestations of the audit section (attestation.ts), as the builder finds them. */
  attestations: Attestation[];
  /** The payloads withheld, as withheld.json lists them once checked against the events (derived-check.ts); absent for older packs. */
  withheld?: WithheldPayload[];
  /** The values erased and their records, as the checked entries and records files give them; absent when no entry is of format 2. */
  erasures?: ErasureSummary;
}

/** pack.json as the builder wrote it (packJson in documents.ts). */
export type RawPack = Pick<PackModel, "packId" | "generator" | "request" | "seed" | "sampling"> & { ledger: LogState[]; verify?: unknown[]; reconciliation?: unknown; custody?: { signingKey?: { fingerprint?: string } } };

/** The model as the builder made it, from pack.json's request and sections and what the entries give. */
export function rebuildModel(raw: RawPack, r: Rederived): PackModel {
  const logs = raw.ledger;
  const populations = new Map<string, Population>();
  for (const spec of r.exporter.controls) {
    const d = r.populations.find((p) => p.controlId === spec.id);
    if (!d) continue;
    populations.set(spec.id, { controlId: spec.id, file: populationFile(spec.id), query: populationQuery(spec.population), parameters: parametersOf(logs), clauses: spec.population, count: d.count, sha256: d.sha256, sampling: populationSampling(spec, d.count, raw.request.sampleSize), sample: d.sample });
  }
  const exceptions = r.finder.finish();
  const attestationFiles = logs.filter((l) => l.role === "subject").flatMap((l) => [l.checkpointFile, l.rangeFile, ...(l.previous ? [l.previous.proofFile] : [])]);
  const subjects = logs.filter((l) => l.role === "subject");
  const audit = logs.find((l) => l.role === "audit");
  const stamped = Array.isArray(raw.verify) && raw.verify.some((c) => typeof c === "string" && c.includes(SUMS_TIMESTAMP_FILE));
  return {
    packId: raw.packId,
    generator: raw.generator,
    exporter: { id: r.exporter.id, framework: r.exporter.framework, version: r.exporter.version },
    request: raw.request,
    seed: raw.seed,
    sampling: raw.sampling,
    logs,
    controls: controlOutcomes(r.exporter.controls, populations, exceptions, attestationFiles, r.operations.counts, r.attestations),
    exceptions,
    attestations: r.attestations,
    sweeps: r.finder.sweeps,
    perDay: r.tally.days(new Date(raw.request.from), new Date(raw.request.to)),
    lateArrivals: r.tally.late,
    // Packs built before the reconciliation file have none in pack.json, and none is re-derived.
    ...(raw.reconciliation !== undefined ? { reconciliation: r.finder.sequences.finish() } : {}),
    ...(r.withheld ? { withheld: r.withheld } : {}),
    ...(r.erasures ? { erasures: r.erasures } : {}),
    ...(stamped ? { sumsTimeStamped: true } : {}),
    // As pack.json states it: the custody check compares it with the key that signed SHA256SUMS.
    ...(typeof raw.custody?.signingKey?.fingerprint === "string" ? { signingKey: raw.custody.signingKey.fingerprint } : {}),
    totals: {
      entries: subjects.reduce((n, l) => n + l.endSeq - l.firstSeq, 0),
      perLog: Object.fromEntries(subjects.map((l) => [l.name, l.endSeq - l.firstSeq])),
      auditEntries: audit ? audit.endSeq - audit.firstSeq : 0,
      byKind: r.tally.byKind,
    },
  };
}

/** Each document the model renders, by its path in the pack. */
export async function renderedDocuments(model: PackModel, exporter: Exporter): Promise<Map<string, string>> {
  const files = new Map<string, string>([
    ["pack.json", packJson(model)],
    ["controls.json", controlsJson(model)],
    ...(model.withheld ? [[WITHHELD_FILE, withheldJson(model)] as [string, string]] : []),
    ...(model.erasures ? [[ERASURES_FILE, erasuresJson(model)] as [string, string]] : []),
    ...(model.reconciliation ? [[RECONCILIATION_FILE, reconciliationJson(model)] as [string, string]] : []),
    ...oscalDocuments(model),
    [VERIFY_GUIDE_FILE, verifyGuide(model)],
  ]);
  if (exporter.render) {
    // A built-in exporter's own files follow from the model; it is given no entries to read.
    const view = { model, entries: () => { throw new Error("a built-in exporter's files are rendered from the model alone"); } };
    await exporter.render(view, { writeText: async (path, text) => void files.set(path, text) });
  }
  return files;
}

/**
 * Renders report.pdf from a model (pdf/report.ts). Given by `sealtrail verify-pack`; the pack's
 * own verify.mjs carries no PDF renderer (it imports node: built-ins only), says so, and leaves
 * report.pdf to its SHA-256 in SHA256SUMS.
 */
export type ReportRenderer = (model: PackModel, seal: ReportSeal) => Promise<Uint8Array>;

export { REPORT_FILE };

/** Every document compared with the pack's file of that name; a difference names the file. */
export async function checkDocuments(dir: string, checks: CheckList, present: ReadonlySet<string>, raw: RawPack, r: Rederived, renderReport?: ReportRenderer, seal?: ReportSeal): Promise<void> {
  let files: Map<string, string>;
  let model: PackModel;
  try {
    model = rebuildModel(raw, r);
    files = await renderedDocuments(model, r.exporter);
  } catch (error) {
    checks.fail("derived", `the pack's documents could not be re-derived: ${(error as Error).message}`, "pack.json");
    return;
  }
  let ok = true;
  for (const [path, text] of files) {
    const got = present.has(path) ? await readFile(join(dir, path), "utf8").catch(() => undefined) : undefined;
    if (got === text) continue;
    ok = false;
    checks.fail("derived", got === undefined ? `${path}: missing; the entries give it` : `${path}: not what the checked entries and the request give (${firstDifference(got, text)})`, path);
  }
  if (ok) checks.pass("derived", `${[...files.keys()].join(", ")}: each re-derived from the checked entries and the request, byte for byte (results, exceptions, sweeps, counts and samples included)`);
  await checkReport(dir, checks, present, model, renderReport, seal);
}

/** report.pdf rendered again from the re-derived model and compared byte for byte (the PDF is deterministic: pdf/report.ts). */
async function checkReport(dir: string, checks: CheckList, present: ReadonlySet<string>, model: PackModel, render: ReportRenderer | undefined, seal: ReportSeal | undefined): Promise<void> {
  if (!render || !seal) {
    checks.pass("derived", `${REPORT_FILE}: not re-derived by this verifier, which carries no PDF renderer; its SHA-256 is sealed in SHA256SUMS, and sealtrail verify-pack re-derives it byte for byte`, REPORT_FILE);
    return;
  }
  let want: Uint8Array;
  try {
    // The cover and custody page print the pack hash and key fingerprint computed from SHA256SUMS and the signing key (custody-check.ts).
    want = await render(model, seal);
  } catch (error) {
    checks.fail("derived", `${REPORT_FILE}: could not be rendered again from the re-derived model: ${(error as Error).message}`, REPORT_FILE);
    return;
  }
  const got = present.has(REPORT_FILE) ? await readFile(join(dir, REPORT_FILE)).catch(() => undefined) : undefined;
  if (got === undefined) checks.fail("derived", `${REPORT_FILE}: missing; the entries give it`, REPORT_FILE);
  else if (!Buffer.from(want).equals(got)) checks.fail("derived", `${REPORT_FILE}: not the report the checked entries and the request give (${got.length} bytes, the re-rendering ${want.length}; first difference at byte ${firstByte(got, want)}; built by ${model.generator.name} ${model.generator.version})`, REPORT_FILE);
  else checks.pass("derived", `${REPORT_FILE}: rendered again from the re-derived model, byte for byte (${got.length} bytes)`, REPORT_FILE);
}

function firstByte(a: Uint8Array, b: Uint8Array): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** Where two texts first differ, as a line number and both lines (shortened). */
function firstDifference(got: string, want: string): string {
  const a = got.split("\n");
  const b = want.split("\n");
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const cut = (s: string | undefined) => (s === undefined ? "end of file" : JSON.stringify(s.trim().slice(0, 120)));
  return `line ${i + 1}: ${cut(a[i])}, want ${cut(b[i])}`;
}
