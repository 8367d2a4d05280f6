/**
 * ISO/IEC 27001:2022 Annex A and GDPR, built in beside SOC 2, HIPAA and PCI DSS, with the same
 * control tests: a week of planted incidents (credential stuffing, a burst across midnight, a
 * removed account still logging in, an unapproved configuration change and deployment, days
 * without a sweep) is found and counted against the controls that speak for it; a tended log
 * (reviews, incident responses, a sweep every day, approved changes) raises none of them and
 * satisfies the controls; review and incident controls without their evidence are "not
 * tested". Every pack re-derives under verify-pack with a trusted key.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventInput } from "../../src/core/entry/index.js";
import { sweepEvent } from "../../src/core/sweep/index.js";
import { ensureAuditLog } from "../../src/ledger/audit-log.js";
import { checkpointLog } from "../../src/ledger/checkpointer.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { PostgresLedgerStore } from "../../src/ledger/postgres/postgres-store.js";
import { buildPack } from "../../src/packs/build-pack.js";
import type { Exporter } from "../../src/packs/exporter.js";
import { loadExporters } from "../../src/packs/exporters.js";
import { gdpr } from "../../src/packs/frameworks/gdpr.js";
import { iso27001 } from "../../src/packs/frameworks/iso27001.js";
import type { PackRequest } from "../../src/packs/pack-model.js";
import { verifyPack } from "../../src/packs/verify-pack.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { ORIGIN_PREFIX, packWorkdir } from "../support/packs.js";

const key = testKey();
let ledger: TestLedger;
let work: string;
let builds = 0;

const at = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000);
const ev = (kind: string, action: string, occurredAt: Date, extra: Partial<EventInput> = {}): EventInput => ({ kind, actor: "ops", action, resource: "service/api", source: "host-1", occurredAt, payload: {}, ...extra });

/** A day of ordinary, approved administration: a captured session, log-ins, a privilege change, an error, personal data read. */
function day(iso: string): EventInput[] {
  const pane = { resource: "tmux/db-1/ops/%1", actor: "dave" };
  return [
    // Opened under a change ticket: the session's commands inherit it (attribute session-ticket).
    ev("tmux.session", "capture.start", at(iso, 2), { ...pane, tags: ["ticket:OPS-7"], payload: { pane: "%1" } }),
    ev("tmux.command", "command.run", at(iso, 3), { ...pane, payload: { command: "systemctl restart api", exitCode: 0 } }),
    ev("tmux.session", "capture.stop", at(iso, 5), { ...pane, payload: { pane: "%1" } }),
    ev("access", "login", at(iso, 10), { actor: "bob" }),
    ev("access", "privilege.grant", at(iso, 20), { actor: "admin", payload: { subject: "bob" } }),
    ev("error", "http.500", at(iso, 30), { outcome: "failure", payload: { message: "timeout" } }),
    ev("data.read", "customer.read", at(iso, 35), { actor: "bob", resource: "db/customers", tags: ["personal"] }),
    ev("config.change", "feature.flag", at(iso, 36), { actor: "dave", tags: ["approved:CHG-1"] }),
    ev("deploy", "deploy.finish", at(iso, 37), { actor: "ci", tags: ["approved:CHG-2"] }),
  ];
}

type Control = { id: string; result: string; reason: string; operation?: { count: number } };
type Controls = { controls: Control[]; exceptions: { kind: string; controls: string[]; seqs: number[] }[] };

async function pack(exporter: Exporter, log: string): Promise<{ dir: string; doc: Controls }> {
  const dir = join(work, `${exporter.id}-${log}-${++builds}`);
  const request: PackRequest = { framework: exporter.id, logs: [log], from: "2025-06-01T00:00:00Z", to: "2025-06-05T00:00:00Z", requestedBy: "auditor@example.com", requestedAt: "2025-06-06T00:00:00Z", organisation: "Acme", scope: log, sampleSize: 5, failedLoginThreshold: 5, approvalTags: ["approved"] };
  await buildPack({ store: ledger.store, exporter, out: dir, packKey: key.privateKey, checkpointKey: key.privateKey, generator: { name: "sealtrail", version: "test" }, originPrefix: ORIGIN_PREFIX, request });
  const report = await verifyPack(dir, { checkpointKeys: [key.publicKey] });
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  return { dir, doc: JSON.parse(readFileSync(join(dir, "controls.json"), "utf8")) as Controls };
}

const result = (c: Controls, id: string) => {
  const found = c.controls.find((x) => x.id === id);
  if (!found) throw new Error(`no control ${id} in ${c.controls.map((x) => x.id).join(", ")}`);
  return found;
};

beforeAll(async () => {
  ledger = await freshLedger("packfw");
  ({ work } = packWorkdir("packfw", key));
  const store = new PostgresLedgerStore(ledger.writer);
  const audit = await ensureAuditLog(store, "acme", ORIGIN_PREFIX);
  const clock = { now: new Date() };
  const appender = new Appender(ledger.writer, { now: () => clock.now });
  const days = ["2025-05-31", "2025-06-01", "2025-06-02", "2025-06-03", "2025-06-04", "2025-06-05"];
  // "tended": reviewed, incidents assessed and resolved, swept every day.
  // "planted": the same days unreviewed and swept on 06-01 only, with the incidents planted on 06-02.
  for (const name of ["tended", "planted"]) {
    await createLog(ledger.writer, name, { tenant: "acme", origin: `${ORIGIN_PREFIX}/${name}` });
    for (const d of days) {
      clock.now = new Date(`${d}T12:00:00Z`);
      const extra = name === "tended" ? [
        ev("custom", "review.signoff", at(`${d}T00:00:00Z`, 40), { actor: "carol" }),
        ev("incident", "incident.open", at(`${d}T00:00:00Z`, 41), { actor: "carol" }),
        ev("incident", "incident.resolve", at(`${d}T00:00:00Z`, 42), { actor: "carol" }),
      ] : d !== "2025-06-02" ? [] : [
        ...["u1", "u2", "u3", "u4", "u5", "u6"].map((u, i) => ev("access", "login", at("2025-06-02T01:00:00Z", i), { actor: u, source: "203.0.113.9", outcome: "failure" })),
        ...[0, 1, 2].map((i) => ev("access", "login", at("2025-06-01T23:50:00Z", i), { actor: "mallory", outcome: "failure" })),
        ...[0, 1, 2].map((i) => ev("access", "login", at("2025-06-02T00:05:00Z", i), { actor: "mallory", outcome: "failure" })),
        ev("access", "account.remove", at("2025-06-02T09:00:00Z", 0), { actor: "admin", payload: { subject: "eve" } }),
        ev("access", "login", at("2025-06-02T10:00:00Z", 0), { actor: "eve" }),
        ev("config.change", "firewall.update", at("2025-06-02T11:00:00Z", 0), { actor: "dave", resource: "fw/edge" }),
        ev("deploy", "deploy.finish", at("2025-06-02T11:10:00Z", 0), { actor: "ci", resource: "service/api" }),
      ];
      await appender.append(name, [...day(`${d}T00:00:00Z`), ...extra]);
      if (name === "tended" || d === "2025-06-01") {
        clock.now = new Date(`${d}T13:00:00Z`);
        await appender.append(audit.name, [sweepEvent(name, { result: "verified", at: clock.now, fromSeq: 0, toSize: 8, durationMs: 3, firstBadSeq: null, tamperClass: null }, "sweeper")]);
      }
    }
    await checkpointLog(store, name, key.privateKey);
  }
  await checkpointLog(store, audit.name, key.privateKey);
}, 120_000);

afterAll(async () => {
  await ledger?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("built-in frameworks", () => {
  it("are selectable by id beside SOC 2, HIPAA and PCI DSS", async () => {
    const all = await loadExporters([]);
    expect([...all.keys()]).toEqual(["soc2", "hipaa", "pci-dss", "iso27001", "gdpr"]);
    expect(iso27001.controls.map((c) => c.id)).toEqual(expect.arrayContaining(["A.5.18", "A.5.28", "A.8.2", "A.8.15", "A.8.16", "A.8.32"]));
    expect(gdpr.controls.map((c) => c.id)).toEqual(["Art. 5(2)", "Art. 30", "Art. 32(1)(b)", "Art. 32(1)(d)", "Art. 33(5)"]);
    // The Regulation names no log: every GDPR mapping is ours, and shown so.
    expect(gdpr.controls.every((c) => c.ours === true)).toBe(true);
  });
});

describe("ISO/IEC 27001:2022 Annex A", () => {
  it("finds the planted incidents and counts them against the controls that speak for them", async () => {
    const { doc } = await pack(iso27001, "planted");
    const kinds = new Set(doc.exceptions.map((x) => x.kind));
    for (const k of ["failed-logins", "failed-logins-source", "removed-account", "unapproved-change", "unapproved-deploy", "sweep-gap"]) expect(kinds, k).toContain(k);
    for (const id of ["A.8.5", "A.8.16", "A.8.32", "A.8.9", "A.5.33", "A.5.18"]) expect(result(doc, id).result, id).toBe("exceptions");
    const stuffing = doc.exceptions.find((x) => x.kind === "failed-logins-source")!;
    expect(stuffing.controls).toEqual(expect.arrayContaining(["A.8.5", "A.8.16"]));
    // Errors recorded, but no incident record assessing them, no response: not tested, needs evidence.
    for (const id of ["A.5.25", "A.5.26"]) expect(result(doc, id).result, id).toBe("not tested");
    expect(result(doc, "A.5.25").reason).toMatch(/^needs evidence: an incident record/);
  }, 180_000);

  it("raises none on the tended log and satisfies the controls", async () => {
    const { doc } = await pack(iso27001, "tended");
    expect(doc.exceptions).toEqual([]);
    for (const c of doc.controls) expect(c.result, `${c.id}: ${c.reason}`).toBe("satisfied");
    expect(result(doc, "A.5.18").operation?.count).toBe(4);
  }, 180_000);
});

describe("GDPR", () => {
  it("finds the planted incidents under Art. 32", async () => {
    const { doc } = await pack(gdpr, "planted");
    expect(result(doc, "Art. 32(1)(b)").result).toBe("exceptions");
    expect(result(doc, "Art. 32(1)(d)").result).toBe("exceptions");
    const removed = doc.exceptions.find((x) => x.kind === "removed-account")!;
    expect(removed.controls).toEqual(["Art. 32(1)(b)"]);
    // No incident record in the period: the breach register is not evidenced by the ledger.
    expect(result(doc, "Art. 33(5)").result).toBe("not tested");
    expect(result(doc, "Art. 30").result).toBe("satisfied");
  }, 180_000);

  it("raises none on the tended log and satisfies every article", async () => {
    const { dir, doc } = await pack(gdpr, "tended");
    expect(doc.exceptions).toEqual([]);
    for (const c of doc.controls) expect(c.result, `${c.id}: ${c.reason}`).toBe("satisfied");
    // Art. 30's population is the entries tagged personal: one a day in the period.
    const art30 = readFileSync(join(dir, "populations/art.-30.csv"), "utf8").trimEnd().split("\r\n");
    expect(art30).toHaveLength(1 + 4);
    expect(JSON.parse(readFileSync(join(dir, "gdpr/policy.json"), "utf8"))).toMatchObject({ framework: "GDPR" });
  }, 180_000);
});
