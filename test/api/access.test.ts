/**
 * Access control: API keys (made, listed and revoked with the real CLI), scopes on every
 * field, and tenant isolation that holds in SQL, whatever query, filter or cursor is sent.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiTokenHash, encodeCursor } from "../../src/core/token/index.js";
import type { LedgerStore } from "../../src/ledger/store.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { checkpointLog } from "../../src/ledger/checkpointer.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { apiKey, gql, startApi, type TestApi } from "../support/api.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { PostgresLedgerStore } from "../../src/ledger/postgres/postgres-store.js";

let ledger: TestLedger;
let api: TestApi;
let acme: string;
let globexLogId: number;

const BIN = fileURLToPath(new URL("../../bin/sealtrail.js", import.meta.url));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema }, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  ledger = await freshLedger("access");
  const appender = new Appender(ledger.writer);
  const key = testKey();
  for (const [name, tenant] of [["acme-app", "acme"], ["globex-app", "globex"]] as const) {
    const log = await createLog(ledger.writer, name, { tenant, origin: `test.example/${name}` });
    if (tenant === "globex") globexLogId = log.id;
    await appender.append(name, Array.from({ length: 20 }, (_, i) => ({
      kind: "access", actor: `${tenant}-user`, action: "login", resource: "host/shared", tags: ["shared-tag"],
      payload: { note: `secret of ${tenant}`, shared: "needle-token" }, occurredAt: `2026-01-0${1 + (i % 9)}T00:00:00Z`,
    })));
    await checkpointLog(ledger.store, name, key.privateKey);
  }
  api = await startApi(ledger);
  acme = await apiKey(ledger, "acme", ["events:read", "proofs:read"]);
});
afterAll(async () => {
  await api?.close();
  await ledger?.close();
});

describe("API keys", () => {
  it("are made, listed and revoked with the CLI; only the hash is stored, and revoked keys stop working", async () => {
    const made = await cli(["keys", "api", "create", "--tenant", "acme", "--scopes", "events:read,proofs:read", "--name", "soc-team"]);
    expect(made.stderr).toBe("");
    expect(made.code).toBe(0);
    const key = JSON.parse(made.stdout) as { id: string; token: string; scopes: string[]; tenant: string; name: string };
    expect(key).toMatchObject({ tenant: "acme", name: "soc-team", scopes: ["events:read", "proofs:read"] });
    expect(key.token).toMatch(/^sealtrail_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);

    // The table holds the SHA-256 of the token, never the token.
    const [row] = await ledger.admin`select secret_hash, row_to_json(k)::text as whole from api_keys k where id = ${key.id}`;
    expect(Buffer.from(row!.secret_hash).equals(Buffer.from(apiTokenHash(key.token)))).toBe(true);
    expect(row!.whole).not.toContain(key.token.slice(-43));

    const listed = await cli(["keys", "api", "list", "--tenant", "acme"]);
    const lines = listed.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.find((l) => l.id === key.id)).toMatchObject({ name: "soc-team", revokedAt: null });
    expect(listed.stdout).not.toContain(key.token);

    expect((await gql(api, key.token, `{ logs { name } }`)).status).toBe(200);
    const revoked = await cli(["keys", "api", "revoke", key.id]);
    expect(JSON.parse(revoked.stdout).revokedAt).not.toBeNull();
    const after = await gql(api, key.token, `{ logs { name } }`);
    expect(after.status).toBe(401);
    expect(after.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");

    // Both changes are in the tenant's audit log.
    const audit = await ledger.admin`select action, resource from entries where log_id = (select id from logs where name = 'sealtrail.audit.acme') and kind = 'access' order by seq`;
    expect(audit.map((r) => `${r.action} ${r.resource}`)).toEqual([`api_key.created api_key:${key.id}`, `api_key.revoked api_key:${key.id}`]);
  });

  it("refuses bad CLI input with one line and exit 2", async () => {
    for (const args of [["keys", "api", "create", "--tenant", "acme", "--scopes", "events:read,root"], ["keys", "api", "create", "--scopes", "admin"], ["keys", "api", "revoke", "zzz"], ["keys", "api", "revoke", "0123456789abcdef"]]) {
      const run = await cli(args);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
    }
  });

  it("answers 401 without a key, with a malformed one, or an unknown one", async () => {
    for (const token of [undefined, "nope", `sealtrail_0123456789abcdef_${"A".repeat(43)}`]) {
      const r = await gql(api, token, `{ logs { name } }`);
      expect(r.status).toBe(401);
      expect(r.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    }
  });
});

describe("scopes", () => {
  it("checks the scope of every field", async () => {
    const readOnly = await apiKey(ledger, "acme", ["events:read"]);
    const proofsOnly = await apiKey(ledger, "acme", ["proofs:read"]);
    const admin = await apiKey(ledger, "acme", ["admin"]);
    const writeOnly = await apiKey(ledger, "acme", ["events:write"]);
    const cases: [string, string, string | null][] = [
      [readOnly, `{ logs { name } }`, null],
      [readOnly, `{ events(first: 1) { edges { cursor } } }`, null],
      [readOnly, `{ event(log: "acme-app", seq: 0) { inclusionProof { treeSize } } }`, "FORBIDDEN"],
      [readOnly, `{ latestCheckpoint(log: "acme-app") { size } }`, "FORBIDDEN"],
      [readOnly, `{ log(name: "acme-app") { latestCheckpoint { size } } }`, "FORBIDDEN"],
      [proofsOnly, `{ logs { name } }`, "FORBIDDEN"],
      [proofsOnly, `{ consistencyProof(log: "acme-app", from: 1) { toSize } }`, null],
      [proofsOnly, `{ checkpoint(log: "acme-app", size: 20) { size } }`, null],
      [writeOnly, `{ events(first: 1) { edges { cursor } } }`, "FORBIDDEN"],
      [admin, `{ event(log: "acme-app", seq: 0) { inclusionProof { treeSize } } logs { name } }`, null],
    ];
    for (const [token, query, want] of cases) {
      const r = await gql(api, token, query);
      expect(r.errors?.[0]?.extensions?.code ?? null, `${query}: ${r.body}`).toBe(want);
      if (want) expect(r.errors?.[0]?.message).toMatch(/needs scope/);
    }
  });
});

describe("tenant isolation", () => {
  // The query may echo a log name back in an error; rows of tenant B carry these.
  const globexRows = (body: string) => /globex-user|secret of globex|"tenant":"globex"/.test(body);

  it("no query, filter or cursor of tenant A's key shows tenant B's entries", async () => {
    const queries: [string, Record<string, unknown>?][] = [
      [`{ logs { name tenant } }`],
      [`{ log(name: "globex-app") { name } }`],
      [`{ events(first: 500) { edges { node { log actor payload } } } }`],
      [`query($f: EventFilter) { events(filter: $f, first: 500) { edges { node { log actor } } } }`, { f: { actor: "globex-user" } }],
      [`query($f: EventFilter) { events(filter: $f, first: 500) { edges { node { log actor } } } }`, { f: { text: "globex" } }],
      [`query($f: EventFilter) { events(filter: $f, first: 500) { edges { node { log actor } } } }`, { f: { contains: "needle-token" } }],
      [`query($f: EventFilter) { events(filter: $f, first: 500) { edges { node { log actor } } } }`, { f: { tags: ["shared-tag"], resource: "host/shared" } }],
      // A forged cursor positioned just before tenant B's log.
      [`query($a: String) { events(after: $a, first: 500) { edges { node { log actor } } } }`, { a: encodeCursor({ logId: globexLogId, seq: 0 }) }],
      [`query($a: String) { events(after: $a, first: 500) { edges { node { log actor } } } }`, { a: encodeCursor({ logId: globexLogId - 1, seq: 1e9 }) }],
      [`{ event(log: "globex-app", seq: 0) { actor } }`],
      [`{ latestCheckpoint(log: "globex-app") { note } }`],
      [`{ checkpoint(log: "globex-app", size: 20) { note } }`],
      [`{ consistencyProof(log: "globex-app", from: 1, to: 20) { hashes } }`],
      [`query($f: EventFilter) { events(filter: $f) { edges { cursor } } }`, { f: { logs: ["globex-app"] } }],
    ];
    let sawAcme = false;
    for (const [query, variables] of queries) {
      const r = await gql(api, acme, query, variables);
      expect(globexRows(r.body), `${query} ${JSON.stringify(variables)}: ${r.body}`).toBe(false);
      if (/acme-user/.test(r.body)) sawAcme = true;
      // Another tenant's log is as unknown as a missing one: no hint that it exists.
      if (r.errors) expect(r.errors[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    }
    expect(sawAcme).toBe(true);
    const globex = await apiKey(ledger, "globex");
    expect(globexRows((await gql(api, globex, `{ events(first: 5) { edges { node { actor } } } }`)).body)).toBe(true);
  });

  it("is enforced in SQL: a request's transaction cannot read another tenant's rows even by raw SQL", async () => {
    const db = api.store.tenantView("acme", 5_000);
    // The view hands out a store; its transaction is read here by raw SQL, past the store's statements.
    const raw = (view: LedgerStore) => (view as PostgresLedgerStore).sql;
    try {
      const seen = await db.use(async (view) => ({
        logs: (await raw(view)`select distinct tenant from logs`).map((r) => r.tenant),
        entries: (await raw(view)`select count(*)::int as n from entries where log_id = ${globexLogId}`)[0]!.n,
        nodes: (await raw(view)`select count(*)::int as n from merkle_nodes where log_id = ${globexLogId}`)[0]!.n,
        checkpoints: (await raw(view)`select count(*)::int as n from checkpoints where log_id = ${globexLogId}`)[0]!.n,
        role: (await raw(view)`select current_user as u`)[0]!.u,
      }));
      expect(seen).toEqual({ logs: ["acme"], entries: 0, nodes: 0, checkpoints: 0, role: ledger.roles.reader });
      await expect(db.use((view) => raw(view)`select count(*) from api_keys`)).rejects.toThrow(/permission denied/);
    } finally {
      await db.close();
    }
  });
});
