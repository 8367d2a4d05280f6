/**
 * Shared helpers of the ledger benchmarks: command-line flags, a fresh migrated schema per
 * measurement, and deterministic, realistic events (varied kinds, actors, resources, tags,
 * idempotency keys; canonical payloads of ~200–400 bytes).
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import type { EventInput } from "../src/core/entry/index.js";
import { connect, ledgerRoles, type Sql } from "../src/ledger/postgres/db.js";
import { migrateLedger } from "../src/ledger/postgres/migrate.js";

export const DEFAULT_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/**
 * A URL postgres.js 3.4 can use. It cannot parse the libpq unix-socket forms
 * (postgres://user@/db?host=/dir is an invalid WHATWG URL; ?host= beside a hostname is sent
 * to the server as a setting; a %2F… hostname is resolved by DNS): it takes a socket
 * directory only from PGHOST. So ?host=/dir becomes PGHOST (and PGUSER) plus postgres:///db.
 */
export function resolveUrl(url: string): string {
  const m = /^postgres(?:ql)?:\/\/(?:([^@/?]*)@)?[^/?]*\/([^?]*)\?(?:.*&)?host=([^&]+)/.exec(url);
  if (!m || !decodeURIComponent(m[3]!).startsWith("/")) return url;
  process.env.PGHOST = decodeURIComponent(m[3]!);
  if (m[1]) process.env.PGUSER = decodeURIComponent(m[1]);
  return `postgres:///${m[2]}`;
}

/**
 * `--name value` flags over defaults; numbers stay numbers. A flag whose default is a boolean
 * takes no value (`--keep`). Unknown flags are an error.
 */
export function parseFlags<T extends Record<string, string | number | boolean>>(argv: string[], defaults: T): T {
  const out: Record<string, string | number | boolean> = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const name = flag.replace(/^--/, "");
    if (flag.startsWith("--") && typeof defaults[name] === "boolean") {
      out[name] = true;
      continue;
    }
    if (!flag.startsWith("--") || !(name in defaults) || i + 1 >= argv.length) {
      throw new Error(`unknown or incomplete flag ${flag}; flags: ${Object.keys(defaults).map((k) => "--" + k).join(" ")}`);
    }
    const value = argv[++i]!;
    if (typeof defaults[name] === "number") {
      const n = Number(value.replace(/_/g, ""));
      if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}: got ${value}, want a positive number`);
      out[name] = n;
    } else out[name] = value;
  }
  return out as T;
}

/** Drops a bench schema and its roles (cluster-wide: they would outlive it). */
export async function dropSchema(admin: Sql, url: string, schema: string): Promise<void> {
  await admin.unsafe(`drop schema if exists "${schema}" cascade`);
  const roles = ledgerRoles(url, schema);
  for (const role of [roles.reader, roles.writer, roles.owner]) await admin.unsafe(`drop role if exists "${role}"`).catch(() => {});
}

export interface BenchSchema {
  schema: string;
  /** application_name of the writer's connections (to find their backends). */
  appName: string;
  admin: Sql;
  /** Acts as the writer role, as production's appender does. */
  writer: Sql;
  drop(): Promise<void>;
}

/** migrateLedger into bench_<random>; drop() removes it and closes both pools. */
export async function freshSchema(url: string, writerMax = 8): Promise<BenchSchema> {
  const schema = `bench_${randomBytes(5).toString("hex")}`;
  await migrateLedger(url, schema);
  const appName = `sealtrail-${schema}`;
  const admin = connect({ url, schema, max: 1, applicationName: "sealtrail-bench" });
  const writer = connect({ url, schema, role: "writer", max: writerMax, applicationName: appName });
  return {
    schema,
    appName,
    admin,
    writer,
    async drop() {
      await writer.end();
      await dropSchema(admin, url, schema);
      await admin.end();
    },
  };
}

/**
 * CPU time (ms, user + system) used so far by the server backends of `appName`'s
 * connections, from /proc (Postgres on this machine); NaN when it cannot be read.
 */
export async function backendCpuMs(admin: Sql, appName: string): Promise<number> {
  const rows = await admin<{ pid: number }[]>`select pid from pg_stat_activity where application_name = ${appName}`;
  let ticks = 0;
  try {
    for (const { pid } of rows) {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    }
  } catch {
    return NaN;
  }
  return rows.length ? ticks * 10 : NaN; // USER_HZ = 100 on Linux
}

/**
 * The fields of /proc/PID/stat after the command (proc(5): field 3 at index 0); the command
 * may hold spaces and ")". `task`: a pid, or PID/task/TID for one thread.
 */
export function procStat(task: number | string): string[] {
  const stat = readFileSync(`/proc/${task}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
}

/** CPU seconds (user and system: fields 14 and 15, in USER_HZ = 100) a process has used so far. */
export function processCpuSeconds(pid: number): number {
  const f = procStat(pid);
  return (Number(f[11]) + Number(f[12])) / 100;
}

/**
 * CPU time (ms) used so far by the whole Postgres server on this machine: the postmaster's
 * own and reaped children's time (backends that have exited) plus every live child's. A delta
 * over a measurement counts the backends of worker threads that end inside it; it also counts
 * whatever else the server did meanwhile. NaN when /proc cannot be read.
 */
export async function postgresCpuMs(admin: Sql): Promise<number> {
  try {
    const [row] = await admin<{ pid: number }[]>`select pg_backend_pid() as pid`;
    const postmaster = Number(procStat(row!.pid)[1]); // ppid (field 4)
    const own = procStat(postmaster);
    let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]); // utime stime cutime cstime
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const f = procStat(entry);
        if (Number(f[1]) === postmaster) ticks += Number(f[11]) + Number(f[12]);
      } catch {
        // exited meanwhile: counted in the postmaster's cutime once reaped
      }
    }
    return ticks * 10; // USER_HZ = 100 on Linux
  } catch {
    return NaN;
  }
}

/** Machine-wide CPU ticks from /proc/stat: busy (user..softirq) and steal (taken by the host); and context switches since boot. */
export function machineTicks(): { busy: number; steal: number; total: number; switches: number } {
  try {
    const stat = readFileSync("/proc/stat", "utf8");
    const f = stat.split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = f as [number, number, number, number, number, number, number, number];
    return { busy: user + nice + system + irq + softirq, steal, total: user + nice + system + idle + iowait + irq + softirq + steal, switches: Number(/^ctxt (\d+)$/m.exec(stat)?.[1]) };
  } catch {
    return { busy: NaN, steal: NaN, total: NaN, switches: NaN };
  }
}

/** Steal time (% of all CPU time) between two machineTicks() readings. */
export function stealPercent(a: ReturnType<typeof machineTicks>, b: ReturnType<typeof machineTicks>): number {
  return (100 * (b.steal - a.steal)) / (b.total - a.total);
}

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KINDS = [
  "auth.login", "auth.logout", "auth.mfa_challenge", "config.change", "deploy.start", "deploy.finish",
  "data.export", "user.create", "user.delete", "role.grant", "role.revoke", "payment.refund", "api_key.rotate",
];
const SOURCES = ["api-gateway", "ci", "console", "billing", "iam", "scheduler"];
const TAGS = ["pci", "sox", "gdpr", "hipaa", "prod", "staging", "eu-west-1", "us-east-1", "critical", "break-glass", "automated"];
const AGENTS = [
  "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
  "sealtrail-cli/0.1.0 node/20.20.2",
  "Go-http-client/2.0",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15",
];
const REGIONS = ["eu-west-1", "us-east-1", "ap-south-1"];
const NOTES = ["", "rotated after incident", "approved by change board", "Überprüfung abgeschlossen ✓", "tab\tand\\backslash"];

/**
 * `n` events, deterministic for a seed. Most carry an idempotency key from their source
 * (unique within the set); the rest leave it to the appender (a random UUID).
 */
export function makeEvents(n: number, seed: number): EventInput[] {
  const rnd = prng(seed);
  const int = (max: number) => Math.floor(rnd() * max);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const hex = (chars: number) => {
    let s = "";
    while (s.length < chars) s += ((rnd() * 0x100000000) >>> 0).toString(16).padStart(8, "0");
    return s.slice(0, chars);
  };
  const base = Date.parse("2025-11-01T00:00:00.000Z");
  const events: EventInput[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const kind = pick(KINDS);
    const source = pick(SOURCES);
    const tenant = `acme-${int(40)}`;
    const human = rnd() < 0.7;
    const actor = human ? `user:${int(5000)}@${tenant}.example.com` : `svc:${source}-${int(12)}`;
    const tags = Array.from({ length: int(5) }, () => pick(TAGS)); // duplicates normalised away
    const ts = base + i * 7 + int(5);
    const payload: Record<string, unknown> = {
      request_id: `${hex(8)}-${hex(4)}-${hex(4)}-${hex(12)}`,
      client: { ip: `10.${int(256)}.${int(256)}.${int(256)}`, user_agent: pick(AGENTS), session: hex(16) },
      tenant,
      region: pick(REGIONS),
      latency_ms: Math.round(rnd() * 25000) / 100,
      attempt: 1 + int(3),
    };
    if (kind.startsWith("config") || kind.startsWith("role")) {
      payload.change = { field: pick(["max_sessions", "mfa_required", "ip_allowlist", "retention_days"]), before: int(100), after: int(100) };
    } else if (kind.startsWith("payment") || kind.startsWith("data")) {
      payload.amount = { value: int(1_000_000) / 100, currency: pick(["EUR", "USD", "GBP"]) };
      payload.records = int(10_000);
    }
    const note = pick(NOTES);
    if (note) payload.note = note;
    events[i] = {
      kind,
      actor,
      action: kind.split(".")[1]!,
      resource: `tenants/${tenant}/projects/p-${int(300)}/${pick(["services", "keys", "users", "invoices"])}/${hex(10)}`,
      outcome: rnd() < 0.95 ? "success" : "failure",
      source,
      occurredAt: rnd() < 0.5 ? new Date(ts) : new Date(ts).toISOString().replace("Z", "+00:00"),
      tags,
      payload,
      ...(rnd() < 0.85 ? { idempotencyKey: `${source}:${i.toString(36)}-${hex(16)}` } : {}),
    };
  }
  return events;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The git commit benchmarked, and whether src/ differs from it. */
export function sourceRevision(): string {
  try {
    const git = (args: string[]) => execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = git(["status", "--porcelain", "--", "src", "schema"]) !== "";
    return `git ${git(["rev-parse", "--short", "HEAD"])}${dirty ? " + uncommitted changes in src/ or schema/" : ""}`;
  } catch {
    return "unknown (not a git checkout)";
  }
}

/** Node, PostgreSQL, CPU and date, for the header of a result. */
export async function environment(sql: Sql, url: string): Promise<string> {
  const [row] = await sql<{ v: string; addr: string | null }[]>`select version() as v, inet_client_addr()::text as addr`;
  const transport = row!.addr === null ? `unix socket ${process.env.PGHOST ?? ""}` : `TCP from ${row!.addr} (${url})`;
  return [
    `date      ${new Date().toISOString()}`,
    `source    ${sourceRevision()}`,
    `node      ${process.version} (${os.cpus().length} cpus: ${os.cpus()[0]?.model ?? "?"}, load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")})`,
    `postgres  ${row!.v.split(" on ")[0]} via ${transport}`,
  ].join("\n");
}
