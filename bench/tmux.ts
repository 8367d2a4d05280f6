/**
 * tmux capture throughput: the time to `cat` a large file in a pane (default 200 MB) with
 * `sealtrail tmux capture` on the pane, beside the same `cat` with no pipe at all and with a
 * plain `pipe-pane -O 'cat > file'`, interleaved in each run on fresh tmux servers (private
 * sockets). Our figure is the throughput beside the plain-cat capture's: target ≥ 0.95×.
 *
 *   npx tsx bench/tmux.ts [--megabytes 200] [--runs 5] [--normal]
 *
 * The capture runs at its default scheduling class, SCHED_IDLE (capture-priority.ts);
 * --normal measures it at the normal class too, in the same runs. --busy N keeps N CPU-bound
 * processes (normal class) running while the pane prints: what an idle capture gives up on a
 * saturated machine shows as tmux's peak memory (the output it holds for the capture).
 *
 * Every byte is checked: the plain capture's file and our spool must each hold exactly what
 * tmux delivered to the pipe (the file plus the \r the tty adds before each \n). The capture
 * ships to a private redis-server (no worker: appending to the ledger is the ingest bench's
 * business); the time until the queue has accepted everything is printed too.
 *
 * Beside each run's time: the machine's CPU and context switches, the tmux server's CPU and
 * peak memory (a pipe reader slower than the pane leaves the output waiting in tmux's memory),
 * and the capture's own CPU.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { attachSession } from "../src/tmux/attach.js";
import { paneDir } from "../src/tmux/capture.js";
import { lockHolder } from "../src/tmux/pane-lock.js";
import { machineTicks, median, parseFlags, processCpuSeconds, sourceRevision } from "./support.js";

const flags = parseFlags(process.argv.slice(2), { megabytes: 200, runs: 5, keep: false, normal: false, busy: 0 });
const BIN = join(fileURLToPath(new URL("../", import.meta.url)), "bin", "sealtrail.js");
const LINE = 100;

type Mode = "none" | "plain" | "sealtrail" | "sealtrail-normal";
const MODES: Mode[] = ["none", "plain", "sealtrail", ...(flags.normal ? (["sealtrail-normal"] as const) : [])];
const captures = (mode: Mode) => mode === "sealtrail" || mode === "sealtrail-normal";
interface Result {
  mode: Mode;
  seconds: number;
  /** Bytes the pipe received (none: 0). */
  captured: number;
  /** Machine-wide CPU seconds (all processes, /proc/stat) and context switches while the cat ran. */
  cpuSeconds: number;
  contextSwitches: number;
  /** CPU seconds of the tmux server while the cat ran, and its peak memory (VmHWM) over the run, MB. */
  tmuxCpuSeconds: number;
  tmuxPeakMb: number;
  /** sealtrail: CPU seconds of the capture process while the cat ran. */
  captureCpuSeconds?: number;
  /** sealtrail: seconds from the start of cat until the queue accepted every chunk. */
  shippedSeconds?: number;
}

const work = mkdtempSync(join(os.tmpdir(), "sealtrail-bench-tmux-"));

async function main(): Promise<void> {
  const file = join(work, "input.txt");
  const lines = Math.floor((flags.megabytes * 1_000_000) / (LINE + 1));
  await writeInput(file, lines);
  const size = statSync(file).size;
  // The tty's output processing (onlcr) turns each \n into \r\n before tmux sees it.
  const delivered = size + lines;
  const redis = await startRedis();
  console.log(`tmux capture throughput: cat of ${(size / 1e6).toFixed(0)} MB (${lines} lines of ${LINE} characters) in a pane, ${flags.runs} runs${flags.busy ? `, ${flags.busy} CPU-bound processes running beside each cat` : ""}`);
  console.log(`date      ${new Date().toISOString()}\nsource    ${sourceRevision()}\nnode      ${process.version} (${os.cpus().length} cpus: ${os.cpus()[0]?.model ?? "?"})\ntmux      ${execFileSync("tmux", ["-V"], { encoding: "utf8" }).trim()}\n`);
  const results: Result[] = [];
  try {
    for (let run = 0; run < flags.runs; run++) {
      for (const mode of MODES) {
        const load = os.loadavg()[0]!.toFixed(2);
        const r = await measure(mode, file, delivered, redis.url);
        results.push(r);
        const rate = (delivered / 1e6 / r.seconds).toFixed(1);
        const capture = r.captureCpuSeconds === undefined ? "" : `, capture ${r.captureCpuSeconds.toFixed(2)}`;
        console.log(`run ${run + 1} ${mode.padEnd(16)} ${r.seconds.toFixed(2)} s  ${rate} MB/s  machine ${r.cpuSeconds.toFixed(2)} CPU-s, ${(r.contextSwitches / 1000).toFixed(0)}k context switches  tmux ${r.tmuxCpuSeconds.toFixed(2)} CPU-s${capture}, tmux peak ${r.tmuxPeakMb.toFixed(0)} MB  captured ${r.captured}${r.shippedSeconds ? `  all in the queue after ${r.shippedSeconds.toFixed(2)} s` : ""}  (load ${load})`);
        if (mode !== "none" && r.captured !== delivered) throw new Error(`${mode}: captured ${r.captured} bytes, tmux delivered ${delivered}`);
      }
    }
  } finally {
    redis.stop();
  }
  const by = (mode: Mode) => median(results.filter((r) => r.mode === mode).map((r) => delivered / 1e6 / r.seconds));
  const [none, plain, ours] = [by("none"), by("plain"), by("sealtrail")];
  // Paired within each run (the machine's speed drifts between runs): ours over plain.
  const pairedWith = (mode: Mode) => Array.from({ length: flags.runs }, (_, run) => results[run * MODES.length + 1]!.seconds / results[run * MODES.length + MODES.indexOf(mode)]!.seconds);
  const paired = median(pairedWith("sealtrail"));
  const of = (mode: Mode, value: (r: Result) => number) => median(results.filter((r) => r.mode === mode).map(value));
  const cpu = (mode: Mode) => of(mode, (r) => r.cpuSeconds);
  const shipped = median(results.filter((r) => r.mode === "sealtrail").map((r) => r.shippedSeconds!));
  console.log(`\nmedian throughput (MB/s of pane output):`);
  console.log(`  no capture            ${none.toFixed(1)}`);
  console.log(`  pipe-pane 'cat > f'   ${plain.toFixed(1)}  (${(plain / none).toFixed(3)}× no capture)`);
  console.log(`  sealtrail capture     ${ours.toFixed(1)}  (${(ours / plain).toFixed(3)}× plain cat capture, ${(ours / none).toFixed(3)}× no capture; target ≥ 0.95× plain)`);
  console.log(`  median of the per-run ratios sealtrail / plain: ${paired.toFixed(3)}× (${pairedWith("sealtrail").map((r) => r.toFixed(3)).join(", ")})`);
  if (flags.normal) {
    const normal = by("sealtrail-normal");
    console.log(`  sealtrail capture at the normal scheduling class ${normal.toFixed(1)}  (${(normal / plain).toFixed(3)}× plain; per-run median ${median(pairedWith("sealtrail-normal")).toFixed(3)}×: ${pairedWith("sealtrail-normal").map((r) => r.toFixed(3)).join(", ")}; capture ${of("sealtrail-normal", (r) => r.captureCpuSeconds!).toFixed(2)} CPU-s)`);
  }
  console.log(`  machine CPU-s during the cat (median): no capture ${cpu("none").toFixed(2)}, plain ${cpu("plain").toFixed(2)}, sealtrail ${cpu("sealtrail").toFixed(2)}`);
  console.log(`  tmux CPU-s during the cat (median): no capture ${of("none", (r) => r.tmuxCpuSeconds).toFixed(2)}, plain ${of("plain", (r) => r.tmuxCpuSeconds).toFixed(2)}, sealtrail ${of("sealtrail", (r) => r.tmuxCpuSeconds).toFixed(2)}; the capture ${of("sealtrail", (r) => r.captureCpuSeconds!).toFixed(2)}`);
  console.log(`  tmux peak memory (median MB): no capture ${of("none", (r) => r.tmuxPeakMb).toFixed(0)}, plain ${of("plain", (r) => r.tmuxPeakMb).toFixed(0)}, sealtrail ${of("sealtrail", (r) => r.tmuxPeakMb).toFixed(0)}`);
  console.log(`  every byte captured: yes (${delivered} bytes per run); all accepted by the queue after a median ${shipped.toFixed(2)} s from the start of cat`);
}

async function writeInput(file: string, lines: number): Promise<void> {
  const out = createWriteStream(file);
  const alphabet = randomBytes(LINE * 64).toString("base64").replace(/[^A-Za-z0-9]/g, "x");
  for (let i = 0; i < lines; i++) {
    const at = (i * 37) % (alphabet.length - LINE);
    if (!out.write(`${alphabet.slice(at, at + LINE)}\n`)) await new Promise<void>((r) => out.once("drain", () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
}

async function measure(mode: Mode, file: string, delivered: number, redisUrl: string): Promise<Result> {
  const socket = `sealtrail-bench-${randomBytes(5).toString("hex")}`;
  const dir = mkdtempSync(join(work, `${mode}-`));
  const done = join(dir, "done");
  const tmux = (...args: string[]) => execFileSync("tmux", ["-L", socket, "-f", "/dev/null", ...args], { encoding: "utf8" });
  // The pane waits for a key, times the cat with its own clock, then idles.
  // No echo and no line discipline while it waits, so the key leaves no bytes in the pane.
  tmux("new-session", "-d", "-s", "bench", "-x", "200", "-y", "50", `stty -echo -icanon; head -c1 >/dev/null; stty echo icanon; s=$(date +%s%N); cat '${file}'; e=$(date +%s%N); echo $(( (e - s) / 1000 )) > '${done}'; sleep 3600`);
  let paneSpool = "";
  try {
    const pane = tmux("list-panes", "-t", "bench", "-F", "#{pane_id}").trim();
    if (mode === "plain") tmux("pipe-pane", "-O", "-t", pane, `cat > '${join(dir, "out")}'`);
    if (captures(mode)) {
      const attached = await attachSession({ target: { socketName: socket }, session: "bench", log: "bench", spoolRoot: join(dir, "spool"), redisUrl, queue: "bench-tmux", maxPayloadBytes: 1 << 20, capturePriority: mode === "sealtrail" ? "idle" : "normal", invocation: [process.execPath, BIN] });
      paneSpool = paneDir(attached.dir, pane);
      await waitFor(() => existsSync(join(paneSpool, "capture.pid")), 30_000);
    }
    // Past the capture's start-up (node, and its shipping thread compiling its sources).
    await sleep(captures(mode) ? 5000 : 1000);
    const tmuxPid = Number(tmux("display-message", "-p", "#{pid}").trim());
    const capturePid = paneSpool ? lockHolder(paneSpool) : undefined;
    const started = Date.now();
    const [tmuxBefore, captureBefore] = [processCpuSeconds(tmuxPid), capturePid === undefined ? 0 : processCpuSeconds(capturePid)];
    const busy = Array.from({ length: flags.busy }, () => spawn("sh", ["-c", "while :; do :; done"], { stdio: "ignore" }));
    const before = machineTicks();
    tmux("send-keys", "-t", pane, "x");
    try {
      await waitFor(() => existsSync(done) && readFileSync(done, "utf8").endsWith("\n"), 600_000);
    } finally {
      for (const child of busy) child.kill("SIGKILL");
    }
    const after = machineTicks();
    const [tmuxCpuSeconds, captureCpuSeconds] = [processCpuSeconds(tmuxPid) - tmuxBefore, capturePid === undefined ? undefined : processCpuSeconds(capturePid) - captureBefore];
    const seconds = Number(readFileSync(done, "utf8")) / 1e6;
    let captured = 0;
    let shippedSeconds: number | undefined;
    if (mode === "plain") {
      await waitFor(() => statSync(join(dir, "out")).size >= delivered, 60_000, 500);
      captured = statSync(join(dir, "out")).size;
    }
    if (captures(mode)) {
      await waitFor(() => ackedOffset(paneSpool) >= delivered, 600_000, 200);
      shippedSeconds = (Date.now() - started) / 1000;
      // What the queue accepted (acknowledged segments are deleted from the spool): a byte
      // more or less than tmux delivered fails the run.
      await sleep(1000);
      captured = ackedOffset(paneSpool);
      // Nothing consumes the queue here: emptied, so that later runs do not share the machine
      // with a redis holding ever more chunks.
      execFileSync("redis-cli", ["-u", redisUrl, "flushall"], { stdio: "ignore" });
    }
    // Peak memory of the tmux server: what it held of the pane's output for a slow pipe reader.
    const tmuxPeakMb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${tmuxPid}/status`, "utf8"))![1]) / 1024;
    return {
      mode, seconds, captured, cpuSeconds: (after.busy - before.busy) / 100 /* USER_HZ */, contextSwitches: after.switches - before.switches, tmuxCpuSeconds, tmuxPeakMb,
      ...(captureCpuSeconds === undefined ? {} : { captureCpuSeconds }), ...(shippedSeconds ? { shippedSeconds } : {}),
    };
  } finally {
    try {
      tmux("kill-server");
    } catch {
      // gone
    }
    if (paneSpool) {
      try {
        // Only a live capture: a pid from a stale lock file may belong to another process now.
        const pid = lockHolder(paneSpool);
        if (pid !== undefined) process.kill(pid, "SIGKILL");
      } catch {
        // exited
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function ackedOffset(dir: string): number {
  try {
    return (JSON.parse(readFileSync(join(dir, "acked"), "utf8")) as { offset: number }).offset;
  } catch {
    return 0;
  }
}

/** A throwaway redis-server (no persistence): the bench's chunks never touch the shared one. */
async function startRedis(): Promise<{ url: string; stop(): void }> {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
  const child: ChildProcess = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  await sleep(500);
  return { url: `redis://127.0.0.1:${port}`, stop: () => void child.kill("SIGTERM") };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(check: () => boolean, timeoutMs: number, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (check()) return;
    } catch {
      // not there yet
    }
    if (Date.now() > deadline) throw new Error("timed out");
    await sleep(everyMs);
  }
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => {
    if (!flags.keep) rmSync(work, { recursive: true, force: true });
  });
