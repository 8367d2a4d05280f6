/**
 * Evidence packs from the console in Debian's chromium: request a PCI DSS pack, follow its
 * build live as a real evidence worker (BullMQ on real Redis) builds it, download it with the
 * session cookie, and verify-pack accepts the archive; the earlier packs list it from the audit
 * log, and requests the worker could not build with who asked and why; another tenant's packs
 * and requests are never listed, and its pack id or download by crafted URL
 * shows nothing of it.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { enqueuePack, type EvidenceQueue, openEvidenceQueue, packJobStatus } from "../../src/packs/evidence-queue.js";
import { type EvidenceWorker, startEvidenceWorker } from "../../src/packs/evidence-worker.js";
import { loadExporters } from "../../src/packs/exporters.js";
import { recordBuild } from "../../src/packs/pack-ledger.js";
import { verifyPack } from "../../src/packs/verify-pack.js";
import { apiKey, startApi, type TestApi } from "../support/api.js";
import { launchBrowser, poll, screenshot, seriousViolations, signIn } from "../support/browser.js";
import { runTool } from "../support/cli.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { ORIGIN_PREFIX, seedPackLedger } from "../support/packs.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const key = testKey();
const queueName = `test-${randomUUID()}`;
let ledger: TestLedger;
let api: TestApi;
let queue: EvidenceQueue;
let worker: EvidenceWorker;
let browser: Browser;
let work: string;
let acme: string;

beforeAll(async () => {
  ledger = await freshLedger("console_packs");
  await seedPackLedger(ledger.writer, key.privateKey);
  await createLog(ledger.writer, "globex-prod", { tenant: "globex", origin: `${ORIGIN_PREFIX}/globex-prod` });
  work = mkdtempSync(join(tmpdir(), "sealtrail-console-packs-"));
  queue = openEvidenceQueue(REDIS_URL, { name: queueName });
  const exporters = await loadExporters([]);
  api = await startApi(ledger, {}, {}, { evidence: { queue, exporters, packDir: join(work, "packs") }, verifierPublicKey: key.publicKey });
  worker = startEvidenceWorker({
    store: ledger.store, redisUrl: REDIS_URL, queueName, concurrency: 1, packDir: join(work, "packs"), packKey: key.privateKey,
    checkpointKey: key.privateKey, exporters, originPrefix: ORIGIN_PREFIX, generator: { name: "sealtrail", version: "test" },
  });
  acme = await apiKey(ledger, "acme", ["events:read", "proofs:read", "packs:create"]);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await queue?.obliterate({ force: true }).catch(() => {});
  await queue?.close();
  await api?.close();
  await ledger?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});


describe("evidence packs", () => {
  it("requests a pack, shows its build, and downloads an archive verify-pack accepts", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    await signIn(page, api.base, acme);
    await page.getByRole("link", { name: "Evidence packs" }).click();
    await page.getByRole("heading", { name: "Request a pack" }).waitFor();
    expect(await page.getByRole("checkbox").allTextContents()).not.toContain("globex-prod");
    await page.getByRole("button", { name: "Request pack" }).click();
    await poll(() => page.getByRole("alert").first().textContent()).toContain("Choose at least one log");
    await page.getByLabel("Framework").selectOption("pci-dss");
    await page.getByRole("checkbox", { name: "prod" }).check();
    await page.getByLabel("From (UTC, included)").fill("2025-03-01");
    await page.getByLabel("To (UTC, excluded)").fill("2025-03-04");
    await page.getByRole("button", { name: "Request pack" }).click();
    await poll(() => page.url()).toContain("pack=");
    const card = page.locator("[data-pack]").first();
    await poll(() => card.getAttribute("data-status"), 90_000).toBe("COMPLETED");
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "packs");

    // The earlier packs: this build, from the audit log, with its requester, period, findings and download.
    const row = page.locator("[data-testid=pack-history] tr[data-build]").first();
    await poll(() => row.textContent()).toContain("PCI DSS");
    expect(await row.textContent()).toContain("2025-03-01 to 2025-03-04");
    expect(await row.textContent()).toMatch(/api_key:\S+ \(/);
    expect(await row.textContent()).toContain("checked against the signed log");
    expect(await row.getByRole("link", { name: /Download/ }).getAttribute("href")).toBe(await card.getByRole("link", { name: /Download/ }).getAttribute("href"));
    expect(await page.locator("[data-testid=pack-history]").textContent()).not.toContain("globex");
    await row.scrollIntoViewIfNeeded();
    await screenshot(page, "packs-history");

    const [download] = await Promise.all([page.waitForEvent("download"), card.getByRole("link", { name: /Download/ }).click()]);
    const archive = join(work, "from-browser.tar.gz");
    await download.saveAs(archive);
    const dir = join(work, "unpacked");
    mkdirSync(dir);
    expect((await runTool("tar", ["xzf", archive, "-C", dir])).code).toBe(0);
    const report = await verifyPack(dir, { checkpointKeys: [key.publicKey] });
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    await context.close();
  }, 180_000);

  it("lists only the tenant's own packs, and another tenant's download link answers like a missing one", async () => {
    await recordBuild(ledger.store, "globex", ORIGIN_PREFIX, {
      packId: "globex-secret-pack", framework: "soc2", logs: [{ log: "globex-prod", checkpoint: { size: 0, root: new Uint8Array(32), note: "n" } }], from: "2025-01-01T00:00:00.000Z", to: "2025-02-01T00:00:00.000Z",
      requestedBy: "api_key:g (globex officer)", requestedAt: new Date().toISOString(), sha256sums: new Uint8Array(32), buildId: "cli",
    });
    const globex = await apiKey(ledger, "globex", ["events:read", "proofs:read", "packs:create"]);
    // A request of each tenant the real worker cannot build (a log it does not have): failed, with its reason.
    const asked = { framework: "soc2", from: "2025-03-01T00:00:00.000Z", to: "2025-03-04T00:00:00.000Z", requestedAt: new Date().toISOString() };
    const acmeFailed = await enqueuePack(queue, { tenant: "acme", request: { ...asked, logs: ["retired-log"], requestedBy: "api_key:a1 (acme officer)" } } as never);
    const globexFailed = await enqueuePack(queue, { tenant: "globex", request: { ...asked, logs: ["prod"], requestedBy: "api_key:g1 (globex officer)" } } as never);
    for (const [id, tenant] of [[acmeFailed, "acme"], [globexFailed, "globex"]] as const) await poll(async () => (await packJobStatus(queue, tenant, id))?.status, 60_000).toBe("FAILED");
    const mine = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const acmePage = await mine.newPage();
    await signIn(acmePage, api.base, acme);
    await acmePage.goto(`${api.base}/packs`);
    await poll(() => acmePage.locator("[data-testid=pack-history] tr[data-build]").count()).toBeGreaterThan(0);
    const failedRow = acmePage.locator(`[data-testid=pack-history] tr[data-request="${acmeFailed}"]`);
    await poll(() => failedRow.getAttribute("data-status")).toBe("FAILED");
    expect(await failedRow.textContent()).toContain("acme officer");
    expect(await failedRow.textContent()).toContain("SOC 2");
    expect(await failedRow.getByTestId("failure-reason").textContent()).toMatch(/no log named "retired-log"/);
    expect(await acmePage.locator(`tr[data-request="${globexFailed}"]`).count()).toBe(0);
    expect(await acmePage.locator("[data-testid=pack-history]").textContent()).not.toContain("globex officer");
    await failedRow.scrollIntoViewIfNeeded();
    await screenshot(acmePage, "packs-history-failed");
    const acmeDownload = await acmePage.locator("[data-testid=pack-history] a[download]").first().getAttribute("href");
    expect(await seriousViolations(acmePage)).toEqual([]);
    await mine.close();

    const theirs = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await theirs.newPage();
    await signIn(page, api.base, globex);
    await page.goto(`${api.base}/packs`);
    await poll(() => page.locator("[data-testid=pack-history] tr[data-build]").count()).toBe(1);
    expect(await page.locator("[data-testid=pack-history]").textContent()).toContain("globex officer");
    expect(await page.locator("[data-testid=pack-history]").textContent()).toContain("built with the CLI");
    await poll(() => page.locator(`[data-testid=pack-history] tr[data-request="${globexFailed}"]`).getAttribute("data-status")).toBe("FAILED");
    expect(await page.locator(`tr[data-request="${acmeFailed}"]`).count()).toBe(0);
    // acme's pack by its crafted download URL, with globex's session: no such pack.
    const crafted = await page.request.get(`${api.base}${acmeDownload}`);
    expect(crafted.status()).toBe(404);
    await theirs.close();
  }, 180_000);

  it("shows nothing of another tenant's pack by a crafted URL", async () => {
    const theirs = await enqueuePack(queue, { tenant: "globex", request: { framework: "soc2", logs: ["globex-prod"], from: "2025-03-01T00:00:00.000Z", to: "2025-03-04T00:00:00.000Z", requestedBy: "api_key:globex", requestedAt: new Date().toISOString() } } as never);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await signIn(page, api.base, acme);
    await page.goto(`${api.base}/packs?pack=${encodeURIComponent(theirs)}`);
    await poll(() => page.locator(".pack").first().textContent()).toContain("in your tenant");
    expect(await page.content()).not.toContain("globex-prod");
    await context.close();
  }, 180_000);
});
