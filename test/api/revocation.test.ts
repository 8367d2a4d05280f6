/**
 * Revoking a key ends its live sessions within a stated bound (security review: an open
 * subscription kept delivering events 17 s after `keys api revoke`): every open WebSocket's key
 * is checked again every SEALTRAIL_API_KEY_RECHECK_MS, and a socket whose key is revoked is
 * closed (4403), ending its subscriptions; nothing appended after that is delivered. Signing a
 * console session out ends the subscriptions opened with its cookie the same way, at once. And a
 * subscription that fails outright is recorded as the failure it is (it was audited as success).
 */
import { createClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { revokeApiKey } from "../../src/ledger/postgres/api-keys.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { apiKey, startApi, wsClient, type TestApi } from "../support/api.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
let api: TestApi;

beforeAll(async () => {
  ledger = await freshLedger("revoke");
  await createLog(ledger.writer, "r1", { tenant: "acme", origin: "test.example/r1" });
  api = await startApi(ledger, { keyRecheckMs: 250 });
});
afterAll(async () => {
  await api?.close();
  await ledger?.close();
});

type Client = ReturnType<typeof createClient>;

/** A subscription to eventAppended on `client`: the resources it delivered, and the code the socket closed with. */
function watch(client: Client) {
  const got: string[] = [];
  let closedWith: number | undefined;
  client.on("closed", (event) => void (closedWith = (event as { code: number }).code));
  client.subscribe<{ eventAppended: { resource: string } }>(
    { query: `subscription { eventAppended { resource } }` },
    { next: (m) => m.data && got.push(m.data.eventAppended.resource), error: () => {}, complete: () => {} },
  );
  return { client, got, closed: () => closedWith };
}

/** Appends probes until every subscription has seen one: all are live. */
async function untilLive(appender: Appender, subs: readonly { got: string[] }[], prefix: string): Promise<void> {
  for (let i = 0; !subs.every((s) => s.got.length > 0); i++) {
    if (i > 100) throw new Error("subscriptions never went live");
    await appender.append("r1", [{ kind: "custom", actor: "p", action: "x", resource: `${prefix}-${i}` }]);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("key revocation", () => {
  it("closes the revoked key's open subscriptions within the recheck interval; another key's go on", async () => {
    const appender = new Appender(ledger.writer);
    const revoked = await apiKey(ledger, "acme");
    const kept = await apiKey(ledger, "acme");
    const a = watch(wsClient(api, revoked));
    const b = watch(wsClient(api, kept));
    try {
      await untilLive(appender, [a, b], "probe");
      const revokedAt = Date.now();
      await revokeApiKey(ledger.admin, revoked.slice(10, 26));
      await expect.poll(() => a.closed(), { timeout: 5_000, interval: 50 }).toBe(4403);
      // The bound: the recheck interval plus a query.
      expect(Date.now() - revokedAt).toBeLessThan(2_000);
      const seen = a.got.length;
      await appender.append("r1", [{ kind: "custom", actor: "p", action: "x", resource: "after-revocation" }]);
      await expect.poll(() => b.got.includes("after-revocation"), { timeout: 5_000 }).toBe(true);
      expect(a.got.length).toBe(seen);
      expect(b.closed()).toBeUndefined();
    } finally {
      await a.client.dispose();
      await b.client.dispose();
    }
  });
});

/** A graphql-ws client riding on a console session cookie, from the console's own origin, as the browser's would. */
function cookieClient(cookie: string) {
  const origin = api.base;
  class CookieSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: { cookie, origin } });
    }
  }
  return createClient({ url: api.wsUrl, webSocketImpl: CookieSocket, retryAttempts: 0, lazy: true });
}

async function signInCookie(token: string): Promise<string> {
  const res = await fetch(`${api.base}/auth/session`, { method: "POST", headers: { "content-type": "application/json", origin: api.base }, body: JSON.stringify({ token }) });
  expect(res.status).toBe(200);
  return res.headers.get("set-cookie")!.split(";")[0]!;
}

describe("console sign-out", () => {
  it("closes the signed-out session's open subscriptions at once; another session of the same key goes on", async () => {
    const appender = new Appender(ledger.writer);
    const token = await apiKey(ledger, "acme");
    const leaving = await signInCookie(token);
    const staying = await signInCookie(token);
    const a = watch(cookieClient(leaving));
    const b = watch(cookieClient(staying));
    try {
      await untilLive(appender, [a, b], "probe-out");
      const signedOutAt = Date.now();
      const out = await fetch(`${api.base}/auth/session`, { method: "DELETE", headers: { cookie: leaving, origin: api.base } });
      expect(out.status).toBe(204);
      await expect.poll(() => a.closed(), { timeout: 5_000, interval: 20 }).toBe(4403);
      // Ended by the sign-out itself, not by the next periodic recheck.
      expect(Date.now() - signedOutAt).toBeLessThan(1_000);
      const seen = a.got.length;
      await appender.append("r1", [{ kind: "custom", actor: "p", action: "x", resource: "after-sign-out" }]);
      await expect.poll(() => b.got.includes("after-sign-out"), { timeout: 5_000 }).toBe(true);
      expect(a.got.length).toBe(seen);
      expect(b.closed()).toBeUndefined();
      // The signed-out cookie opens nothing new.
      const again = cookieClient(leaving);
      const refused = await new Promise<unknown>((resolve) => {
        again.on("closed", (event) => resolve((event as { code: number }).code));
        again.subscribe({ query: `subscription { eventAppended { resource } }` }, { next: () => {}, error: () => {}, complete: () => {} });
      });
      expect(refused).toBe(4403);
      await again.dispose();
    } finally {
      await a.client.dispose();
      await b.client.dispose();
    }
  });
});

describe("a failed subscription's record", () => {
  it("is recorded as a failure with its code, not as a success", async () => {
    const token = await apiKey(ledger, "acme");
    const client = wsClient(api, token);
    try {
      const error = await new Promise<unknown>((resolve) => {
        client.subscribe({ query: `subscription { eventAppended(filter: { logs: ["no-such-log"] }) { seq } }` }, {
          next: (m) => m.errors && resolve(m.errors),
          error: resolve,
          complete: () => resolve(undefined),
        });
      });
      expect(JSON.stringify(error)).toMatch(/BAD_USER_INPUT|NOT_FOUND/);
    } finally {
      await client.dispose();
    }
    await expect.poll(async () => {
      await api.server.recorder.flush();
      const rows = await ledger.admin<{ outcome: string; payload: string }[]>`select outcome, payload from entries where actor = ${`api_key:${token.slice(10, 26)}`} and kind = 'ledger.read'`;
      return rows.map((r) => [r.outcome, (JSON.parse(r.payload) as { errors?: string[] }).errors]);
    }, { timeout: 10_000 }).toEqual([["failure", [expect.stringMatching(/BAD_USER_INPUT|NOT_FOUND/)]]]);
  });
});
