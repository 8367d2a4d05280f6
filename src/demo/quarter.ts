/**
 * A realistic quarter of one small company's operations, as events in five logs: deploys
 * (most with a change approval, some without, a few rollbacks), access (logins of a team on
 * working days, privilege changes, bursts of failed logins against a few accounts),
 * configuration changes (secrets redacted), application errors, and one recorded tmux
 * session of an incident with its commands and output. Deterministic for a seed.
 */
import type { EventInput } from "../core/entry/index.js";
import { DemoRandom } from "./random.js";
import { tmuxSession } from "./tmux-session.js";

export const DEMO_LOGS = ["demo-deploys", "demo-access", "demo-config", "demo-errors", "demo-tmux"] as const;
export type DemoLog = (typeof DEMO_LOGS)[number];

/** The quarter the events occurred in (their occurredAt; the ledger records them when appended). */
export const DEMO_QUARTER = { from: "2026-07-01T00:00:00.000Z", to: "2026-10-01T00:00:00.000Z" };

const DAY = 86_400_000;
const PEOPLE = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "yolanda"];
const SERVICES = ["api", "web", "billing", "worker"];
const CONFIG_KEYS = ["feature.checkout_v2", "billing.retry_limit", "api.rate_limit", "auth.session_ttl", "db.pool_size", "smtp.password", "stripe.api_key", "web.cdn_origin"];
const ERRORS: [string, string, "warning" | "error" | "critical"][] = [
  ["DB_TIMEOUT", "query timed out after 5000 ms", "error"],
  ["PAYMENT_DECLINED", "card declined by issuer", "warning"],
  ["UPSTREAM_502", "bad gateway from payments provider", "error"],
  ["OOM_KILLED", "worker killed: out of memory", "critical"],
  ["TLS_EXPIRING", "certificate for api.example.com expires in 14 days", "warning"],
];

export function demoQuarter(seed: string): Map<DemoLog, EventInput[]> {
  const random = new DemoRandom(seed);
  const start = Date.parse(DEMO_QUARTER.from);
  const days = (Date.parse(DEMO_QUARTER.to) - start) / DAY;
  const at = (day: number, hour: number) => new Date(start + day * DAY + hour * 3_600_000 + random.int(0, 3_599_999)).toISOString();
  const workday = (day: number) => new Date(start + day * DAY).getUTCDay() % 6 !== 0;
  const logs = new Map<DemoLog, EventInput[]>(DEMO_LOGS.map((l) => [l, []]));
  const push = (log: DemoLog, e: EventInput) => logs.get(log)!.push({ source: `demo-${seed}`, outcome: "success", ...e, idempotencyKey: `demo:${seed}:${log}:${logs.get(log)!.length}` });

  let change = 1000;
  for (let day = 0; day < days; day++) {
    if (!workday(day)) continue;
    // Deploys: one or two a working day; one in eight without a change approval.
    for (let d = random.int(1, 2); d > 0; d--) {
      const service = random.pick(SERVICES);
      const version = `2.${Math.floor(day / 7)}.${random.int(0, 20)}`;
      const actor = random.pick(PEOPLE.slice(0, 8));
      const approved = random.chance(0.875);
      const tags = approved ? [`approved:CHG-${++change}`, "production"] : ["production"];
      const hour = random.int(9, 17);
      push("demo-deploys", { kind: "deploy", actor, action: "deploy.start", resource: `service/${service}`, occurredAt: at(day, hour), tags, payload: { version, environment: "production" } });
      const rolledBack = random.chance(0.05);
      push("demo-deploys", { kind: "deploy", actor, action: rolledBack ? "deploy.rollback" : "deploy.finish", resource: `service/${service}`, occurredAt: at(day, hour), tags, payload: rolledBack ? { version: "previous", previousVersion: version, environment: "production" } : { version, environment: "production" } });
    }
    // Access: most of the team logs in and out each working day.
    for (const person of PEOPLE) {
      if (!random.chance(0.7)) continue;
      const method = random.pick(["sso", "sso", "ssh-key", "mfa"]);
      push("demo-access", { kind: "access", actor: person, action: "login", resource: "idp/okta", occurredAt: at(day, random.int(7, 10)), payload: { method, address: `10.0.${random.int(0, 9)}.${random.int(2, 250)}` } });
      if (random.chance(0.03)) push("demo-access", { kind: "access", actor: person, action: "login", resource: "idp/okta", outcome: "failure", occurredAt: at(day, 11), payload: { method: "password", reason: "wrong password" } });
      push("demo-access", { kind: "access", actor: person, action: "logout", resource: "idp/okta", occurredAt: at(day, random.int(16, 19)), payload: { method } });
    }
    // Configuration: a few changes a week.
    if (random.chance(0.45)) {
      const key = random.pick(CONFIG_KEYS);
      const secret = /password|api_key/.test(key);
      push("demo-config", { kind: "config.change", actor: random.pick(PEOPLE.slice(0, 6)), action: "config.update", resource: `config/${key.split(".")[0]}`, occurredAt: at(day, random.int(9, 18)), payload: secret ? { key, redacted: true, reason: "rotation" } : { key, before: random.int(1, 50), after: random.int(1, 50), reason: `CHG-${change}` } });
    }
    // Errors: a handful a day, worse on some days.
    for (let n = random.int(0, 3); n > 0; n--) {
      const [code, message, severity] = random.pick(ERRORS);
      push("demo-errors", { kind: "error", actor: `service/${random.pick(SERVICES)}`, action: "app.error", resource: `service/${random.pick(SERVICES)}`, outcome: "failure", occurredAt: at(day, random.int(0, 23)), payload: { code, message, severity } });
    }
  }
  // Failed-login bursts against four accounts (a credential-stuffing week and a locked-out user).
  for (const [day, person, count] of [[12, "judy", 9], [40, "trent", 14], [41, "trent", 7], [77, "olivia", 6]] as const) {
    for (let i = 0; i < count; i++) push("demo-access", { kind: "access", actor: person, action: "login", resource: "idp/okta", outcome: "failure", occurredAt: at(day, 3), payload: { method: "password", reason: "wrong password", address: `203.0.113.${random.int(2, 250)}` } });
  }
  // Privilege changes and account lifecycle.
  for (const [day, subject, action, privilege] of [[5, "ivan", "privilege.grant", "prod-db-admin"], [19, "ivan", "privilege.revoke", "prod-db-admin"], [33, "newhire", "account.create", ""], [60, "mallory", "privilege.grant", "billing-admin"], [88, "walter", "account.remove", ""]] as const) {
    push("demo-access", { kind: "access", actor: "alice", action, resource: "idp/okta", occurredAt: at(day, 10), payload: privilege ? { subject, privilege } : { subject } });
  }
  for (const e of tmuxSession(random, Date.parse("2026-08-11T02:10:00.000Z"))) push("demo-tmux", e);
  return logs;
}
