/**
 * The layering rules (.dependency-cruiser.cjs, docs/architecture.md) held against the code
 * with dependency-cruiser: src/core imports node built-ins only, a core domain is used through
 * its index.ts and the ledger through src/ledger/index.ts, only src/ledger issues SQL (postgres,
 * drizzle, schema/, the store's statements), and nothing forms a cycle. A fixture tree breaking each rule shows every rule can fail.
 */
import { execFile } from "node:child_process";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/cli.js";

interface Violation {
  from: string;
  to: string;
  rule: { name: string; severity: string };
  cycle?: unknown[];
}

const CONFIG = join(ROOT, ".dependency-cruiser.cjs");

/** Runs depcruise over `dirs` in `cwd` with the project's rules; the violations it reports. */
async function cruise(cwd: string, dirs: string[]): Promise<Violation[]> {
  const bin = join(ROOT, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs");
  // Exit status 1 means errors were found: the JSON on stdout is read either way.
  const { stdout } = await promisify(execFile)(process.execPath, [bin, ...dirs, "--config", CONFIG, "--output-type", "json"], { cwd, maxBuffer: 64 << 20 }).catch(
    (error: { stdout?: string }) => {
      if (typeof error.stdout === "string" && error.stdout.startsWith("{")) return { stdout: error.stdout };
      throw error;
    },
  );
  return (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

describe("the layering", () => {
  it("holds for src, workers and the console: no violation at all", async () => {
    const found = await cruise(ROOT, ["src", "workers", "console/src"]);
    expect(found.map((v) => `${v.rule.severity} ${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([]);
  }, 120_000);
});

describe("the rules can fail", () => {
  let dir: string;
  const FIXTURE: Record<string, string> = {
    "tsconfig.json": JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", strict: true } }),
    // core importing the ledger: not a node built-in
    "src/core/merkle/index.ts": 'export { leafHash } from "./hash.js";\n',
    "src/core/merkle/hash.ts": 'import { createHash } from "node:crypto";\nimport type { Log } from "../../ledger/store.js";\nexport const leafHash = (l: Log) => createHash("sha256").update(l.name).digest();\n',
    "src/ledger/store.ts": "export interface Log { name: string }\n",
    // a core domain's internals reached past its index.ts
    "src/integrity/reach.ts": 'import { leafHash } from "../core/merkle/hash.js";\nexport const reach = leafHash;\n',
    // SQL outside the store: the driver, and the store's statements past its interface
    "src/packs/query.ts": 'import postgres from "postgres";\nexport const sql = postgres();\n',
    "src/api/statements.ts": 'import { statement } from "../ledger/postgres/db.js";\nexport const s = statement;\n',
    "src/ledger/postgres/db.ts": 'export const statement = "select 1";\n',
    // the ledger's internals reached past its index.ts
    "src/ledger/index.ts": 'export type { Log } from "./store.js";\n',
    "src/integrity/inside.ts": 'import type { Log } from "../ledger/store.js";\nexport type Inside = Log;\n',
    // the console reaching past the GraphQL API into the server's code
    "console/src/peek.ts": 'import { leafHash } from "../../src/core/merkle/index.js";\nexport const peek = leafHash;\n',
    // a cycle at run time
    "src/tmux/a.ts": 'import { b } from "./b.js";\nexport const a = () => b;\n',
    "src/tmux/b.ts": 'import { a } from "./a.js";\nexport const b = () => a;\n',
    // a cycle through type-only imports
    "src/ingest/c.ts": 'import type { D } from "./d.js";\nexport interface C { d?: D }\n',
    "src/ingest/d.ts": 'import type { C } from "./c.js";\nexport interface D { c?: C }\n',
    // allowed: a domain through its face
    "src/cli/ok.ts": 'import { leafHash } from "../core/merkle/index.js";\nimport type { Log } from "../ledger/index.js";\nexport const ok = (l: Log) => leafHash(l);\n',
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sealtrail-layers-"));
    for (const [file, text] of Object.entries(FIXTURE)) {
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await writeFile(join(dir, file), text);
    }
  });
  afterAll(async () => dir && rm(dir, { recursive: true, force: true }));

  it("reports each forbidden import of the fixture, and nothing of its allowed one", async () => {
    const found = (await cruise(dir, ["src", "console"])).filter((v) => v.rule.severity === "error").map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
    expect(found).toEqual(expect.arrayContaining([
      "core-is-pure: src/core/merkle/hash.ts → src/ledger/store.ts",
      "core-domain-face: src/integrity/reach.ts → src/core/merkle/hash.ts",
      "sql-only-in-the-ledger-store: src/packs/query.ts → postgres",
      "store-through-its-interface: src/api/statements.ts → src/ledger/postgres/db.ts",
      "ledger-through-its-face: src/integrity/inside.ts → src/ledger/store.ts",
      "no-cycles: src/tmux/a.ts → src/tmux/b.ts",
      "console-speaks-graphql-only: console/src/peek.ts → src/core/merkle/index.ts",
      "no-cycles: src/ingest/c.ts → src/ingest/d.ts",
    ]));
    expect(found.filter((f) => f.includes("src/cli/ok.ts"))).toEqual([]);
  }, 120_000);
});
