/**
 * Builds an evidence pack: resolves the period of each subject log (and of their tenant's audit log) to
 * seq ranges under signed checkpoints, streams the entries into the pack while re-hashing
 * them, computes populations, samples and exceptions, writes the proofs, the PDF, JSON and
 * OSCAL renderings and the exporter's own files, then seals the pack with SHA256SUMS and an
 * Ed25519 signature. Files are written to a temporary directory renamed into place at the
 * end, so a pack directory is always complete. Deterministic: the same request on the same
 * ledger state gives the same bytes.
 */
import { createHash, type KeyObject, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { toBase64, toHex } from "../core/encoding/index.js";
import { type PackEntry, parseEntryLine, derivePackId, formatSha256Sums, SHA256SUMS_FILE, SampleSelector } from "../core/pack/index.js";
import { rawPublicKey } from "../core/note/index.js";
import { keyFingerprint, packHashOf, REPORT_FILE } from "./pack-hash.js";
import { consistencyProofFor, inclusionProofFor, type LedgerStore, type Log } from "../ledger/index.js";
import { csvLine, POPULATION_COLUMNS } from "./csv.js";
import { ERASURES_FILE, ErasureTally } from "./erasures.js";
import { controlsJson, erasuresJson, erasuresOf, packJson, RECONCILIATION_FILE, reconciliationJson, WITHHELD_FILE, withheldJson } from "./documents.js";
import type { WithheldPayload } from "./secrets.js";
import { ExceptionFinder } from "./exceptions.js";
import type { Exporter, PackView, PopulationLog } from "./exporter.js";
import { type PopulationSink, type Section, type SectionResult, sectionOf, writeLogSection } from "./log-section.js";
import { oscalDocuments } from "./oscal.js";
import { PackError } from "./pack-error.js";
import { auditLogOf, periodOf, type PeriodLog, previousPack, type PreviousPack, recordBuild } from "./pack-ledger.js";
import type { LogState, PackModel, PackRequest, PackRequestInput, Population, SampleEntry } from "./pack-model.js";
import { PACK_DIR_MODE, PackWriter } from "./pack-writer.js";
import { exporterFiles } from "./exporter-files.js";
import { type TrustFiles, writeTlogProof, writeTrustFiles } from "./trust-files.js";
import { renderReport } from "./pdf/report.js";
import { populationQuery } from "./population.js";
import { controlOutcomes } from "./results.js";
import { type AttestationFinder, attestationFinder, auditPeriod, writeAttestations, writeLateAttestations } from "./attestation-files.js";
import { sealPack } from "./sign-pack.js";
import { writeVerifierFiles } from "./verifier-files.js";
import { sampleCapacity, samplingOf } from "./sampling.js";
import { AttributeTracker } from "./attributes.js";
import { checkRequest } from "./request.js";
import { EntryTally, OperationTally, parametersOf, populationFile, populationSampling, tenantAuditLog } from "./model-parts.js";

export interface PackProgress {
  phase: "entries" | "audit" | "proofs" | "report" | "seal";
  done: number;
  total: number;
}

export interface BuildOptions {
  /** A connection acting as the writer role: it may sign a checkpoint and records the build. */
  store: LedgerStore;
  request: PackRequestInput;
  exporter: Exporter;
  /** The pack directory to create; it must not exist. */
  out: string;
  /** Signs SHA256SUMS. */
  packKey: KeyObject;
  /**
   * Time-stamps SHA256SUMS (SEALTRAIL_TSA_URL): resolves to the RFC 3161 TimeStampResp over
   * the bytes given, written as SHA256SUMS.tsr. Without it the pack has no such file.
   */
  timeStamp?: (data: string) => Promise<Uint8Array>;
  /** Signs a checkpoint when none covers the period yet. */
  checkpointKey?: KeyObject;
  generator: { name: string; version: string };
  /** Origin prefix of the tenant's audit log if the build must create it. */
  originPrefix: string;
  /** Who runs the build (recorded as the source of the pack.build entry). */
  builtBy?: string;
  /** Names this build in its pack.build record (default: a fresh UUID); a retried job passes its id, so it is recorded once. */
  buildId?: string;
  onProgress?(p: PackProgress): void;
}

export interface BuiltPack {
  packId: string;
  dir: string;
  model: PackModel;
  sha256sums: string;
  /** Seq of the pack.build entry in the tenant's audit log. */
  recordSeq: number;
}

/** Read → model → render → seal; the temporary directory is removed if any phase fails. */
export async function buildPack(o: BuildOptions): Promise<BuiltPack> {
  const request = checkRequest(o.request);
  await refuseExisting(o.out);
  const read = await readPack(o, request);
  const tmp = join(dirname(o.out), `.${basename(o.out)}.partial-${process.pid}-${read.packId.slice(0, 8)}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true, mode: PACK_DIR_MODE });
  try {
    const writer = new PackWriter(tmp);
    const progress = (phase: PackProgress["phase"], done: number, total: number) => o.onProgress?.({ phase, done, total });
    const model = await modelPack(o, read, writer, progress);
    await renderPack(o, model, writer, tmp, progress);
    return await sealAndRecord(o, read, model, writer, tmp, progress);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
}

type Progress = (phase: PackProgress["phase"], done: number, total: number) => void;

/** What the ledger holds for the request: each log's period under a checkpoint, the earlier packs, the pack's id. */
interface PackRead {
  request: PackRequest;
  from: Date;
  to: Date;
  tenant: string;
  subjects: PeriodLog[];
  audit: PeriodLog | undefined;
  previous: Map<string, PreviousPack>;
  packId: string;
  seed: string;
  sampling: ReturnType<typeof samplingOf>;
}

async function readPack(o: BuildOptions, request: PackRequest): Promise<PackRead> {
  const from = new Date(request.from);
  const to = new Date(request.to);
  // request.logs is sorted by name: the sections, populations and samples follow that order.
  const found: Log[] = [];
  for (const name of request.logs) found.push(await o.store.findLog(name));
  const tenant = found[0]!.tenant;
  const stranger = found.find((l) => l.tenant !== tenant);
  // One pack speaks for one tenant: its audit log and its pack.build record are the tenant's.
  // Checked before any period is resolved, which may sign a checkpoint.
  if (stranger) throw new PackError("INVALID_REQUEST", `logs: ${stranger.name} is of tenant ${stranger.tenant}, ${found[0]!.name} of ${tenant}; a pack covers logs of one tenant`);
  const subjects: PeriodLog[] = [];
  for (const name of request.logs) subjects.push(await periodOf(o.store, name, from, to, o.checkpointKey));
  const auditName = await auditLogOf(o.store, tenant, request.logs);
  const { audit } = await auditPeriod(o.store, auditName, from, to, o.checkpointKey, attestationFinder(o.exporter, request));
  const previous = new Map<string, PreviousPack>();
  for (const s of subjects) {
    const p = await previousPack(o.store, auditName, s.log.name, s.checkpoint.size);
    if (p) previous.set(s.log.name, p);
  }
  const state = (p: PeriodLog) => ({ origin: p.log.origin, firstSeq: p.firstSeq, endSeq: p.endSeq, checkpointSize: p.checkpoint.size, root: toBase64(p.checkpoint.root) });
  const packId = derivePackId({
    request: { ...request, logs: [...request.logs], approvalTags: [...request.approvalTags] },
    exporter: { id: o.exporter.id, version: o.exporter.version },
    generator: o.generator,
    subjects: subjects.map(state),
    audit: audit ? state(audit) : null,
    previous: subjects.map((s) => {
      const p = previous.get(s.log.name);
      return p ? { packId: p.packId, size: p.size } : null;
    }),
  });
  // The auditor's seed, else one the company could not know before the period ended (sampling.ts).
  const sampling = samplingOf(request.seed, request.sampleSize, subjects.map((s) => ({ name: s.log.name, checkpointFile: sectionOf("subject", s.log.name).checkpointFile, endSeq: s.endSeq, checkpoint: { size: s.checkpoint.size, root: toBase64(s.checkpoint.root) } })), request.to);
  return { request, from, to, tenant, subjects, audit, previous, packId, seed: sampling.seed, sampling };
}

/** The entries streamed into the pack's log sections, and what was counted and found on the way. */
interface Streamed {
  logs: LogState[];
  sinks: PopulationSink[];
  finder: ExceptionFinder;
  tally: EntryTally;
  operations: OperationTally;
  perLog: Record<string, number>;
  subjectTotal: number;
  /** Each log's checkpoint as cosigned and its time-stamp, as written into its section. */
  trust: Map<string, TrustFiles>;
  withheld: WithheldPayload[];
  /** The attestations for the pack's framework among the audit section's entries. */ attestations: AttestationFinder;
  erasures: ErasureTally;
}

/** The pack's model: its sections written, populations sampled with their proofs, controls and exceptions found. */
async function modelPack(o: BuildOptions, read: PackRead, writer: PackWriter, progress: Progress): Promise<PackModel> {
  const { request, audit } = read;
  const streamed = await streamSections(o, read, writer, progress);
  const populations = await samplePopulations(o, read, streamed, writer, progress);
  const { logs, finder } = streamed;
  await writeLateAttestations(o.store, writer, read.audit, streamed.attestations, streamed.logs.find((l) => l.role === "audit"));
  await writeAttestations(o.store, writer, read.tenant, streamed.attestations, read.audit, streamed.trust.get(read.audit?.log.name ?? "")?.cosignedNote);
  const exceptions = finder.finish();
  const attestationFiles = logs.filter((l) => l.role === "subject").flatMap((l) => [l.checkpointFile, l.rangeFile, ...(l.previous ? [l.previous.proofFile] : [])]);
  return {
    packId: read.packId,
    generator: o.generator,
    exporter: { id: o.exporter.id, framework: o.exporter.framework, version: o.exporter.version },
    request,
    seed: read.seed,
    sampling: read.sampling,
    logs,
    controls: controlOutcomes(o.exporter.controls, populations, exceptions, attestationFiles, streamed.operations.counts, streamed.attestations.found),
    exceptions,
    attestations: streamed.attestations.found,
    sweeps: finder.sweeps,
    perDay: streamed.tally.days(read.from, read.to),
    lateArrivals: streamed.tally.late,
    reconciliation: finder.sequences.finish(),
    withheld: streamed.withheld,
    ...erasuresOf(streamed.erasures),
    ...(o.timeStamp ? { sumsTimeStamped: true } : {}),
    signingKey: keyFingerprint(rawPublicKey(o.packKey)),
    totals: { entries: streamed.subjectTotal, perLog: streamed.perLog, auditEntries: audit ? audit.endSeq - audit.firstSeq : 0, byKind: streamed.tally.byKind },
  };
}

async function streamSections(o: BuildOptions, read: PackRead, writer: PackWriter, progress: Progress): Promise<Streamed> {
  const { request, subjects, audit, seed } = read;
  const sinks: PopulationSink[] = [];
  for (const spec of o.exporter.controls) {
    if (spec.population.length === 0) continue;
    const sink = await writer.open(populationFile(spec.id));
    await sink.write(csvLine([...POPULATION_COLUMNS]));
    sinks.push({ spec, sink, count: 0, sample: new SampleSelector(sampleCapacity(request.sampleSize)) });
  }
  const finder = new ExceptionFinder({ logNames: request.logs, from: read.from, to: read.to, failedLoginThreshold: request.failedLoginThreshold, approvalTags: request.approvalTags });
  const tally = new EntryTally(request.approvalTags, request.from);
  const operations = new OperationTally(o.exporter.controls);
  const attributes = new AttributeTracker({ approvalTags: request.approvalTags, from: request.from, logNames: request.logs });
  const perLog: Record<string, number> = {};
  const subjectTotal = subjects.reduce((n, s) => n + s.endSeq - s.firstSeq, 0);
  let subjectDone = 0;
  const logs: LogState[] = [];
  const trust = new Map<string, TrustFiles>();
  const withheld: WithheldPayload[] = [];
  const attestations = attestationFinder(o.exporter, request);
  const erasures = new ErasureTally();
  for (const subject of subjects) {
    const name = subject.log.name;
    // The tenant's audit log asked for as a subject has no audit section: its sweeps of the other logs are read here.
    const isAudit = name === tenantAuditLog(read.tenant);
    const section = sectionOf("subject", name);
    const written = await writeLogSection({
      store: o.store, writer, role: "subject", period: subject, section, populations: sinks, seed, withheld, attributes, erasures,
      onEntry(e) {
        finder.subject(e, name);
        if (isAudit) finder.audit(e, name);
        tally.add(e, name);
        operations.add(e, "subject");
      },
      onProgress: (done) => progress("entries", subjectDone + done, subjectTotal),
    });
    subjectDone += subject.endSeq - subject.firstSeq;
    perLog[name] = subject.endSeq - subject.firstSeq;
    await writer.writeText(section.checkpointFile, subject.checkpoint.note);
    trust.set(name, await writeTrustFiles(o.store, writer, subject, section));
    logs.push(logState("subject", subject, section, written, await consistencyWith(o.store, writer, subject, section, read.previous.get(name)), trust.get(name)!));
  }
  if (audit) {
    const section = sectionOf("audit", audit.log.name);
    const written = await writeLogSection({
      store: o.store, writer, role: "audit", period: audit, section, populations: sinks, seed, withheld, attributes, erasures,
      onEntry(e) {
        finder.audit(e, audit.log.name);
        operations.add(e, "audit");
        attestations.add(e, audit.log.name, section.inclusionDir);
      },
      onProgress: (done) => progress("audit", done, audit.endSeq - audit.firstSeq),
    });
    await writer.writeText(section.checkpointFile, audit.checkpoint.note);
    trust.set(audit.log.name, await writeTrustFiles(o.store, writer, audit, section));
    logs.push(logState("audit", audit, section, written, null, trust.get(audit.log.name)!));
  }
  return { logs, sinks, finder, tally, operations, perLog, subjectTotal, trust, withheld, attestations, erasures };
}

/** Each population's file closed and its sample, with an inclusion proof of every sampled entry against its log's checkpoint. */
async function samplePopulations(o: BuildOptions, read: PackRead, streamed: Streamed, writer: PackWriter, progress: Progress): Promise<Map<string, Population>> {
  const { logs, sinks } = streamed;
  const periods = new Map([...read.subjects, ...(read.audit ? [read.audit] : [])].map((p) => [p.log.name, p]));
  const sections = new Map(logs.map((l) => [l.name, l]));
  const proofFiles = new Map<string, string>();
  const populations = new Map<string, Population>();
  // An entry sampled for several controls has one proof file.
  const sized = new Map(sinks.map((p) => [p, populationSampling(p.spec, p.count, read.request.sampleSize)]));
  // The selectors kept the lowest ranks up to the largest size any sample may have; each sample is the lowest of those.
  const drawn = (p: PopulationSink) => p.sample.items().slice(0, sized.get(p)!.size);
  const proofsToWrite = new Set(sinks.flatMap((s) => drawn(s).map(({ item }) => `${item.logName}\n${item.entry.seq}`))).size;
  let proofsDone = 0;
  for (const p of sinks) {
    const sample: SampleEntry[] = [];
    for (const { rank, item } of drawn(p)) {
      const period = periods.get(item.logName)!;
      const key = `${item.logName}\n${item.entry.seq}`;
      let file = proofFiles.get(key);
      if (!file) {
        file = `${sections.get(item.logName)!.inclusionDir}${item.entry.seq}.json`;
        const proof = await inclusionProofFor(o.store, period.log.name, item.entry.seq, period.checkpoint.size);
        await writer.writeText(file, `${JSON.stringify({ log: period.log.name, origin: period.log.origin, seq: item.entry.seq, size: proof.size, leafHash: toBase64(proof.leafHash), proof: proof.proof.map(toBase64) }, null, 2)}\n`);
        await writeTlogProof(writer, file, item.entry, proof.proof, streamed.trust.get(item.logName)!.cosignedNote);
        proofFiles.set(key, file);
        progress("proofs", ++proofsDone, proofsToWrite);
      }
      sample.push(sampleEntry(item.log, item.logName, item.shown, rank, file, item.attributes));
    }
    const sha256 = await writer.close(p.sink);
    populations.set(p.spec.id, {
      controlId: p.spec.id,
      file: p.sink.path,
      query: populationQuery(p.spec.population),
      parameters: parametersOf(logs),
      clauses: p.spec.population,
      count: p.count,
      sha256,
      sampling: sized.get(p)!,
      sample,
    });
  }
  return populations;
}

/** The model as JSON, OSCAL and PDF, and the exporter's own files. */
async function renderPack(o: BuildOptions, model: PackModel, writer: PackWriter, tmp: string, progress: Progress): Promise<void> {
  progress("report", 0, 1);
  await writer.writeText("pack.json", packJson(model));
  await writer.writeText("controls.json", controlsJson(model));
  await writer.writeText(WITHHELD_FILE, withheldJson(model));
  await writer.writeText(RECONCILIATION_FILE, reconciliationJson(model));
  if (model.erasures) await writer.writeText(ERASURES_FILE, erasuresJson(model));
  for (const [path, text] of oscalDocuments(model)) await writer.writeText(path, text);
  if (o.exporter.render) {
    try {
      await o.exporter.render(packView(model, tmp), exporterFiles(writer, o.exporter.id));
    } catch (error) {
      if (error instanceof PackError) throw error;
      throw new PackError("EXPORTER_INVALID", `exporter ${o.exporter.id}: render failed: ${(error as Error).message}`, { cause: error });
    }
  }
  progress("report", 1, 1);
}

/** SHA256SUMS signed, the directory renamed into place, and the build recorded in the tenant's audit log. */
async function sealAndRecord(o: BuildOptions, read: PackRead, model: PackModel, writer: PackWriter, tmp: string, progress: Progress): Promise<BuiltPack> {
  const { request, packId } = read;
  await writeVerifierFiles(writer, model);
  // The report last: it prints the pack hash of every other file (pack-hash.ts).
  const packHash = packHashOf(formatSha256Sums(writer.files()));
  await writer.writeBytes(REPORT_FILE, await renderReport(model, { packHash, signingKey: model.signingKey! }));
  progress("seal", 0, 1);
  const { sums } = await sealPack(writer, o.packKey, o.timeStamp);
  await refuseExisting(o.out);
  await rename(tmp, o.out);
  progress("seal", 1, 1);
  const recordSeq = await recordBuild(o.store, read.tenant, o.originPrefix, {
    packId, framework: o.exporter.id, from: request.from, to: request.to,
    logs: read.subjects.map((s) => ({ log: s.log.name, checkpoint: s.checkpoint })),
    requestedBy: request.requestedBy, requestedAt: request.requestedAt,
    sha256sums: new Uint8Array(createHash("sha256").update(sums).digest()),
    ...(o.builtBy ? { builtBy: o.builtBy } : {}),
    buildId: o.buildId ?? randomUUID(),
    ...(request.recipient ? { recipient: request.recipient } : {}),
    ...(request.note ? { note: request.note } : {}),
  });
  return { packId, dir: o.out, model, sha256sums: sums, recordSeq };
}

/** The consistency proof from the previous pack's checkpoint of this log to this pack's, in the log's section. */
async function consistencyWith(store: LedgerStore, writer: PackWriter, subject: PeriodLog, section: Section, previous: PreviousPack | undefined): Promise<LogState["previous"]> {
  if (!previous) return null;
  const file = `${section.dir}consistency-${previous.size}-${subject.checkpoint.size}.json`;
  const proof = await consistencyProofFor(store, subject.log.name, previous.size, subject.checkpoint.size);
  await writer.writeText(file, `${JSON.stringify({ log: subject.log.name, origin: subject.log.origin, previousPackId: previous.packId, size1: previous.size, size2: subject.checkpoint.size, previousCheckpoint: previous.note, proof: proof.proof.map(toBase64) }, null, 2)}\n`);
  return { packId: previous.packId, size: previous.size, root: toBase64(previous.root), proofFile: file };
}

async function refuseExisting(out: string): Promise<void> {
  const exists = await stat(out).then(() => true, () => false);
  if (exists) throw new PackError("OUTPUT_EXISTS", `${out} exists already: a pack is never written over another`);
}

function sampleEntry(log: PopulationLog, logName: string, e: PackEntry, rank: string, proofFile: string, attributes: SampleEntry["attributes"]): SampleEntry {
  return { log, logName, seq: e.seq, rank, kind: e.kind, action: e.action, actor: e.actor, occurredAt: e.occurredAt, outcome: e.outcome, proofFile, attributes };
}

function logState(role: PopulationLog, p: PeriodLog, section: Section, s: SectionResult, previous: LogState["previous"], trust: TrustFiles): LogState {
  return {
    cosignedFile: trust.cosignedFile, timestampFile: trust.timestampFile,
    role, name: p.log.name, dir: section.dir, checkpointFile: section.checkpointFile, rangeFile: section.rangeFile, inclusionDir: section.inclusionDir,
    origin: p.log.origin, tenant: p.log.tenant, firstSeq: p.firstSeq, endSeq: p.endSeq,
    checkpoint: { size: p.checkpoint.size, root: toBase64(p.checkpoint.root), note: p.checkpoint.note },
    chainBefore: toHex(s.chainBefore), chainAfter: toHex(s.chainAfter), beforeSeq: s.beforeSeq, afterSeq: s.afterSeq, eventsSha256: s.eventsSha256, eventsFile: s.eventsFile, previous,
    ...(s.erasureRecordsFile ? { erasureRecordsFile: s.erasureRecordsFile } : {}),
  };
}

function packView(model: PackModel, dir: string): PackView {
  return {
    model,
    async *entries(log: PopulationLog) {
      // Several subject logs stream one after the other, in name order; an entry's `log` is its log's origin.
      for (const state of model.logs.filter((l) => l.role === log)) {
        const lines = createInterface({ input: createReadStream(join(dir, state.eventsFile)), crlfDelay: Infinity });
        let n = 0;
        for await (const line of lines) yield parseEntryLine(line, ++n);
      }
    },
  };
}
