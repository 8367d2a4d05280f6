/**
 * The console's Overview and Integrity pages in Debian's chromium against the real server:
 * each log's size, newest checkpoint and last sweep, open alerts for a sweep that found
 * tampering (and none a later full sweep closed), the search index's lag, the sweep chart, the
 * signed note, the sweeps' timeline and the consistency of consecutive checkpoints verified in
 * the browser (a lying proof shown failed); another tenant's log
 * by crafted URL; axe-core and both viewports; keyboard navigation through the main menu.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { alertEvent, sweepEvent } from "../../src/core/sweep/index.js";
import { checkpointLog, ensureAuditLog } from "../../src/ledger/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { apiKey, gql, startApi, type TestApi } from "../support/api.js";
import { freshPage, launchBrowser, poll, screenshot, seriousViolations, signIn } from "../support/browser.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
let api: TestApi;
let browser: Browser;
let acme: string;
const key = testKey();
const DAY = 86_400_000;

beforeAll(async () => {
  ledger = await freshLedger("console_pages");
  const appender = new Appender(ledger.writer);
  // payments is signed at 60, 150 and 240 entries: two consecutive pairs for the Integrity page to check.
  for (const [name, runs] of [["payments", [60, 90, 90]], ["deployments", [75]]] as const) {
    await createLog(ledger.writer, name, { tenant: "acme", origin: `test.example/${name}` });
    for (const size of runs) {
      await appender.append(name, Array.from({ length: size }, (_, i) => ({ kind: "deploy", actor: "ci", action: "deploy.finish", resource: `service/${i % 4}`, payload: { i } })));
      await checkpointLog(ledger.store, name, key.privateKey);
    }
  }
  await appender.append("payments", [{ kind: "access", actor: "ops", action: "access.login", resource: "db/payments", payload: {} }]);
  await createLog(ledger.writer, "globex-vault", { tenant: "globex", origin: "test.example/globex-vault" });
  // Sixty nightly sweeps as the integrity worker records them; the last of payments found tampering.
  const audit = await ensureAuditLog(ledger.store, "acme", "test.example");
  const now = Date.now();
  const alert = (log: string, type: "sweep.tampered" | "read.inconsistent", at: Date, message: string) =>
    alertEvent({ id: `${log}-${type}`, type, log, tenant: "acme", at: at.toISOString(), message, tamperClass: type === "sweep.tampered" ? "payload_edited" : null, firstBadSeq: 117, fromSeq: null, toSize: null, run: "nightly" }, "sweeper");
  // An alert about deployments that later full verified sweeps closed.
  await appender.append(audit.name, [alert("deployments", "read.inconsistent", new Date(now - 61 * DAY), "entry 3 of log deployments does not match its leaf hash")]);
  await appender.append(audit.name, Array.from({ length: 60 }, (_, d) => ["payments", "deployments"].map((log) => {
    const last = d === 59 && log === "payments";
    return sweepEvent(log, {
      result: last ? "tampered" : "verified", at: new Date(now - (60 - d) * DAY + 3_600_000), fromSeq: 0, toSize: log === "payments" ? 240 : 75,
      durationMs: 300 + ((d * 37) % 200), firstBadSeq: last ? 117 : null, tamperClass: last ? "payload_edited" : null, mode: "full",
      ...(last ? { message: "seq 117: the payload does not match its hash" } : {}),
    }, "sweeper");
  })).flat());
  // The alert the last sweep of payments raised: open, no full sweep has verified the log since.
  await appender.append(audit.name, [alert("payments", "sweep.tampered", new Date(now), "seq 117: the payload does not match its hash")]);
  api = await startApi(ledger, {}, {}, { verifierPublicKey: key.publicKey });
  acme = await apiKey(ledger, "acme");
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await api?.close();
  await ledger?.close();
});



describe("the Overview page", () => {
  it("shows each log's size, checkpoint and last sweep, the open alert, and the sweeps chart", async () => {
    const { context, page } = await freshPage(browser);
    await signIn(page, api.base, acme);
    await page.getByRole("link", { name: "Overview" }).click();
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    await poll(() => page.getByTestId("open-alerts").textContent()).toBe("1");
    const payments = page.locator('tr[data-log="payments"]');
    expect(await payments.textContent()).toContain("241");
    expect(await payments.textContent()).toContain("1 entry not yet signed");
    expect(await payments.textContent()).toContain("tampered");
    // No search indexer runs here: every entry is still to index, and searches read them from the log.
    expect(await payments.getByTestId("search-lag").textContent()).toContain("241 not indexed");
    expect(await page.locator("[data-alert]").count()).toBe(1);
    expect(await page.locator("[data-alert]").first().textContent()).toContain("Tampering found by a sweep");
    expect(await page.locator('tr[data-log="deployments"]').textContent()).toContain("verified");
    expect(await page.getByRole("alert").first().textContent()).toContain("seq 117: the payload does not match its hash");
    expect(await page.content()).not.toContain("globex-vault");
    await page.locator(".chart canvas").first().waitFor();
    // Events per day by kind: today's entries (the ledger's clock dates them), of each log.
    await poll(() => page.getByTestId("activity-chart").getAttribute("aria-label")).toBe("Entries recorded in deployments over 30 days, by kind: deploy 75");
    await page.locator('section[aria-labelledby="activity-title"]').getByLabel("Log").selectOption("payments");
    await poll(() => page.getByTestId("activity-chart").getAttribute("aria-label")).toBe("Entries recorded in payments over 30 days, by kind: deploy 240, access 1");
    await page.getByRole("group", { name: "Activity period" }).getByRole("button", { name: "90 days" }).click();
    await poll(() => page.getByTestId("activity-chart").getAttribute("aria-label")).toContain("over 90 days");
    await page.getByRole("group", { name: "Period", exact: true }).getByRole("button", { name: "90 days" }).click();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "overview");
    await context.close();
  }, 180_000);

  it("is usable at 390×844 and by keyboard", async () => {
    const { context, page } = await freshPage(browser, { width: 390, height: 844 });
    await signIn(page, api.base, acme);
    await page.goto(`${api.base}/overview`);
    await poll(() => page.getByTestId("open-alerts").textContent()).toBe("1");
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
    await screenshot(page, "overview-mobile");
    // Tab from the top: the skip link, then the menu (Overview, Events, Sessions), then Integrity by Enter.
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement.textContent")).toBe("Skip to content");
    for (let i = 0; i < 4; i++) await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement.textContent")).toBe("Integrity");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Integrity" }).waitFor();
    await context.close();
  }, 180_000);
});

describe("events per day", () => {
  it("counts by day and kind, refuses another tenant's log and bad periods, and records the read", async () => {
    const today = `${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`;
    const counts = await gql<{ eventsPerDay: { day: string; kind: string; count: number }[] }>(api, acme, "{ eventsPerDay(log: \"payments\", days: 30) { day kind count } }");
    expect(counts.data!.eventsPerDay).toEqual([{ day: today, kind: "access", count: 1 }, { day: today, kind: "deploy", count: 240 }]);
    const foreign = await gql(api, acme, "{ eventsPerDay(log: \"globex-vault\", days: 30) { count } }");
    expect(foreign.errors?.[0]?.message).toMatch(/no log named/i);
    for (const days of [0, 367]) {
      const bad = await gql(api, acme, `{ eventsPerDay(log: "payments", days: ${days}) { count } }`);
      expect(bad.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    }
    await api.server.recorder.flush();
    const reads = await ledger.admin<{ resource: string }[]>`
      select resource from entries where kind = 'ledger.read' and log_id = (select id from logs where name = 'sealtrail.audit.acme')`;
    expect(reads.some((r) => r.resource.split(",").includes("eventsPerDay"))).toBe(true);
  }, 60_000);
});

describe("the Integrity page", () => {
  it("shows a pair whose consistency proof does not link the signed roots as failed", async () => {
    const { context, page } = await freshPage(browser);
    await signIn(page, api.base, acme);
    // A server that lies about the history: the proof between 60 and 150 has one hash changed.
    await page.route("**/graphql", async (route) => {
      const body = route.request().postDataJSON() as { query: string; variables: { from?: number } };
      if (!body.query.includes("ConsoleConsistency") || Number(body.variables.from) !== 60) return route.continue();
      const response = await route.fetch();
      const json = await response.json();
      const hashes: string[] = json.data.consistencyProof.hashes;
      hashes[0] = Buffer.from(Buffer.from(hashes[0]!, "base64").map((b, i) => (i === 0 ? b ^ 1 : b))).toString("base64");
      await route.fulfill({ response, json });
    });
    await page.goto(`${api.base}/integrity?log=payments`);
    await poll(() => page.locator('[data-pair="60-150"]').getAttribute("data-result")).toBe("failed");
    await poll(() => page.locator('[data-pair="150-240"]').getAttribute("data-result")).toBe("verified");
    expect(await page.locator('[data-pair="60-150"]').textContent()).toContain("the proof leads to");
    expect(await page.getByTestId("chain-summary").textContent()).toContain("1 inconsistent");
    expect(await seriousViolations(page)).toEqual([]);
    await page.locator('[data-pair="60-150"]').scrollIntoViewIfNeeded();
    await screenshot(page, "integrity-inconsistent");
    await context.close();
  }, 180_000);

  it("shows the newest signed checkpoint, the verifier key and the sweeps' timeline", async () => {
    const { context, page } = await freshPage(browser);
    await signIn(page, api.base, acme);
    await page.goto(`${api.base}/integrity?log=payments`);
    await page.getByRole("heading", { name: "Newest checkpoint" }).waitFor();
    expect(await page.getByLabel("Signed note").textContent()).toMatch(/^test\.example\/payments\n240\n/);
    await poll(() => page.locator("[data-sweep]").count()).toBe(60);
    expect(await page.locator("[data-sweep]").first().textContent()).toContain("payload_edited");
    expect(await page.content()).toContain("test.example/payments+");
    // The signed history: 240, 150, 60, each pair's consistency checked in this browser.
    expect(await page.locator("[data-checkpoint]").evaluateAll((els) => els.map((e) => e.getAttribute("data-checkpoint")))).toEqual(["240", "150", "60"]);
    await poll(() => page.locator('[data-result="verified"]').count()).toBe(2);
    expect(await page.getByTestId("chain-summary").textContent()).toContain("all consistent");
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "integrity");

    // Another tenant's log by a crafted URL: nothing of it.
    await page.goto(`${api.base}/integrity?log=globex-vault`);
    await poll(() => page.getByRole("alert").first().textContent()).toContain("No log globex-vault in your tenant");
    await context.close();
  }, 180_000);
});
