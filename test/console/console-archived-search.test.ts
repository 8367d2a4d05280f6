/**
 * The console's Events page over a log with an archived prefix (docs/api.md, "Searching archived
 * entries"): a full-text search finds an archived entry, and a filter the archive is not searched
 * by says which archived entries it left out, beside the rows, rather than show fewer silently.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKey, startApi, type TestApi } from "../support/api.js";
import { appendSigned, archiveLater } from "../support/archive.js";
import { freshPage, launchBrowser, poll, screenshot, seriousViolations, signIn } from "../support/browser.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

const key = testKey();
let ledger: TestLedger;
let dir: string;
let api: TestApi;
let browser: Browser;
let token: string;

const batch = (from: number, n: number) =>
  Array.from({ length: n }, (_, k) => ({ kind: "access", actor: "ops-bot", action: "access.login", resource: `host/${from + k}`, payload: { note: from + k === 3 ? "badge reader tampering reported" : `login ${from + k}` } }));

beforeAll(async () => {
  [ledger, dir] = await Promise.all([freshLedger("console_archived"), mkdtemp(join(tmpdir(), "sealtrail-consolearch-"))]);
  await ledger.store.createLog("door", { tenant: "acme", origin: "test.example/door" });
  await appendSigned(ledger, key, "door", batch);
  const outcome = await archiveLater(ledger, key, dir, "door");
  expect(outcome.record.archived).toMatchObject({ from: 0, to: 40 });
  api = await startApi(ledger, {}, {}, { verifierPublicKey: key.publicKey });
  token = await apiKey(ledger, "acme");
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await api?.close();
  await ledger?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("the Events page over an archived prefix", () => {
  it("finds an archived entry by a word, and names the archived entries a filter did not search", async () => {
    const { context, page } = await freshPage(browser);
    await signIn(page, api.base, token);
    await page.goto(`${api.base}/events?log=door&q=${encodeURIComponent("tampering")}`);
    await poll(() => page.locator("[data-entry]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-entry")))).toEqual(["door:3"]);
    expect(await page.getByTestId("not-searched").count()).toBe(0);

    // A filter by kind alone reads the main tables only: the page says which entries it left out.
    await page.goto(`${api.base}/events?log=door&kind=access`);
    await poll(() => page.getByTestId("not-searched").textContent()).toContain("door, entries 0–39: archived entries are searched by text, actor or resource only");
    expect(await page.getByTestId("row-count").textContent()).toBe("35 entries");
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "events-not-searched");
    await context.close();
  }, 180_000);
});
