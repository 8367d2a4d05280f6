/**
 * tmux capture end to end: a real tmux server on a private socket, `sealtrail tmux attach`
 * piping its panes into real capture processes, the ingest worker appending to a real
 * ledger, and the replay read back from it.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { procStat } from "../../bench/support.js";
import { startIngestWorker, type IngestWorker } from "../../src/ingest/index.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { attachSession, detachSession } from "../../src/tmux/attach.js";
import type { CapturePriority } from "../../src/config/index.js";
import { paneDir } from "../../src/tmux/capture.js";
import { lockHolder } from "../../src/tmux/pane-lock.js";
import { REDIS_URL, testQueue, type TestQueue, until } from "../support/ingest.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { BIN, INVOCATION, joined, ledgerChunks, testTmux, type TestTmux, untilLedgerHas } from "../support/tmux.js";

let ledger: TestLedger;
let tmuxes: TestTmux[] = [];
let queues: TestQueue[] = [];
let workers: IngestWorker[] = [];

beforeAll(async () => {
  ledger = await freshLedger("tmux_e2e");
  await createLog(ledger.admin, "tmux", { origin: "test.example/tmux" });
});
afterEach(async () => {
  for (const w of workers.splice(0)) await w.close();
  for (const t of tmuxes.splice(0)) t.close();
  for (const q of queues.splice(0)) await q.close();
});
afterAll(async () => {
  await ledger?.close();
});

async function setup() {
  const t = testTmux();
  tmuxes.push(t);
  const q = await testQueue();
  queues.push(q);
  const worker = startIngestWorker({ store: ledger.store, redisUrl: REDIS_URL, queueName: q.name, concurrency: 2, maxPayloadBytes: 1 << 20, lockDurationMs: 5_000, stalledIntervalMs: 2_000 });
  workers.push(worker);
  const attach = (session: string, capturePriority?: CapturePriority) =>
    attachSession({ target: { socketName: t.socket }, session, log: "tmux", spoolRoot: t.spool, redisUrl: REDIS_URL, queue: q.name, maxPayloadBytes: 1 << 20, invocation: INVOCATION, ...(capturePriority ? { capturePriority } : {}) });
  return { t, q, attach };
}

/** sched(7): the policy numbers of sched_setscheduler(2). */
const SCHED_OTHER = 0;
const SCHED_IDLE = 5;

/** The scheduling policy of every thread of a process: field 41 of /proc/PID/task/TID/stat (proc(5)). */
function schedulingPolicies(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => Number(procStat(`${pid}/task/${tid}`)[41 - 3]));
}

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, encoding: "buffer", maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr: stderr.toString("utf8") });
    });
  });
}

async function lifecycle(session: string) {
  const rows = await ledger.admin<{ action: string; payload: string; actor: string; resource: string }[]>`
    select action, payload, actor, resource from entries where kind = 'tmux.session' order by seq`;
  return rows
    .map((r) => ({ action: r.action, actor: r.actor, resource: r.resource, ...(JSON.parse(r.payload) as { session: string; sessionId?: string; pane?: string; timeUs: number; server: string }) }))
    .filter((r) => r.session === session)
    .sort((a, b) => a.timeUs - b.timeUs);
}

describe("sealtrail tmux capture", () => {
  it("records typed commands and the session's life in order; the replay is a correct asciicast", async () => {
    const { t, attach } = await setup();
    // A second session keeps the server up when the first is killed.
    t.run("new-session", "-d", "-s", "keeper", "sleep 600");
    t.run("new-session", "-d", "-s", "work", "-x", "100", "-y", "30", "env -i PATH=/usr/bin:/bin PS1='$ ' bash --norc --noprofile");
    // At the normal scheduling class (the idle default is checked in the next test).
    const attached = await attach("work", "normal");
    expect(attached.panes).toEqual([expect.stringMatching(/^%\d+$/)]);
    const pane = attached.panes[0]!;
    await until("the capture to hold its spool", () => attached.dir !== "" && t.run("list-panes", "-t", "work", "-F", "#{pane_pipe}").trim() === "1");
    await new Promise((r) => setTimeout(r, 1500));

    t.run("send-keys", "-t", pane, "printf 'hello %s\\n' world; echo done-1", "Enter");
    await until("the pane to print", async () => (await ledgerChunks(ledger.admin, attached.session.server, pane)).some((c) => c.text.includes("done-1")), 30_000);
    expect(readFileSync(join(paneDir(attached.dir, pane), "capture.log"), "utf8")).toContain("scheduling: normal");
    expect(new Set(schedulingPolicies(lockHolder(paneDir(attached.dir, pane))!))).toEqual(new Set([SCHED_OTHER]));
    await new Promise((r) => setTimeout(r, 300));
    const split = t.run("split-window", "-t", "work", "-P", "-F", "#{pane_id}", "env -i PATH=/usr/bin:/bin PS1='# ' bash --norc --noprofile").trim();
    await new Promise((r) => setTimeout(r, 1500));
    // A control-mode client attaches and detaches.
    const client = execFile("tmux", ["-L", t.socket, "-C", "attach", "-t", "work"]);
    await new Promise((r) => setTimeout(r, 1000));
    t.run("detach-client", "-s", "work");
    await new Promise((r) => client.once("exit", r));
    await new Promise((r) => setTimeout(r, 500));
    t.run("send-keys", "-t", split, "echo second-pane; exit", "Enter");
    await new Promise((r) => setTimeout(r, 1500));
    t.run("kill-session", "-t", "work");

    const want = ["session.create", "capture.start", "pane.create", "client.attach", "client.detach", "pane.exit", "session.close"];
    let events: Awaited<ReturnType<typeof lifecycle>> = [];
    await until("every lifecycle record in the ledger", async () => {
      events = await lifecycle("work");
      return events.length >= want.length;
    }, 40_000).catch((error: Error) => {
      throw new Error(`${error.message}: got ${events.map((e) => e.action).join(", ")}`);
    });
    expect(events.map((e) => e.action)).toEqual(want);
    expect(events.find((e) => e.action === "pane.create")!.pane).toBe(split);
    expect(events.find((e) => e.action === "pane.exit")!.pane).toBe(split);
    for (const e of events) {
      expect(e).toMatchObject({ sessionId: attached.session.id, server: attached.session.server, resource: expect.any(String), actor: expect.any(String) });
      expect(e.actor).not.toBe("");
    }

    // The output: chunks 0..n-1 once each, searchable text beside the bytes.
    const chunks = await ledgerChunks(ledger.admin, attached.session.server, pane);
    const bytes = joined(chunks);
    expect(bytes.toString("utf8")).toContain("hello world\r\ndone-1\r\n");
    expect(chunks.map((c) => c.text).join("")).toContain("hello world\ndone-1\n");
    expect(new Set(chunks.map((c) => c.key)).size).toBe(chunks.length);
    // The split pane was captured by the hook from its first prompt on. It exited at once: its
    // capture ships what is left for DRAIN_AFTER_END_MS and leaves the rest in the spool for
    // `sealtrail tmux flush`, which a test run that keeps the machine busy may need.
    const splitShipped = async () => joined(await ledgerChunks(ledger.admin, attached.session.server, split)).includes("second-pane\r\n");
    await until("the split pane's output", splitShipped, 20_000).catch(async () => {
      const flushed = await cli(["tmux", "flush", "--timeout", "30"], { SEALTRAIL_SPOOL_DIR: t.spool });
      expect(flushed.code).toBe(0);
      await until("the split pane's output, after tmux flush", splitShipped, 30_000);
    });
    expect(joined(await ledgerChunks(ledger.admin, attached.session.server, split)).toString("utf8")).toMatch(/^# echo second-pane; exit\r\nsecond-pane\r\n/);

    const env = { DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema };
    const cast = await cli(["tmux", "replay", "--session", "work", "--pane", pane], env);
    expect(cast.stderr).toBe("");
    expect(cast.code).toBe(0);
    const [head, ...lines] = cast.stdout.toString("utf8").trimEnd().split("\n");
    const header = JSON.parse(head!) as Record<string, unknown>;
    expect(header).toMatchObject({ version: 2, width: 100, height: 30 });
    expect(Math.abs((header.timestamp as number) - chunks[0]!.timeUs / 1e6)).toBeLessThan(1);
    const events2 = lines.map((l) => JSON.parse(l) as [number, string, string]);
    expect(events2.every((e, i) => e[1] === "o" && e[0] >= (events2[i - 1]?.[0] ?? 0))).toBe(true);
    expect(Buffer.from(events2.map((e) => e[2]).join(""), "utf8").equals(bytes)).toBe(true);
    const raw = await cli(["tmux", "replay", "--session", "work", "--pane", pane, "--raw"], env);
    expect(raw.stdout.equals(bytes)).toBe(true);
  });

  it("keeps binary garbage, invalid UTF-8 and escape sequences exactly; the text drops the sequences", async () => {
    const { t, attach } = await setup();
    const garbage = Buffer.concat([
      Buffer.from("plain line\n\x1b[1;31mred\x1b[0m \x1b]0;title\x07 caf\xc3\xa9 \xe2\x82", "latin1"), // a cut euro sign
      Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc0, 0xaf, 0xed, 0xa0, 0x80]), // never UTF-8
      randomBytes(200_000), // spans several chunks
      Buffer.from("\x1b[2J\x1b[Hthe end ✓\n", "utf8"),
    ]);
    const file = join(t.dir, "garbage.bin");
    writeFileSync(file, garbage);
    // After the file the pane sleeps rather than waiting for a key: the random bytes may hold a
    // terminal query (ESC [ c, say) that tmux answers on the pane's input, which would end a
    // read and the pane, and the capture with it, before its threads are checked below.
    t.run("new-session", "-d", "-s", "bytes", "-x", "120", "-y", "40", `stty raw -echo -opost; head -c1 >/dev/null; cat '${file}'; exec sleep 600`);
    const attached = await attach("bytes");
    const pane = attached.panes[0]!;
    await new Promise((r) => setTimeout(r, 2000));
    t.run("send-keys", "-t", pane, "x");
    const chunks = await untilLedgerHas(ledger.admin, attached.session.server, pane, garbage.length);
    const bytes = joined(chunks);
    expect(bytes.length).toBe(garbage.length);
    expect(bytes.equals(garbage)).toBe(true);
    // pipe-pane's socket, blocking at the capture's end, is read by the capture's own thread.
    const log = readFileSync(join(paneDir(attached.dir, pane), "capture.log"), "utf8");
    expect(log).toContain("reading the pipe in a thread");
    // Every thread of the live capture (reading, shipping, libuv's and V8's) is SCHED_IDLE.
    expect(log).toContain("scheduling: SCHED_IDLE");
    const policies = schedulingPolicies(lockHolder(paneDir(attached.dir, pane))!);
    expect(policies.length).toBeGreaterThanOrEqual(4);
    expect(new Set(policies)).toEqual(new Set([SCHED_IDLE]));
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    expect(chunks.every((c) => c.data.length <= 64 * 1024)).toBe(true);
    const text = chunks.map((c) => c.text).join("");
    expect(text.startsWith("plain line\nred  café")).toBe(true);
    expect(text).toContain("the end ✓\n");
    expect(text).not.toMatch(/[\x00-\x08\x1b\x7f]/);

    // Detach closes the pipe, removes our hooks and records the stop (PCI DSS 10.2.1.6).
    await detachSession({ target: { socketName: t.socket }, session: "bytes", spoolRoot: t.spool });
    expect(t.run("list-panes", "-t", "bytes", "-F", "#{pane_pipe}").trim()).toBe("0");
    expect(t.run("show-hooks", "-t", "bytes")).not.toContain("[74]");
    await until("capture.stop in the ledger", async () => (await lifecycle("bytes")).some((e) => e.action === "capture.stop"));
    expect((await lifecycle("bytes")).map((e) => e.action)).toEqual(["session.create", "capture.start", "capture.stop"]);
  });

  it("shell hook: records each command line with its exit status and directory, in order", async () => {
    const { t, attach } = await setup();
    t.run("new-session", "-d", "-s", "shell", "-e", `SEALTRAIL_SPOOL_DIR=${t.spool}`, "-e", "HISTFILE=/dev/null", "-x", "120", "-y", "40", "env PS1='$ ' bash --norc --noprofile -i");
    const attached = await attach("shell");
    const pane = attached.panes[0]!;
    const hook = await cli(["tmux", "shell-hook", "--shell", "bash"], {});
    expect(hook.code).toBe(0);
    const snippet = join(t.dir, "hook.bash");
    writeFileSync(snippet, hook.stdout);
    for (const line of [`. '${snippet}'`, "cd /tmp", "true", "false", "(exit 3)"]) {
      t.run("send-keys", "-t", pane, line, "Enter");
      await new Promise((r) => setTimeout(r, 400));
    }
    let rows: { action: string; outcome: string; payload: { command: string; exitCode: number; cwd: string; shell: string; pane: string; sessionId: string; timeUs: number } }[] = [];
    await until("four command records", async () => {
      rows = (await ledger.admin<{ action: string; outcome: string; payload: string }[]>`select action, outcome, payload from entries where kind = 'tmux.command'`)
        .map((r) => ({ ...r, payload: JSON.parse(r.payload) }))
        .filter((r) => r.payload.sessionId === attached.session.id);
      return rows.length >= 4;
    }, 40_000);
    rows.sort((a, b) => a.payload.timeUs - b.payload.timeUs);
    expect(rows.map((r) => [r.payload.command, r.payload.exitCode, r.outcome, r.payload.cwd])).toEqual([
      ["cd /tmp", 0, "success", "/tmp"],
      ["true", 0, "success", "/tmp"],
      ["false", 1, "failure", "/tmp"],
      ["(exit 3)", 3, "failure", "/tmp"],
    ]);
    expect(rows.every((r) => r.action === "command.run" && r.payload.shell === "bash" && r.payload.pane === pane)).toBe(true);
  });

  it("refuses bad command lines with one line on stderr and exit 2", async () => {
    const t = testTmux();
    tmuxes.push(t);
    t.run("new-session", "-d", "-s", "only");
    const env = { DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema, SEALTRAIL_SPOOL_DIR: t.spool };
    const runs = await Promise.all([
      cli(["tmux", "attach", "-L", t.socket, "-t", "nosuch"], env),
      cli(["tmux", "replay"], env),
      cli(["tmux", "replay", "--session", "nosuch"], env),
      cli(["tmux", "shell-hook", "--shell", "fish"], env),
      cli(["tmux", "capture", "--dir", t.dir, "--pane", "7"], env),
      cli(["tmux", "attach", "-L", t.socket, "-t", "only"], { ...env, SEALTRAIL_TMUX_CAPTURE_PRIORITY: "high" }),
    ]);
    const lines = runs.map((r) => ({ code: r.code, stdout: r.stdout.toString(), stderr: r.stderr }));
    for (const run of lines) {
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(/^sealtrail: [^\n]+\n$/);
    }
    expect(lines[0]!.stderr).toMatch(/can't find session/);
    expect(lines[1]!.stderr).toBe("sealtrail: tmux replay: missing required option --session\n");
    expect(lines[2]!.stderr).toMatch(/no output recorded for session "nosuch"/);
    expect(lines[3]!.stderr).toMatch(/--shell: got "fish", want bash or zsh/);
    expect(lines[4]!.stderr).toMatch(/--pane: got "7", want a tmux pane id/);
    expect(lines[5]!.stderr).toBe('sealtrail: SEALTRAIL_TMUX_CAPTURE_PRIORITY: got "high", want idle or normal\n');
    expect(t.run("show-hooks", "-t", "only")).not.toContain("[74]");
    expect(t.run("list-panes", "-t", "only", "-F", "#{pane_pipe}").trim()).toBe("0");
  });
});
