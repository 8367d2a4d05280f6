/**
 * sealtrail erase and sealtrail hold, through the compiled command against a real PostgreSQL
 * (docs/erasure.md): erasure by data subject and by seq, four-eyes (the requester cannot
 * approve), legal holds blocking erasure until released, refusals recorded and exiting 5,
 * usage errors exiting 2 with nothing stored, and every action in the tenant's audit log
 * without the data subject's identity.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERASURE_KIND, ERASURE_REFUSED_KIND, ERASURE_REQUEST_KIND, HOLD_KIND, HOLD_RELEASE_KIND } from "../../src/core/erasure/index.js";
import { auditLogName } from "../../src/ledger/index.js";
import { runCli } from "../support/cli.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
beforeAll(async () => {
  ledger = await freshLedger("cli_erase");
}, 120_000);
afterAll(async () => ledger?.close());

const env = () => ({ DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema, SEALTRAIL_ORIGIN_PREFIX: "test.example" });
const cli = (...args: string[]) => runCli(args, env());
const SUBJECT = "ivy.subject@example.com";
const OTHER = "jon@example.com";

async function seed(name: string, version: "1" | "2" = "2") {
  const created = await cli("log", "create", name, "--leaf-version", version);
  expect(created.stderr).toBe("");
  expect(JSON.parse(created.stdout)).toMatchObject({ name, leafVersion: Number(version) });
  await ledger.store.appender().append(name, Array.from({ length: 12 }, (_, i) => ({
    kind: "access", actor: i % 2 === 0 ? SUBJECT : OTHER, action: "record.read", resource: `record/${i}`, payload: { i, by: i % 2 === 0 ? SUBJECT : OTHER },
  })));
}

async function kinds(name: string): Promise<string[]> {
  const log = await ledger.store.findLog(name);
  const size = await ledger.store.treeSize(log.id);
  return (await ledger.store.recordEntries(log.id, [ERASURE_KIND, ERASURE_REQUEST_KIND, ERASURE_REFUSED_KIND, HOLD_KIND, HOLD_RELEASE_KIND], size)).map((r) => r.kind);
}

const lines = (stdout: string) => stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe("log create --leaf-version", () => {
  it("makes format-1 and format-2 logs and refuses any other", async () => {
    await seed("lv-one", "1");
    await seed("lv-two", "2");
    expect((await ledger.store.findLog("lv-one")).leafVersion).toBe(1);
    expect((await ledger.store.findLog("lv-two")).leafVersion).toBe(2);
    // Without --leaf-version a new log is format 2, whose values can be erased.
    const plain = await cli("log", "create", "lv-default");
    expect(plain.code, plain.stderr).toBe(0);
    expect(JSON.parse(plain.stdout)).toMatchObject({ name: "lv-default", leafVersion: 2 });
    expect((await ledger.store.findLog("lv-default")).leafVersion).toBe(2);
    const bad = await cli("log", "create", "lv-three", "--leaf-version", "3");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--leaf-version");
    expect(await ledger.store.logExists("lv-three")).toBe(false);
  }, 120_000);
});

describe("sealtrail erase", () => {
  it("erases a data subject at once, and by seq with four-eyes: the requester's own approval refused (exit 5), a second admin's carried out", async () => {
    await seed("crm");
    const erased = await cli("erase", "--log", "crm", "--actor", SUBJECT, "--reason", "request of 2026-12-01, ticket 4411", "--legal-basis", "GDPR Art. 17(1)(a)", "--by", "alice");
    expect(erased.stderr).toBe("");
    expect(erased.code).toBe(0);
    expect(JSON.parse(erased.stdout)).toMatchObject({ log: "crm", state: "done", entries: 6, values: 18, fields: ["actor", "resource", "payload"], requestedBy: "alice" });
    const [row] = await ledger.admin<{ n: number }[]>`select count(*)::int as n from entry_secrets where log_id = ${(await ledger.store.findLog("crm")).id} and value like ${`%${SUBJECT}%`}`;
    expect(row!.n).toBe(0);

    const asked = await cli("erase", "--log", "crm", "--seq", "1,3-5", "--fields", "payload", "--reason", "r", "--legal-basis", "GDPR Art. 17(1)(c)", "--four-eyes", "--by", "alice");
    expect(asked.code).toBe(0);
    const pending = JSON.parse(asked.stdout) as { request: string };
    // Seq 4 was the subject's (erased already): the request still names it; its payload is not counted twice.
    expect(pending).toMatchObject({ state: "pending", entries: 4, seqs: [[1, 2], [3, 6]], fields: ["payload"] });
    const self = await cli("erase", "approve", pending.request, "--log", "crm", "--by", "alice");
    expect(self.code).toBe(5);
    expect(self.stderr).toContain("four-eyes");
    expect(lines((await cli("erase", "list", "--log", "crm")).stdout).map((r) => [r.state, r.requestedBy, r.approvedBy])).toEqual([["done", "alice", null], ["pending", "alice", null]]);
    const approved = await cli("erase", "approve", pending.request, "--log", "crm", "--by", "bob");
    expect(approved.code).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({ request: pending.request, state: "done", entries: 4, values: 3, approvedBy: "bob" });
    const listed = lines((await cli("erase", "list", "--log", "crm")).stdout);
    expect(listed[1]).toMatchObject({ request: pending.request, state: "done", requestedBy: "alice", approvedBy: "bob", entries: 4 });
    expect((await cli("erase", "approve", pending.request, "--log", "crm", "--by", "carol")).code).toBe(5);
    expect(await kinds("crm")).toEqual([ERASURE_KIND, ERASURE_REQUEST_KIND, ERASURE_REFUSED_KIND, ERASURE_KIND, ERASURE_REFUSED_KIND]);

    // The tenant's audit log has each action, its outcome, and never the data subject.
    const audit = (await ledger.store.payloadsOfKind(auditLogName("default"), "erasure")).map((p) => JSON.parse(p!) as Record<string, unknown>);
    expect(audit.map((a) => a.error ?? "ok")).toEqual(["ok", "ok", "APPROVAL_REFUSED", "ok", "APPROVAL_REFUSED"]);
    const [leak] = await ledger.admin<{ n: number }[]>`select count(*)::int as n from entries e join logs l on l.id = e.log_id where l.name = ${auditLogName("default")} and (e.payload like ${`%${SUBJECT}%`} or e.actor = ${SUBJECT})`;
    expect(leak!.n).toBe(0);
  }, 180_000);

  it("refuses bad requests with exit 2, storing nothing", async () => {
    await seed("crm-bad");
    await seed("crm-v1", "1");
    const base = ["erase", "--log", "crm-bad", "--reason", "r", "--legal-basis", "b"];
    const cases: [string, string[], string][] = [
      ["no target", base, "--actor"],
      ["both targets", [...base, "--actor", SUBJECT, "--seq", "1"], "not both"],
      ["no reason", ["erase", "--log", "crm-bad", "--legal-basis", "b", "--actor", SUBJECT], "--reason"],
      ["no legal basis", ["erase", "--log", "crm-bad", "--reason", "r", "--actor", SUBJECT], "--legal-basis"],
      ["a reversed range", [...base, "--seq", "5-3"], "--seq"],
      ["a seq past the end", [...base, "--seq", "40"], "seq 40"],
      ["an unknown field", [...base, "--seq", "1", "--fields", "payload,email"], "--fields"],
      ["a format-1 log", ["erase", "--log", "crm-v1", "--reason", "r", "--legal-basis", "b", "--actor", SUBJECT], "leaf format v1"],
      ["an unknown log", ["erase", "--log", "nope", "--reason", "r", "--legal-basis", "b", "--actor", SUBJECT], "nope"],
      ["an unknown request", ["erase", "approve", "00000000-0000-4000-8000-000000000000", "--log", "crm-bad", "--by", "bob"], "no erasure request"],
    ];
    for (const [what, args, says] of cases) {
      const run = await runCli(args, env());
      expect(run.code, what).toBe(2);
      expect(run.stderr, what).toContain(says);
    }
    expect(await kinds("crm-bad")).toEqual([]);
    expect(await kinds("crm-v1")).toEqual([]);
  }, 180_000);
});

describe("sealtrail hold", () => {
  it("blocks erasure of held entries (exit 5, the refusal recorded) until released; all of it listed and audited", async () => {
    await seed("held");
    const created = await cli("hold", "create", "--log", "held", "--actor", OTHER, "--from", "2000-01-01T00:00:00Z", "--reason", "litigation hold", "--matter", "Doe v. Example", "--by", "counsel");
    expect(created.stderr).toBe("");
    const hold = JSON.parse(created.stdout) as { hold: string };
    expect(hold).toMatchObject({ log: "held", state: "active", scope: { actors: [OTHER], from: "2000-01-01T00:00:00.000Z" }, matter: "Doe v. Example", createdBy: "counsel" });

    const refused = await cli("erase", "--log", "held", "--actor", OTHER, "--reason", "r", "--legal-basis", "GDPR Art. 17(1)(a)", "--by", "dpo");
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain("legal hold");
    expect(refused.stderr).toContain(hold.hold);
    // The subject not held is erased meanwhile.
    expect((await cli("erase", "--log", "held", "--actor", SUBJECT, "--reason", "r", "--legal-basis", "b", "--by", "dpo")).code).toBe(0);

    expect(lines((await cli("hold", "list", "--log", "held")).stdout)).toMatchObject([{ hold: hold.hold, state: "active", released: null }]);
    const released = await cli("hold", "release", hold.hold, "--log", "held", "--reason", "case settled", "--by", "counsel");
    expect(JSON.parse(released.stdout)).toMatchObject({ hold: hold.hold, state: "released", releasedBy: "counsel" });
    expect((await cli("hold", "release", hold.hold, "--log", "held", "--reason", "again")).code).toBe(2);
    expect(lines((await cli("hold", "list", "--log", "held")).stdout)).toMatchObject([{ hold: hold.hold, state: "released", released: { by: "counsel", reason: "case settled" } }]);
    expect((await cli("hold", "list", "--log", "held", "--active")).stdout).toBe("");

    const after = await cli("erase", "--log", "held", "--actor", OTHER, "--reason", "r", "--legal-basis", "GDPR Art. 17(1)(a)", "--by", "dpo");
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({ entries: 6, values: 18 });
    expect(await kinds("held")).toEqual([HOLD_KIND, ERASURE_REFUSED_KIND, ERASURE_KIND, HOLD_RELEASE_KIND, ERASURE_KIND]);
    const audit = (await ledger.store.payloadsOfKind(auditLogName("default"), "legal_hold")).map((p) => JSON.parse(p!) as Record<string, unknown>);
    expect(audit.filter((a) => a.log === "held").map((a) => a.error ?? a.hold)).toEqual([hold.hold, hold.hold, "INVALID_INPUT"]);
  }, 180_000);

  it("refuses a malformed scope or a missing reason with exit 2, recording no hold", async () => {
    await seed("held-bad");
    for (const args of [["--from", "yesterday"], ["--from", "2026-02-01T00:00:00Z", "--to", "2026-01-01T00:00:00Z"], ["--actor", ""]]) {
      const run = await cli("hold", "create", "--log", "held-bad", "--reason", "r", ...args);
      expect(run.code, args.join(" ")).toBe(2);
    }
    expect((await cli("hold", "create", "--log", "held-bad")).code).toBe(2);
    expect(await kinds("held-bad")).toEqual([]);
  }, 120_000);
});
