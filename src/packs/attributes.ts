/**
 * Attributes tested per sampled item: what a control's test checks on each entry of its
 * sample (a change approved by someone other than its author, a privileged session opened
 * under a ticket, a record holding its six fields, an account still in force, a sweep that
 * verified and one the day before). An attribute that does not apply to an item (a log-in in
 * a population of sessions and log-ins) is "n/a" for it; a failed attribute is a deviation,
 * and a control with a deviation in its sample has exceptions (results.ts).
 *
 * Each result is a function of the entry and of the entries before it in the pack's stream
 * (subject logs by name, then the audit log; each in seq order), which the builder and
 * verify-pack read alike: the tracker sees every entry once, after the entry's own attributes
 * were tested, and keeps only a little per account, session and swept log, so the test stays
 * linear in the period's entries. Pure.
 */
import type { PackEntry } from "../core/pack/index.js";
import { SWEEP_KIND } from "../core/sweep/index.js";

/** Which log of the pack an entry is of (control-spec.ts's PopulationLog; this file imports none of the packs' modules). */
type PopulationLog = "subject" | "audit";
const dayOf = (iso: string): string => iso.slice(0, 10);

export const ATTRIBUTE_IDS = ["approved-by-another", "session-ticket", "record-complete", "active-account", "sweep-verified", "swept-day-before"] as const;
export type AttributeId = (typeof ATTRIBUTE_IDS)[number];
export type AttributeResult = "pass" | "fail" | "n/a";

/** Each attribute's test in words, as controls.json, the workpaper and docs/packs.md state it. */
export const ATTRIBUTE_TESTS: Record<AttributeId, string> = {
  "approved-by-another": "a change (any config.change, a deploy.finish) carries an approval tag, and the approval is not its author's own: no approval tag's reference (approved:<ref>) and no payload approvedBy or approver names the entry's actor",
  "session-ticket": "a privileged terminal session (tmux.session, tmux.command, tmux.output) was opened under a ticket: the entry, or its session's start (the latest session.create or capture.start of the same log, actor, resource and payload session before it), carries a tag ticket:<ref> or a payload ticket",
  "record-complete": "the record holds user, event type, time, outcome, origin and affected resource: actor, kind, action, resource and source are not empty (PCI DSS 10.2.2)",
  "active-account": "the actor's account was in force: no account.remove of it in the same log before the entry without an account.create after the removal",
  "sweep-verified": "an integrity sweep (kind sweep) of a log of the pack verified the log: its outcome is success",
  "swept-day-before": "the log of the pack a sweep checked was swept on the UTC day before too (or earlier the same day): the sweep ran every day; a sweep on the period's first day passes",
};

/** Column headers of the workpaper's sample tables: words, so that they wrap between words. */
export const ATTRIBUTE_LABELS: Record<AttributeId, string> = {
  "approved-by-another": "Approved by another",
  "session-ticket": "Ticket",
  "record-complete": "Six fields",
  "active-account": "Account in force",
  "sweep-verified": "Sweep verified",
  "swept-day-before": "Swept the day before",
};

/** The approval tags in force, the period's start and the subject logs: the request's, so builder and verifier test alike. */
export interface AttributeRules {
  approvalTags: readonly string[];
  from: string;
  /** A sweep of a log outside the pack (the tenant's audit log records them all) is n/a, as the sweep exceptions count only these. */
  logNames: readonly string[];
}

const CHANGE = (e: PackEntry) => e.kind === "config.change" || (e.kind === "deploy" && e.action === "deploy.finish");
const ADMIN_KINDS = new Set(["tmux.session", "tmux.command", "tmux.output"]);
const SESSION_START = new Set(["session.create", "capture.start"]);
const PREVIOUS_DAY = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

/** The few payload fields the tests read; a withheld or non-object payload has none. */
function payloadFields(e: PackEntry): Record<string, unknown> {
  if (e.payload === null) return {};
  try {
    const v = JSON.parse(e.payload) as unknown;
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const text = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v : undefined);

function hasTicket(e: PackEntry): boolean {
  return e.tags.some((t) => t.startsWith("ticket:") && t.length > "ticket:".length) || text(payloadFields(e).ticket) !== undefined;
}

/** The account an account.remove or account.create is about: the payload's subject, else the resource (as exception-rules.ts reads it). */
function accountOf(e: PackEntry): string {
  return text(payloadFields(e).subject) ?? e.resource;
}

/** The stream's memory the tests need: removed accounts, session starts, the last day each log was swept. */
export class AttributeTracker {
  private readonly removed = new Set<string>();
  private readonly sessions = new Map<string, boolean>();
  private readonly swept = new Map<string, string>();

  constructor(private readonly rules: AttributeRules) {}

  /** Every entry of the pack, in the stream's order, after its attributes were tested. */
  add(e: PackEntry, role: PopulationLog, logName: string): void {
    if (e.kind === "access" && (e.action === "account.remove" || e.action === "account.create")) {
      const key = `${logName}\t${accountOf(e)}`;
      if (e.action === "account.remove") this.removed.add(key);
      else this.removed.delete(key);
    } else if (e.kind === "tmux.session" && SESSION_START.has(e.action)) {
      const key = this.sessionKey(e, logName);
      // A capture.start inside a session created under a ticket keeps the ticket.
      this.sessions.set(key, hasTicket(e) || (e.action === "capture.start" && this.sessions.get(key) === true));
    } else if (role === "audit" && e.kind === SWEEP_KIND) {
      this.swept.set(e.resource, dayOf(e.occurredAt));
    }
  }

  private sessionKey(e: PackEntry, logName: string): string {
    const session = payloadFields(e).session;
    return `${logName}\t${e.actor}\t${e.resource}\t${typeof session === "string" ? session : ""}`;
  }

  private approvedByAnother(e: PackEntry): AttributeResult {
    if (!CHANGE(e)) return "n/a";
    const approvals = e.tags.filter((t) => this.rules.approvalTags.some((a) => t === a || t.startsWith(`${a}:`)));
    if (approvals.length === 0) return "fail";
    const refs = approvals.map((t) => t.slice(t.indexOf(":") + 1)).filter((_, i) => approvals[i]!.includes(":"));
    const p = payloadFields(e);
    const approvers = [...refs, text(p.approvedBy), text(p.approver)].filter((x): x is string => x !== undefined);
    return approvers.some((a) => a === e.actor) ? "fail" : "pass";
  }

  private sessionTicket(e: PackEntry, logName: string): AttributeResult {
    if (!ADMIN_KINDS.has(e.kind)) return "n/a";
    return hasTicket(e) || this.sessions.get(this.sessionKey(e, logName)) === true ? "pass" : "fail";
  }

  private sweptDayBefore(e: PackEntry, role: PopulationLog): AttributeResult {
    if (!this.isSweep(e, role)) return "n/a";
    const day = dayOf(e.occurredAt);
    if (day <= dayOf(this.rules.from)) return "pass";
    const last = this.swept.get(e.resource);
    return last !== undefined && (last === day || last === PREVIOUS_DAY(day)) ? "pass" : "fail";
  }

  private isSweep(e: PackEntry, role: PopulationLog): boolean {
    return role === "audit" && e.kind === SWEEP_KIND && this.rules.logNames.includes(e.resource);
  }

  /** The result of each attribute for one sampled entry, in the order the control lists them. */
  test(ids: readonly AttributeId[], e: PackEntry, role: PopulationLog, logName: string): Record<string, AttributeResult> {
    const out: Record<string, AttributeResult> = {};
    for (const id of ids) {
      switch (id) {
        case "approved-by-another": out[id] = this.approvedByAnother(e); break;
        case "session-ticket": out[id] = this.sessionTicket(e, logName); break;
        case "record-complete": out[id] = e.actor.trim() && e.kind && e.action.trim() && e.resource.trim() && e.source.trim() ? "pass" : "fail"; break;
        case "active-account": out[id] = e.kind === "access" && e.action === "account.create" ? "n/a" : this.removed.has(`${logName}\t${e.actor}`) ? "fail" : "pass"; break;
        case "sweep-verified": out[id] = !this.isSweep(e, role) ? "n/a" : e.outcome === "success" ? "pass" : "fail"; break;
        case "swept-day-before": out[id] = this.sweptDayBefore(e, role); break;
      }
    }
    return out;
  }
}

/** The attributes of a sample that failed, as "<attribute>: <log> seq <n>" lines for a control's reason. */
export function deviationsOf(sample: readonly { logName: string; seq: number; attributes: Readonly<Record<string, AttributeResult>> }[]): { logName: string; seq: number; failed: string[] }[] {
  return sample.flatMap((s) => {
    const failed = Object.entries(s.attributes).filter(([, r]) => r === "fail").map(([id]) => id);
    return failed.length > 0 ? [{ logName: s.logName, seq: s.seq, failed }] : [];
  });
}
