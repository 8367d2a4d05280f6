/**
 * Pure parts of the pack builder: exception detection, control results, OSCAL control ids,
 * population queries, request checks, exporter checks. No database.
 */
import { describe, expect, it } from "vitest";
import { sha256 } from "../../src/core/encoding/index.js";
import type { PackEntry } from "../../src/core/pack/index.js";
import { ExceptionFinder } from "../../src/packs/exceptions.js";
import { checkExporter } from "../../src/packs/exporters.js";
import { BUILT_IN_EXPORTERS } from "../../src/packs/frameworks/index.js";
import { oscalControlId } from "../../src/packs/oscal.js";
import { PackError } from "../../src/packs/pack-error.js";
import { matchesPopulation, populationQuery } from "../../src/packs/population.js";
import { checkRequest, MAX_PACK_LOGS } from "../../src/packs/request.js";
import { controlOutcomes } from "../../src/packs/results.js";

let seq = 0;
function entry(fields: Partial<PackEntry>): PackEntry {
  return {
    log: "example.com/prod", seq: seq++, kind: "access", actor: "alice", action: "login", resource: "svc", outcome: "success", source: "host",
    occurredAt: "2025-03-01T10:00:00.000Z", recordedAt: "2025-03-01T10:00:00.000Z", tags: [], payloadHash: sha256("{}"), payload: "{}",
    leafHash: new Uint8Array(32), chainHash: new Uint8Array(32), ...fields,
  };
}

const AUDIT = "sealtrail.audit.acme";
const sweep = (at: string, result: string) => entry({ kind: "sweep", action: "integrity.sweep", resource: "prod", occurredAt: at, payload: JSON.stringify({ result, firstBadSeq: result === "tampered" ? 4 : null, tamperClass: result === "tampered" ? "entry_deleted" : null }) });

describe("exceptions", () => {
  it("finds failed sweeps (and their remediation), runs of days without a sweep, failed log-ins over the threshold and unapproved deployments", () => {
    const f = new ExceptionFinder({ logNames: ["prod"], from: new Date("2025-03-01T00:00:00Z"), to: new Date("2025-03-08T00:00:00Z"), failedLoginThreshold: 2, approvalTags: ["approved"] });
    f.audit(sweep("2025-03-01T01:00:00.000Z", "verified"), AUDIT);
    f.audit(sweep("2025-03-02T01:00:00.000Z", "tampered"), AUDIT);
    f.audit(sweep("2025-03-06T01:00:00.000Z", "verified"), AUDIT);
    f.audit(entry({ kind: "sweep", resource: "other-log", occurredAt: "2025-03-03T01:00:00.000Z", payload: '{"result":"error"}' }), AUDIT);
    for (let i = 0; i < 3; i++) f.subject(entry({ outcome: "failure", actor: "mallory" }), "prod");
    for (let i = 0; i < 2; i++) f.subject(entry({ outcome: "failure", actor: "bob" }), "prod");
    f.subject(entry({ kind: "deploy", action: "deploy.finish", tags: ["approved:CHG-7"] }), "prod");
    f.subject(entry({ kind: "deploy", action: "deploy.finish", tags: ["approvedish"] }), "prod");
    f.subject(entry({ kind: "deploy", action: "deploy.start" }), "prod");
    f.subject(entry({ actor: " " }), "prod");
    const found = f.finish();
    expect(found.map((x) => [x.id, x.kind])).toEqual([
      ["EX-0001", "failed-sweep"], ["EX-0002", "sweep-gap"], ["EX-0003", "sweep-gap"], ["EX-0004", "failed-logins"], ["EX-0005", "failed-logins-source"], ["EX-0006", "unapproved-deploy"], ["EX-0007", "missing-field"],
    ]);
    expect(found[0]!.remediation).toMatch(/^re-verified by the sweep at 2025-03-06T01:00:00\.000Z/);
    expect(found[1]!.description).toBe("no integrity sweep of prod from 2025-03-03 to 2025-03-05 (3 days)");
    expect(found[2]!.description).toBe("no integrity sweep of prod on 2025-03-07");
    expect(found[3]!.description).toBe("3 failed log-ins by mallory within 24 hours (2025-03-01T10:00:00.000Z to 2025-03-01T10:00:00.000Z) in prod (threshold 2)");
    // Five failures from one address for two accounts: over the threshold as a source, though bob alone is not.
    expect(found[4]!.description).toMatch(/^5 failed log-ins for 2 accounts from host within 24 hours/);
    expect(found[6]!.description).toMatch(/empty actor/);
    expect(found.map((x) => x.logName)).toEqual([AUDIT, "prod", "prod", "prod", "prod", "prod", "prod"]);
    expect(found.map((x) => x.log)).toEqual(["audit", "audit", "audit", "subject", "subject", "subject", "subject"]);
    expect(f.sweeps.map((s) => s.result)).toEqual(["verified", "tampered", "verified"]);
  });

  it("keep each subject log's sweeps, gaps and failed log-ins apart", () => {
    const f = new ExceptionFinder({ logNames: ["access", "deploys"], from: new Date("2025-03-01T00:00:00Z"), to: new Date("2025-03-03T00:00:00Z"), failedLoginThreshold: 2, approvalTags: ["approved"] });
    const swept = (log: string, at: string, result: string) => ({ ...sweep(at, result), resource: log });
    f.audit(swept("deploys", "2025-03-01T01:00:00.000Z", "tampered"), AUDIT);
    f.audit(swept("access", "2025-03-01T02:00:00.000Z", "verified"), AUDIT);
    f.audit(swept("access", "2025-03-02T02:00:00.000Z", "verified"), AUDIT);
    // Two failed log-ins in each log: at the threshold in each, so no exception.
    for (const log of ["access", "deploys", "access", "deploys"]) f.subject(entry({ outcome: "failure", actor: "mallory" }), log);
    const found = f.finish();
    // The verified sweeps of access do not remediate the failed sweep of deploys.
    expect(found.map((x) => [x.kind, x.logName, x.remediation])).toEqual([["failed-sweep", AUDIT, "open"], ["sweep-gap", "deploys", "open"]]);
    expect(found[1]!.description).toBe("no integrity sweep of deploys on 2025-03-02");
    expect(f.sweeps.map((s) => s.log)).toEqual(["deploys", "access", "access"]);
  });
});

describe("control results", () => {
  it("are exceptions, not tested or satisfied, and every exception names its controls", () => {
    const specs = BUILT_IN_EXPORTERS.find((e) => e.id === "soc2")!.controls;
    const population = (id: string, count: number) => ({ controlId: id, file: `populations/${id}.csv`, query: "", parameters: {}, clauses: [], count, sha256: "", sampling: { frequency: "many-times-daily" as const, size: 0, basis: "" }, sample: [] });
    const pops = new Map(specs.filter((s) => s.population.length > 0).map((s) => [s.id, population(s.id, s.id === "CC6.6" ? 0 : 3)]));
    const exceptions = [{ id: "EX-0001", kind: "unapproved-deploy" as const, controls: [], log: "subject" as const, logName: "prod", seqs: [1], description: "", remediation: "open", rootCause: "", managementResponse: "" }];
    // CC6.3's access review and CC7.4's incident responses: none in the period but for CC7.4.
    const out = controlOutcomes(specs, pops, exceptions, ["checkpoint.txt"], new Map([["CC7.4", 2]]));
    const by = Object.fromEntries(out.map((c) => [c.spec.id, c.result]));
    expect(by).toMatchObject({ "CC8.1": "exceptions", "CC6.6": "not tested", "CC6.1": "satisfied", "CC6.3": "not tested", "CC7.3": "not tested", "CC7.4": "satisfied" });
    const reason = (id: string) => out.find((c) => c.spec.id === id)!.reason;
    expect(reason("CC6.3")).toBe("needs evidence: a periodic access review signed off (action review.signoff) in the period; the period holds none");
    expect(reason("CC6.6")).toBe("needs evidence: the period holds no entry of the control's population");
    expect(reason("CC7.4")).toBe("3 entries in the population, the sample proved; 2 entries show it operating");
    expect(exceptions[0]!.controls).toEqual(["CC8.1"]);
    expect(out.find((c) => c.spec.id === "CC7.1")!.evidence).toContain("checkpoint.txt");
  });
});

describe("catalogues", () => {
  it("are valid exporters whose control ids make OSCAL tokens", () => {
    for (const e of BUILT_IN_EXPORTERS) {
      expect(checkExporter(e, e.id)).toBe(e);
      for (const c of e.controls) expect(oscalControlId(e.id, c.id)).toMatch(/^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$/u);
    }
    expect(oscalControlId("hipaa", "164.312(c)(2)")).toBe("hipaa-164.312-c-2");
    expect(oscalControlId("pci-dss", "10.2.1.3")).toBe("pci-dss-10.2.1.3");
  });

  it("state populations as SQL that selects what the matcher selects", () => {
    const clauses = [{ log: "subject" as const, kinds: ["access"], outcome: "failure" as const }, { log: "audit" as const, tags: ["it's"] }];
    expect(populationQuery(clauses)).toBe(
      "select l.name, e.seq from entries e join logs l on l.id = e.log_id join $periods p on p.log = l.name and e.seq >= p.first_seq and e.seq < p.end_seq where (p.role = 'subject' and e.kind in ('access') and e.outcome = 'failure') or (p.role = 'audit' and e.tags && array['it''s']) order by p.role = 'audit', l.name collate \"C\", e.seq",
    );
    expect(matchesPopulation(clauses, "subject", entry({ outcome: "failure" }))).toBe(true);
    expect(matchesPopulation(clauses, "subject", entry({ outcome: "success" }))).toBe(false);
    expect(matchesPopulation(clauses, "audit", entry({ outcome: "failure" }))).toBe(false);
    expect(matchesPopulation(clauses, "audit", entry({ tags: ["it's"] }))).toBe(true);
  });
});

describe("requests", () => {
  const good = { framework: "soc2", log: "prod", from: "2025-03-01T00:00:00+01:00", to: "2025-03-02T00:00:00Z", requestedBy: "a", requestedAt: "2025-03-10T09:00:00Z", organisation: "Acme", scope: "prod", sampleSize: 25, failedLoginThreshold: 5, approvalTags: ["approved"] };

  it("are normalized to UTC with milliseconds", () => {
    expect(checkRequest(good)).toMatchObject({ logs: ["prod"], from: "2025-02-28T23:00:00.000Z", to: "2025-03-02T00:00:00.000Z", requestedAt: "2025-03-10T09:00:00.000Z" });
  });

  it("take one or more logs, sorted, and still the single log of older requests", () => {
    const { log: _, ...rest } = good;
    expect(checkRequest({ ...rest, logs: ["tmux", "prod-deploys", "prod-access"] }).logs).toEqual(["prod-access", "prod-deploys", "tmux"]);
    expect(checkRequest({ ...rest, logs: ["prod"] })).toEqual(checkRequest(good));
    expect(checkRequest(good)).not.toHaveProperty("log");
  });

  it("are refused with INVALID_REQUEST when a field is wrong", () => {
    const bad: Record<string, unknown>[] = [
      { from: "2025-03-01" }, { from: "2025-02-29T00:00:00Z" }, { to: "2025-03-01T24:00:00Z" }, { to: good.from }, { sampleSize: -1 }, { sampleSize: 1.5 },
      { failedLoginThreshold: "5" }, { approvalTags: [] }, { organisation: "" }, { scope: "a\u0000b" }, { requestedAt: "now" },
      { log: undefined }, { log: undefined, logs: [] }, { logs: ["prod", "prod"] }, { logs: ["prod", "Prod"] }, { logs: ["prod", ""] }, { logs: Array.from({ length: MAX_PACK_LOGS + 1 }, (_, i) => `log-${i}`) },
    ];
    for (const change of bad) {
      let error: unknown;
      try {
        checkRequest({ ...good, ...change } as never);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(change)).toBeInstanceOf(PackError);
      expect((error as PackError).code).toBe("INVALID_REQUEST");
    }
  });
});
