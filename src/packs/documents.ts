/**
 * pack.json (what was asked, from which ledger state, by whom) and controls.json (the control
 * matrix with populations, samples and exceptions): the model as JSON, keys in RFC 8785 order
 * and indented, so the files read well and are the same bytes on every build. Pure.
 */
import { canonicalize } from "../core/encoding/index.js";
import { SHA256SUMS_FILE, SIGNING_KEY_FILE, SUMS_TIMESTAMP_FILE } from "../core/pack/index.js";
import { REPORT_FILE } from "./pack-hash.js";
import type { PackModel } from "./pack-model.js";
import { SECRET_RULES } from "./secrets.js";
import { ATTRIBUTE_TESTS } from "./attributes.js";
import { ERASURES_FILE, type ErasureTally } from "./erasures.js";
import { RESULT_RULE } from "./results.js";

/** The payloads the pack leaves out, each with why (secrets.ts). */
export const WITHHELD_FILE = "withheld.json";

/** Entries per source and the gaps in chunk sequences (sequence-gaps.ts). */
export const RECONCILIATION_FILE = "reconciliation.json";

/** How many payloads were withheld, and why: on the cover and in pack.json. */
export function withheldCounts(m: Pick<PackModel, "withheld">): { count: number; secrets: number; absent: number } {
  const all = m.withheld ?? [];
  const secrets = all.filter((w) => w.reason === "secret").length;
  return { count: all.length, secrets, absent: all.length - secrets };
}

function pretty(value: unknown): string {
  // Through JSON first: optional fields left undefined are dropped, as JSON would.
  return `${JSON.stringify(JSON.parse(canonicalize(JSON.parse(JSON.stringify(value)))), null, 2)}\n`;
}

export function packJson(m: PackModel): string {
  return pretty({
    packId: m.packId,
    generator: m.generator,
    exporter: m.exporter,
    request: { ...m.request, logs: [...m.request.logs], approvalTags: [...m.request.approvalTags] },
    seed: m.seed,
    sampling: m.sampling,
    // One state per section: the subject logs by name, then the audit log; each names its files and its previous pack.
    ledger: m.logs,
    totals: m.totals,
    // Packs built before payloads were withheld by rule have no withheld.json.
    ...(m.withheld ? { withheld: { ...withheldCounts(m), file: WITHHELD_FILE } } : {}),
    ...(m.erasures ? { erasures: { file: ERASURES_FILE, records: m.erasures.records.length, entries: m.erasures.entries, values: m.erasures.values } } : {}),
    ...(m.reconciliation ? { reconciliation: { file: RECONCILIATION_FILE, sources: m.reconciliation.sources.length, chunkStreams: m.reconciliation.streams.length, gaps: m.reconciliation.gapCount } } : {}),
    custody: { requestedBy: m.request.requestedBy, requestedAt: m.request.requestedAt, ...(m.request.recipient ? { recipient: m.request.recipient } : {}), ...(m.request.note ? { note: m.request.note } : {}), ...custodyKeys(m), record: "each build and rebuild is a pack.build entry of the tenant's audit log, naming this pack id and the SHA-256 of SHA256SUMS; each API download is recorded there too" },
    verify: [
      "sha256sum -c SHA256SUMS",
      "openssl pkeyutl -verify -pubin -inkey signing-key.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig",
      "sealtrail verify-pack DIR --key VKEY",
      // RFC 3161: the TSA's token over each stamped checkpoint, checked against the TSA's CA certificate.
      ...m.logs.flatMap((l) => (l.timestampFile ? [`openssl ts -verify -data ${l.checkpointFile} -in ${l.timestampFile} -CAfile TSA-CA.pem`] : [])),
      // The TSA's token over the manifest itself: every file's digest existed at its time.
      ...(m.sumsTimeStamped ? [`openssl ts -verify -data ${SHA256SUMS_FILE} -in ${SUMS_TIMESTAMP_FILE} -CAfile TSA-CA.pem`] : []),
    ],
  });
}

/**
 * The signing key's fingerprint, and how the pack hash is made: pack.json is among the files
 * the pack hash covers, so it states the definition; the value is on report.pdf and printed by
 * verify-pack (pack-hash.ts).
 */
function custodyKeys(m: PackModel): Record<string, unknown> {
  if (m.signingKey === undefined) return {};
  return {
    signingKey: { algorithm: "Ed25519", file: SIGNING_KEY_FILE, fingerprint: m.signingKey, fingerprintIs: "SHA-256 of the raw 32-byte public key: openssl pkey -pubin -in signing-key.pem -outform DER | tail -c 32 | sha256sum" },
    packHash: { printedIn: REPORT_FILE, is: `SHA-256 of ${SHA256SUMS_FILE} without the line of ${REPORT_FILE}: grep -v '  ${REPORT_FILE}$' ${SHA256SUMS_FILE} | sha256sum` },
  };
}

/** reconciliation.json: each subject log's entries per source, and each captured pane stream's chunk seqs with their gaps. */
export function reconciliationJson(m: PackModel): string {
  const r = m.reconciliation!;
  return pretty({
    packId: m.packId,
    description: "Entries of the period per subject log and source; every tmux pane stream (host/server/pane) with the chunk seqs of the period, and each gap between two of its chunks with the entries on either side (seq: the entry's seq in its log, chunk: the chunk's seq in its stream). A stream's chunks before its first one of the period belong to earlier periods. Webhook and API sources carry delivery ids, not sequences: their deliveries cannot be checked for gaps. notShownBetween: tmux.output entries between the two whose payload the pack does not show (withheld.json), which may be the missing chunks; such a gap is not an exception.",
    ...r,
  });
}

/** The model's erasures, when the tally saw format-2 entries. */
export function erasuresOf(tally: ErasureTally): Pick<PackModel, "erasures"> {
  const summary = tally.finish();
  return summary ? { erasures: summary } : {};
}

/** erasures.json: the values erased or expired in the period's entries, and under which records (never the values). */
export function erasuresJson(m: PackModel): string {
  const e = m.erasures!;
  return pretty({
    packId: m.packId,
    description: "Values of format-2 entries (actor, resource, payload: docs/leaf-format.md) removed by an erasure (GDPR Art. 17) or a retention expiry before the pack was built. Each removed value is marked in its events line (erased: field -> the record's seq) and shown in the population files and the report as erased, with the record and its request. Each record is an entry of the same log, in the section's erasure-records.json with its payload opened and an inclusion proof in the section's checkpoint; it names seqs and fields, never the values. entries and values: how many of this pack's entries and values each record removed. A value gone without such a record is tampering (value_removed), and verify-pack refuses the pack.",
    entries: e.entries,
    values: e.values,
    records: e.records,
  });
}

/** withheld.json: the rules in force, and every payload left out with why. */
export function withheldJson(m: PackModel): string {
  return pretty({
    packId: m.packId,
    description: "Payloads left out of the events files: each entry's payload is null there, and its payload_hash, which its leaf commits to, still proves its inclusion. reason secret: the payload matched the rules named (it is not shown to anyone the pack reaches); reason absent: the ledger holds no value for it (erased or expired under a record of the log).",
    rules: SECRET_RULES.map((r) => ({ id: r.id, finds: r.description })),
    ...withheldCounts(m),
    payloads: m.withheld ?? [],
  });
}

export function controlsJson(m: PackModel): string {
  return pretty({
    packId: m.packId,
    framework: m.exporter.framework,
    frameworkVersion: m.exporter.version,
    controls: m.controls.map((c) => ({
      id: c.spec.id,
      summary: c.spec.summary,
      ours: c.spec.ours === true,
      method: c.spec.method,
      // The test procedure: what each sampled item is tested for, how many are sampled, and how results follow.
      procedure: {
        attributes: (c.spec.attributes ?? []).map((id) => ({ id, test: ATTRIBUTE_TESTS[id] })),
        sampleSize: c.population ? c.population.sampling.basis : "no sample: the integrity attestation is re-performed over every entry",
        rule: RESULT_RULE,
      },
      result: c.result,
      reason: c.reason,
      ...(c.operation ? { operation: c.operation } : {}),
      ...(c.attestations ? { attestations: c.attestations } : {}),
      evidence: c.evidence,
      exceptions: c.exceptionIds,
      population: c.population
        ? {
            file: c.population.file,
            query: c.population.query,
            parameters: c.population.parameters,
            count: c.population.count,
            sha256: c.population.sha256,
            sampling: c.population.sampling,
            sample: c.population.sample.map((s) => ({ log: s.logName, role: s.log, seq: s.seq, rank: s.rank, proof: s.proofFile, attributes: s.attributes })),
          }
        : null,
    })),
    exceptions: m.exceptions,
    sweeps: m.sweeps,
  });
}
