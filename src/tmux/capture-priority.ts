/**
 * The capture's CPU scheduling: by default every thread of a capture runs under SCHED_IDLE
 * (sched(7)), so that recording a pane never takes a CPU the pane or tmux could use.
 *
 * Why a scheduling class and not only less work: a capture costs about a fifth of a CPU while
 * a pane prints as fast as tmux can move it, and tmux, which parses every byte, is the
 * bottleneck on one CPU. Profiles of a 200 MB `cat` (BENCHMARKS.md, "An idle scheduling
 * class") showed tmux alone on one CPU with `cat > f` as the pipe, and with a capture at the
 * normal class tmux moving between the CPUs and sharing them with the pane's own `cat`: the
 * scheduler places a waking task beside the capture's threads as beside any other. A CPU
 * running only SCHED_IDLE threads counts as idle when the kernel places a waking task
 * (sched_idle_cpu(), kernel/sched/fair.c, Linux 5.4 on), and a SCHED_IDLE thread never
 * preempts a normal one.
 *
 * The price: while every CPU is busy with normal work, a capture gets almost no CPU (a SCHED_IDLE thread
 * weighs 3 against a nice-0 thread's 1024: WEIGHT_IDLEPRIO, kernel/sched/sched.h); it falls behind, and tmux keeps the pane's output in its own
 * memory until the capture catches up, as for any slow pipe reader. Nothing is lost, but on
 * a machine whose CPUs are saturated for long while panes print heavily, choose `normal`
 * (SEALTRAIL_TMUX_CAPTURE_PRIORITY). An unprivileged process cannot leave SCHED_IDLE again
 * (sched(7): only within RLIMIT_NICE, 0 by default; `chrt --other` from an idle shell as
 * nobody fails with EPERM), so the choice is made once, at the capture's start.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { setPriority } from "node:os";
import type { CapturePriority } from "../config/index.js";


/** The lowest nice value: the fallback where SCHED_IDLE cannot be set. */
const LOWEST_NICE = 19;

/**
 * Moves every thread of this process (threads started later inherit it from their creator)
 * to the scheduling `priority`, and says what it did, for the capture's log. Call it before
 * starting any thread of the capture's own. Never throws: a capture that cannot lower its
 * priority still captures.
 */
export function applyCapturePriority(priority: CapturePriority): string {
  if (priority === "normal") return "normal (SEALTRAIL_TMUX_CAPTURE_PRIORITY)";
  // chrt(1), util-linux: Node has no sched_setscheduler binding.
  const chrt = spawnSync("chrt", ["--all-tasks", "--idle", "-p", "0", String(process.pid)], { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", timeout: 5_000 });
  if (chrt.status === 0) return "SCHED_IDLE";
  const why = chrt.error ? (chrt.error as NodeJS.ErrnoException).code ?? chrt.error.message : chrt.stderr.trim() || `exit ${chrt.status}`;
  // setpriority(2) on a thread id sets that thread alone (Linux: a nice value is per thread).
  let niced = 0;
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      setPriority(Number(tid), LOWEST_NICE);
      niced++;
    } catch {
      // the thread has exited
    }
  }
  return `nice ${LOWEST_NICE} on ${niced} threads (chrt --idle: ${why})`;
}
