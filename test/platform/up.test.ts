/**
 * `sealtrail up` end to end, as a new user runs it: no DATABASE_URL, no REDIS_URL, a fresh
 * state directory. The embedded PostgreSQL (as OS user postgres when the suite runs as root,
 * as CI does), a private redis-server from the PATH, then — with no redis-server on the PATH —
 * the in-process queues. Each: ready, an event through the API, a query, `verify` through the
 * CLI with `sealtrail env`'s settings, a pack through the API, Ctrl-C; a restart finds the
 * data; after kill -9 the next start stops the servers left behind and recovers.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, runCli, runTool } from "../support/cli.js";
import { deployEvent, until } from "../support/ingest.js";
import { gqlAt, startUp, type UpProcess } from "../support/up.js";
import { connect } from "../../src/ledger/postgres/db.js";

const homes: string[] = [];
const running: UpProcess[] = [];
afterAll(async () => {
  for (const up of running) if (up.child.exitCode === null) await up.stop();
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

function freshHome(): string {
  const home = mkdtempSync(join(tmpdir(), "sealtrail-up-"));
  homes.push(home);
  return home;
}

async function up(home: string, env: Record<string, string | undefined> = {}): Promise<UpProcess> {
  const started = await startUp(home, env);
  running.push(started);
  return started;
}

const RECORD = `mutation ($events: [EventInput!]!) { recordEvents(log: "events", events: $events, wait: true) { accepted committed receipts { status seq } } }`;
const EVENTS = `{ events(filter: { logs: ["events"] }, first: 50) { edges { node { seq actor action } } } }`;
// The period runs to now, so no checkpoint is signed after it yet: the auditor gives the seed.
const PACK = `mutation ($from: DateTime!, $to: DateTime!) { requestEvidencePack(framework: "soc2", logs: ["events"], from: $from, to: $to, seed: "auditor-seed-1") { id status } }`;
const PACK_STATUS = `query ($id: ID!) { evidencePack(id: $id) { status downloadUrl error } }`;

/** An event through the API, read back, verified by the CLI, packed through the API. */
async function exercise(instance: UpProcess, home: string, token: string, actor: string): Promise<Record<string, string>> {
  const recorded = await gqlAt(instance.apiUrl, token, RECORD, { events: [deployEvent(1, { actor, occurredAt: new Date().toISOString() })] });
  expect(recorded.errors).toBeUndefined();
  expect(recorded.data.recordEvents).toMatchObject({ accepted: 1, committed: true, receipts: [{ status: "ACCEPTED" }] });
  const seq = recorded.data.recordEvents.receipts[0].seq;
  const events = await gqlAt(instance.apiUrl, token, EVENTS);
  expect(events.data.events.edges.map((e: { node: { seq: number; actor: string } }) => [e.node.seq, e.node.actor])).toContainEqual([seq, actor]);

  const env = await runCli(["env", "--json"], { SEALTRAIL_HOME: home });
  expect(env.code, env.stderr).toBe(0);
  const settings = JSON.parse(env.stdout) as Record<string, string>;
  expect(await runCli(["checkpoint", "--log", "events"], settings)).toMatchObject({ code: 0 });
  const verified = await runCli(["verify", "--log", "events"], settings);
  expect(verified.code, verified.stderr).toBe(0);
  expect(verified.stdout).toContain(`verified events: ${seq + 1} entries`);

  const requested = await gqlAt(instance.apiUrl, token, PACK, { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() });
  expect(requested.errors).toBeUndefined();
  const id = requested.data.requestEvidencePack.id as string;
  let pack: { status: string; downloadUrl: string | null; error: string | null } = { status: "", downloadUrl: null, error: null };
  await until("the pack", async () => {
    pack = (await gqlAt(instance.apiUrl, token, PACK_STATUS, { id })).data.evidencePack;
    return pack.status === "COMPLETED" || pack.status === "FAILED";
  }, 90_000);
  expect(pack).toMatchObject({ status: "COMPLETED", error: null });
  const download = await fetch(`${instance.apiUrl}${pack.downloadUrl}`, { headers: { authorization: `Bearer ${token}` } });
  expect(download.status).toBe(200);
  const archive = Buffer.from(await download.arrayBuffer());
  expect(archive.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  expect(existsSync(join(home, "packs", "default", `${id}.tar.gz`))).toBe(true);
  await expectServiceSessions(home, settings.DATABASE_URL!);
  return settings;
}

/** The running API and workers are logged in as the service login, which is no superuser (docs/security.md). */
async function expectServiceSessions(home: string, adminUrl: string): Promise<void> {
  expect(statSync(join(home, "db-service-password")).mode & 0o777).toBe(0o600);
  const sql = connect({ url: adminUrl, schema: "sealtrail", max: 1, applicationName: "up-test" });
  try {
    const sessions = await sql<{ app: string; usename: string; usesuper: boolean }[]>`
      select a.application_name as app, u.usename, u.usesuper from pg_stat_activity a join pg_user u on u.usesysid = a.usesysid
      where a.application_name like 'sealtrail-%' and a.application_name not in ('sealtrail-cli', 'sealtrail-up', 'sealtrail-setup')`;
    const apps = new Set(sessions.map((s) => s.app));
    expect(apps.has("sealtrail-api") && apps.has("sealtrail-api-writer"), [...apps].join(", ")).toBe(true);
    expect(sessions.filter((s) => s.usesuper || s.usename !== "postgres_sealtrail_service")).toEqual([]);
  } finally {
    await sql.end();
  }
}

function serverUid(home: string): number {
  const pid = Number(readFileSync(join(home, "postgres", "data", "postmaster.pid"), "utf8").split("\n")[0]);
  return Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]);
}

describe("sealtrail up", () => {
  it("starts on a fresh state directory, serves, stops on Ctrl-C, restarts with its data, and recovers after kill -9", async () => {
    const home = freshHome();
    const first = await up(home);
    expect(first.output()).toContain("(first start)");
    expect(first.output()).toContain("private redis-server");
    expect(first.token).toMatch(/^sealtrail_/);
    expect(statSync(join(home, "keys", "signing-key.pem")).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, "up.json")).mode & 0o777).toBe(0o600);
    if (process.getuid?.() === 0) {
      expect(first.output()).toContain("as OS user postgres");
      expect(serverUid(home)).not.toBe(0);
    }
    const settings = await exercise(first, home, first.token!, "alice");
    expect(await first.stop()).toBe(0);
    expect(existsSync(join(home, "postgres", "data", "postmaster.pid"))).toBe(false);
    expect(existsSync(join(home, "up.json"))).toBe(false);
    expect((await runCli(["env"], { SEALTRAIL_HOME: home })).code).toBe(2);

    // Started from a shell that ran eval "$(sealtrail env)": the first instance's private Redis
    // URL (its port and password are gone) must not be taken for a REDIS_URL to use.
    expect(settings.SEALTRAIL_UP_MADE).toBe("DATABASE_URL,REDIS_URL");
    const second = await up(home, settings);
    expect(second.output()).toContain("private redis-server");
    expect(second.output()).not.toContain("(first start)");
    expect(second.token).toBeUndefined();
    const kept = await gqlAt(second.apiUrl, first.token!, EVENTS);
    expect(kept.data.events.edges.map((e: { node: { actor: string } }) => e.node.actor)).toContain("alice");

    second.child.kill("SIGKILL");
    await second.exited;
    const left = Number(readFileSync(join(home, "postgres", "data", "postmaster.pid"), "utf8").split("\n")[0]);
    const third = await up(home);
    expect(third.output()).toContain(`stopped the server an earlier sealtrail up left running (pid ${left})`);
    await exercise(third, home, first.token!, "bob");
    const after = await gqlAt(third.apiUrl, first.token!, EVENTS);
    expect(after.data.events.edges.map((e: { node: { actor: string } }) => e.node.actor)).toEqual(expect.arrayContaining(["alice", "bob"]));
    expect(await third.stop()).toBe(0);
  }, 400_000);

  it("runs the jobs in-process when there is no Redis on the PATH", async () => {
    const home = freshHome();
    // A PATH with node and id alone: no redis-server to find.
    const bin = join(home, "bin");
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, "node"));
    symlinkSync("/usr/bin/id", join(bin, "id"));
    const instance = await up(home, { PATH: bin });
    expect(instance.output()).toContain("no REDIS_URL and no redis-server on the PATH; jobs run in this process");
    await exercise(instance, home, instance.token!, "carol");
    expect(await instance.stop()).toBe(0);
    await until("the server to be gone", () => !existsSync(join(home, "postgres", "data", "postmaster.pid")));
  }, 300_000);
});

describe("the README's quick start", () => {
  it("is npm ci and npx sealtrail up, and its next commands work against the running instance", async () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const quickStart = readme.slice(readme.indexOf("## Quick start"), readme.indexOf("## Production"));
    const blocks = [...quickStart.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks[0]).toBe("npm ci\nnpx sealtrail up\n");
    expect(blocks).toContain("npm test\n");
    expect(blocks).toContain("npx sealtrail demo\n");
    const home = freshHome();
    const instance = await up(home);
    // The second block as a user types it in a second terminal (npx finds this checkout's bin).
    const script = blocks[1]!;
    expect(script).toContain('eval "$(npx sealtrail env)"');
    const run = await runTool("/bin/bash", ["-euo", "pipefail", "-c", `cd ${JSON.stringify(ROOT)} && export SEALTRAIL_HOME=${JSON.stringify(home)} && ${script}`]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('"log":"events","seq":0');
    expect(run.stdout).toContain("verified events: 1 entries");
    expect(await instance.stop()).toBe(0);
  }, 300_000);
});
