/**
 * Controls tested, not counted: a week of planted incidents packed for SOC 2, HIPAA and PCI
 * DSS. Errors without a review sign-off or an incident record leave the review and incident
 * controls "not tested" (needs evidence), whatever their populations hold; once the review
 * and the response are recorded they are satisfied. Administrator activity (commands run,
 * output captured, capture start and stop) is in the populations that speak for it. Every
 * pack re-derives under verify-pack.
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
import { hipaa } from "../../src/packs/frameworks/hipaa.js";
import { pciDss } from "../../src/packs/frameworks/pci-dss.js";
import { soc2 } from "../../src/packs/frameworks/soc2.js";
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

/** A day of administration: a captured session with a command and its output, errors, log-ins. */
function day(iso: string): EventInput[] {
  const pane = { resource: "tmux/db-1/ops/%1", actor: "dave" };
  return [
    ev("tmux.session", "session.create", at(iso, 1), { ...pane, payload: { session: "ops" } }),
    ev("tmux.session", "capture.start", at(iso, 2), { ...pane, payload: { pane: "%1" } }),
    ev("tmux.command", "command.run", at(iso, 3), { ...pane, payload: { command: "systemctl restart api", exitCode: 0 } }),
    ev("tmux.output", "pane.output", at(iso, 4), { ...pane, payload: { text: "restarted" } }),
    ev("tmux.session", "capture.stop", at(iso, 5), { ...pane, payload: { pane: "%1" } }),
    ev("access", "login", at(iso, 10), { actor: "bob" }),
    ev("access", "privilege.grant", at(iso, 20), { actor: "admin", payload: { subject: "bob" } }),
    ev("error", "http.500", at(iso, 30), { outcome: "failure", payload: { message: "timeout" } }),
  ];
}

type Controls = { controls: { id: string; result: string; reason: string; operation?: { needs: string; count: number }; population: { file: string } | null }[] };

async function pack(exporter: Exporter, log: string, from: string, to: string): Promise<{ dir: string; controls: Controls }> {
  const dir = join(work, `${exporter.id}-${log}-${++builds}`);
  const request: PackRequest = { framework: exporter.id, logs: [log], from, to, requestedBy: "auditor@example.com", requestedAt: "2025-06-01T00:00:00Z", organisation: "Acme", scope: log, sampleSize: 5, failedLoginThreshold: 5, approvalTags: ["approved"] };
  await buildPack({ store: ledger.store, exporter, out: dir, packKey: key.privateKey, checkpointKey: key.privateKey, generator: { name: "sealtrail", version: "test" }, originPrefix: ORIGIN_PREFIX, request });
  const report = await verifyPack(dir, { checkpointKeys: [key.publicKey] });
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  return { dir, controls: JSON.parse(readFileSync(join(dir, "controls.json"), "utf8")) as Controls };
}

const control = (c: Controls, id: string) => c.controls.find((x) => x.id === id)!;

beforeAll(async () => {
  ledger = await freshLedger("packctl");
  ({ work } = packWorkdir("packctl", key));
  const store = new PostgresLedgerStore(ledger.writer);
  const audit = await ensureAuditLog(store, "acme", ORIGIN_PREFIX);
  const clock = { now: new Date() };
  const appender = new Appender(ledger.writer, { now: () => clock.now });
  // "quiet": errors and privilege changes, never reviewed, no incident recorded; swept on 06-01 only.
  // "tended": the same, with a review sign-off and an incident evaluated and resolved; swept every day.
  for (const name of ["quiet", "tended"]) {
    await createLog(ledger.writer, name, { tenant: "acme", origin: `${ORIGIN_PREFIX}/${name}` });
    for (const d of ["2025-05-31", "2025-06-01", "2025-06-02", "2025-06-03", "2025-06-04", "2025-06-05"]) {
      clock.now = new Date(`${d}T12:00:00Z`);
      const extra = name === "tended" ? [
        ev("custom", "review.signoff", at(`${d}T00:00:00Z`, 40), { actor: "carol" }),
        ev("incident", "incident.open", at(`${d}T00:00:00Z`, 41), { actor: "carol" }),
        ev("incident", "incident.resolve", at(`${d}T00:00:00Z`, 42), { actor: "carol" }),
      ] : [];
      await appender.append(name, [...day(`${d}T00:00:00Z`), ...extra]);
      if (name === "tended" || d === "2025-06-01") {
        clock.now = new Date(`${d}T13:00:00Z`);
        await appender.append(audit.name, [sweepEvent(name, { result: "verified", at: clock.now, fromSeq: 0, toSize: 8, durationMs: 3, firstBadSeq: null, tamperClass: null }, "sweeper")]);
      }
    }
    await checkpointLog(store, name, key.privateKey);
  }
  // "planted": credential stuffing from one address, a burst straddling midnight, a removed account
  // still logging in, a configuration change without approval.
  await createLog(ledger.writer, "planted", { tenant: "acme", origin: `${ORIGIN_PREFIX}/planted` });
  clock.now = new Date("2025-06-02T12:00:00Z");
  const fail = (actor: string, when: Date, source = "host-1") => ev("access", "login", when, { actor, source, outcome: "failure" });
  await appender.append("planted", [
    ...["u1", "u2", "u3", "u4", "u5", "u6"].map((u, i) => fail(u, at("2025-06-01T08:00:00Z", i), "203.0.113.9")),
    ...[0, 1, 2].map((i) => fail("mallory", at("2025-06-01T23:50:00Z", i))),
    ...[0, 1, 2].map((i) => fail("mallory", at("2025-06-02T00:05:00Z", i))),
    ev("access", "account.remove", at("2025-06-02T09:00:00Z", 0), { actor: "admin", payload: { subject: "eve" } }),
    ev("access", "login", at("2025-06-02T10:00:00Z", 0), { actor: "eve" }),
    ev("config.change", "firewall.update", at("2025-06-02T11:00:00Z", 0), { actor: "dave", resource: "fw/edge" }),
    ev("config.change", "firewall.update", at("2025-06-02T11:30:00Z", 0), { actor: "dave", resource: "fw/edge", tags: ["approved:CHG-7"] }),
  ]);
  clock.now = new Date("2025-06-06T12:00:00Z");
  await appender.append("planted", [ev("access", "login", at("2025-06-06T00:00:00Z", 0), { actor: "bob" })]);
  await checkpointLog(store, "planted", key.privateKey);
  await checkpointLog(store, audit.name, key.privateKey);
}, 120_000);

afterAll(async () => {
  await ledger?.close();
  rmSync(work, { recursive: true, force: true });
});

const PERIOD = ["2025-06-01T00:00:00Z", "2025-06-05T00:00:00Z"] as const;

describe("controls tested, not counted", () => {
  it("leaves review and incident controls not tested (needs evidence) when only errors were recorded", async () => {
    const s = (await pack(soc2, "quiet", ...PERIOD)).controls;
    for (const id of ["CC6.3", "CC7.3", "CC7.4"]) {
      expect(control(s, id).result, id).toBe("not tested");
      expect(control(s, id).reason, id).toMatch(/^needs evidence: /);
      expect(control(s, id).operation?.count, id).toBe(0);
    }
    const h = (await pack(hipaa, "quiet", ...PERIOD)).controls;
    expect(control(h, "164.308(a)(1)(ii)(D)")).toMatchObject({ result: "not tested", operation: { count: 0 } });
    const p = (await pack(pciDss, "quiet", ...PERIOD)).controls;
    expect(control(p, "10.4.1").result).toBe("not tested");
    // Three days without a sweep: the control that detects failures of security controls failed itself.
    expect(control(p, "10.7.2").result).toBe("exceptions");
  }, 180_000);

  it("satisfies them once reviews and incident responses are recorded", async () => {
    const s = (await pack(soc2, "tended", ...PERIOD)).controls;
    for (const id of ["CC6.3", "CC7.3", "CC7.4"]) expect(control(s, id).result, `${id}: ${control(s, id).reason}`).toBe("satisfied");
    expect(control(s, "CC7.4").operation).toEqual({ needs: expect.any(String), count: 4 });
    const h = (await pack(hipaa, "tended", ...PERIOD)).controls;
    expect(control(h, "164.308(a)(1)(ii)(D)").result).toBe("satisfied");
    const p = (await pack(pciDss, "tended", ...PERIOD)).controls;
    expect(control(p, "10.4.1").result).toBe("satisfied");
    expect(control(p, "10.7.2").result).toBe("satisfied");
  }, 180_000);
});

describe("exception rules", () => {
  type Register = { exceptions: { kind: string; controls: string[]; seqs: number[]; description: string; rootCause: string; managementResponse: string }[] };
  const register = (dir: string) => (JSON.parse(readFileSync(join(dir, "controls.json"), "utf8")) as Register).exceptions;
  const RULES = ["failed-logins", "failed-logins-source", "removed-account", "unapproved-change"];

  it("find every planted pattern, each with its entries and the workpaper's fields", async () => {
    const { dir, controls } = await pack(soc2, "planted", ...PERIOD);
    const found = register(dir).filter((x) => RULES.includes(x.kind));
    expect(found.map((x) => x.kind)).toEqual(["failed-logins", "failed-logins-source", "removed-account", "unapproved-change"]);
    const [burst, stuffing, removed, change] = found as [Register["exceptions"][number], Register["exceptions"][number], Register["exceptions"][number], Register["exceptions"][number]];
    // Three failures each side of midnight: no calendar day holds more than the threshold, 24 hours do.
    expect(burst.description).toBe("6 failed log-ins by mallory within 24 hours (2025-06-01T23:50:00.000Z to 2025-06-02T00:07:00.000Z) in planted (threshold 5)");
    expect(burst.seqs).toHaveLength(6);
    expect(stuffing.description).toMatch(/^6 failed log-ins for 6 accounts from 203\.0\.113\.9 within 24 hours/);
    expect(removed.description).toMatch(/^1 entry in planted by eve after the account was removed/);
    expect(change.seqs).toHaveLength(1);
    for (const x of found) expect(x).toMatchObject({ rootCause: expect.stringMatching(/^not stated/), managementResponse: expect.stringMatching(/^not stated/), controls: expect.arrayContaining([]) });
    expect(control(controls, "CC7.2").result).toBe("exceptions");
    expect(control(controls, "CC6.2").result).toBe("exceptions");
    expect(control(controls, "CC6.8").result).toBe("exceptions");
    const p = await pack(pciDss, "planted", ...PERIOD);
    expect(control(p.controls, "10.2.1.4").result).toBe("exceptions");
  }, 180_000);

  it("raise none of them on clean data", async () => {
    const { dir } = await pack(soc2, "tended", ...PERIOD);
    expect(register(dir).filter((x) => RULES.includes(x.kind))).toEqual([]);
  }, 180_000);
});

describe("administrator activity in scope", () => {
  const kindsActions = (dir: string, file: string) => readFileSync(join(dir, file), "utf8").trimEnd().split("\r\n").slice(1).map((r) => r.split(",").slice(4, 6).join(" "));

  it("puts commands, captured output and capture start/stop in PCI DSS 10.2.1.2 and 10.2.1.6, and SOC 2 CC6.1", async () => {
    const p = await pack(pciDss, "quiet", ...PERIOD);
    const admin = new Set(kindsActions(p.dir, control(p.controls, "10.2.1.2").population!.file));
    expect([...admin].sort()).toEqual(["tmux.command command.run", "tmux.output pane.output", "tmux.session capture.start", "tmux.session capture.stop", "tmux.session session.create"]);
    expect(control(p.controls, "10.2.1.6")).toMatchObject({ result: "satisfied" });
    expect(new Set(kindsActions(p.dir, control(p.controls, "10.2.1.6").population!.file))).toEqual(new Set(["tmux.session capture.start", "tmux.session capture.stop"]));
    const s = await pack(soc2, "quiet", ...PERIOD);
    expect(new Set(kindsActions(s.dir, control(s.controls, "CC6.1").population!.file))).toEqual(new Set([...admin, "access login"]));
  }, 180_000);
});
