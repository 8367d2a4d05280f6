/**
 * A control's result from its evidence. Pure.
 * - exceptions: an exception of a kind the control counts was found in the period;
 * - no evidence: its population is empty and the integrity attestation does not speak for it;
 * - satisfied: otherwise.
 */
import type { ControlSpec } from "./exporter.js";
import type { ControlOutcome, PackException, Population } from "./pack-model.js";

export function controlOutcomes(specs: readonly ControlSpec[], populations: Map<string, Population>, exceptions: PackException[], attestationFiles: string[]): ControlOutcome[] {
  return specs.map((spec) => {
    const population = populations.get(spec.id);
    const mine = exceptions.filter((x) => spec.exceptions?.includes(x.kind));
    for (const x of mine) x.controls.push(spec.id);
    const evidence = [
      ...(population ? [population.file] : []),
      // The sample's inclusion proofs, one file per entry, in the directory of each sampled log's section.
      ...[...new Set((population?.sample ?? []).map((s) => s.proofFile.slice(0, s.proofFile.lastIndexOf("/") + 1)))].sort(),
      ...(spec.attestation ? attestationFiles : []),
    ];
    const hasEvidence = spec.attestation === true || (population?.count ?? 0) > 0;
    const result = mine.length > 0 ? "exceptions" : hasEvidence ? "satisfied" : "no evidence";
    return { spec, result, population, exceptionIds: mine.map((x) => x.id), evidence };
  });
}
