/**
 * The web console in a real browser (Debian's chromium) against the real server on a real
 * ledger: sign-in with an API key for a session cookie and sign-out that revokes it; the
 * Events page's filters, full-text search and URL; "Verify in this browser" passing, and
 * failing once the superuser alters a row; tenant isolation by the UI and by crafted URLs;
 * the views recorded in the audit log; CSRF refused; accessibility and both viewports.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { checkpointLog } from "../../src/ledger/checkpointer.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { apiKey, startApi, type TestApi } from "../support/api.js";
import { freshPage, launchBrowser, poll, screenshot, seriousViolations, signIn } from "../support/browser.js";
import { testKey } from "../support/keys.js";
import { asAttacker, freshLedger, type TestLedger } from "../support/ledger.js";
import { recomputeAll } from "../support/tamper.js";

let ledger: TestLedger;
let api: TestApi;
let browser: Browser;
let acme: string;
let globex: string;
const key = testKey();
const ACTORS = ["alice@acme.example", "bob@acme.example", "deploy-bot"];
const KINDS = ["deploy", "access", "config.change"];

beforeAll(async () => {
  ledger = await freshLedger("console_events");
  await createLog(ledger.writer, "prod", { tenant: "acme", origin: "test.example/prod" });
  await createLog(ledger.writer, "globex-secrets", { tenant: "globex", origin: "test.example/globex-secrets" });
  const appender = new Appender(ledger.writer);
  await appender.append("prod", Array.from({ length: 600 }, (_, i) => ({
    kind: KINDS[i % 3]!, actor: ACTORS[i % 3]!, action: `${KINDS[i % 3]}.step${i % 5}`, resource: `service/${["api", "billing", "ledger"][i % 3]}`,
    outcome: i % 7 === 0 ? "failure" : "success", source: "ci.acme.example", tags: i % 2 ? ["prod"] : ["prod", "pci"],
    payload: { n: i, note: i === 421 ? "rotated the quarantine certificate" : `routine change ${i}` },
  })));
  // The log the tamper test alters: the listing of a log with a row altered beside its hashes
  // is refused as a whole (verified reads), so the other tests keep to "prod".
  await createLog(ledger.writer, "ops", { tenant: "acme", origin: "test.example/ops" });
  await appender.append("ops", Array.from({ length: 12 }, (_, i) => ({ kind: "access", actor: "ops-bot", action: "access.login", resource: `host/${i}`, payload: { n: i } })));
  await checkpointLog(ledger.store, "ops", key.privateKey);
  await appender.append("globex-secrets", [{ kind: "access", actor: "carol@globex.example", action: "access.grant", resource: "vault/globex", payload: { secret: "globex-only" } }]);
  await checkpointLog(ledger.store, "prod", key.privateKey);
  await checkpointLog(ledger.store, "globex-secrets", key.privateKey);
  api = await startApi(ledger, {}, {}, { verifierPublicKey: key.publicKey });
  acme = await apiKey(ledger, "acme");
  globex = await apiKey(ledger, "globex");
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await api?.close();
  await ledger?.close();
});



describe("sign-in and sign-out", () => {
  it("refuses an unknown key, signs in with a real one for an HttpOnly SameSite=Strict cookie, and signing out revokes it", async () => {
    const { context, page } = await freshPage(browser);
    const served = await page.goto(`${api.base}/`);
    const csp = (await served!.allHeaders())["content-security-policy"] ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    await page.getByRole("heading", { name: "Sign in to the console" }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "signin");
    await page.getByLabel("API key").fill("sealtrail_0000000000000000_nope");
    await page.getByRole("button", { name: "Sign in" }).click();
    await poll(() => page.getByRole("alert").textContent()).toContain("unknown or revoked");

    await page.getByLabel("API key").fill(acme);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    expect(await page.getByTestId("tenant").textContent()).toBe("acme");
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: "sealtrail_session", httpOnly: true, sameSite: "Strict" });
    expect(cookie!.value).not.toContain(acme.slice(10));
    expect(await page.evaluate("document.cookie")).toBe("");

    // The cookie alone reaches GraphQL, as the key's tenant.
    const asCookie = (origin?: string) => fetch(api.url, { method: "POST", headers: { "content-type": "application/json", cookie: `sealtrail_session=${cookie!.value}`, ...(origin ? { origin } : {}) }, body: JSON.stringify({ query: "{ logs { name } }" }) });
    const ok = await asCookie();
    expect(((await ok.json()) as { data: { logs: { name: string }[] } }).data.logs.map((l) => l.name)).toContain("prod");
    // CSRF: another origin riding on the cookie is refused.
    expect((await asCookie("http://evil.example")).status).toBe(403);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to the console" }).waitFor();
    expect((await asCookie()).status).toBe(401);
    await context.close();
  }, 180_000);
});

describe("the Events page", () => {
  it("lists entries in a virtualized table, filters and searches, and keeps the query in the URL", async () => {
    const { context, page } = await freshPage(browser);
    await signIn(page, api.base, acme);
    await poll(() => page.getByTestId("row-count").textContent()).toMatch(/^200\+ entries|^\d/);
    // Virtualized: far fewer rows in the DOM than loaded.
    const rendered = await page.locator("[data-entry]").count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(80);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "events");

    await page.getByLabel("Actor").fill("bob@acme.example");
    await page.getByLabel("Outcome").selectOption("failure");
    await page.getByRole("button", { name: "Apply" }).click();
    await poll(() => page.url()).toContain("actor=bob%40acme.example");
    expect(page.url()).toContain("outcome=failure");
    await poll(() => page.getByTestId("row-count").textContent()).toBe("29 entries");
    const actors = await page.locator("[data-entry] [role=cell]:nth-child(5)").allTextContents();
    expect(new Set(actors)).toEqual(new Set(["bob@acme.example"]));

    // Full-text search, from a shared URL. Scoped to "prod": the tenant's audit log records each
    // search with its text, so any earlier run of this query (a reload, a request the browser
    // repeated) would be a second, genuine match in sealtrail.audit.acme.
    await page.goto(`${api.base}/events?log=prod&q=${encodeURIComponent('"quarantine certificate"')}`);
    await poll(() => page.locator("[data-entry]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-entry")))).toEqual(["prod:421"]);
    expect(await page.getByTestId("row-count").textContent()).toBe("1 entry");
    await screenshot(page, "events-search");
    await context.close();
  }, 180_000);

  it("verifies an entry in the browser step by step, and shows the failure after the superuser alters it", async () => {
    const { context, page } = await freshPage(browser);
    await signIn(page, api.base, acme);
    await page.goto(`${api.base}/events?entry=ops:5`);
    await page.getByRole("dialog").waitFor();
    await page.getByRole("button", { name: "Verify in this browser" }).click();
    await poll(() => page.getByTestId("verdict").textContent()).toContain("Verified");
    const steps = await page.locator("[data-step]").evaluateAll((els) => els.map((e) => [e.getAttribute("data-step"), e.getAttribute("data-ok")]));
    expect(steps).toEqual([["payload", "true"], ["leaf", "true"], ["path", "true"], ["key", "true"], ["signature", "true"], ["root", "true"]]);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "entry-verified");

    // A superuser who rewrites the row and every hash and tree node after it, so the database
    // agrees with itself: the server checks what it serves against the signed checkpoint
    // (verified reads) and refuses it, and the drawer says so. (The browser's own check failing
    // on a wrong proof or signature is in verifier.test.ts.)
    await asAttacker(ledger.admin, async (sql) => {
      const [log] = await sql<{ id: number }[]>`select id from logs where name = 'ops'`;
      await sql`update entries set actor = 'mallory' where seq = 5 and log_id = ${log!.id}`;
      await recomputeAll(sql, log!.id, "test.example/ops");
    });
    await page.reload();
    await poll(() => page.getByRole("dialog").textContent()).toContain("does not match its hashes");
    expect(await page.getByRole("dialog").textContent()).not.toContain("mallory");
    await screenshot(page, "entry-tampered");

    // A row altered beside its old hashes: the server refuses to serve it, and the drawer says why.
    await asAttacker(ledger.admin, (sql) => sql`update entries set payload = '{"n":6,"note":"nothing to see"}' where seq = 6 and log_id = (select id from logs where name = 'ops')`);
    await page.goto(`${api.base}/events?entry=ops:6`);
    await poll(() => page.getByRole("dialog").textContent()).toContain("does not match its hashes");
    await screenshot(page, "entry-inconsistent");
    await context.close();
  }, 180_000);

  it("is usable at 390×844", async () => {
    const { context, page } = await freshPage(browser, { width: 390, height: 844 });
    await signIn(page, api.base, acme);
    await poll(() => page.locator("[data-entry]").count()).toBeGreaterThan(3);
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
    await screenshot(page, "events-mobile");
    await page.locator('[data-entry="prod:0"]').focus();
    await page.keyboard.press("ArrowDown");
    // The table moves focus on the next animation frame (after scrolling the row into view):
    // Enter before then would open the row that still has it.
    await poll(() => page.evaluate("document.activeElement?.getAttribute('data-entry')")).toBe("prod:1");
    await page.keyboard.press("Enter");
    await page.getByRole("dialog").waitFor();
    await poll(() => page.url()).toContain("entry=prod%3A1");
    await screenshot(page, "entry-mobile");
    await page.keyboard.press("Escape");
    await poll(() => page.getByRole("dialog").count()).toBe(0);
    await context.close();
  }, 180_000);
});

describe("tenant isolation and the audit log", () => {
  it("never shows another tenant's log, by the UI or by crafted URLs, and records every view", async () => {
    const { context, page } = await freshPage(browser);
    await signIn(page, api.base, acme);
    const options = await page.getByLabel("Log").locator("option").allTextContents();
    expect(options).not.toContain("globex-secrets");
    await page.goto(`${api.base}/events?log=globex-secrets`);
    await page.getByRole("heading", { name: "Events" }).waitFor();
    await poll(async () => (await page.getByText("No entries match").count()) + (await page.getByRole("alert").count())).toBeGreaterThan(0);
    await page.goto(`${api.base}/events?entry=globex-secrets:0`);
    await poll(() => page.getByRole("dialog").textContent()).toContain("No entry globex-secrets:0 in your tenant's logs");
    expect(await page.content()).not.toContain("globex-only");

    await api.server.recorder.flush();
    const reads = await ledger.admin<{ resource: string; actor: string }[]>`
      select resource, actor from entries where kind = 'ledger.read'
      and log_id = (select id from logs where name = 'sealtrail.audit.acme')`;
    const keyId = acme.slice("sealtrail_".length, "sealtrail_".length + 16);
    expect(reads.filter((r) => r.actor === `api_key:${keyId}` && r.resource.split(",").includes("events")).length).toBeGreaterThan(0);
    expect(reads.filter((r) => r.actor === `api_key:${keyId}` && r.resource.split(",").includes("event")).length).toBeGreaterThan(0);
    const globexReads = await ledger.admin`select 1 from entries where log_id = (select id from logs where name = 'sealtrail.audit.globex')`;
    expect(globexReads.length).toBe(0);
    void globex;
    await context.close();
  }, 180_000);
});
