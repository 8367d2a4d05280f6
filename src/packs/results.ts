/**
 * A control's result from its test. Pure. In order:
 * - exceptions: an exception of a kind the control counts was found in the period;
 * - not tested: its population is empty and the integrity attestation does not speak for it,
 *   or it declares what shows it operating (a review sign-off, an incident record) and the
 *   period holds none — a population of the events it acts on is not evidence that it acted;
 * - satisfied: otherwise.
 */
import type { ControlSpec } from "./control-spec.js";
import type { ControlOutcome, PackException, Population } from "./pack-model.js";

export function controlOutcomes(specs: readonly ControlSpec[], populations: Map<string, Population>, exceptions: PackException[], attestationFiles: string[], operations: ReadonlyMap<string, number>): ControlOutcome[] {
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
    const operation = spec.operation ? { needs: spec.operation.needs, count: operations.get(spec.id) ?? 0 } : undefined;
    const count = population?.count ?? 0;
    const [result, reason] =
      mine.length > 0 ? ["exceptions", `${mine.length} exception${mine.length === 1 ? "" : "s"} of the kinds this control counts (${[...new Set(mine.map((x) => x.kind))].join(", ")})`] as const
      : spec.attestation !== true && count === 0 ? ["not tested", "needs evidence: the period holds no entry of the control's population"] as const
      : operation && operation.count === 0 ? ["not tested", `needs evidence: ${operation.needs}; the period holds none`] as const
      : ["satisfied", [
        spec.attestation ? "the integrity attestation re-performs" : `${count} entr${count === 1 ? "y" : "ies"} in the population, the sample proved`,
        ...(operation ? [`${operation.count} entr${operation.count === 1 ? "y shows" : "ies show"} it operating`] : []),
        ...(spec.exceptions?.length ? ["no exception of the kinds it counts"] : []),
      ].join("; ")] as const;
    return { spec, result, reason, ...(operation ? { operation } : {}), population, exceptionIds: mine.map((x) => x.id), evidence };
  });
}
