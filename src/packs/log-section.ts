/**
 * Streams one log's entries of the period into the pack: its events file, the population rows
 * of every control that reads this log, the sample candidates, and the exception finder. Each
 * entry is re-hashed on the way (payload, leaf, chain) and the run is checked against the
 * signed checkpoint with a range proof, so a pack is never built from a ledger that does not
 * verify.
 */
import { chainHash, entryLeafHash, payloadHash } from "../core/entry/index.js";
import { digestEqual, toBase64 } from "../core/encoding/index.js";
import { EntryLineBytes, formatEntryLine, type PackEntry, sampleRank, SampleSelector } from "../core/pack/index.js";
import { RangeAccumulator } from "../core/merkle/index.js";
import { consistencyProofFor, inclusionProofFor, type LedgerStore, loadFrontier } from "../ledger/index.js";
import type { PopulationLog } from "./exporter.js";
import type { PeriodLog } from "./pack-ledger.js";
import { PackError } from "./pack-error.js";
import type { FileSink, PackWriter } from "./pack-writer.js";
import { matchesPopulation, populationRow } from "./population.js";
import type { ControlSpec } from "./exporter.js";
import { secretRulesMatched, type WithheldPayload } from "./secrets.js";
import type { AttributeResult, AttributeTracker } from "./attributes.js";
import { secretsOf, withValues, writeErasureRecords } from "./erasure-records.js";
import type { ErasureTally } from "./erasures.js";

export interface PopulationSink {
  spec: ControlSpec;
  sink: FileSink;
  count: number;
  sample: SampleSelector<SampleCandidate>;
}

/** An entry kept as a sample candidate, with the control's attributes tested when it was kept (attributes.ts). */
export interface SampleCandidate {
  log: PopulationLog;
  logName: string;
  /** As its line has it: a format-2 entry's commitments, which its leaf (and a tlog-proof's leaf data) hashes. */
  entry: PackEntry;
  /** As the populations read it (erasures.ts readable): clear or erased actor and resource. */
  shown: PackEntry;
  attributes: Record<string, AttributeResult>;
}

export interface SectionResult {
  eventsFile: string;
  eventsSha256: string;
  chainBefore: Uint8Array;
  chainAfter: Uint8Array;
  rangeFile: string;
  /** The records file of the removals of the period's values (erasure-records.ts); null when none. */
  erasureRecordsFile: string | null;
  /** Seqs of the boundary witnesses in the range file (null: none, at the log's start or the signed tree's end). */
  beforeSeq: number | null;
  afterSeq: number | null;
}

export interface SectionOptions {
  store: LedgerStore;
  writer: PackWriter;
  role: PopulationLog;
  period: PeriodLog;
  section: Section;
  populations: PopulationSink[];
  seed: string;
  /** Payloads left out of the events, with why (secrets.ts): appended to as the entries stream. */
  withheld: WithheldPayload[];
  /** Tests the sampled entries' attributes; sees every entry after its tests. */
  attributes: AttributeTracker;
  /** Format-2 values and their erasures, checked and counted as verify-pack does (erasures.ts). */
  erasures: ErasureTally;
  onEntry(e: PackEntry): void;
  onProgress(done: number): void;
}

/** Where one log's files go in the pack. */
export interface Section {
  dir: string;
  eventsFile: string;
  checkpointFile: string;
  rangeFile: string;
  inclusionDir: string;
}

/** Log names as the ledger admits them (ledger/logs.ts): never "." or "..", never a "/". */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/**
 * A subject log's section is `logs/<name>/`, the audit log's `audit/`: subject sections sit
 * under `logs/`, so no log name, whatever it is, can collide with the audit section or the
 * pack's own files. The name is checked again because a path is made of it.
 */
export function sectionOf(role: PopulationLog, name: string): Section {
  if (!SAFE_NAME.test(name)) throw new PackError("INVALID_REQUEST", `log name ${JSON.stringify(name)} cannot name a directory of the pack`);
  const dir = role === "subject" ? `logs/${name}/` : "audit/";
  return { dir, eventsFile: `${dir}events.jsonl`, checkpointFile: `${dir}checkpoint.txt`, rangeFile: `${dir}range.json`, inclusionDir: `${dir}inclusion/` };
}

function inconsistent(log: string, message: string): PackError {
  return new PackError("INCONSISTENT", `log ${log}: ${message}: run sealtrail verify --log ${log}`);
}

export async function writeLogSection(o: SectionOptions): Promise<SectionResult> {
  const { log, firstSeq, endSeq, checkpoint } = o.period;
  const frontier = await loadFrontier(o.store, log.id, firstSeq);
  const range = new RangeAccumulator(firstSeq, frontier);
  const chainBefore = await o.store.chainHashAt(log.id, firstSeq - 1);
  if (!chainBefore) throw inconsistent(log.name, `entry ${firstSeq - 1} is missing`);
  let chain: Uint8Array = chainBefore;
  const { eventsFile, rangeFile } = o.section;
  const v2 = log.leafVersion === 2;
  const erasureRecordsFile = v2 ? await writeErasureRecords(o.store, o.writer, o.period, o.section.dir, o.erasures) : null;
  const events = await o.writer.open(eventsFile);
  const lines = new EntryLineBytes();
  let expected = firstSeq;
  let lastRecorded = "";
  for await (const batch of o.store.streamEntries(log.id, log.origin, firstSeq, endSeq)) {
    // A format-2 entry is shown with its values, or its erasure (erasure-records.ts).
    const from = batch[0]?.seq ?? 0;
    const to = (batch.at(-1)?.seq ?? -1) + 1;
    const secrets = v2 && to > from ? await secretsOf(o.store, log.id, from, to) : undefined;
    const removals = v2 && to > from ? await o.store.removals(log.id, from, to) : [];
    for (const stored of batch) {
      const e = v2 ? withValues(stored, secrets?.get(stored.seq), removals) : stored;
      if (e.seq !== expected) throw inconsistent(log.name, `entry ${expected} is missing`);
      // A format-2 payload opens its commitment instead (the tally's check below).
      if (!v2 && e.payload !== null && !digestEqual(payloadHash(e.payload), e.payloadHash)) throw inconsistent(log.name, `the payload of entry ${e.seq} does not match its hash`);
      if (!digestEqual(entryLeafHash(e), e.leafHash)) throw inconsistent(log.name, `entry ${e.seq} does not match its leaf hash`);
      chain = chainHash(chain, e.leafHash);
      if (!digestEqual(chain, e.chainHash)) throw inconsistent(log.name, `the chain hash of entry ${e.seq} does not follow from the one before`);
      if (e.recordedAt < lastRecorded) throw inconsistent(log.name, `entry ${e.seq} was recorded before the entry before it`);
      lastRecorded = e.recordedAt;
      range.add(e.leafHash);
      // Withheld before anything reads the entry, so the populations, samples and exceptions
      // are those verify-pack re-derives from the events as packed.
      const packed = withholdSecrets(e, log.name, o.withheld);
      const problem = o.erasures.entry(log.name, packed);
      if (problem) throw inconsistent(log.name, `entry ${e.seq}: ${problem}`);
      const shown = o.erasures.readable(log.name, packed);
      const pending = events.writeBytes(lines.line(packed));
      if (pending) await pending;
      // Population rows: the CSV line and the sample rank are made once per entry, however many controls it serves.
      let row: string | undefined;
      let rank: string | undefined;
      for (const p of o.populations) {
        if (!matchesPopulation(p.spec.population, o.role, e)) continue;
        p.count++;
        row ??= populationRow(log.name, shown);
        rank ??= sampleRank(o.seed, log.origin, e.seq);
        const written = p.sink.write(row);
        if (written) await written;
        // Attributes are tested only on entries the selector keeps: a few hundred per control, however large the population.
        if (p.sample.keeps(rank)) p.sample.offer(rank, { log: o.role, logName: log.name, entry: packed, shown, attributes: o.attributes.test(p.spec.attributes ?? [], shown, o.role, log.name) });
      }
      o.attributes.add(shown, o.role, log.name);
      o.onEntry(shown);
      expected++;
      if ((expected - firstSeq) % 10_000 === 0) o.onProgress(expected - firstSeq);
    }
  }
  if (expected !== endSeq) throw inconsistent(log.name, `entry ${expected} is missing`);
  o.onProgress(endSeq - firstSeq);
  const eventsSha256 = await o.writer.close(events);

  // The run must be exactly leaves [firstSeq, endSeq) of the signed tree (core/merkle/range-proof.ts).
  const proof = await consistencyProofFor(o.store, log.name, endSeq, checkpoint.size);
  try {
    range.verify(checkpoint.size, proof.proof, checkpoint.root);
  } catch (error) {
    throw new PackError("INCONSISTENT", `log ${log.name}: entries ${firstSeq} to ${endSeq - 1} are not those of the checkpoint at size ${checkpoint.size}: run sealtrail verify --log ${log.name}`, { cause: error });
  }
  const before = firstSeq > 0 ? await witness(o.store, o.period, firstSeq - 1) : null;
  const after = endSeq < checkpoint.size ? await witness(o.store, o.period, endSeq) : null;
  await o.writer.writeText(rangeFile, `${JSON.stringify({
    log: log.name,
    origin: log.origin,
    firstSeq,
    endSeq,
    checkpointSize: checkpoint.size,
    frontier: frontier.map(toBase64),
    consistencyProof: proof.proof.map(toBase64),
    chainBefore: toBase64(chainBefore),
    before,
    after,
    description: "Append the leaf hashes of the events file, in order, to the compact range `frontier` (the tree of size firstSeq); the root of the tree of size endSeq must be consistent (RFC 9162 section 2.1.4) with the checkpoint by consistencyProof. `before` and `after` are the entries just outside the period (payload left out; the leaf commits to its hash), each with an inclusion proof: recorded before `from` and at or after `to`.",
  }, null, 2)}\n`);
  return { eventsFile, eventsSha256, chainBefore, chainAfter: chain, rangeFile, erasureRecordsFile, beforeSeq: before ? firstSeq - 1 : null, afterSeq: after ? endSeq : null };
}

/** The entry as the pack shows it: its payload withheld (null) when a secret rule matches it; each payload not shown listed with why. */
function withholdSecrets(e: PackEntry, logName: string, withheld: WithheldPayload[]): PackEntry {
  if (e.payload === null) {
    withheld.push({ log: logName, seq: e.seq, reason: "absent", rules: [] });
    return e;
  }
  const rules = secretRulesMatched(e.payload);
  if (rules.length === 0) return e;
  withheld.push({ log: logName, seq: e.seq, reason: "secret", rules });
  // A format-2 payload's salt goes with it: nothing of the secret is left to open.
  if (e.values?.payload) {
    const { payload: _, ...values } = e.values;
    return { ...e, payload: null, values };
  }
  return { ...e, payload: null };
}

/**
 * An entry just outside the period, as an events line without its payload, with its
 * inclusion proof in the checkpoint's tree: shows where the period's run starts or ends.
 */
async function witness(store: LedgerStore, period: PeriodLog, seq: number): Promise<{ entry: string; proof: string[] }> {
  const { log, checkpoint } = period;
  let entry: PackEntry | undefined;
  for await (const batch of store.streamEntries(log.id, log.origin, seq, seq + 1)) entry = batch[0];
  if (!entry) throw inconsistent(log.name, `entry ${seq} is missing`);
  const proof = await inclusionProofFor(store, log.name, seq, checkpoint.size);
  if (!digestEqual(proof.leafHash, entry.leafHash) || !digestEqual(entryLeafHash(entry), entry.leafHash)) throw inconsistent(log.name, `entry ${seq} does not match its leaf hash`);
  return { entry: formatEntryLine({ ...entry, payload: null }), proof: proof.proof.map(toBase64) };
}
