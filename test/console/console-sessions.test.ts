/**
 * The console's Sessions page in a real browser on a real recording: a tmux server of the
 * test's own, `sealtrail tmux attach` capturing its pane and the shell hook recording each
 * command, the ingest worker appending to a real ledger. The page lists the session, plays the
 * pane back with asciinema-player showing exactly what was typed, finds text in it, shows the
 * commands with their exit codes, and verifies every chunk in the browser; another tenant sees
 * none of it, by the UI or by crafted URLs; each view is in the audit log.
 */
import { writeFileSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { DemoRandom } from "../../src/demo/random.js";
import { tmuxSession } from "../../src/demo/tmux-session.js";
import { startIngestWorker, type IngestWorker } from "../../src/ingest/index.js";
import { checkpointLog } from "../../src/ledger/checkpointer.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { attachSession } from "../../src/tmux/attach.js";
import { apiKey, gql, startApi, type TestApi } from "../support/api.js";
import { freshPage, launchBrowser, poll, screenshot, seriousViolations, signIn } from "../support/browser.js";
import { runCli } from "../support/cli.js";
import { REDIS_URL, testQueue, type TestQueue, until } from "../support/ingest.js";
import { testKey } from "../support/keys.js";
import { asAttacker, freshLedger, type TestLedger } from "../support/ledger.js";
import { recomputeAll } from "../support/tamper.js";
import { INVOCATION, ledgerChunks, testTmux, type TestTmux } from "../support/tmux.js";

let ledger: TestLedger;
let api: TestApi;
let browser: Browser;
let tmux: TestTmux;
let queue: TestQueue;
let worker: IngestWorker;
let acme: string;
let globex: string;
let server: string;
let pane: string;
const key = testKey();
// Typed into the pane: the echo of the line as typed, then what the shell printed for it.
const TYPED = "echo sealed-$((6*7))-trail";
const PRINTED = "sealed-42-trail";

/** The text the player's terminal shows: its rows by newlines, without the padding that fills each row. */
const terminalText = (page: import("playwright-core").Page) => page.locator(".ap-terminal").innerText().then((t) => t.replaceAll("\u00a0", " ").split("\n").map((l) => l.trimEnd()).join("\n"));

beforeAll(async () => {
  ledger = await freshLedger("console_sessions");
  await createLog(ledger.admin, "tmux", { tenant: "acme", origin: "test.example/tmux" });
  await createLog(ledger.admin, "globex-shell", { tenant: "globex", origin: "test.example/globex-shell" });
  // Globex's own session (the demo's incident session), which acme must never see; its chunk 3
  // never reached the ledger (as when a capture host is lost before shipping), so it has a gap.
  const demo = tmuxSession(new DemoRandom("console-sessions"), 1_786_414_200).filter((e) => !(e.kind === "tmux.output" && (e.payload as { seq: number }).seq === 3));
  await new Appender(ledger.writer).append("globex-shell", demo);

  tmux = testTmux();
  queue = await testQueue();
  worker = startIngestWorker({ store: ledger.store, redisUrl: REDIS_URL, queueName: queue.name, concurrency: 2, maxPayloadBytes: 1 << 20, lockDurationMs: 5_000, stalledIntervalMs: 2_000 });
  tmux.run("new-session", "-d", "-s", "keeper", "sleep 600");
  tmux.run("new-session", "-d", "-s", "work", "-e", `SEALTRAIL_SPOOL_DIR=${tmux.spool}`, "-e", "HISTFILE=/dev/null", "-x", "100", "-y", "30", "env PS1='$ ' bash --norc --noprofile -i");
  const attached = await attachSession({ target: { socketName: tmux.socket }, session: "work", log: "tmux", spoolRoot: tmux.spool, redisUrl: REDIS_URL, queue: queue.name, maxPayloadBytes: 1 << 20, invocation: INVOCATION, capturePriority: "normal" });
  server = attached.session.server;
  pane = attached.panes[0]!;
  await until("the capture to hold its pane", () => tmux.run("list-panes", "-t", "work", "-F", "#{pane_pipe}").trim() === "1", 30_000);

  const hook = await runCli(["tmux", "shell-hook", "--shell", "bash"], {});
  expect(hook.code).toBe(0);
  const snippet = join(tmux.dir, "hook.bash");
  writeFileSync(snippet, hook.stdout);
  const shown = async (text: string) => (await ledgerChunks(ledger.admin, server, pane)).map((c) => c.text).join("").includes(text);
  // Each line once the previous one's output is in the ledger: the prompt is back, so the hook
  // has recorded the line before (conditions, not sleeps).
  const lines: [string, string][] = [[`. '${snippet}'; echo hook-$((1))-ready`, "hook-1-ready"], [TYPED, PRINTED], ["ls /nonexistent-sealtrail", "No such file or directory"], ["echo done-$((2))-typing", "done-2-typing"]];
  for (const [line, wait] of lines) {
    tmux.run("send-keys", "-t", pane, line, "Enter");
    await until(`the pane to print ${JSON.stringify(wait)}`, () => shown(wait), 40_000).catch(async (error: Error) => {
      throw new Error(`${error.message}; the ledger has ${JSON.stringify((await ledgerChunks(ledger.admin, server, pane)).map((c) => c.text).join(""))}`);
    });
  }
  await until("the shell hook's command records", async () => {
    const rows = await ledger.admin`select 1 from entries where kind = 'tmux.command' and payload::jsonb->>'pane' = ${pane} and payload::jsonb->>'server' = ${server}`;
    return rows.length >= 3;
  }, 40_000);
  tmux.run("kill-session", "-t", "work");
  await until("the session's close record", async () => (await ledger.admin`select 1 from entries where kind = 'tmux.session' and action = 'session.close' and payload::jsonb->>'session' = 'work'`).length > 0, 40_000);
  const flushed = await runCli(["tmux", "flush", "--timeout", "30"], { SEALTRAIL_SPOOL_DIR: tmux.spool });
  expect(flushed.code).toBe(0);
  // Signed once everything is in, so every chunk's proof ends at a signed checkpoint.
  await checkpointLog(ledger.store, "tmux", key.privateKey);
  await checkpointLog(ledger.store, "globex-shell", key.privateKey);

  api = await startApi(ledger, {}, {}, { verifierPublicKey: key.publicKey });
  acme = await apiKey(ledger, "acme");
  globex = await apiKey(ledger, "globex");
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await worker?.close();
  tmux?.close();
  await queue?.close();
  await ledger?.close();
});

describe("the Sessions page", () => {
  it("lists the recorded session, plays back exactly what was typed, finds text, shows commands and verifies every chunk", async () => {
    const { context, page } = await freshPage(browser);
    await signIn(page, api.base, acme);
    await page.getByRole("link", { name: "Sessions" }).click();
    await page.getByRole("heading", { name: "Sessions" }).waitFor();
    const row = page.locator('tr[data-session="work"]');
    await row.waitFor();
    expect(await row.locator("td").nth(0).textContent()).toBe(hostname());
    expect(await row.locator("td").nth(1).textContent()).toBe(userInfo().username);
    expect(await row.locator("td").nth(3).textContent()).not.toContain("open");
    expect(Number(await row.locator("td").last().textContent())).toBeGreaterThanOrEqual(3);
    expect(await page.locator("tr[data-session]").count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "sessions");

    await page.getByRole("link", { name: `Play pane ${pane} of work` }).click();
    await poll(() => page.url()).toContain(`pane=${encodeURIComponent(pane)}`);
    await page.locator(".ap-terminal").waitFor();

    // The commands from the shell hook, with their exit codes.
    const commands = page.locator("[data-command]");
    await poll(() => commands.count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator(`[data-command="${TYPED}"]`).textContent()).toContain("exit 0");
    expect(await page.locator('[data-command="ls /nonexistent-sealtrail"]').textContent()).toContain("exit 2");

    // Search seeks the player to the match; the terminal then shows the line exactly as typed.
    await page.getByLabel("Find in recording").fill(PRINTED);
    await page.getByRole("button", { name: "Find", exact: true }).click();
    await poll(() => page.getByTestId("search-result").textContent()).toContain("Match in chunk");
    await poll(() => terminalText(page)).toContain(`$ ${TYPED}\n${PRINTED}`).catch(async (e) => { throw new Error(`${(e as Error).message}: ${JSON.stringify(await terminalText(page))}`); });
    expect(await terminalText(page)).not.toContain("done-2-typing");
    await page.getByLabel("Find in recording").fill("no-such-text-anywhere");
    await page.getByRole("button", { name: "Find", exact: true }).click();
    await poll(() => page.getByTestId("search-result").textContent()).toContain("No more matches");
    await page.getByTestId("player").scrollIntoViewIfNeeded();
    await screenshot(page, "session-playback");

    // A command's marker seeks there too.
    await page.locator('[data-command="echo done-$((2))-typing"] button').click();
    await poll(() => terminalText(page)).toContain("$ echo done-$((2))-typing");

    await page.getByRole("button", { name: "Verify this recording" }).click();
    await poll(() => page.getByTestId("recording-verdict").textContent(), 60_000).toContain("Verified: all");
    expect(await page.getByTestId("recording-verdict").textContent()).toContain("with no gap");
    const dots = await page.locator("[data-chunk]").evaluateAll((els) => els.map((e) => e.getAttribute("data-ok")));
    expect(dots.length).toBeGreaterThan(3);
    expect(new Set(dots)).toEqual(new Set(["true"]));
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByTestId("recording-verdict").scrollIntoViewIfNeeded();
    await screenshot(page, "session-verified");
    await context.close();
  }, 180_000);

  it("shows a gap in the chunk seqs bounded by proven chunks, and refuses a recording the superuser rewrote", async () => {
    const { context, page } = await freshPage(browser);
    await signIn(page, api.base, globex);
    await page.goto(`${api.base}/sessions`);
    await page.locator('tr[data-session="incident-2026-08-11"] .pane-link').click();
    await page.locator(".ap-terminal").waitFor();
    await page.getByRole("button", { name: "Verify this recording" }).click();
    await poll(() => page.getByTestId("recording-verdict").textContent(), 60_000).toContain("1 gap");
    expect(await page.locator('[data-gap="3-3"]').textContent()).toMatch(/Chunk 2 \(entry \d+\) before it is proven; chunk 4 \(entry \d+\) after it is proven/);
    await screenshot(page, "session-gap");

    // A superuser rewrites what a chunk showed, and every hash and node after it: the database
    // agrees with itself, the signed checkpoint does not, and the server refuses the recording.
    await asAttacker(ledger.admin, async (sql) => {
      const [log] = await sql<{ id: number }[]>`select id from logs where name = 'globex-shell'`;
      await sql`update entries set payload = replace(payload, 'CrashLoopBackOff', 'Running         ') where log_id = ${log!.id} and kind = 'tmux.output' and payload like '%CrashLoopBackOff%'`;
      await recomputeAll(sql, log!.id, "test.example/globex-shell");
    });
    await page.reload();
    await poll(() => page.locator(".recording").getByRole("alert").textContent()).toContain("does not match its hashes");
    expect(await page.locator(".recording").textContent()).not.toContain("Running         ");
    await screenshot(page, "session-tampered");
    await context.close();
  }, 180_000);

  it("is usable at 390×844 and by keyboard", async () => {
    const { context, page } = await freshPage(browser, { width: 390, height: 844 });
    await signIn(page, api.base, acme);
    await page.goto(`${api.base}/sessions?${new URLSearchParams({ log: "tmux", server, session: "work", pane })}`);
    await page.locator(".ap-terminal").waitFor();
    await poll(() => page.locator("[data-command]").count()).toBeGreaterThanOrEqual(3);
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
    await page.getByLabel("Find in recording").focus();
    await page.keyboard.type(PRINTED);
    await page.keyboard.press("Enter");
    await poll(() => page.getByTestId("search-result").textContent()).toContain("Match in chunk");
    await screenshot(page, "session-mobile");
    await context.close();
  }, 180_000);
});

describe("tenant isolation and the audit log", () => {
  it("never shows another tenant's sessions, by the UI, crafted URLs or the API, and records every view", async () => {
    const { context, page } = await freshPage(browser);
    await signIn(page, api.base, globex);
    await page.goto(`${api.base}/sessions`);
    await page.locator('tr[data-session="incident-2026-08-11"]').waitFor();
    expect(await page.locator('tr[data-session="work"]').count()).toBe(0);
    // acme's recording by a crafted URL: not there, and none of its text in the page.
    await page.goto(`${api.base}/sessions?${new URLSearchParams({ log: "tmux", server, session: "work", pane })}`);
    await poll(() => page.getByRole("alert").first().textContent()).toContain("No log tmux in your tenant");
    expect(await page.content()).not.toContain(PRINTED);
    // The same through the API, naming the log or not.
    const crafted = await gql(api, globex, "query($s: String!, $p: String!) { paneRecording(log: \"tmux\", server: $s, pane: $p) { chunks { seq } } }", { s: server, p: pane });
    expect(crafted.errors?.[0]?.message).toMatch(/no log named/i);
    const listed = await gql<{ tmuxSessions: { log: string }[] }>(api, globex, "{ tmuxSessions { log session } }");
    expect(listed.data!.tmuxSessions.map((s) => s.log)).toEqual(["globex-shell"]);
    await context.close();

    await api.server.recorder.flush();
    const reads = async (tenant: string) => (await ledger.admin<{ resource: string; actor: string }[]>`
      select resource, actor from entries where kind = 'ledger.read' and log_id = (select id from logs where name = ${`sealtrail.audit.${tenant}`})`);
    const keyId = acme.slice("sealtrail_".length, "sealtrail_".length + 16);
    const acmeReads = await reads("acme");
    expect(acmeReads.some((r) => r.actor === `api_key:${keyId}` && r.resource.split(",").includes("tmuxSessions"))).toBe(true);
    expect(acmeReads.some((r) => r.actor === `api_key:${keyId}` && r.resource.split(",").includes("paneRecording"))).toBe(true);
    // Globex's refused attempt on acme's recording is in globex's audit log, not acme's.
    expect((await reads("globex")).some((r) => r.resource.split(",").includes("paneRecording"))).toBe(true);
  }, 180_000);
});
