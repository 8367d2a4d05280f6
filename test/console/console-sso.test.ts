/**
 * Single sign-on to the console with OpenID Connect, in Debian's chromium, against a real
 * OpenID provider (the oidc-provider package, on a port and host of its own, with its own
 * login and consent pages) and the real server on a real ledger: a person whose claims map to
 * tenant acme sees acme's logs only, is named in the audit log, and signing out ends the
 * session, at the provider too (RP-Initiated Logout: id_token_hint, post_logout_redirect_uri,
 * state), so the next sign-in asks for the password again; a person mapped to no tenant, or to no scope, is refused with what to do; a forged
 * state, a forged nonce and a replayed answer are refused.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { startApi, type TestApi } from "../support/api.js";
import { freshPage, launchBrowser, poll, screenshot, seriousViolations } from "../support/browser.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
let api: TestApi;
let browser: Browser;
let idp: Server;
let issuer: string;
/** The server's log: refusals are written there with their details. */
const serverLog: string[] = [];

/** The provider's accounts, by the login typed on its page. */
const ACCOUNTS: Record<string, Record<string, unknown>> = {
  alice: { email: "alice@acme.example", email_verified: true, org: "Acme Corp", groups: ["auditors", "staff"] },
  mallory: { email: "mallory@elsewhere.example", email_verified: true, org: "Elsewhere Ltd", groups: ["auditors"] },
  bob: { email: "bob@acme.example", email_verified: true, org: "Acme Corp", groups: ["staff"] },
};
const CLIENT = { id: "sealtrail-console", secret: "a-client-secret-of-the-test-provider" };

/** A port free now, for a server whose URL must be configured before it listens. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  ledger = await freshLedger("console_sso");
  await createLog(ledger.writer, "acme-payments", { tenant: "acme", origin: "test.example/acme-payments" });
  await createLog(ledger.writer, "globex-vault", { tenant: "globex", origin: "test.example/globex-vault" });
  const appender = new Appender(ledger.writer);
  await appender.append("acme-payments", Array.from({ length: 30 }, (_, i) => ({ kind: "access", actor: "ops@acme.example", action: "access.login", resource: `db/${i}`, payload: { i } })));
  await appender.append("globex-vault", [{ kind: "access", actor: "root@globex.example", action: "access.login", resource: "vault/globex-secret", payload: {} }]);

  // The provider listens first (its issuer names its port); on "localhost", another site than
  // the console's 127.0.0.1, as a real provider is.
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => void res.writeHead(503).end();
  idp = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve) => idp.listen(0, "127.0.0.1", resolve));
  issuer = `http://localhost:${(idp.address() as AddressInfo).port}`;
  const port = await freePort();
  const redirect = `http://127.0.0.1:${port}/auth/sso/callback`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT.id, client_secret: CLIENT.secret, redirect_uris: [redirect], response_types: ["code"], grant_types: ["authorization_code"],
      post_logout_redirect_uris: [`http://127.0.0.1:${port}/auth/sso/logged-out`],
    }],
    claims: { openid: ["sub"], email: ["email", "email_verified"], sealtrail: ["org", "groups"] },
    scopes: ["openid", "email", "sealtrail"],
    cookies: { keys: ["a-cookie-key-of-the-test-provider"] },
    features: { devInteractions: { enabled: true } },
    findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id, ...(ACCOUNTS[id] ?? {}) }) }),
  });
  handle = provider.callback();
  api = await startApi(ledger, { port }, {
    SEALTRAIL_OIDC_ISSUER: issuer,
    SEALTRAIL_OIDC_CLIENT_ID: CLIENT.id,
    SEALTRAIL_OIDC_CLIENT_SECRET: CLIENT.secret,
    SEALTRAIL_OIDC_REDIRECT_URL: redirect,
    SEALTRAIL_OIDC_REQUEST_SCOPES: "openid email sealtrail",
    SEALTRAIL_OIDC_TENANT_CLAIM: "org",
    SEALTRAIL_OIDC_TENANT_MAP: JSON.stringify({ "Acme Corp": "acme", "Globex Inc": "globex" }),
    SEALTRAIL_OIDC_SCOPES_CLAIM: "groups",
    SEALTRAIL_OIDC_SCOPE_MAP: JSON.stringify({ auditors: ["events:read", "proofs:read"] }),
  }, {}, (m) => serverLog.push(m));
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
  idp?.closeAllConnections();
  await new Promise<void>((resolve) => (idp ? idp.close(() => resolve()) : resolve()));
  await ledger?.close();
});

/** A fresh browser that reaches nothing but this machine (the provider's page asks for a web font). */
async function localPage(): Promise<{ context: BrowserContext; page: Page }> {
  const opened = await freshPage(browser);
  await opened.context.route((url) => url.hostname !== "127.0.0.1" && url.hostname !== "localhost", (route) => route.abort());
  return opened;
}

/** From the console's sign-in page through the provider's login and consent pages. */
async function signInWithSso(page: Page, login: string): Promise<void> {
  await page.goto(`${api.base}/`);
  await page.getByRole("link", { name: "Sign in with SSO" }).click();
  await loginAtProvider(page, login);
}

async function loginAtProvider(page: Page, login: string): Promise<void> {
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any password");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
}

describe("single sign-on", () => {
  it("signs a person in through the provider to their tenant only, names them in the audit log, and signing out ends the session", async () => {
    const { context, page } = await localPage();
    const callbacks: string[] = [];
    page.on("request", (req) => void (req.url().includes("/auth/sso/callback") && callbacks.push(req.url())));
    await page.goto(`${api.base}/`);
    await page.getByRole("link", { name: "Sign in with SSO" }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "signin-sso");

    await signInWithSso(page, "alice");
    await page.getByRole("heading", { name: "Overview" }).waitFor().catch((error) => {
      throw new Error(`not signed in; the server's log: ${serverLog.join("\n")}`, { cause: error });
    });
    expect(await page.getByTestId("tenant").textContent()).toBe("acme");
    expect(await page.locator(".tenant").getAttribute("title")).toContain("single sign-on alice@acme.example");
    await poll(() => page.locator('tr[data-log="acme-payments"]').count()).toBe(1);
    expect(await page.content()).not.toContain("globex-vault");
    await page.getByRole("link", { name: "Events" }).click();
    await poll(() => page.locator("[data-entry]").count()).toBeGreaterThan(5);
    expect(await page.content()).not.toContain("globex-secret");

    const cookie = (await context.cookies()).find((c) => c.name === "sealtrail_session");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict" });
    const asCookie = () => fetch(api.url, { method: "POST", headers: { "content-type": "application/json", cookie: `sealtrail_session=${cookie!.value}` }, body: JSON.stringify({ query: "{ logs { name } }" }) });
    const logs = ((await (await asCookie()).json()) as { data: { logs: { name: string }[] } }).data.logs.map((l) => l.name);
    expect(logs).toContain("acme-payments");
    expect(logs).not.toContain("globex-vault");

    // The reads are recorded in acme's audit log under the person's name and subject.
    await api.server.recorder.flush();
    const reads = await ledger.admin<{ actor: string; payload: string }[]>`
      select actor, payload from entries where kind = 'ledger.read' and log_id = (select id from logs where name = 'sealtrail.audit.acme')`;
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((r) => r.actor === "sso:alice@acme.example")).toBe(true);
    const payloads = reads.map((r) => JSON.parse(r.payload) as Record<string, unknown>);
    expect(payloads[0]).toMatchObject({ keyName: "alice@acme.example", ssoSubject: "alice", ssoIssuer: issuer });
    // The sign-in itself is recorded before the reads it led to.
    expect(payloads[0]!.operation).toBe("sso.signin");
    expect(payloads.some((p) => (p.fields as string[]).includes("logs"))).toBe(true);

    // The provider's answer, replayed without this browser's pending sign-in, opens nothing.
    expect(callbacks).toHaveLength(1);
    const replay = await fetch(callbacks[0]!, { redirect: "manual" });
    expect(replay.status).toBe(303);
    expect(replay.headers.get("location")).toBe("/?sso_error=SSO_STATE_INVALID");
    expect(replay.headers.getSetCookie().some((c) => c.startsWith("sealtrail_session=") && !c.startsWith("sealtrail_session=;"))).toBe(false);

    // Signing out ends the console's session, then the provider's (RP-Initiated Logout 1.0 §2):
    // the browser goes to its end_session_endpoint with the ID token as hint, the registered
    // way back and a state, confirms there, and comes back to the sign-in page.
    const ends: URL[] = [];
    page.on("request", (req) => void (req.url().startsWith(`${issuer}/session/end?`) && ends.push(new URL(req.url()))));
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Yes, sign me out" }).click();
    await page.getByTestId("signed-out").waitFor();
    expect(await page.getByTestId("signed-out").textContent()).toContain("signed out of the console and of your identity provider");
    expect(page.url()).toBe(`${api.base}/`);
    expect(ends).toHaveLength(1);
    expect(ends[0]!.searchParams.get("post_logout_redirect_uri")).toBe(`${api.base}/auth/sso/logged-out`);
    expect(ends[0]!.searchParams.get("state")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(ends[0]!.searchParams.get("client_id")).toBe(CLIENT.id);
    const hint = ends[0]!.searchParams.get("id_token_hint")!;
    expect(JSON.parse(Buffer.from(hint.split(".")[1]!, "base64url").toString())).toMatchObject({ sub: "alice", aud: CLIENT.id, iss: issuer });
    expect((await asCookie()).status).toBe(401);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "signin-sso-signed-out");
    // The provider's session is gone: signing in again asks for the login, not straight through.
    await page.getByRole("link", { name: "Sign in with SSO" }).click();
    await page.locator('input[name="login"]').waitFor();
    expect(new URL(page.url()).origin).toBe(issuer);
    await context.close();
  }, 180_000);

  it("signs out at the provider only when asked back with the state it was sent: a forged return only shows the sign-in page", async () => {
    // No sign-out pending in this browser: the return is not taken as one.
    const forged = await fetch(`${api.base}/auth/sso/logged-out?state=forged-state-0123456789abcdef0123456789abcdef0`, { redirect: "manual", headers: { cookie: "sealtrail_sso_out=another-state-0123456789abcdef0123456789abcdef" } });
    expect(forged.status).toBe(303);
    expect(forged.headers.get("location")).toBe("/");
    // An API-key session has nothing to end at the provider: 204, as before.
    const { apiKey } = await import("../support/api.js");
    const token = await apiKey(ledger, "acme");
    const opened = await fetch(`${api.base}/auth/session`, { method: "POST", headers: { "content-type": "application/json", origin: api.base }, body: JSON.stringify({ token }) });
    const cookie = opened.headers.get("set-cookie")!.split(";")[0]!;
    const out = await fetch(`${api.base}/auth/session`, { method: "DELETE", headers: { cookie, origin: api.base } });
    expect(out.status).toBe(204);
  });

  it("refuses a person whose claims map to no tenant, or to no scope, saying what to do", async () => {
    for (const [login, text] of [["mallory", "not assigned to a sealtrail tenant"], ["bob", "no sealtrail permissions"]] as const) {
      const { context, page } = await localPage();
      await signInWithSso(page, login);
      await poll(() => page.getByTestId("sso-error").textContent()).toContain(text);
      expect(page.url()).toBe(`${api.base}/`);
      expect((await context.cookies()).some((c) => c.name === "sealtrail_session")).toBe(false);
      if (login === "mallory") await screenshot(page, "signin-sso-refused");
      await context.close();
    }
    // bob's tenant is known: his refusal is in its audit log (mallory's has no tenant to hold it).
    await api.server.recorder.flush();
    const refused = await ledger.admin<{ actor: string; outcome: string; payload: string }[]>`
      select actor, outcome, payload from entries where kind = 'ledger.read' and outcome = 'failure' and log_id = (select id from logs where name = 'sealtrail.audit.acme')`;
    expect(refused.map((r) => [r.actor, JSON.parse(r.payload).operation, JSON.parse(r.payload).errors])).toEqual([["sso:bob@acme.example", "sso.signin", ["SSO_NO_SCOPE"]]]);
    expect(serverLog.some((m) => m.includes("SSO_NO_TENANT") && m.includes("mallory@elsewhere.example"))).toBe(true);
  }, 180_000);

  it("refuses an answer whose state or nonce was altered on the way", async () => {
    for (const [param, text] of [["state", "could not be matched to this browser"], ["nonce", "failed its security checks"]] as const) {
      const { context, page } = await localPage();
      // The sign-in is started as the browser would (its pending cookie handed to the browser),
      // and the authorization request to the provider altered on the way: the provider answers
      // with the forged state, or signs an ID token with the forged nonce.
      const start = await fetch(`${api.base}/auth/sso/login`, { redirect: "manual" });
      const [name, value] = start.headers.getSetCookie()[0]!.split(";")[0]!.split("=") as [string, string];
      await context.addCookies([{ name, value, domain: "127.0.0.1", path: "/auth/sso", httpOnly: true, sameSite: "Lax" }]);
      const authorize = new URL(start.headers.get("location")!);
      expect(authorize.origin).toBe(issuer);
      expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
      authorize.searchParams.set(param, `forged-${param}-value-0123456789abcdef`);
      await page.goto(authorize.href);
      await loginAtProvider(page, "alice");
      await page.getByTestId("sso-error").waitFor().catch((error) => {
        throw new Error(`not refused at ${page.url()}; the server's log: ${serverLog.join("\n")}`, { cause: error });
      });
      expect(await page.getByTestId("sso-error").textContent()).toContain(text);
      expect((await context.cookies()).some((c) => c.name === "sealtrail_session")).toBe(false);
      await context.close();
    }
  }, 180_000);

  it("says whether single sign-on is on, and refuses a bad setting at start", async () => {
    expect(await (await fetch(`${api.base}/auth/sso`)).json()).toEqual({ enabled: true });
    const { loadApiConfig } = await import("../../src/config/index.js");
    expect(() => loadApiConfig({ SEALTRAIL_OIDC_ISSUER: "http://idp.example", SEALTRAIL_OIDC_CLIENT_ID: "x", SEALTRAIL_OIDC_REDIRECT_URL: "https://c.example/auth/sso/callback" })).toThrow(/want an https URL/);
    expect(() => loadApiConfig({ SEALTRAIL_OIDC_ISSUER: "https://idp.example", SEALTRAIL_OIDC_CLIENT_ID: "x", SEALTRAIL_OIDC_REDIRECT_URL: "https://c.example/callback" })).toThrow(/\/auth\/sso\/callback/);
    expect(() => loadApiConfig({ SEALTRAIL_OIDC_CLIENT_ID: "x" })).toThrow(/SEALTRAIL_OIDC_ISSUER/);
    expect(() => loadApiConfig({ SEALTRAIL_OIDC_ISSUER: "https://idp.example", SEALTRAIL_OIDC_CLIENT_ID: "x", SEALTRAIL_OIDC_REDIRECT_URL: "https://c.example/auth/sso/callback", SEALTRAIL_OIDC_SCOPE_MAP: '{"g": ["root"]}' })).toThrow(/want a list of scopes/);
    expect(loadApiConfig({}).oidc).toBeUndefined();
  });
});
