/**
 * Exception rules over time windows and account state, fed entry by entry while the period
 * streams: failed log-ins counted in any sliding 24 hours (a burst that straddles midnight is
 * one burst), keyed by actor and by source address (many accounts failing from one address:
 * credential stuffing); activity by an account after its removal. Pure; memory is bounded by
 * MAX_TIMES per key and by the accounts removed.
 */
import type { PackEntry } from "../core/pack/index.js";

/** The sliding window of the failed log-in rules (by occurred_at, the source's clock). */
export const WINDOW_MS = 86_400_000;
const MAX_TIMES = 10_000;
const MAX_SEQS = 20;

interface Failure {
  t: number;
  seq: number;
  actor: string;
}

export interface Burst {
  logName: string;
  /** The actor, or the source address. */
  key: string;
  by: "actor" | "source";
  count: number;
  accounts: number;
  from: string;
  to: string;
  seqs: number[];
}

/** Failed log-ins by (log, actor) and by (log, source), each run's densest 24 hours at finish. */
export class FailedLoginWindows {
  private readonly byActor = new Map<string, Failure[]>();
  private readonly bySource = new Map<string, Failure[]>();

  add(e: PackEntry, logName: string): void {
    const f = { t: Date.parse(e.occurredAt), seq: e.seq, actor: e.actor };
    push(this.byActor, `${logName}\t${e.actor}`, f);
    if (e.source.trim() !== "") push(this.bySource, `${logName}\t${e.source}`, f);
  }

  /** Bursts above the threshold: by actor; by source only when several accounts failed from it. */
  finish(threshold: number): Burst[] {
    const out: Burst[] = [];
    for (const [by, map] of [["actor", this.byActor], ["source", this.bySource]] as const) {
      for (const [k, list] of [...map].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const [logName, key] = k.split("\t") as [string, string];
        for (const burst of bursts(list, threshold)) {
          if (by === "source" && burst.accounts < 2) continue;
          out.push({ logName, key, by, ...burst });
        }
      }
    }
    return out;
  }
}

function push(map: Map<string, Failure[]>, key: string, f: Failure): void {
  const list = map.get(key) ?? [];
  if (list.length < MAX_TIMES) list.push(f);
  map.set(key, list);
}

/**
 * Each run of more than `threshold` failures within 24 hours, in time order: from the earliest
 * failure not yet in a burst, the failures of the next 24 hours; a burst found, the search goes
 * on after its last failure, so separate bursts are separate exceptions.
 */
function bursts(list: Failure[], threshold: number): Omit<Burst, "logName" | "key" | "by">[] {
  const times = [...list].sort((a, b) => a.t - b.t || a.seq - b.seq);
  const out: Omit<Burst, "logName" | "key" | "by">[] = [];
  let end = 0;
  for (let start = 0; start < times.length; start++) {
    end = Math.max(end, start);
    while (end + 1 < times.length && times[end + 1]!.t - times[start]!.t < WINDOW_MS) end++;
    if (end - start + 1 <= threshold) continue;
    const window = times.slice(start, end + 1);
    out.push({
      count: window.length,
      accounts: new Set(window.map((f) => f.actor)).size,
      from: new Date(window[0]!.t).toISOString(),
      to: new Date(window[window.length - 1]!.t).toISOString(),
      seqs: window.slice(0, MAX_SEQS).map((f) => f.seq).sort((a, b) => a - b),
    });
    start = end;
  }
  return out;
}

export interface RemovedActivity {
  logName: string;
  account: string;
  removedSeq: number;
  count: number;
  seqs: number[];
}

/**
 * Accounts removed (access account.remove; the account is the payload's `subject`, else the
 * entry's resource) and re-created (account.create), per log; any later entry of that log
 * acting as a removed account is activity by a removed account.
 */
export class RemovedAccounts {
  private readonly removed = new Map<string, number>();
  private readonly activity = new Map<string, RemovedActivity>();

  add(e: PackEntry, logName: string): void {
    if (e.kind === "access" && (e.action === "account.remove" || e.action === "account.create")) {
      const key = `${logName}\t${accountOf(e)}`;
      if (e.action === "account.remove") this.removed.set(key, e.seq);
      else this.removed.delete(key);
      return;
    }
    const key = `${logName}\t${e.actor}`;
    const removedSeq = this.removed.get(key);
    if (removedSeq === undefined) return;
    const a = this.activity.get(`${key}\t${removedSeq}`) ?? { logName, account: e.actor, removedSeq, count: 0, seqs: [] };
    a.count++;
    if (a.seqs.length < MAX_SEQS) a.seqs.push(e.seq);
    this.activity.set(`${key}\t${removedSeq}`, a);
  }

  finish(): RemovedActivity[] {
    return [...this.activity].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, a]) => a);
  }
}

function accountOf(e: PackEntry): string {
  try {
    const subject = e.payload === null ? undefined : (JSON.parse(e.payload) as { subject?: unknown }).subject;
    if (typeof subject === "string" && subject !== "") return subject;
  } catch {
    // A payload that is not an object names no subject: the resource does.
  }
  return e.resource;
}
