/**
 * The admin mutations and queries over GraphQL against a real server and PostgreSQL: erasure
 * requests (four-eyes across two admin keys), legal holds and retention policies. Scope admin
 * only; another tenant's admin key sees and changes nothing of the tenant's logs; each change
 * is recorded in the log and in the tenant's audit log, which never names the data subject.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERASURE_KIND, ERASURE_REFUSED_KIND, ERASURE_REQUEST_KIND, HOLD_KIND, HOLD_RELEASE_KIND } from "../../src/core/erasure/index.js";
import { auditLogName, type Log } from "../../src/ledger/index.js";
import { apiKey, gql, startApi, type TestApi } from "../support/api.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
let api: TestApi;
let adminA: string;
let adminB: string;
let reader: string;
let otherAdmin: string;
let crm: Log;
const SUBJECT = "kim.subject@example.com";
const OTHER = "lou@example.com";

beforeAll(async () => {
  ledger = await freshLedger("api_admin");
  crm = await ledger.store.createLog("crm", { tenant: "acme", origin: "test.example/crm", leafVersion: 2 });
  await ledger.store.createLog("globex-log", { tenant: "globex", origin: "test.example/globex-log", leafVersion: 2 });
  await ledger.store.appender().append("crm", Array.from({ length: 12 }, (_, i) => ({
    kind: "access", actor: i % 2 === 0 ? SUBJECT : OTHER, action: "record.read", resource: `record/${i}`, payload: { i },
  })));
  api = await startApi(ledger);
  [adminA, adminB, reader, otherAdmin] = await Promise.all([
    apiKey(ledger, "acme", ["admin"]), apiKey(ledger, "acme", ["admin"]), apiKey(ledger, "acme", ["events:read", "proofs:read", "events:write", "packs:create"]), apiKey(ledger, "globex", ["admin"]),
  ]);
}, 120_000);
afterAll(async () => {
  await api?.close();
  await ledger?.close();
});

const REQUEST = `mutation($input: ErasureInput!) { requestErasure(input: $input) { id state entries fields seqs { from to } requestedBy approvedBy valuesRemoved erasureSeqs recordSeq } }`;
const APPROVE = `mutation($log: String!, $id: String!) { approveErasure(log: $log, id: $id) { id state entries valuesRemoved requestedBy approvedBy } }`;
const HOLD = `mutation($input: LegalHoldInput!) { createLegalHold(input: $input) { id active reason matter scope { actors from } recordSeq } }`;
const RELEASE = `mutation($log: String!, $id: String!, $reason: String!) { releaseLegalHold(log: $log, id: $id, reason: $reason) { id active releasedBy releaseReason releaseSeq } }`;
const HOLDS = `query($log: String!) { legalHolds(log: $log) { id active reason } }`;
const REQUESTS = `query($log: String!) { erasureRequests(log: $log) { id state requestedBy approvedBy entries } }`;
const RETENTION = `query($log: String!) { log(name: $log) { name retention { hotDays clearDays meetsPciDss setBy } } }`;
const SET_RETENTION = `mutation($log: String!, $hot: Int, $clear: Int) { setRetentionPolicy(log: $log, hotDays: $hot, clearDays: $clear) { hotDays clearDays meetsPciDss setBy } }`;

const code = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;
const erasure = (extra: Record<string, unknown>) => ({ input: { log: "crm", reason: "subject's request of 2026-12-01", legalBasis: "GDPR Art. 17(1)(a)", ...extra } });

async function records(): Promise<string[]> {
  const size = await ledger.store.treeSize(crm.id);
  return (await ledger.store.recordEntries(crm.id, [ERASURE_KIND, ERASURE_REQUEST_KIND, ERASURE_REFUSED_KIND, HOLD_KIND, HOLD_RELEASE_KIND], size)).map((r) => r.kind);
}

describe("admin scope", () => {
  it("is needed for every erasure, hold and retention field", async () => {
    for (const [query, variables] of [
      [REQUEST, erasure({ actor: SUBJECT })], [APPROVE, { log: "crm", id: "x" }], [HOLD, { input: { log: "crm", reason: "r" } }], [RELEASE, { log: "crm", id: "x", reason: "r" }],
      [HOLDS, { log: "crm" }], [REQUESTS, { log: "crm" }], [RETENTION, { log: "crm" }], [SET_RETENTION, { log: "crm", hot: 120 }],
    ] as const) {
      const r = await gql(api, reader, query, variables);
      expect(code(r), query).toBe("FORBIDDEN");
    }
    expect(await records()).toEqual([]);
  }, 60_000);

  it("of another tenant reaches none of the tenant's logs", async () => {
    for (const [query, variables] of [
      [REQUEST, erasure({ actor: SUBJECT })], [APPROVE, { log: "crm", id: "x" }], [HOLD, { input: { log: "crm", reason: "r" } }], [RELEASE, { log: "crm", id: "x", reason: "r" }],
      [HOLDS, { log: "crm" }], [REQUESTS, { log: "crm" }], [SET_RETENTION, { log: "crm", hot: 120 }],
    ] as const) {
      const r = await gql(api, otherAdmin, query, variables);
      expect(code(r), query).toBe("BAD_USER_INPUT");
      expect(r.errors?.[0]?.message).toContain("unknown log");
    }
    expect((await gql(api, otherAdmin, RETENTION, { log: "crm" })).data).toEqual({ log: null });
    expect(await records()).toEqual([]);
    expect(await ledger.store.retentionPolicyOf(crm.id)).toBeUndefined();
  }, 60_000);
});

describe("erasure and legal holds over GraphQL", () => {
  it("a hold blocks erasure until released; four-eyes needs a second admin key; all recorded, the subject never in the audit log", async () => {
    const hold = await gql(api, adminA, HOLD, { input: { log: "crm", actors: [OTHER], from: "2000-01-01T00:00:00Z", reason: "litigation hold", matter: "Doe v. Example" } });
    expect(hold.errors).toBeUndefined();
    const held = hold.data.createLegalHold as { id: string };
    expect(held).toMatchObject({ active: true, matter: "Doe v. Example", scope: { actors: [OTHER], from: "2000-01-01T00:00:00.000Z" } });
    const refused = await gql(api, adminA, REQUEST, erasure({ actor: OTHER }));
    expect(code(refused)).toBe("FORBIDDEN");
    expect(refused.errors?.[0]?.message).toContain(held.id);
    expect((await gql(api, adminA, HOLDS, { log: "crm" })).data.legalHolds).toEqual([{ id: held.id, active: true, reason: "litigation hold" }]);
    const released = await gql(api, adminB, RELEASE, { log: "crm", id: held.id, reason: "case settled" });
    expect(released.data.releaseLegalHold).toMatchObject({ id: held.id, active: false, releaseReason: "case settled" });

    const asked = await gql(api, adminA, REQUEST, erasure({ actor: SUBJECT, fourEyes: true }));
    expect(asked.errors).toBeUndefined();
    const pending = asked.data.requestErasure as { id: string; requestedBy: string };
    expect(pending).toMatchObject({ state: "PENDING", entries: 6, fields: ["actor", "resource", "payload"], valuesRemoved: null, erasureSeqs: [] });
    const self = await gql(api, adminA, APPROVE, { log: "crm", id: pending.id });
    expect(code(self)).toBe("FORBIDDEN");
    expect(self.errors?.[0]?.message).toContain("four-eyes");
    const approved = await gql(api, adminB, APPROVE, { log: "crm", id: pending.id });
    expect(approved.errors).toBeUndefined();
    expect(approved.data.approveErasure).toMatchObject({ id: pending.id, state: "DONE", entries: 6, valuesRemoved: 18, requestedBy: pending.requestedBy });
    expect(approved.data.approveErasure.approvedBy).not.toBe(pending.requestedBy);

    const direct = await gql(api, adminA, REQUEST, erasure({ seqs: [1, 3], fields: ["payload"] }));
    expect(direct.data.requestErasure).toMatchObject({ state: "DONE", entries: 2, valuesRemoved: 2, seqs: [{ from: 1, to: 2 }, { from: 3, to: 4 }] });
    expect((await gql(api, adminA, REQUESTS, { log: "crm" })).data.erasureRequests.map((r: { state: string }) => r.state)).toEqual(["DONE", "DONE"]);
    for (const bad of [erasure({ actor: SUBJECT, seqs: [1] }), erasure({ seqs: [999] }), erasure({ seqs: [1], fields: ["email"] }), erasure({ actor: SUBJECT, log: "nope" })]) {
      expect(code(await gql(api, adminA, REQUEST, bad))).toBe("BAD_USER_INPUT");
    }
    expect(await records()).toEqual([HOLD_KIND, ERASURE_REFUSED_KIND, HOLD_RELEASE_KIND, ERASURE_REQUEST_KIND, ERASURE_REFUSED_KIND, ERASURE_KIND, ERASURE_KIND]);

    // The tenant's audit log: each action with its outcome; the read log's record of requestErasure withholds its text.
    const audit = auditLogName("acme");
    const erasures = (await ledger.store.payloadsOfKind(audit, "erasure")).map((p) => JSON.parse(p!) as Record<string, unknown>);
    expect(erasures.map((e) => e.error ?? "ok")).toEqual(["LEGAL_HOLD", "ok", "APPROVAL_REFUSED", "ok", "ok", "OUT_OF_RANGE"]);
    expect((await ledger.store.payloadsOfKind(audit, "legal_hold")).length).toBe(2);
    const writes = async () => (await ledger.store.payloadsOfKind(audit, "ledger.write")).map((p) => JSON.parse(p!) as { fields: string[]; query: string });
    const end = Date.now() + 30_000;
    while ((await writes()).filter((w) => w.fields.includes("requestErasure")).length < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect((await writes()).filter((w) => w.fields.includes("requestErasure")).every((w) => w.query.startsWith("(withheld"))).toBe(true);
    const [leak] = await ledger.admin<{ n: number }[]>`
      select count(*)::int as n from entries e join logs l on l.id = e.log_id where l.name = ${audit} and (e.payload like ${`%${SUBJECT}%`} or e.actor = ${SUBJECT})`;
    expect(leak!.n).toBe(0);
    const [kept] = await ledger.admin<{ n: number }[]>`select count(*)::int as n from entry_secrets where log_id = ${crm.id} and value like ${`%${SUBJECT}%`}`;
    expect(kept!.n).toBe(0);
  }, 120_000);
});

describe("retention over GraphQL", () => {
  it("reads and changes a log's policy, each change in the audit log; bad days are refused and change nothing", async () => {
    expect((await gql(api, adminA, RETENTION, { log: "crm" })).data.log.retention).toEqual({ hotDays: 92, clearDays: 366, meetsPciDss: true, setBy: null });
    const set = await gql(api, adminA, SET_RETENTION, { log: "crm", hot: 120 });
    expect(set.errors).toBeUndefined();
    expect(set.data.setRetentionPolicy).toMatchObject({ hotDays: 120, clearDays: 366, meetsPciDss: true });
    expect(set.data.setRetentionPolicy.setBy).toMatch(/^api_key:/);
    expect(code(await gql(api, adminA, SET_RETENTION, { log: "crm", clear: 0 }))).toBe("BAD_USER_INPUT");
    const weak = await gql(api, adminA, SET_RETENTION, { log: "crm", clear: 30 });
    expect(weak.data.setRetentionPolicy).toMatchObject({ hotDays: 120, clearDays: 30, meetsPciDss: false });
    const changes = (await ledger.store.payloadsOfKind(auditLogName("acme"), "retention")).map((p) => JSON.parse(p!) as { policy: unknown; previous: unknown });
    expect(changes.map((c) => [c.policy, c.previous])).toEqual([
      [{ hotDays: 120, clearDays: 366 }, null],
      [{ hotDays: 120, clearDays: 30 }, { hotDays: 120, clearDays: 366 }],
    ]);
  }, 60_000);
});
