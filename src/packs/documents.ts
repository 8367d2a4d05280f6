/**
 * pack.json (what was asked, from which ledger state, by whom) and controls.json (the control
 * matrix with populations, samples and exceptions): the model as JSON, keys in RFC 8785 order
 * and indented, so the files read well and are the same bytes on every build. Pure.
 */
import { canonicalize } from "../core/encoding/index.js";
import { SHA256SUMS_FILE, SUMS_TIMESTAMP_FILE } from "../core/pack/index.js";
import type { PackModel } from "./pack-model.js";

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
    custody: { requestedBy: m.request.requestedBy, requestedAt: m.request.requestedAt },
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
      result: c.result,
      reason: c.reason,
      ...(c.operation ? { operation: c.operation } : {}),
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
            sample: c.population.sample.map((s) => ({ log: s.logName, role: s.log, seq: s.seq, rank: s.rank, proof: s.proofFile })),
          }
        : null,
    })),
    exceptions: m.exceptions,
    sweeps: m.sweeps,
  });
}
