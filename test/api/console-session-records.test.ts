/**
 * A console session's start and end are in the tenant's audit log (PCI DSS 10.2.1.5): signing in
 * with an API key is `console.signin`, signing out `console.signout`, each naming the key; a
 * refused sign-in stores nothing in any tenant's log, and signing out a session already ended
 * records nothing more.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { apiKey, startApi, type TestApi } from "../support/api.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
let api: TestApi;

beforeAll(async () => {
  ledger = await freshLedger("sessrec");
  await createLog(ledger.writer, "s1", { tenant: "acme", origin: "test.example/s1" });
  api = await startApi(ledger);
});
afterAll(async () => {
  await api?.close();
  await ledger?.close();
});

async function sessionRecords(tenant: string): Promise<{ actor: string; outcome: string; operation: string }[]> {
  await api.server.recorder.flush();
  const rows = await ledger.admin<{ actor: string; outcome: string; payload: string }[]>`
    select actor, outcome, payload from entries where log_id = (select id from logs where name = ${`sealtrail.audit.${tenant}`}) order by seq`.catch(() => []);
  return rows.map((r) => ({ actor: r.actor, outcome: r.outcome, operation: (JSON.parse(r.payload) as { operation: string }).operation }))
    .filter((r) => r.operation === "console.signin" || r.operation === "console.signout");
}

const session = (method: string, headers: Record<string, string>, body?: string) =>
  fetch(`${api.base}/auth/session`, { method, headers: { origin: api.base, ...headers }, ...(body ? { body } : {}) });

describe("console sign-in and sign-out with an API key", () => {
  it("records each in the tenant's audit log, naming the key; a refused token records nothing in any tenant's log", async () => {
    const token = await apiKey(ledger, "acme");
    const keyId = token.slice(10, 26);
    const refused = await session("POST", { "content-type": "application/json" }, JSON.stringify({ token: `${token.slice(0, -4)}zzzz` }));
    expect(refused.status).toBe(401);
    expect(await sessionRecords("acme")).toEqual([]);

    const signedIn = await session("POST", { "content-type": "application/json" }, JSON.stringify({ token }));
    expect(signedIn.status).toBe(200);
    const cookie = signedIn.headers.get("set-cookie")!.split(";")[0]!;
    expect(await sessionRecords("acme")).toEqual([{ actor: `api_key:${keyId}`, outcome: "success", operation: "console.signin" }]);

    expect((await session("DELETE", { cookie })).status).toBe(204);
    // Signing out the same cookie again: the session is gone, and nothing more is recorded.
    expect((await session("DELETE", { cookie })).status).toBe(204);
    expect(await sessionRecords("acme")).toEqual([
      { actor: `api_key:${keyId}`, outcome: "success", operation: "console.signin" },
      { actor: `api_key:${keyId}`, outcome: "success", operation: "console.signout" },
    ]);
  });
});
