/**
 * A seeded ledger for pack tests: log `prod` of tenant `acme` with entries before, in and
 * after the period 2025-03-01 to 2025-03-04 (UTC, ledger clock), of every kind the frameworks
 * read, and the tenant's audit log with sweeps (one failed, one day without). The ledger
 * clock is pinned per batch, so recorded_at lands where the test wants it.
 */
import { type KeyObject, sign } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { sha256 } from "../../src/core/encoding/index.js";
import { publicKeyToPem } from "../../src/core/note/index.js";
import { formatSha256Sums } from "../../src/core/pack/index.js";
import { buildPack } from "../../src/packs/build-pack.js";
import { soc2 } from "../../src/packs/frameworks/soc2.js";
import type { PackRequest } from "../../src/packs/pack-model.js";
import type { EventInput } from "../../src/core/entry/index.js";
import { sweepEvent } from "../../src/core/sweep/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { ensureAuditLog } from "../../src/ledger/audit-log.js";
import { checkpointLog } from "../../src/ledger/checkpointer.js";
import type { Sql } from "../../src/ledger/postgres/db.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { PostgresLedgerStore } from "../../src/ledger/postgres/postgres-store.js";
import type { LedgerStore } from "../../src/ledger/store.js";

export const PERIOD = { from: "2025-03-01T00:00:00Z", to: "2025-03-04T00:00:00Z" };
export const ORIGIN_PREFIX = "example.com/sealtrail";

function at(iso: string, minutes: number): Date {
  return new Date(Date.parse(iso) + minutes * 60_000);
}

function event(kind: string, action: string, occurredAt: Date, extra: Partial<EventInput> = {}): EventInput {
  return { kind, actor: "alice", action, resource: "service/api", source: "host-1", occurredAt, payload: {}, ...extra };
}

/** The events of one UTC day of the seeded log (`n` varies the mix a little). */
function day(iso: string, n: number): EventInput[] {
  const out: EventInput[] = [];
  out.push(event("tmux.session", "session.create", at(iso, 10), { actor: "Zoë Ångström", payload: { session: "ops", host: "db-1" } }));
  out.push(event("tmux.output", "pane.output", at(iso, 11), { actor: "Zoë Ångström", payload: { session: "ops", pane: "%1", data: "✓ backup done — λ=0.5 ┌─┐" } }));
  out.push(event("access", "login", at(iso, 20), { actor: "bob", payload: { method: "sso" } }));
  out.push(event("deploy", "deploy.finish", at(iso, 30), { resource: "service/web", tags: ["approved:CHG-1"], payload: { version: `1.${n}.0` } }));
  // A resource with a quote, a comma and a line break: population CSVs must quote it and still count one row.
  out.push(event("config.change", "config.update", at(iso, 40), { resource: 'config/"tls",\r\nmin_version', payload: { key: "tls.min_version", before: "1.2", after: "1.3" } }));
  out.push(event("access", "account.create", at(iso, 50), { payload: { subject: `user-${n}` } }));
  out.push(event("access", "privilege.grant", at(iso, 55), { payload: { subject: `user-${n}`, privilege: "read" } }));
  out.push(event("custom", "card.read", at(iso, 60), { tags: ["chd"], payload: { pan: "****4242" } }));
  out.push(event("error", "http.500", at(iso, 70), { outcome: "failure", payload: { message: "upstream timeout" } }));
  out.push(event("custom", "review.signoff", at(iso, 80), { actor: "carol", payload: { reviewed: iso.slice(0, 10) } }));
  for (let i = 0; i < 5; i++) out.push(event("access", "login", at(iso, 90 + i), { actor: "mallory", outcome: "failure", payload: { reason: "bad password" } }));
  return out;
}

async function appendAt(appender: Appender, clock: { now: Date }, log: string, when: string, events: EventInput[]): Promise<void> {
  clock.now = new Date(when);
  await appender.append(log, events);
}

export interface SeededLedger {
  /** Size of the log when the first checkpoint was signed (entries up to 2025-03-04). */
  firstCheckpointSize: number;
}

/**
 * Seeds through `writer` (a sealtrail_writer connection). Signs one checkpoint of `prod` in the
 * middle (after 2025-03-04), so a pack of PERIOD is covered by it (the entries and the one just
 * after) and a later pack has a previous pack to be consistent with.
 */
export async function seedPackLedger(writer: Sql, key: KeyObject): Promise<SeededLedger> {
  await createLog(writer, "prod", { tenant: "acme", origin: `${ORIGIN_PREFIX}/prod` });
  const audit = await ensureAuditLog(new PostgresLedgerStore(writer), "acme", ORIGIN_PREFIX);
  const clock = { now: new Date() };
  const appender = new Appender(writer, { now: () => clock.now });
  await appendAt(appender, clock, "prod", "2025-02-28T12:00:00Z", day("2025-02-28T00:00:00Z", 0));
  await appendAt(appender, clock, "prod", "2025-03-01T12:00:00Z", day("2025-03-01T00:00:00Z", 1));
  // Day 2: one deployment without approval and a burst of failed log-ins (threshold 5).
  await appendAt(appender, clock, "prod", "2025-03-02T12:00:00Z", [
    ...day("2025-03-02T00:00:00Z", 2),
    event("deploy", "deploy.finish", at("2025-03-02T00:00:00Z", 200), { resource: "service/billing", payload: { version: "9.9.9" } }),
    event("access", "login", at("2025-03-02T00:00:00Z", 210), { actor: "mallory", outcome: "failure", payload: {} }),
  ]);
  clock.now = new Date("2025-03-01T02:00:00Z");
  await appender.append(audit.name, [sweepEvent("prod", { result: "verified", at: new Date("2025-03-01T02:00:00Z"), fromSeq: 0, toSize: 15, durationMs: 12, firstBadSeq: null, tamperClass: null }, "sweeper")]);
  clock.now = new Date("2025-03-02T02:00:00Z");
  await appender.append(audit.name, [sweepEvent("prod", { result: "tampered", at: new Date("2025-03-02T02:00:00Z"), fromSeq: 0, toSize: 30, durationMs: 15, firstBadSeq: 17, tamperClass: "payload_edited" }, "sweeper")]);
  clock.now = new Date("2025-03-02T20:00:00Z");
  await appender.append(audit.name, [sweepEvent("prod", { result: "verified", at: new Date("2025-03-02T20:00:00Z"), fromSeq: 0, toSize: 30, durationMs: 14, firstBadSeq: null, tamperClass: null }, "sweeper")]);
  // 2025-03-03 has no sweep: a gap.
  await appendAt(appender, clock, "prod", "2025-03-03T12:00:00Z", day("2025-03-03T00:00:00Z", 3));
  await appendAt(appender, clock, "prod", "2025-03-04T12:00:00Z", day("2025-03-04T00:00:00Z", 4));
  const { checkpoint } = await checkpointLog(new PostgresLedgerStore(writer), "prod", key);
  await appendAt(appender, clock, "prod", "2025-03-05T12:00:00Z", day("2025-03-05T00:00:00Z", 5));
  await appendAt(appender, clock, "prod", "2025-03-06T12:00:00Z", day("2025-03-06T00:00:00Z", 6));
  return { firstCheckpointSize: checkpoint.size };
}

/**
 * A second log of tenant acme, `prod-access`, for packs over several logs: access events on
 * each day from 2025-02-28 to 2025-03-05 (so the period has entries before and after it),
 * sweeps of the log on 2025-03-02 and 2025-03-03 (none on 2025-03-01: a gap of its own), and a
 * checkpoint signed after 2025-03-04. Run after seedPackLedger: the sweeps follow its audit
 * entries on the ledger clock. Returns how many of its entries fall in PERIOD.
 */
export async function seedAccessLog(writer: Sql, key: KeyObject): Promise<{ inPeriod: number }> {
  await createLog(writer, "prod-access", { tenant: "acme", origin: `${ORIGIN_PREFIX}/prod-access` });
  const audit = await ensureAuditLog(new PostgresLedgerStore(writer), "acme", ORIGIN_PREFIX);
  const clock = { now: new Date() };
  const appender = new Appender(writer, { now: () => clock.now });
  const accessDay = (iso: string, n: number): EventInput[] => [
    event("access", "login", at(iso, 5), { actor: "dave", resource: "vpn", tags: ["external"], payload: { method: "mfa" } }),
    event("access", "login", at(iso, 6), { actor: "erin", resource: "vpn", outcome: "failure", payload: { reason: "expired" } }),
    event("access", "privilege.revoke", at(iso, 7), { actor: "admin", resource: "iam", payload: { subject: `user-${n}`, privilege: "write" } }),
    event("access", "logout", at(iso, 8), { actor: "dave", resource: "vpn", payload: {} }),
  ];
  let inPeriod = 0;
  for (const [i, iso] of ["2025-02-28", "2025-03-01", "2025-03-02", "2025-03-03", "2025-03-04"].entries()) {
    const events = accessDay(`${iso}T00:00:00Z`, i);
    await appendAt(appender, clock, "prod-access", `${iso}T13:00:00Z`, events);
    if (iso >= PERIOD.from.slice(0, 10) && iso < PERIOD.to.slice(0, 10)) inPeriod += events.length;
  }
  for (const iso of ["2025-03-02", "2025-03-03"]) {
    clock.now = new Date(`${iso}T21:00:00Z`);
    await appender.append(audit.name, [sweepEvent("prod-access", { result: "verified", at: clock.now, fromSeq: 0, toSize: 4, durationMs: 3, firstBadSeq: null, tamperClass: null }, "sweeper")]);
  }
  await checkpointLog(new PostgresLedgerStore(writer), "prod-access", key);
  await appendAt(appender, clock, "prod-access", "2025-03-05T13:00:00Z", accessDay("2025-03-05T00:00:00Z", 5));
  return { inPeriod };
}

/** A fresh work folder with `key` as signing-key.pem (PKCS8, the pack key) and verifier.pub.pem (SPKI). */
export function packWorkdir(name: string, key: { pem: string; publicKey: Uint8Array }): { work: string; keyFile: string; pubFile: string } {
  const work = mkdtempSync(join(tmpdir(), `sealtrail-${name}-`));
  const keyFile = join(work, "signing-key.pem");
  const pubFile = join(work, "verifier.pub.pem");
  writeFileSync(keyFile, key.pem, { mode: 0o600 });
  writeFileSync(pubFile, publicKeyToPem(key.publicKey));
  return { work, keyFile, pubFile };
}

/** Every file below `dir`, relative to it, sorted. */
export function filesOf(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as unknown as { isFile(): boolean; parentPath: string; name: string }[])
    .filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name))).sort();
}

/** Writes SHA256SUMS and its signature anew over every other file of `dir`, as the pack key's holder can. */
export function reseal(dir: string, key: KeyObject): void {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !["SHA256SUMS", "SHA256SUMS.sig", "signing-key.pem"].includes(e.name))
    .map((e) => relative(dir, join(e.parentPath, e.name)));
  const sums = formatSha256Sums(files.map((path) => ({ path, sha256: sha256(readFileSync(join(dir, path))) })));
  writeFileSync(join(dir, "SHA256SUMS"), sums);
  writeFileSync(join(dir, "SHA256SUMS.sig"), sign(null, Buffer.from(sums), key));
}

/** A SOC 2 pack of `prod` over PERIOD with a small sample, as the request of a test. */
export const SMALL_SOC2_REQUEST: PackRequest = {
  framework: "soc2", logs: ["prod"], from: PERIOD.from, to: PERIOD.to, requestedBy: "auditor@example.com",
  requestedAt: "2025-03-10T09:00:00Z", organisation: "Acme", scope: "prod", sampleSize: 6, failedLoginThreshold: 5, approvalTags: ["approved"],
};

/** Builds a SOC 2 pack in this process, pack and checkpoints signed with `key`. */
export function buildSoc2Pack(store: LedgerStore, key: KeyObject, out: string, request: PackRequest = SMALL_SOC2_REQUEST) {
  return buildPack({ store, exporter: soc2, out, packKey: key, checkpointKey: key, generator: { name: "sealtrail", version: "test" }, originPrefix: ORIGIN_PREFIX, request });
}
