/**
 * A control's result from its test. Pure. In order:
 * - exceptions: an exception of a kind the control counts was found in the period, or an
 *   entry of its sample fails an attribute the control tests (attributes.ts: a deviation);
 * - not tested: its population is empty and the integrity attestation does not speak for it,
 *   or it declares what shows it operating (a review sign-off, an incident record) and the
 *   period holds none — a population of the events it acts on is not evidence that it acted —
 *   unless the company attested it;
 * - attested: as not tested, but a file was attested for the control (`sealtrail attest`: its
 *   hash recorded in the ledger, the file carried in the pack). The procedure then is the
 *   auditor's inspection of that file, which no rule can perform: presence is not operation,
 *   so an attested control is never "satisfied" — it is tested, by inspection, and the
 *   conclusion is the auditor's;
 * - satisfied: otherwise (a control with ledger evidence names any attestation beside it).
 */
import { deviationsOf } from "./attributes.js";
import type { ControlSpec } from "./control-spec.js";
import type { Attestation, ControlOutcome, PackException, Population } from "./pack-model.js";

/** The rule above in words, as controls.json states it for every control. */
export const RESULT_RULE = "exceptions when an exception of a kind the control counts was found in the period, or a sampled entry fails a tested attribute; else, when the population is empty (and no integrity attestation speaks for it) or the evidence of the control operating is absent: attested when a file attested for the control is carried in the pack (the auditor inspects it: presence alone is not satisfied), not tested otherwise; else satisfied";

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function attestedBy(list: readonly Attestation[]): string {
  return `attested by ${list.map((a) => `${a.by} (${a.file.name}, SHA-256 ${a.file.sha256.slice(0, 16)}…, ${a.logName} seq ${a.seq})`).join("; ")}`;
}

export function controlOutcomes(specs: readonly ControlSpec[], populations: Map<string, Population>, exceptions: PackException[], attestationFiles: string[], operations: ReadonlyMap<string, number>, attestations: readonly Attestation[] = []): ControlOutcome[] {
  return specs.map((spec) => {
    const population = populations.get(spec.id);
    const mine = exceptions.filter((x) => spec.exceptions?.includes(x.kind));
    for (const x of mine) x.controls.push(spec.id);
    const attested = attestations.filter((a) => a.controlId === spec.id);
    const evidence = [
      ...(population ? [population.file] : []),
      // The sample's inclusion proofs, one file per entry, in the directory of each sampled log's section.
      ...[...new Set((population?.sample ?? []).map((s) => s.proofFile.slice(0, s.proofFile.lastIndexOf("/") + 1)))].sort(),
      ...(spec.attestation ? attestationFiles : []),
      ...new Set(attested.flatMap((a) => [a.packFile, a.proofFile])),
    ];
    const operation = spec.operation ? { needs: spec.operation.needs, count: operations.get(spec.id) ?? 0 } : undefined;
    const count = population?.count ?? 0;
    const deviations = deviationsOf(population?.sample ?? []);
    const found = [
      ...(mine.length > 0 ? [`${plural(mine.length, "exception", "exceptions")} of the kinds this control counts (${[...new Set(mine.map((x) => x.kind))].join(", ")})`] : []),
      ...(deviations.length > 0 ? [`${deviations.length} of ${population!.sample.length} sampled entries fail a tested attribute (${deviations.slice(0, 5).map((d) => `${d.logName} seq ${d.seq}: ${d.failed.join(", ")}`).join("; ")}${deviations.length > 5 ? "; …" : ""})`] : []),
    ];
    const untested = spec.attestation !== true && count === 0 ? "needs evidence: the period holds no entry of the control's population"
      : operation && operation.count === 0 ? `needs evidence: ${operation.needs}; the period holds none`
      : undefined;
    const [result, reason] =
      found.length > 0 ? ["exceptions", found.join("; ")] as const
      : untested !== undefined && attested.length === 0 ? ["not tested", untested] as const
      : untested !== undefined ? ["attested", [
        `tested by inspection of attested evidence: the ledger holds none of its own (${untested.replace(/^needs evidence: /, "")})`,
        attestedBy(attested),
        `the auditor inspects ${attested.length === 1 ? "the file" : "each file"} against the procedure; sealtrail checks only that ${attested.length === 1 ? "it is" : "they are"} the bytes the ledger recorded`,
        ...(spec.exceptions?.length ? ["no exception of the kinds it counts"] : []),
      ].join("; ")] as const
      : ["satisfied", [
        spec.attestation ? "the integrity attestation re-performs" : `${plural(count, "entry", "entries")} in the population, the sample proved`,
        ...(population && (spec.attributes?.length ?? 0) > 0 && population.sample.length > 0 ? [`every sampled entry passes ${spec.attributes!.join(", ")}`] : []),
        ...(operation ? [`${operation.count} entr${operation.count === 1 ? "y shows" : "ies show"} it operating`] : []),
        ...(attested.length > 0 ? [attestedBy(attested)] : []),
        ...(spec.exceptions?.length ? ["no exception of the kinds it counts"] : []),
      ].join("; ")] as const;
    return { spec, result, reason, ...(operation ? { operation } : {}), ...(attested.length > 0 ? { attestations: attested } : {}), population, exceptionIds: mine.map((x) => x.id), evidence };
  });
}
