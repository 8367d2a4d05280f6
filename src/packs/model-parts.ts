/**
 * The parts of a pack's model that follow from the request, the sections and the entries
 * alone, shared by the builder and by verify-pack's re-derivation, so that the two compute
 * them with the same code. Pure.
 */
import type { PackEntry } from "../core/pack/index.js";
import { RESERVED_NAME_PREFIX } from "../core/entry/index.js";
import { dayOf } from "./exceptions.js";
import type { ControlSpec, PopulationLog } from "./control-spec.js";
import type { PackModel } from "./pack-model.js";
import { matchesPopulation } from "./population.js";
import { sampleBasis, sampleSizeFor } from "./sampling.js";

/** A population file's name part for a requirement id (CC6.1 → cc6.1, 164.312(b) → 164.312-b). */
export const slug = (id: string): string => id.toLowerCase().replace(/[^a-z0-9.]+/g, "-").replace(/^-+|-+$/g, "");

export const populationFile = (controlId: string): string => `populations/${slug(controlId)}.csv`;

/** The tenant's audit log (ledger/audit-log.ts names it so); the verifier imports no ledger code. */
export const tenantAuditLog = (tenant: string): string => `${RESERVED_NAME_PREFIX}audit.${tenant}`;

/** $periods of the population query (population.ts): a row per section of the pack. */
export function parametersOf(logs: readonly { role: string; name: string; firstSeq: number; endSeq: number }[]): Record<string, unknown> {
  return { periods: logs.map((l) => ({ role: l.role, log: l.name, first_seq: l.firstSeq, end_seq: l.endSeq })) };
}

/** A control's sample size for its population, by its frequency and the sampling table, or the auditor's fixed size. */
export function populationSampling(spec: ControlSpec, count: number, fixed: number | undefined): { frequency: NonNullable<ControlSpec["frequency"]>; size: number; basis: string } {
  const frequency = spec.frequency ?? "many-times-daily";
  return { frequency, size: sampleSizeFor(frequency, count, fixed), basis: sampleBasis(frequency, count, fixed) };
}

/** Entries of the subject logs counted per UTC day (ledger clock) and per kind, for the charts and totals. */
export class EntryTally {
  readonly perDay = new Map<string, Record<string, number>>();
  readonly byKind: Record<string, number> = {};

  add(e: PackEntry): void {
    const day = dayOf(e.recordedAt);
    const counts = this.perDay.get(day) ?? {};
    counts[e.kind] = (counts[e.kind] ?? 0) + 1;
    this.perDay.set(day, counts);
    this.byKind[e.kind] = (this.byKind[e.kind] ?? 0) + 1;
  }

  /** Every UTC day of the period, with zero counts where nothing was recorded (a chart needs the gaps). */
  days(from: Date, to: Date): PackModel["perDay"] {
    const out: PackModel["perDay"] = [];
    const DAY = 86_400_000;
    // A very long period is charted by its days with entries only, to keep the chart legible.
    if ((to.getTime() - from.getTime()) / DAY > 800) return [...this.perDay].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, counts]) => ({ day, counts }));
    for (let t = Math.floor(from.getTime() / DAY) * DAY; t < to.getTime(); t += DAY) {
      const day = new Date(t).toISOString().slice(0, 10);
      out.push({ day, counts: this.perDay.get(day) ?? {} });
    }
    return out;
  }
}

/** Per control that declares its operation evidence (control-spec.ts), how many entries of the period show it. */
export class OperationTally {
  readonly counts = new Map<string, number>();
  private readonly specs: readonly ControlSpec[];

  constructor(specs: readonly ControlSpec[]) {
    this.specs = specs.filter((s) => s.operation);
  }

  add(e: PackEntry, role: PopulationLog): void {
    for (const s of this.specs) if (matchesPopulation(s.operation!.clauses, role, e)) this.counts.set(s.id, (this.counts.get(s.id) ?? 0) + 1);
  }
}
