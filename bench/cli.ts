/**
 * CLI start-up: wall time of `sealtrail help`, `sealtrail --version` and `sealtrail help keys`
 * (the compiled CLI, as bin/sealtrail.js runs it after `npm ci`), beside `node -e 0` — Node's
 * own start-up, the floor — measured in the same run, interleaved round by round so both see
 * the same load. With --tsx, also the sources run through tsx, as every call did before the
 * CLI was compiled.
 *
 *   npx tsx bench/cli.ts [--runs 30] [--tsx]
 *
 * Target (issue: a fast CLI): `sealtrail help` < 300 ms.
 */
import { execFileSync } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { median, parseFlags, sourceRevision } from "./support.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const flags = parseFlags(process.argv.slice(2), { runs: 30, tsx: false });

const CASES: Record<string, string[]> = {
  "node -e 0": ["-e", "0"],
  "sealtrail help": ["bin/sealtrail.js", "help"],
  "sealtrail --version": ["bin/sealtrail.js", "--version"],
  "sealtrail help keys": ["bin/sealtrail.js", "help", "keys"],
  ...(flags.tsx ? { "tsx src/cli/main.ts help": ["--import", "tsx", "src/cli/main.ts", "help"] } : {}),
};

function timeMs(args: string[]): number {
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

// The build must be current: bench what npm ci gives.
execFileSync(process.execPath, ["scripts/build.js"], { cwd: ROOT, stdio: "inherit" });
const samples = new Map(Object.keys(CASES).map((name) => [name, [] as number[]]));
for (const args of Object.values(CASES)) timeMs(args); // warm the page cache once
const loadBefore = loadavg()[0]!;
for (let round = 0; round < flags.runs; round++) {
  for (const [name, args] of Object.entries(CASES)) samples.get(name)!.push(timeMs(args));
}
const loadAfter = loadavg()[0]!;

const floor = median(samples.get("node -e 0")!);
console.log(`CLI start-up, ${flags.runs} rounds interleaved; ${sourceRevision()}; Node ${process.version}; load ${loadBefore.toFixed(1)}–${loadAfter.toFixed(1)}`);
console.log("| command | median | p90 | min | ratio to node -e 0 |");
console.log("|---|---|---|---|---|");
for (const [name, xs] of samples) {
  const sorted = [...xs].sort((a, b) => a - b);
  const p90 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))]!;
  console.log(`| \`${name}\` | ${median(xs).toFixed(0)} ms | ${p90.toFixed(0)} ms | ${sorted[0]!.toFixed(0)} ms | ${(median(xs) / floor).toFixed(2)}× |`);
}
const help = median(samples.get("sealtrail help")!);
console.log(`sealtrail help: ${help.toFixed(0)} ms median, target < 300 ms: ${help < 300 ? "met" : "NOT met"}`);
