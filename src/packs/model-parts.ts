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

/** Late arrivals listed by seq in the workpaper; the rest are counted. */
export const LATE_LISTED = 50;

/** What the workpaper charts per day: log-ins and failed ones, changes approved and not, privileged sessions. */
export const SIGNALS = ["logins", "failedLogins", "approvedChanges", "unapprovedChanges", "sessions"] as const;
export type Signal = (typeof SIGNALS)[number];

/** Entries of the subject logs counted per UTC day (ledger clock) and per kind, for the charts and totals. */
export class EntryTally {
  readonly perDay = new Map<string, Record<string, number>>();
  readonly signals = new Map<string, Partial<Record<Signal, number>>>();
  readonly byKind: Record<string, number> = {};

  /** Entries recorded in the period that occurred before it (the source delivered them late): counted, the first ones listed. */
  readonly late: { count: number; first: { log: string; seq: number; occurredAt: string; recordedAt: string }[] } = { count: 0, first: [] };

  /** The period's start in milliseconds (NaN without one: no entry is late). */
  private readonly fromMs: number;

  /** approvalTags: as the exception rules read them (a tag equal to one, or starting with it and ":"); from: the period's start. */
  constructor(private readonly approvalTags: readonly string[] = [], from?: string) {
    this.fromMs = from === undefined ? Number.NaN : Date.parse(from);
  }

  add(e: PackEntry, logName = ""): void {
    if (Date.parse(e.occurredAt) < this.fromMs) {
      this.late.count++;
      if (this.late.first.length < LATE_LISTED) this.late.first.push({ log: logName, seq: e.seq, occurredAt: e.occurredAt, recordedAt: e.recordedAt });
    }
    const day = dayOf(e.recordedAt);
    const counts = this.perDay.get(day) ?? {};
    counts[e.kind] = (counts[e.kind] ?? 0) + 1;
    this.perDay.set(day, counts);
    this.byKind[e.kind] = (this.byKind[e.kind] ?? 0) + 1;
    const signal = this.signalOf(e);
    if (signal.length > 0) {
      const s = this.signals.get(day) ?? {};
      for (const k of signal) s[k] = (s[k] ?? 0) + 1;
      this.signals.set(day, s);
    }
  }

  private signalOf(e: PackEntry): Signal[] {
    if (e.kind === "access" && e.action === "login") return e.outcome === "failure" ? ["logins", "failedLogins"] : ["logins"];
    if (e.kind === "config.change" || (e.kind === "deploy" && e.action === "deploy.finish")) {
      const approved = e.tags.some((t) => this.approvalTags.some((a) => t === a || t.startsWith(`${a}:`)));
      return [approved ? "approvedChanges" : "unapprovedChanges"];
    }
    if (e.kind === "tmux.session" && (e.action === "capture.start" || e.action === "session.create")) return ["sessions"];
    return [];
  }

  /** Every UTC day of the period, with zero counts where nothing was recorded (a chart needs the gaps). */
  days(from: Date, to: Date): PackModel["perDay"] {
    const out: PackModel["perDay"] = [];
    const DAY = 86_400_000;
    // A very long period is charted by its days with entries only, to keep the chart legible.
    if ((to.getTime() - from.getTime()) / DAY > 800) return [...this.perDay].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, counts]) => ({ day, counts, signals: this.signals.get(day) ?? {} }));
    for (let t = Math.floor(from.getTime() / DAY) * DAY; t < to.getTime(); t += DAY) {
      const day = new Date(t).toISOString().slice(0, 10);
      out.push({ day, counts: this.perDay.get(day) ?? {}, signals: this.signals.get(day) ?? {} });
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
