/**
 * Top functions of V8 CPU profiles (node --cpu-prof), by self time and by total time, per
 * profile and merged. Worker threads write profiles of their own: pass them all.
 *
 *   npx tsx bench/profile-summary.ts [--top N] [--callers NAME] FILE.cpuprofile...
 *
 * --callers NAME also splits the total time of every function called NAME by its three
 * nearest callers (e.g. --callers hash: which code's SHA-256 calls cost what).
 *
 * To profile verification (main thread and both verifier threads):
 *   node --cpu-prof --cpu-prof-dir bench/results/prof --import tsx bench/verify.ts \
 *     --schema NAME --keep --runs 1 --only t2
 */
import { readFileSync } from "node:fs";
import { basename, relative } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const argv = process.argv.slice(2);
let top = 25;
let callersOf = "";
const files: string[] = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--top") top = Number(argv[++i]);
  else if (argv[i] === "--callers") callersOf = argv[++i]!;
  else files.push(argv[i]!);
}
if (files.length === 0) throw new Error("usage: profile-summary.ts [--top N] FILE.cpuprofile...");

const cwd = process.cwd();
function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${relative(cwd, url.replace(/^file:\/\//, "")) || url}:${lineNumber + 1}` : "";
  return `${functionName || "(anonymous)"}${where ? " " + where : ""}`;
}

interface Totals {
  self: Map<string, number>;
  total: Map<string, number>;
  /** Total time of the --callers function, by caller chain. */
  callers: Map<string, number>;
  ms: number;
  idle: number;
}

function analyse(p: Profile): Totals {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfById = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    selfById.set(p.samples[i]!, (selfById.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  }
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const callers = new Map<string, number>();
  const stack: string[] = [];
  let ms = 0;
  let idle = 0;
  // Depth-first from the root; a function counts once per stack for its total (recursion).
  const walk = (id: number, onStack: Map<string, number>): number => {
    const node = byId.get(id)!;
    const key = label(node);
    const own = selfById.get(id) ?? 0;
    ms += own;
    if (node.callFrame.functionName === "(idle)") idle += own;
    self.set(key, (self.get(key) ?? 0) + own);
    onStack.set(key, (onStack.get(key) ?? 0) + 1);
    let sum = own;
    stack.push(node.callFrame.functionName || "(anonymous)");
    for (const child of node.children ?? []) sum += walk(child, onStack);
    stack.pop();
    if (callersOf && node.callFrame.functionName === callersOf) {
      const chain = stack.slice(-3).reverse().join(" ← ");
      callers.set(chain, (callers.get(chain) ?? 0) + sum);
    }
    const depth = onStack.get(key)! - 1;
    if (depth === 0) {
      total.set(key, (total.get(key) ?? 0) + sum);
      onStack.delete(key);
    } else onStack.set(key, depth);
    return sum;
  };
  walk(p.nodes[0]!.id, new Map());
  return { self, total, callers, ms, idle };
}

function print(title: string, t: Totals): void {
  const busy = t.ms - t.idle;
  console.log(`\n## ${title}: ${(t.ms / 1000).toFixed(2)} s sampled, ${(busy / 1000).toFixed(2)} s not idle`);
  const rows = (m: Map<string, number>, what: string) => {
    console.log(`\n  top ${top} by ${what} time (ms, % of non-idle)`);
    for (const [k, v] of [...m].filter(([k]) => !k.startsWith("(idle)") && !k.startsWith("(root)")).sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`  ${v.toFixed(0).padStart(8)}  ${((100 * v) / busy).toFixed(1).padStart(5)}%  ${k}`);
    }
  };
  rows(t.self, "self");
  rows(t.total, "total");
  if (callersOf) {
    console.log(`\n  ${callersOf}: total time by caller`);
    for (const [k, v] of [...t.callers].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`  ${v.toFixed(0).padStart(8)}  ${((100 * v) / busy).toFixed(1).padStart(5)}%  ${callersOf} ← ${k}`);
    }
  }
}

const merged: Totals = { self: new Map(), total: new Map(), callers: new Map(), ms: 0, idle: 0 };
for (const file of files) {
  const t = analyse(JSON.parse(readFileSync(file, "utf8")) as Profile);
  print(basename(file), t);
  for (const key of ["self", "total", "callers"] as const) for (const [k, v] of t[key]) merged[key].set(k, (merged[key].get(k) ?? 0) + v);
  merged.ms += t.ms;
  merged.idle += t.idle;
}
if (files.length > 1) print(`all ${files.length} profiles merged`, merged);
