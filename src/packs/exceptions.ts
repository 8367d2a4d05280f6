/**
 * Exception detection while the period streams: failed sweeps, days without a sweep, failed
 * log-ins above the threshold, deployments without an approval tag, entries missing a record
 * field. Pure; memory is bounded by the number of actors × days and by MAX_LISTED.
 */
import type { PackEntry } from "../core/pack/index.js";
import { storedSweep, SWEEP_KIND } from "../core/sweep/index.js";
import type { ExceptionKind, PopulationLog } from "./exporter.js";
import type { PackException, SweepSummary } from "./pack-model.js";
import { FailedLoginWindows, RemovedAccounts } from "./exception-rules.js";
import { SequenceTracker, streamWords } from "./sequence-gaps.js";

/** Exceptions listed one by one per kind; past that, one more says how many were left out. */
export const MAX_LISTED = 200;
const MAX_SWEEPS = 5000;

export interface ExceptionRules {
  /** The subject logs, sorted by name. */
  logNames: readonly string[];
  from: Date;
  to: Date;
  failedLoginThreshold: number;
  approvalTags: readonly string[];
}

interface Found {
  kind: ExceptionKind;
  log: PopulationLog;
  logName: string;
  seqs: number[];
  day?: string;
  description: string;
  remediation: string;
}

/** What the workpaper asks of management for each exception, not yet stated when the pack is built. */
const MANAGEMENT = { rootCause: "not stated: for management to determine", managementResponse: "not stated: for management to give" };

export const dayOf = (iso: string): string => iso.slice(0, 10);

export class ExceptionFinder {
  private readonly found = new Map<ExceptionKind, Found[]>();
  private readonly unlisted = new Map<ExceptionKind, number>();
  private readonly failedLogins = new FailedLoginWindows();
  private readonly removedAccounts = new RemovedAccounts();
  /** Days with a sweep, per subject log. */
  private readonly sweepDays = new Map<string, Set<string>>();
  private readonly failedSweeps: { found: Found; swept: string }[] = [];
  readonly sweeps: SweepSummary[] = [];
  /** Entries per source and the chunk streams of tmux capture, for the reconciliation (sequence-gaps.ts). */
  readonly sequences = new SequenceTracker();

  constructor(private readonly rules: ExceptionRules) {
    for (const name of rules.logNames) this.sweepDays.set(name, new Set());
  }

  private add(f: Found): void {
    const list = this.found.get(f.kind) ?? [];
    if (list.length >= MAX_LISTED) {
      this.unlisted.set(f.kind, (this.unlisted.get(f.kind) ?? 0) + 1);
      return;
    }
    list.push(f);
    this.found.set(f.kind, list);
  }

  private approved(tags: readonly string[]): boolean {
    return tags.some((t) => this.rules.approvalTags.some((a) => t === a || t.startsWith(`${a}:`)));
  }

  /** Every entry of subject log `logName`, in seq order. */
  subject(e: PackEntry, logName: string): void {
    // Cheap test first: this runs for every entry of the period.
    const missing = e.actor.trim() && e.kind && e.action.trim() && e.resource.trim() && e.source.trim() ? [] : (["actor", "kind", "action", "resource", "source"] as const).filter((k) => e[k].trim() === "");
    if (missing.length > 0) this.add({ kind: "missing-field", log: "subject", logName, seqs: [e.seq], description: `seq ${e.seq} of ${logName} has an empty ${missing.join(", ")}`, remediation: "open" });
    // Counted per log: the seqs that show an exception are seqs of one log.
    if (e.kind === "access" && e.action === "login" && e.outcome === "failure") this.failedLogins.add(e, logName);
    this.removedAccounts.add(e, logName);
    this.sequences.add(e, logName);
    if (e.kind === "deploy" && e.action === "deploy.finish" && !this.approved(e.tags)) {
      this.add({ kind: "unapproved-deploy", log: "subject", logName, seqs: [e.seq], description: `${logName}: deployment of ${e.resource} by ${e.actor} at ${e.occurredAt} carries no approval tag (${this.rules.approvalTags.join(", ")})`, remediation: "open" });
    }
    if (e.kind === "config.change" && !this.approved(e.tags)) {
      this.add({ kind: "unapproved-change", log: "subject", logName, seqs: [e.seq], description: `${logName}: ${e.action} of ${e.resource} by ${e.actor} at ${e.occurredAt} carries no approval tag (${this.rules.approvalTags.join(", ")})`, remediation: "open" });
    }
  }

  /** Every entry of the tenant's audit log (named `auditName`) in the period, in seq order. */
  audit(e: PackEntry, auditName: string): void {
    if (e.kind === SWEEP_KIND && this.sweepDays.has(e.resource)) this.sweep(e, auditName);
  }

  private sweep(e: PackEntry, auditName: string): void {
    const record = storedSweep(e.payload, new Date(e.occurredAt));
    const day = dayOf(e.occurredAt);
    const swept = e.resource;
    this.sweepDays.get(swept)!.add(day);
    if (this.sweeps.length < MAX_SWEEPS) {
      this.sweeps.push({ log: swept, seq: e.seq, at: e.occurredAt, result: record.result, toSize: record.toSize, firstBadSeq: record.firstBadSeq, tamperClass: record.tamperClass });
    }
    if (record.result === "verified") {
      // A later sweep that verifies the log again is the remediation of its failures before it.
      for (const f of this.failedSweeps) if (f.swept === swept && f.found.remediation === "open") f.found.remediation = `re-verified by the sweep at ${e.occurredAt} (seq ${e.seq})`;
      return;
    }
    const what = record.result === "tampered" ? `found ${record.tamperClass ?? "tampering"}${record.firstBadSeq !== null ? ` at seq ${record.firstBadSeq}` : ""}` : "could not complete";
    const found: Found = { kind: "failed-sweep", log: "audit", logName: auditName, seqs: [e.seq], day, description: `integrity sweep of ${swept} at ${e.occurredAt} ${what}`, remediation: "open" };
    this.failedSweeps.push({ found, swept });
    this.add(found);
  }

  /** The exceptions, numbered EX-0001… in a fixed order: by kind, then as found. */
  finish(): PackException[] {
    const threshold = this.rules.failedLoginThreshold;
    for (const b of this.failedLogins.finish(threshold)) {
      const who = b.by === "actor" ? `by ${b.key}` : `for ${b.accounts} accounts from ${b.key}`;
      this.add({ kind: b.by === "actor" ? "failed-logins" : "failed-logins-source", log: "subject", logName: b.logName, seqs: b.seqs, day: dayOf(b.from), description: `${b.count} failed log-ins ${who} within 24 hours (${b.from} to ${b.to}) in ${b.logName} (threshold ${threshold})`, remediation: "open" });
    }
    for (const a of this.removedAccounts.finish()) {
      this.add({ kind: "removed-account", log: "subject", logName: a.logName, seqs: a.seqs, description: `${a.count} entr${a.count === 1 ? "y" : "ies"} in ${a.logName} by ${a.account} after the account was removed (seq ${a.removedSeq})`, remediation: "open" });
    }
    for (const gap of this.sweepGaps()) this.add(gap);
    this.chunkGaps();
    const out: PackException[] = [];
    const order: ExceptionKind[] = ["failed-sweep", "sweep-gap", "sequence-gap", "failed-logins", "failed-logins-source", "removed-account", "unapproved-deploy", "unapproved-change", "missing-field"];
    for (const kind of order) {
      for (const f of this.found.get(kind) ?? []) out.push({ id: "", controls: [], ...f, ...MANAGEMENT });
      const more = this.unlisted.get(kind);
      if (more) out.push({ id: "", controls: [], kind, log: "subject", logName: "", seqs: [], description: `${more} more exceptions of this kind, not listed one by one`, remediation: "open", ...MANAGEMENT });
    }
    out.forEach((x, i) => (x.id = `EX-${String(i + 1).padStart(4, "0")}`));
    return out;
  }

  /**
   * A gap in a pane stream's chunk seqs is an exception, with the entries on either side as its
   * evidence; one that payloads not shown between them could fill (withheld.json) is reported in
   * the reconciliation only, as it may be those chunks.
   */
  private chunkGaps(): void {
    const r = this.sequences.finish();
    for (const g of r.gaps) {
      if (g.notShownBetween >= g.missing) continue;
      const chunks = g.from === g.to ? `chunk ${g.from}` : `chunks ${g.from} to ${g.to} (${g.missing})`;
      this.add({ kind: "sequence-gap", log: "subject", logName: g.log, seqs: [g.before.seq, g.after.seq], description: `${g.log}: ${chunks} of ${streamWords(g.stream)} (source ${g.source}) missing between entries ${g.before.seq} (chunk ${g.before.chunk}) and ${g.after.seq} (chunk ${g.after.chunk}): captured output the ledger did not receive`, remediation: "open" });
    }
    const unlisted = r.gapCount - r.gaps.length;
    if (unlisted > 0) this.unlisted.set("sequence-gap", (this.unlisted.get("sequence-gap") ?? 0) + unlisted);
  }

  /** Runs of whole UTC days of the period without a sweep, log by log in name order. */
  private sweepGaps(): Found[] {
    return this.rules.logNames.flatMap((name) => this.sweepGapsOf(name, this.sweepDays.get(name)!));
  }

  private sweepGapsOf(logName: string, sweepDays: ReadonlySet<string>): Found[] {
    const gaps: Found[] = [];
    const DAY = 86_400_000;
    const start = Math.ceil(this.rules.from.getTime() / DAY) * DAY;
    const end = Math.floor(this.rules.to.getTime() / DAY) * DAY;
    let runStart: string | undefined;
    let runDays = 0;
    const close = (last: string) => {
      if (runStart === undefined) return;
      gaps.push({ kind: "sweep-gap", log: "audit", logName, seqs: [], day: runStart, description: runDays === 1 ? `no integrity sweep of ${logName} on ${runStart}` : `no integrity sweep of ${logName} from ${runStart} to ${last} (${runDays} days)`, remediation: "open" });
      runStart = undefined;
      runDays = 0;
    };
    let last = "";
    for (let t = start; t + DAY <= end; t += DAY) {
      const day = new Date(t).toISOString().slice(0, 10);
      if (sweepDays.has(day)) close(last);
      else {
        runStart ??= day;
        runDays++;
      }
      last = day;
    }
    close(last);
    return gaps;
  }
}
