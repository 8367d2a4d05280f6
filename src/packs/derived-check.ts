/**
 * verify-pack re-derives the populations and samples from the entries it has just checked
 * against the signed checkpoints, and compares them with the pack's files byte for byte. The
 * pack's own key signs SHA256SUMS, but whoever holds that key could re-sign edited population
 * files or controls.json; the checkpoints are signed by the log's key, which the auditor holds,
 * so what follows from the entries alone cannot be altered unnoticed.
 *
 * Re-derived here: every population file (its bytes), its row count and SHA-256 in
 * controls.json, the sample (the lowest ranks, sampleRank of the pack's seed), and that every
 * sampled entry has its inclusion proof in the pack; then the exceptions, sweeps and counts,
 * and from them every document the model renders (derived-model.ts), report.pdf included when
 * the caller gives the PDF renderer (sealtrail verify-pack does; the dependency-free verify.mjs
 * cannot, and says so).
 */
import { createHash, type Hash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type PackEntry, sampleRank, SampleSelector } from "../core/pack/index.js";
import { csvLine, POPULATION_COLUMNS } from "./csv.js";
import { checkDocuments, type RawPack, type ReportRenderer } from "./derived-model.js";
import { ExceptionFinder } from "./exceptions.js";
import type { ControlSpec, Exporter, PopulationLog } from "./exporter.js";
import { BUILT_IN_EXPORTERS } from "./frameworks/index.js";
import type { CheckList } from "./pack-checks.js";
import type { LogStateJson, PackJson } from "./pack-manifest.js";
import { csvRecords } from "./pack-reading.js";
import { EntryTally, OperationTally, populationSampling, tenantAuditLog } from "./model-parts.js";
import { sampleCapacity } from "./sampling.js";
import { SECRET_RULES, secretRulesMatched, type WithheldPayload } from "./secrets.js";
import { WITHHELD_FILE } from "./documents.js";
import type { SampleEntry } from "./pack-model.js";
import type { ReportSeal } from "./pack-hash.js";
import { matchesPopulation, populationRow } from "./population.js";
import { AttributeTracker } from "./attributes.js";
import { checkAttestations } from "./attestation-check.js";
import type { Attestation } from "./pack-model.js";
import type { ErasureSummary } from "./erasures.js";

type SampledJson = { log: string; role: string; seq: number; rank: string; proof: string; attributes?: Record<string, string> };
type ControlJson = { id: string; population: { file: string; count: number; sha256: string; sample?: SampledJson[] } | null };

interface Derived {
  spec: ControlSpec;
  hash: Hash;
  count: number;
  sample: SampleSelector<SampleEntry>;
  /** The sample drawn, once the population's size is known. */
  drawn: SampleEntry[];
}

/** The built-in exporter the pack names, at the version it names; undefined for a plugin's pack or an older version. */
export function builtInExporter(pack: PackJson): Exporter | undefined {
  return BUILT_IN_EXPORTERS.find((x) => x.id === pack.exporter?.id && x.version === pack.exporter?.version);
}

/** Attribute results keyed in code-point order, as controls.json (RFC 8785) holds them. */
const sorted = (a: Record<string, string> | undefined) => (a === undefined ? undefined : Object.fromEntries(Object.entries(a).sort(([x], [y]) => (x < y ? -1 : 1))));
const sampledJson = (s: SampleEntry): SampledJson => ({ log: s.logName, role: s.log, seq: s.seq, rank: s.rank, proof: s.proofFile, attributes: sorted(s.attributes) });

export class DerivedPopulations {
  private readonly derived: Derived[];
  private readonly seed: string | undefined;
  /** Exceptions and sweeps, found as the builder finds them. */
  private readonly finder: ExceptionFinder;
  private readonly tally: EntryTally;
  private readonly operations: OperationTally;
  /** The sampled entries' attributes, tested as the builder tests them (attributes.ts). */
  private readonly attributes: AttributeTracker;
  private readonly nulls: { log: string; seq: number }[] = [];
  private readonly shownSecrets: { log: string; seq: number; rules: string[] }[] = [];

  private constructor(private readonly exporter: Exporter, private readonly pack: PackJson) {
    this.seed = pack.seed;
    const capacity = sampleCapacity(pack.request.sampleSize);
    this.derived = exporter.controls
      .filter((spec) => spec.population.length > 0)
      .map((spec) => ({ spec, hash: createHash("sha256").update(csvLine([...POPULATION_COLUMNS])), count: 0, sample: new SampleSelector<SampleEntry>(capacity), drawn: [] }));
    this.operations = new OperationTally(exporter.controls);
    this.tally = new EntryTally(pack.request.approvalTags ?? [], pack.request.from);
    this.attributes = new AttributeTracker({ approvalTags: pack.request.approvalTags ?? [], from: pack.request.from, logNames: pack.request.logs });
    const r = pack.request;
    this.finder = new ExceptionFinder({ logNames: r.logs, from: new Date(r.from), to: new Date(r.to), failedLoginThreshold: r.failedLoginThreshold ?? 0, approvalTags: r.approvalTags ?? [] });
  }

  /** Undefined when the pack's controls are not those of a built-in exporter: its populations are then only counted. */
  static of(pack: PackJson): DerivedPopulations | undefined {
    const exporter = builtInExporter(pack);
    const size = pack.request.sampleSize;
    if (!exporter || typeof pack.seed !== "string" || (size !== undefined && (!Number.isSafeInteger(size) || size < 0))) return undefined;
    return new DerivedPopulations(exporter, pack);
  }

  /** One entry of a section, in the events file's order (the builder's order: subject logs by name, then the audit log). */
  add(e: PackEntry, state: LogStateJson): void {
    // The withholding re-derived: every payload not shown is listed, and no payload shown matches a secret rule.
    if (e.payload === null) this.nulls.push({ log: state.name, seq: e.seq });
    else if (this.shownSecrets.length < 20) {
      const rules = secretRulesMatched(e.payload);
      if (rules.length > 0) this.shownSecrets.push({ log: state.name, seq: e.seq, rules });
    }
    // As the builder feeds its exception finder (build-pack.ts): the tenant's audit log asked for as a subject also reads as the audit log.
    if (state.role === "subject") {
      this.finder.subject(e, state.name);
      if (state.tenant !== undefined && state.name === tenantAuditLog(state.tenant)) this.finder.audit(e, state.name);
      this.tally.add(e, state.name);
    } else {
      this.finder.audit(e, state.name);
    }
    this.operations.add(e, state.role as PopulationLog);
    let row: string | undefined;
    let rank: string | undefined;
    for (const d of this.derived) {
      if (!matchesPopulation(d.spec.population, state.role as PopulationLog, e)) continue;
      row ??= populationRow(state.name, e);
      rank ??= sampleRank(this.seed!, state.origin, e.seq);
      d.hash.update(row);
      d.count++;
      if (!d.sample.keeps(rank)) continue;
      const role = state.role as PopulationLog;
      d.sample.offer(rank, { log: role, logName: state.name, seq: e.seq, rank, kind: e.kind, action: e.action, actor: e.actor, occurredAt: e.occurredAt, outcome: e.outcome, proofFile: `${state.inclusionPrefix}${e.seq}.json`, attributes: this.attributes.test(d.spec.attributes ?? [], e, role, state.name) });
    }
    this.attributes.add(e, state.role as PopulationLog, state.name);
  }

  /** The lowest ranks, as many as the control's sample size for its population (sampling.ts). */
  private drawn(d: Derived): SampleEntry[] {
    return d.sample.items().slice(0, populationSampling(d.spec, d.count, this.pack.request.sampleSize).size).map(({ item }) => item);
  }

  /**
   * The seed is what the pack says it is: with source "checkpoint", the root of that subject
   * log's checkpoint, which covers an entry after the period (checked by the range's `after`
   * witness), so it was signed after the period ended.
   */
  checkSeed(checks: CheckList): void {
    const s = this.pack.sampling;
    if (!s) return;
    const section = this.pack.ledger.find((l) => l.role === "subject" && l.name === s.log);
    const problem =
      s.seed !== this.pack.seed ? `sampling.seed ${s.seed} is not the seed ${this.pack.seed}`
      : s.source === "checkpoint" && !section ? `the seed names log ${s.log}, which has no section`
      : s.source === "checkpoint" && section!.checkpoint.root !== s.seed ? `the seed is not the root of ${section!.checkpointFile}`
      : s.source === "checkpoint" && section!.checkpoint.size <= section!.endSeq ? `${section!.checkpointFile} covers no entry after the period: it may have been signed before the period ended`
      // Packs built before the default seed was refused without a checkpoint after the period: the pack id, which the requester could move.
      : s.source === ("pack-id" as string) && s.seed !== this.pack.packId ? "the seed is not the pack id"
      : !["auditor", "checkpoint", "pack-id"].includes(s.source) ? `unknown seed source ${JSON.stringify(s.source)}`
      : undefined;
    if (problem) checks.fail("sampling", `pack.json: ${problem}`, "pack.json");
    else checks.pass("sampling", s.source === "auditor" ? `seed ${s.seed}, given by the auditor (--seed): compare it with the one you gave` : s.method, "pack.json");
  }

  /** Compares controls.json and the population files with what the entries give; every sampled entry must have its proof. `attestations`: as attestation-check.ts found them. */
  async check(dir: string, checks: CheckList, present: ReadonlySet<string>, attestations: readonly Attestation[], renderReport?: ReportRenderer, seal?: ReportSeal, erasures?: ErasureSummary): Promise<void> {
    this.checkSeed(checks);
    let controls: ControlJson[];
    try {
      controls = (JSON.parse(await readFile(join(dir, "controls.json"), "utf8")) as { controls: ControlJson[] }).controls;
      if (!Array.isArray(controls)) throw new Error("no controls");
    } catch (error) {
      checks.fail("populations", `controls.json: ${(error as Error).message}`, "controls.json");
      return;
    }
    let ok = true;
    const fail = (message: string, file: string) => {
      checks.fail("populations", message, file);
      ok = false;
    };
    const withPopulation = controls.filter((c) => c.population);
    if (JSON.stringify(withPopulation.map((c) => c.id)) !== JSON.stringify(this.derived.map((d) => d.spec.id))) {
      fail(`controls.json: controls with a population ${withPopulation.map((c) => c.id).join(", ")}, the framework's are ${this.derived.map((d) => d.spec.id).join(", ")}`, "controls.json");
    }
    let sampled = 0;
    const digests = new Map<string, string>();
    for (const d of this.derived) {
      const digest = d.hash.digest("hex");
      d.drawn = this.drawn(d);
      digests.set(d.spec.id, digest);
      const c = withPopulation.find((x) => x.id === d.spec.id)?.population;
      if (!c) continue;
      if (c.count !== d.count || c.sha256 !== digest) fail(`controls.json: control ${d.spec.id} states ${c.count} rows (SHA-256 ${c.sha256}), the entries give ${d.count} (SHA-256 ${digest})`, "controls.json");
      const file = present.has(c.file) ? await csvRecords(join(dir, c.file)).catch(() => undefined) : undefined;
      if (file?.digest !== digest) fail(`${c.file}: not the population of ${d.spec.id} the entries give (${d.count} rows, SHA-256 ${digest})`, c.file);
      const want = d.drawn.map(sampledJson);
      const got = (c.sample ?? []).map((s) => ({ log: s.log, role: s.role, seq: s.seq, rank: s.rank, proof: s.proof, attributes: sorted(s.attributes) }));
      if (JSON.stringify(got) !== JSON.stringify(want)) fail(`controls.json: the sample of ${d.spec.id} is not the one the pack's seed draws (seqs ${want.map((s) => s.seq).join(", ") || "none"})`, "controls.json");
      // The proofs named by the derived sample: a sampled entry without its proof is a sample not shown.
      for (const s of want) {
        if (!present.has(s.proof)) {
          checks.fail("inclusion", `${s.proof}: entry ${s.seq} of ${s.log} is sampled for ${d.spec.id} but its inclusion proof is missing`, s.proof);
          ok = false;
        }
      }
      sampled += want.length;
    }
    if (ok) checks.pass("populations", `every population file, its count and SHA-256 in controls.json, and the ${sampled} sampled entries re-derived from the checked entries; every sampled entry has its inclusion proof`);
    await this.checkDocuments(dir, checks, present, digests, attestations, renderReport, seal, erasures);
  }

  /** controls.json, pack.json, the OSCAL results, VERIFY.md and the exporter's files, rendered again from the re-derived model. */
  private async checkDocuments(dir: string, checks: CheckList, present: ReadonlySet<string>, digests: Map<string, string>, attestations: readonly Attestation[], renderReport?: ReportRenderer, seal?: ReportSeal, erasures?: ErasureSummary): Promise<void> {
    const raw = JSON.parse(await readFile(join(dir, "pack.json"), "utf8")) as RawPack & { request: { logs?: unknown } };
    if (!Array.isArray(raw.request?.logs)) {
      // The single-log layout of packs built before packs covered several logs: its documents name files where that layout kept them.
      checks.pass("derived", "not re-derived: the pack has the single-log layout of older packs, whose controls.json and pack.json name files of that layout; only its populations and samples were re-derived");
      return;
    }
    const populations = this.derived.map((d) => ({ controlId: d.spec.id, count: d.count, sha256: digests.get(d.spec.id) ?? "", sample: d.drawn }));
    const withheld = (raw as { withheld?: unknown }).withheld === undefined ? undefined : await this.checkWithheld(dir, checks, present);
    await checkAttestations(dir, checks, present, attestations);
    await checkDocuments(dir, checks, present, raw, { exporter: this.exporter, populations, finder: this.finder, tally: this.tally, operations: this.operations, attestations: [...attestations], ...(withheld ? { withheld } : {}), ...(erasures ? { erasures } : {}) }, renderReport, seal);
  }

  /**
   * withheld.json against the events: it lists exactly the payloads that are null, in order;
   * each reason is "absent" or "secret" with rules of SECRET_RULES (what a withheld secret
   * matched cannot be re-checked without it, but that nothing shown matches is); and no payload
   * shown matches a rule, which the builder would have withheld. Gives the list for the
   * documents' re-derivation; the list's own bytes are compared there.
   */
  private async checkWithheld(dir: string, checks: CheckList, present: ReadonlySet<string>): Promise<WithheldPayload[] | undefined> {
    const fail = (message: string) => void checks.fail("withheld", message, WITHHELD_FILE);
    let listed: WithheldPayload[];
    try {
      if (!present.has(WITHHELD_FILE)) throw new Error("missing; pack.json says payloads are listed there");
      const doc = JSON.parse(await readFile(join(dir, WITHHELD_FILE), "utf8")) as { payloads?: unknown };
      if (!Array.isArray(doc.payloads)) throw new Error("payloads: want an array");
      listed = doc.payloads as WithheldPayload[];
    } catch (error) {
      fail(`${WITHHELD_FILE}: ${(error as Error).message}`);
      return undefined;
    }
    const known = new Set(SECRET_RULES.map((r) => r.id));
    const bad = listed.find((w, i) =>
      typeof w !== "object" || w === null || w.log !== this.nulls[i]?.log || w.seq !== this.nulls[i]?.seq || !Array.isArray(w.rules)
      || !(w.reason === "absent" ? w.rules.length === 0 : w.reason === "secret" && w.rules.length > 0 && w.rules.every((r) => known.has(r))));
    if (bad !== undefined || listed.length !== this.nulls.length) {
      const i = bad === undefined ? Math.min(listed.length, this.nulls.length) : listed.indexOf(bad);
      const want = this.nulls[i];
      fail(`${WITHHELD_FILE}: payload ${i + 1} of the list ${bad ? JSON.stringify(bad) : "is missing or extra"}; the events give ${want ? `${want.log} seq ${want.seq} as the next payload left out` : "no more payloads left out"} (${this.nulls.length} in all), each with reason absent, or secret with the rules it matched`);
      // The documents are still compared with the list as the pack states it: this failure is the withholding's alone.
      return listed;
    }
    if (this.shownSecrets.length > 0) {
      const s = this.shownSecrets[0]!;
      fail(`${s.log} seq ${s.seq}: its payload is shown but matches ${s.rules.join(", ")}; the builder withholds such payloads${this.shownSecrets.length > 1 ? ` (${this.shownSecrets.length} such payloads at least)` : ""}`);
      return listed;
    }
    const secrets = listed.filter((w) => w.reason === "secret").length;
    checks.pass("withheld", `${listed.length} payload${listed.length === 1 ? "" : "s"} left out, each listed with why (${secrets} matching a secret rule, ${listed.length - secrets} absent in the ledger); no payload shown matches a secret rule (${SECRET_RULES.map((r) => r.id).join(", ")})`, WITHHELD_FILE);
    return listed;
  }
}

/** A pack of a plugin's exporter: its population files must hold the counts controls.json states (not re-derived). */
export async function countPopulations(dir: string, checks: CheckList): Promise<void> {
  try {
    const controls = JSON.parse(await readFile(join(dir, "controls.json"), "utf8")) as { controls: ControlJson[] };
    let ok = true;
    for (const c of controls.controls) {
      if (!c.population) continue;
      const { records, digest } = await csvRecords(join(dir, c.population.file));
      if (records - 1 !== c.population.count || digest !== c.population.sha256) {
        checks.fail("populations", `${c.population.file}: ${records - 1} rows, controls.json says ${c.population.count} (or its SHA-256 differs)`, c.population.file);
        ok = false;
      }
    }
    if (ok) checks.pass("populations", "every population file has the row count and SHA-256 that controls.json states (not re-derived: the pack's exporter is not built in, so its populations are not known here)");
  } catch (error) {
    checks.fail("populations", `controls.json: ${(error as Error).message}`, "controls.json");
  }
}
