/**
 * Attributes tested per sampled item (src/packs/attributes.ts): planted deviations — a change
 * approved by its own author, a privileged session without a ticket, a record with an empty
 * field, a removed account still acting, a day the sweep did not run — are each found on the
 * sampled entry that shows it, turn their controls to exceptions, and show in the workpaper's
 * sample table; clean data raises none. verify-pack re-derives every attribute result, and an
 * edited one, re-sealed with the genuine pack key, fails.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
import { pciDss } from "../../src/packs/frameworks/pci-dss.js";
import { soc2 } from "../../src/packs/frameworks/soc2.js";
import type { PackRequest } from "../../src/packs/pack-model.js";
import { renderReport } from "../../src/packs/pdf/report.js";
import { verifyPack } from "../../src/packs/verify-pack.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { ORIGIN_PREFIX, packWorkdir, reseal } from "../support/packs.js";

const key = testKey();
let ledger: TestLedger;
let work: string;
let builds = 0;

const at = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000);
const ev = (kind: string, action: string, occurredAt: Date, extra: Partial<EventInput> = {}): EventInput => ({ kind, actor: "ops", action, resource: "service/api", source: "host-1", occurredAt, payload: {}, ...extra });

/** A clean day: a session opened under a ticket, its command, a log-in, a change approved by a change record. */
function day(iso: string): EventInput[] {
  const pane = { resource: "tmux/db-1/ops/%1", actor: "dave" };
  return [
    ev("tmux.session", "capture.start", at(iso, 2), { ...pane, tags: ["ticket:OPS-1"], payload: { session: "ops" } }),
    ev("tmux.command", "command.run", at(iso, 3), { ...pane, payload: { session: "ops", command: "systemctl restart api" } }),
    ev("access", "login", at(iso, 10), { actor: "bob" }),
    ev("config.change", "feature.flag", at(iso, 36), { actor: "dave", tags: ["approved:CHG-1"] }),
  ];
}

type Sampled = { log: string; seq: number; attributes: Record<string, string> };
type Control = { id: string; result: string; reason: string; procedure: { attributes: { id: string; test: string }[]; sampleSize: string; rule: string }; population: { sample: Sampled[] } | null };
type Controls = { controls: Control[] };

async function pack(exporter: Exporter, log: string): Promise<{ dir: string; doc: Controls }> {
  const dir = join(work, `${exporter.id}-${log}-${++builds}`);
  // A fixed sample larger than any population here: every entry is sampled and tested.
  const request: PackRequest = { framework: exporter.id, logs: [log], from: "2025-06-01T00:00:00Z", to: "2025-06-05T00:00:00Z", requestedBy: "auditor@example.com", requestedAt: "2025-06-06T00:00:00Z", organisation: "Acme", scope: log, seed: "auditor-seed", sampleSize: 200, failedLoginThreshold: 5, approvalTags: ["approved"] };
  await buildPack({ store: ledger.store, exporter, out: dir, packKey: key.privateKey, checkpointKey: key.privateKey, generator: { name: "sealtrail", version: "test" }, originPrefix: ORIGIN_PREFIX, request });
  const report = await verifyPack(dir, { checkpointKeys: [key.publicKey], renderReport });
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  return { dir, doc: JSON.parse(readFileSync(join(dir, "controls.json"), "utf8")) as Controls };
}

const control = (c: Controls, id: string) => c.controls.find((x) => x.id === id)!;
/** Every failed attribute of every sample, as "<control> <attribute> <seq>". */
const failures = (c: Controls) => c.controls.flatMap((x) => (x.population?.sample ?? []).flatMap((s) => Object.entries(s.attributes).filter(([, r]) => r === "fail").map(([a]) => `${x.id} ${a} ${s.seq}`)));

let planted: Record<string, number> = {};

beforeAll(async () => {
  ledger = await freshLedger("packattr");
  ({ work } = packWorkdir("packattr", key));
  const store = new PostgresLedgerStore(ledger.writer);
  const audit = await ensureAuditLog(store, "acme", ORIGIN_PREFIX);
  const clock = { now: new Date() };
  const appender = new Appender(ledger.writer, { now: () => clock.now });
  const days = ["2025-06-01", "2025-06-02", "2025-06-03", "2025-06-04", "2025-06-05"];
  for (const name of ["clean", "planted"]) await createLog(ledger.writer, name, { tenant: "acme", origin: `${ORIGIN_PREFIX}/${name}` });
  // Day by day, so that the audit log's sweeps are recorded on their days.
  for (const d of days) {
    for (const name of ["clean", "planted"]) {
      clock.now = new Date(`${d}T12:00:00Z`);
      const receipts = await appender.append(name, [...day(`${d}T00:00:00Z`), ...(name === "planted" && d === "2025-06-02" ? [
        ev("config.change", "firewall.update", at(`${d}T00:00:00Z`, 50), { actor: "dave", tags: ["approved:dave"] }),
        ev("tmux.session", "capture.start", at(`${d}T00:00:00Z`, 51), { actor: "erin", resource: "tmux/db-2/x/%2", payload: { session: "x" } }),
        ev("tmux.command", "command.run", at(`${d}T00:00:00Z`, 52), { actor: "erin", resource: "tmux/db-2/x/%2", payload: { session: "x", command: "psql" } }),
        ev("access", "account.remove", at(`${d}T00:00:00Z`, 53), { actor: "admin", payload: { subject: "eve" } }),
        ev("access", "login", at(`${d}T00:00:00Z`, 54), { actor: "eve" }),
        ev("access", "credential.change", at(`${d}T00:00:00Z`, 55), { actor: "bob", source: " " }),
      ] : [])]);
      if (name === "planted" && d === "2025-06-02") {
        const seqs = receipts.map((r) => r.seq);
        planted = { selfApproved: seqs[4]!, unticketedStart: seqs[5]!, unticketedCommand: seqs[6]!, removedLogin: seqs[8]!, emptySource: seqs[9]! };
      }
      // "clean" is swept every day; "planted" on 06-01 and 06-03 only: the sweep of 06-03 had none the day before.
      if (name === "clean" || d === "2025-06-01" || d === "2025-06-03") {
        clock.now = new Date(`${d}T13:00:00Z`);
        await appender.append(audit.name, [sweepEvent(name, { result: "verified", at: clock.now, fromSeq: 0, toSize: 4, durationMs: 3, firstBadSeq: null, tamperClass: null }, "sweeper")]);
      }
    }
  }
  for (const name of ["clean", "planted"]) await checkpointLog(store, name, key.privateKey);
  await checkpointLog(store, audit.name, key.privateKey);
}, 120_000);

afterAll(async () => {
  await ledger?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("attributes tested per sampled item", () => {
  it("declare each control's procedure: attributes, sample size and the result rule", async () => {
    const { doc } = await pack(soc2, "clean");
    const cc81 = control(doc, "CC8.1");
    expect(cc81.procedure.attributes).toEqual([{ id: "approved-by-another", test: expect.stringMatching(/^a change .* carries an approval tag/) }]);
    expect(cc81.procedure.sampleSize).toMatch(/^\d+ of \d+: the auditor's fixed size 200/);
    expect(cc81.procedure.rule).toMatch(/^exceptions when .* a sampled entry fails a tested attribute/);
    expect(control(doc, "CC6.1").procedure.attributes.map((a) => a.id)).toEqual(["session-ticket", "active-account"]);
  }, 120_000);

  it("raise no deviation on clean data", async () => {
    const s = (await pack(soc2, "clean")).doc;
    expect(failures(s)).toEqual([]);
    for (const id of ["CC6.1", "CC6.8", "CC7.1", "CC8.1"]) expect(control(s, id).result, `${id}: ${control(s, id).reason}`).toBe("satisfied");
    expect(control(s, "CC8.1").reason).toMatch(/every sampled entry passes approved-by-another/);
    // An attribute that does not apply to an entry is n/a, never a pass it did not earn.
    const cc61 = control(s, "CC6.1").population!.sample;
    expect(cc61.find((x) => x.attributes["session-ticket"] === "n/a")).toBeDefined();
    const p = (await pack(pciDss, "clean")).doc;
    expect(failures(p)).toEqual([]);
  }, 120_000);

  it("find every planted deviation on the sampled entry that shows it, and count it against the control", async () => {
    const { dir, doc } = await pack(soc2, "planted");
    const found = failures(doc);
    expect(found).toEqual(expect.arrayContaining([
      `CC8.1 approved-by-another ${planted.selfApproved}`,
      `CC6.8 approved-by-another ${planted.selfApproved}`,
      `CC6.1 session-ticket ${planted.unticketedStart}`,
      `CC6.1 session-ticket ${planted.unticketedCommand}`,
      `CC6.1 active-account ${planted.removedLogin}`,
    ]));
    // The sweep of 06-03 followed a day without one; both sweeps that ran the day after another passed.
    expect(found.filter((f) => f.startsWith("CC7.1 swept-day-before"))).toHaveLength(1);
    // Nothing else: the clean days of the planted log pass (CC7.1 tests the self-approved change too).
    expect(found).toContain(`CC7.1 approved-by-another ${planted.selfApproved}`);
    expect(found).toHaveLength(7);
    for (const id of ["CC6.1", "CC8.1", "CC7.1"]) expect(control(doc, id).result, id).toBe("exceptions");
    expect(control(doc, "CC8.1").reason).toContain(`of 5 sampled entries fail a tested attribute (planted seq ${planted.selfApproved}: approved-by-another)`);
    // The workpaper shows the attribute columns (the PDF re-derived byte for byte above).
    const pdf = readFileSync(join(dir, "report.pdf"));
    expect(pdf.length).toBeGreaterThan(0);
    const p = (await pack(pciDss, "planted")).doc;
    expect(failures(p)).toEqual(expect.arrayContaining([`10.2.1.5 record-complete ${planted.emptySource}`, `10.2.1.2 session-ticket ${planted.unticketedStart}`, `10.2.1.2 session-ticket ${planted.unticketedCommand}`]));
    expect(control(p, "10.2.1.5").result).toBe("exceptions");
  }, 180_000);

  it("fail verify-pack when an attribute result is edited and the pack re-sealed with the genuine key", async () => {
    const { dir } = await pack(soc2, "planted");
    const copy = join(work, "edited-attribute");
    cpSync(dir, copy, { recursive: true });
    const text = readFileSync(join(copy, "controls.json"), "utf8");
    const edited = text.replace('"approved-by-another": "fail"', '"approved-by-another": "pass"');
    expect(edited).not.toBe(text);
    writeFileSync(join(copy, "controls.json"), edited);
    reseal(copy, key.privateKey);
    const report = await verifyPack(copy, { checkpointKeys: [key.publicKey] });
    const bad = report.checks.filter((c) => !c.ok).map((c) => [c.check, c.file]);
    expect(bad).toContainEqual(["populations", "controls.json"]);
    expect(bad).toContainEqual(["derived", "controls.json"]);
  }, 120_000);
});
