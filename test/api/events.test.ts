/**
 * The events connection end to end over real HTTP: every filter, full-text and substring
 * search, pagination (also while appends go on), single entries, and bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "../../src/core/token/index.js";
import type { EventInput } from "../../src/core/entry/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { apiKey, gql, startApi, type TestApi } from "../support/api.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
let api: TestApi;
let token: string;
let appender: Appender;

const EVENTS_APP: EventInput[] = [
  { kind: "deploy", actor: "alice", action: "deploy.start", resource: "svc/api", source: "ci", occurredAt: "2026-03-01T10:00:00Z", tags: ["prod", "approved"], payload: { commit: "9f2c1e7a5b", text: "rolling deploy of api" } },
  { kind: "deploy", actor: "bob", action: "deploy.start", resource: "svc/web", source: "ci", occurredAt: "2026-03-02T10:00:00Z", tags: ["prod"], payload: { commit: "77aa01bc", text: "hotfix without approval" } },
  { kind: "access", actor: "carol", action: "login", resource: "host/bastion", outcome: "failure", source: "sshd", occurredAt: "2026-03-03T08:00:00Z", payload: { reason: "bad password", ip: "10.0.0.7" } },
  { kind: "access", actor: "carol", action: "login", resource: "host/bastion", outcome: "success", source: "sshd", occurredAt: "2026-03-03T08:01:00Z", payload: { ip: "10.0.0.7" } },
  { kind: "config.change", actor: "alice", action: "set", resource: "flags/checkout", source: "console", occurredAt: "2026-03-04T12:00:00Z", tags: ["prod"], payload: { key: "checkout.v2", from: false, to: true } },
  { kind: "tmux.output", actor: "dave", action: "output", resource: "tmux/main/%1", source: "host-7", occurredAt: "2026-03-05T09:00:00Z", payload: { text: "$ kubectl rollout restart deployment/payments\ndeployment.apps/payments restarted" } },
  { kind: "error", actor: "svc/api", action: "exception", resource: "svc/api", outcome: "failure", source: "sentry", occurredAt: "2026-03-06T00:00:00Z", payload: { message: "NullPointerException in OrderService", traceId: "abc123def456" } },
];
const EVENTS_INFRA: EventInput[] = [
  { kind: "deploy", actor: "alice", action: "deploy.start", resource: "svc/db", source: "ci", occurredAt: "2026-03-01T11:00:00Z", tags: ["staging"], payload: { commit: "0000aaaa", text: "database migration" } },
  { kind: "access", actor: "erin", action: "privilege.grant", resource: "iam/role/admin", source: "iam", occurredAt: "2026-03-07T00:00:00Z", payload: { grantee: "frank" } },
];

beforeAll(async () => {
  ledger = await freshLedger("events");
  for (const [name, tenant] of [["app", "acme"], ["infra", "acme"], ["other", "globex"]] as const) {
    await createLog(ledger.writer, name, { tenant, origin: `test.example/${name}` });
  }
  appender = new Appender(ledger.writer);
  await appender.append("app", EVENTS_APP);
  await appender.append("infra", EVENTS_INFRA);
  await appender.append("other", [{ kind: "deploy", actor: "alice", action: "deploy.start", resource: "svc/api", payload: { commit: "9f2c1e7a5b", text: "rolling deploy of api" } }]);
  api = await startApi(ledger, { maxPageSize: 100 });
  token = await apiKey(ledger, "acme");
});
afterAll(async () => {
  await api?.close();
  await ledger?.close();
});

const EVENTS = `query($filter: EventFilter, $first: Int, $after: String) {
  events(filter: $filter, first: $first, after: $after) {
    edges { cursor node { log seq kind actor action resource outcome source occurredAt recordedAt tags payload payloadRedacted payloadHash leafHash chainHash idempotencyKey } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

type Page = { events: { edges: { cursor: string; node: Record<string, any> }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };

async function events(filter: Record<string, unknown> | undefined, first?: number, after?: string) {
  const r = await gql<Page>(api, token, EVENTS, { filter, first, after });
  expect(r.errors, r.body).toBeUndefined();
  return r.data!.events;
}

const keys = (page: Page["events"]) => page.edges.map((e) => `${e.node.log}:${e.node.seq}`);

describe("events filters", () => {
  it("lists the tenant's entries in (log, seq) order with every field", async () => {
    const page = await events({ logs: ["app", "infra"] });
    expect(keys(page)).toEqual([...EVENTS_APP.map((_, i) => `app:${i}`), ...EVENTS_INFRA.map((_, i) => `infra:${i}`)]);
    const first = page.edges[0]!.node;
    expect(first).toMatchObject({
      log: "app", seq: 0, kind: "deploy", actor: "alice", action: "deploy.start", resource: "svc/api", outcome: "success", source: "ci",
      occurredAt: "2026-03-01T10:00:00.000Z", tags: ["approved", "prod"], payload: EVENTS_APP[0]!.payload, payloadRedacted: false,
    });
    expect(Buffer.from(first.leafHash, "base64")).toHaveLength(32);
    expect(page.pageInfo.hasNextPage).toBe(false);
  });

  const cases: [string, Record<string, unknown>, string[]][] = [
    ["logs", { logs: ["infra"] }, ["infra:0", "infra:1"]],
    ["kinds", { kinds: ["access", "error"] }, ["app:2", "app:3", "app:6", "infra:1"]],
    ["actor", { actor: "alice" }, ["app:0", "app:4", "infra:0"]],
    ["action", { action: "login" }, ["app:2", "app:3"]],
    ["resource", { resource: "svc/api" }, ["app:0", "app:6"]],
    ["outcome", { outcome: "failure" }, ["app:2", "app:6"]],
    ["source", { source: "sshd" }, ["app:2", "app:3"]],
    ["tags (all of them)", { tags: ["prod", "approved"] }, ["app:0"]],
    ["one tag", { tags: ["prod"] }, ["app:0", "app:1", "app:4"]],
    ["occurred range [from, to)", { occurred: { from: "2026-03-03T00:00:00Z", to: "2026-03-05T09:00:00Z" } }, ["app:2", "app:3", "app:4"]],
    ["occurred from only", { occurred: { from: "2026-03-06T00:00:00Z" } }, ["app:6", "infra:1"]],
    ["recorded range excluding everything", { recorded: { to: "2000-01-01T00:00:00Z" } }, []],
    ["full text: a word", { text: "deploy" }, ["app:0"]],
    ["full text: any case", { text: "DATABASE" }, ["infra:0"]],
    ["full text: terminal output", { text: "kubectl rollout" }, ["app:5"]],
    ["full text: phrase", { text: '"rolling deploy"' }, ["app:0"]],
    ["full text: or, negation", { text: "database or rolling -api" }, ["infra:0"]],
    ["full text: values only, not keys", { text: "commit" }, []],
    ["substring of an identifier", { contains: "2c1e7" }, ["app:0"]],
    ["substring, any case, of a resource", { contains: "BASTION" }, ["app:2", "app:3"]],
    ["substring with LIKE wildcards taken literally", { contains: "a%b" }, []],
    ["filters combine (AND)", { kinds: ["deploy"], actor: "alice", tags: ["prod"] }, ["app:0"]],
  ];
  it.each(cases)("filters by %s", async (_name, filter, want) => {
    // Scoped to the seeded logs: the tenant's audit log fills up with these very reads.
    expect(keys(await events({ logs: ["app", "infra"], ...filter }))).toEqual(want);
  });

  it("recorded range by the ledger's clock", async () => {
    const all = await events({ logs: ["app", "infra"] });
    const at = all.edges[EVENTS_APP.length]!.node.recordedAt as string; // infra's batch was recorded after app's
    const later = await events({ logs: ["app", "infra"], recorded: { from: at } });
    expect(keys(later)).toEqual(expect.arrayContaining(["infra:0", "infra:1"]));
    expect(keys(later).every((k) => k.startsWith("infra") || all.edges.find((e) => `${e.node.log}:${e.node.seq}` === k)!.node.recordedAt >= at)).toBe(true);
  });
});

describe("pagination", () => {
  it("walks every page with opaque cursors, even while entries are appended", async () => {
    await createLog(ledger.writer, "busy", { tenant: "acme", origin: "test.example/busy" });
    await appender.append("busy", Array.from({ length: 45 }, (_, i) => ({ kind: "custom", actor: "load", action: "tick", resource: `r${i}`, payload: { i } })));
    const seen: number[] = [];
    let after: string | undefined;
    let pages = 0;
    let appended = 45;
    for (;;) {
      const page = await events({ logs: ["busy"] }, 10, after);
      pages++;
      seen.push(...page.edges.map((e) => e.node.seq as number));
      // Appends between pages land after the cursor: the walk picks them up, never repeats one.
      if (pages <= 3) {
        await appender.append("busy", Array.from({ length: 7 }, (_, i) => ({ kind: "custom", actor: "load", action: "tick", resource: `late${pages}-${i}`, payload: { i } })));
        appended += 7;
      }
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor!;
      expect(decodeCursor(after).seq).toBe(seen.at(-1));
    }
    expect(seen).toEqual(Array.from({ length: appended }, (_, i) => i));
    expect(pages).toBe(Math.ceil(appended / 10));
  });

  it("finds rare matches past the bounded walk, in order, across pages and logs", async () => {
    // Matches at the walk's window and budget edges (4096, 16384 seqs), and beyond it, where
    // the planner's own query takes over; then in a second log.
    const needles = new Set([0, 4095, 4096, 16383, 16384, 20499]);
    await createLog(ledger.writer, "long", { tenant: "acme", origin: "test.example/long" });
    await createLog(ledger.writer, "long2", { tenant: "acme", origin: "test.example/long2" });
    for (let start = 0; start < 20_500; start += 2_500) {
      await appender.append("long", Array.from({ length: 2_500 }, (_, i) => ({
        kind: "custom", actor: needles.has(start + i) ? "needle" : "hay", action: "x", resource: "r", tags: needles.has(start + i) ? ["rare"] : [],
      })));
    }
    await appender.append("long2", [{ kind: "custom", actor: "needle", action: "x", resource: "r", tags: ["rare"] }]);
    for (const filter of [{ tags: ["rare"] }, { actor: "needle" }]) {
      const got: string[] = [];
      let after: string | undefined;
      do {
        const page = await events({ logs: ["long", "long2"], ...filter }, 4, after);
        got.push(...keys(page));
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor! : undefined;
      } while (after);
      expect(got).toEqual([...[...needles].map((n) => `long:${n}`), "long2:0"]);
    }
  });

  it("defaults to 50 and caps the page size", async () => {
    const r = await gql(api, token, EVENTS, { first: 101 });
    expect(r.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(r.errors?.[0]?.message).toMatch(/first: got 101, want 1–100/);
    expect((await gql(api, token, EVENTS, { first: 0 })).errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const page = await events(undefined);
    expect(page.edges.length).toBe(50);
  });
});

describe("single entries", () => {
  it("returns an entry by log and seq, and null past the end", async () => {
    const r = await gql(api, token, `{ event(log: "app", seq: 2) { log seq actor outcome payload } missing: event(log: "app", seq: 99) { seq } }`);
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ event: { log: "app", seq: 2, actor: "carol", outcome: "failure", payload: EVENTS_APP[2]!.payload }, missing: null });
  });

  it("marks a redacted payload and keeps its hash", async () => {
    await createLog(ledger.writer, "redacted", { tenant: "acme", origin: "test.example/redacted" });
    await appender.append("redacted", [{ kind: "custom", actor: "a", action: "b", resource: "c", payload: { secret: "s3cr3t" } }]);
    // Redaction clears the payload column and keeps payload_hash (the leaf commits to the hash only).
    await ledger.admin.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`update entries set payload = null where log_id = (select id from logs where name = 'redacted')`;
    });
    const r = await gql(api, token, `{ event(log: "redacted", seq: 0) { payload payloadRedacted payloadHash } }`);
    expect(r.data).toMatchObject({ event: { payload: null, payloadRedacted: true } });
    expect(Buffer.from((r.data as any).event.payloadHash, "base64")).toHaveLength(32);
  });
});

describe("bad input", () => {
  const bad: [string, string, Record<string, unknown>][] = [
    ["a malformed cursor", EVENTS, { after: "not-a-cursor!" }],
    ["a cursor of another shape", EVENTS, { after: Buffer.from("e1:1:-5").toString("base64url") }],
    ["an unknown log", EVENTS, { filter: { logs: ["nope"] } }],
    ["another tenant's log", EVENTS, { filter: { logs: ["other"] } }],
    ["an invalid date", EVENTS, { filter: { occurred: { from: "2026-02-30T00:00:00Z" } } }],
    ["a date without a zone", EVENTS, { filter: { occurred: { from: "yesterday" } } }],
    ["a reversed range", EVENTS, { filter: { occurred: { from: "2026-03-02T00:00:00Z", to: "2026-03-01T00:00:00Z" } } }],
    ["an unknown outcome", EVENTS, { filter: { outcome: "maybe" } }],
    ["a too short substring", EVENTS, { filter: { contains: "ab" } }],
    ["a NUL in a filter", EVENTS, { filter: { actor: "a\u0000b" } }],
    ["too many values", EVENTS, { filter: { kinds: Array.from({ length: 101 }, (_, i) => `k${i}`) } }],
    ["a negative seq", `query($s: BigInt!) { event(log: "app", seq: $s) { seq } }`, { s: -1 }],
    ["an unknown log for an entry", `{ event(log: "nope", seq: 0) { seq } }`, {}],
    ["an inline invalid date", `{ events(filter: { occurred: { from: "not a date" } }) { edges { cursor } } }`, {}],
  ];
  it.each(bad)("refuses %s with BAD_USER_INPUT and no internals", async (_name, query, variables) => {
    const r = await gql(api, token, query, variables);
    expect(r.errors?.[0]?.extensions?.code, r.body).toBe("BAD_USER_INPUT");
    expect(r.body).not.toMatch(/select |postgres|stack|at .*\.(ts|js)/i);
  });

  it("issues cursors it can read back", () => {
    expect(decodeCursor(encodeCursor({ logId: 3, seq: 12345 }))).toEqual({ logId: 3, seq: 12345 });
  });
});
