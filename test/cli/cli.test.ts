/**
 * The sealtrail command line end to end: the real bin/sealtrail.js in a child process, against
 * real Postgres, in a schema of this file's own. The tests run in order and share one log,
 * "audit": it is created, filled, checkpointed, proved, then tampered with as the superuser.
 * Independent runs go in parallel.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyCheckpoint, privateKeyFromPem, publicKeyFromPem, rawPublicKey, parseVerifierKey, verifierFromVkey } from "../../src/core/note/index.js";
import { fromBase64, fromHex, toBase64 } from "../../src/core/encoding/index.js";
import { verifyConsistency, verifyInclusion } from "../../src/core/merkle/index.js";
import { connect, type Sql } from "../../src/ledger/postgres/db.js";
import { asAttacker, dropDeployment, TEST_DATABASE_URL } from "../support/ledger.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin", "sealtrail.js");
const schema = `t_cli_${randomBytes(4).toString("hex")}`;
const dir = mkdtempSync(join(tmpdir(), "sealtrail-cli-"));
const keyDir = join(dir, "keys");
const signingKey = join(keyDir, "signing-key.pem");
let admin: Sql;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with a clean environment: only what the test sets, no inherited SEALTRAIL_*. */
function sealtrail(args: string[], options: { env?: Record<string, string | undefined>; input?: string } = {}): Promise<Run> {
  const env: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR };
  Object.assign(env, { DATABASE_URL: TEST_DATABASE_URL, SEALTRAIL_DB_SCHEMA: schema, SEALTRAIL_SIGNING_KEY: signingKey }, options.env);
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { env, cwd: ROOT, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
    child.stdin!.end(options.input ?? "");
  });
}

function json<T = Record<string, unknown>>(run: Run): T {
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
}

/** A usage, key or database error: exit 2, nothing on stdout, one line on stderr, no stack. */
function expectError(run: Run, label: string): void {
  expect({ label, code: run.code, stdout: run.stdout }).toEqual({ label, code: 2, stdout: "" });
  const lines = run.stderr.trimEnd().split("\n");
  expect(lines, `${label}: ${run.stderr}`).toHaveLength(1);
  expect(lines[0], label).toMatch(/^sealtrail: \S/);
  expect(run.stderr, label).not.toMatch(/^\s+at /m);
}

const EVENT = ["emit", "--log", "audit", "--kind", "deploy", "--actor", "alice", "--action", "push", "--resource", "svc/api"];

async function auditLogId(): Promise<number> {
  const [row] = await admin<{ id: number }[]>`select id from logs where name = 'audit'`;
  return row!.id;
}

beforeAll(() => {
  admin = connect({ url: TEST_DATABASE_URL, schema, max: 1 });
});
afterAll(async () => {
  if (admin) await dropDeployment(admin, TEST_DATABASE_URL, schema);
  await admin?.end();
  rmSync(dir, { recursive: true, force: true });
});

describe("sealtrail CLI", () => {
  let logVkey = "";
  const leafHashes: string[] = [];
  let note3 = "";

  it("migrates the schema and generates a key pair it will not overwrite", async () => {
    const migrated = await sealtrail(["migrate"]);
    expect([migrated.code, migrated.stdout]).toEqual([0, expect.stringMatching(new RegExp(`^migrated schema ${schema} \\(roles \\w+_owner, \\w+_writer, \\w+_reader\\)\\n$`))]);

    const generated = await sealtrail(["keys", "generate", "--out", keyDir]);
    expect(generated.code).toBe(0);
    const vkey = readFileSync(join(keyDir, "verifier-key.vkey"), "utf8").trim();
    expect(generated.stdout.split("\n")[0]).toBe(vkey);
    const parsed = parseVerifierKey(vkey);
    expect(parsed.name).toBe("sealtrail.local");
    const pem = readFileSync(signingKey, "utf8");
    expect(statSync(signingKey).mode & 0o777).toBe(0o600);
    expect(rawPublicKey(privateKeyFromPem(pem))).toEqual(parsed.publicKey);
    expect(publicKeyFromPem(readFileSync(join(keyDir, "signing-key.pub.pem"), "utf8"))).toEqual(parsed.publicKey);

    const [again, named] = await Promise.all([
      sealtrail(["keys", "generate", "--out", keyDir]),
      sealtrail(["keys", "generate", "--out", join(dir, "other"), "--name", "example.org"]),
    ]);
    expectError(again, "keys generate over existing keys");
    expect(readFileSync(signingKey, "utf8")).toBe(pem);
    expect(parseVerifierKey(named.stdout.split("\n")[0]!).name).toBe("example.org");
  });

  it("creates a log and appends events, idempotently", async () => {
    const log = json(await sealtrail(["log", "create", "audit", "--tenant", "acme"], { env: { SEALTRAIL_ORIGIN_PREFIX: "test.example" } }));
    expect(log).toMatchObject({ name: "audit", tenant: "acme", origin: "test.example/audit", id: expect.any(Number) });
    logVkey = log.verifierKey as string;
    const signer = parseVerifierKey(logVkey);
    expect(signer.name).toBe("test.example/audit");
    expect(signer.publicKey).toEqual(parseVerifierKey(readFileSync(join(keyDir, "verifier-key.vkey"), "utf8").trim()).publicKey);

    const receipts = [
      json(await sealtrail([...EVENT, "--payload", '{"n":0}', "--tag", "prod", "--tag", "eu", "--source", "ci"])),
      json(await sealtrail([...EVENT, "--payload", "-", "--outcome", "failure", "--occurred-at", "2024-05-01T12:00:00Z"], { input: '{"n":1,"text":"héllo"}' })),
      json(await sealtrail([...EVENT, "--idempotency-key", "deploy-42"])),
    ];
    expect(receipts.map((r) => [r.log, r.seq, r.duplicate])).toEqual([["audit", 0, false], ["audit", 1, false], ["audit", 2, false]]);
    for (const r of receipts) expect(fromHex(r.leafHash as string)).toHaveLength(32);
    leafHashes.push(...receipts.map((r) => r.leafHash as string));

    const resent = json(await sealtrail([...EVENT, "--idempotency-key", "deploy-42"]));
    expect(resent).toEqual({ log: "audit", seq: 2, leafHash: receipts[2]!.leafHash, idempotencyKey: "deploy-42", duplicate: true });

    const listed = (await sealtrail(["log", "list"])).stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(listed).toEqual([expect.objectContaining({ name: "audit", tenant: "acme", origin: "test.example/audit", size: 3 })]);
  });

  it("checkpoints, verifies, and serves proofs that verify", async () => {
    const checkpoint = await sealtrail(["checkpoint", "--log", "audit"]);
    expect(checkpoint.code).toBe(0);
    note3 = checkpoint.stdout;
    const cp = verifyCheckpoint(note3, verifierFromVkey(logVkey));
    expect(cp.size).toBe(3n);
    const cpFile = join(dir, "checkpoint-3.txt");
    writeFileSync(cpFile, note3);
    json(await sealtrail([...EVENT, "--resource", "svc/web"])); // size 4

    const [verified, withFile, asJson, inclusion, consistency] = await Promise.all([
      sealtrail(["verify", "--log", "audit"]),
      sealtrail(["verify", "--log", "audit", "--checkpoint", cpFile, "--key", join(keyDir, "verifier-key.vkey")], { env: { SEALTRAIL_SIGNING_KEY: undefined } }),
      sealtrail(["verify", "--log", "audit", "--json", "--threads", "0"], { env: { SEALTRAIL_SIGNING_KEY: undefined, SEALTRAIL_VERIFIER_KEY: logVkey } }),
      sealtrail(["proof", "inclusion", "--log", "audit", "--seq", "1", "--size", "3"]),
      sealtrail(["proof", "consistency", "--log", "audit", "--from", "3", "--to", "4"]),
    ]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^verified audit: 4 entries, root [0-9a-f]{64}, 1 checkpoints, \d+ ms\n$/);
    expect([withFile.code, withFile.stdout]).toEqual([0, expect.stringMatching(/^verified audit: 4 entries, .*, 2 checkpoints/)]);
    expect(asJson.code).toBe(0);
    expect(JSON.parse(asJson.stdout)).toMatchObject({ log: "audit", size: 4, verified: true, findings: [], signaturesChecked: true });

    const inc = JSON.parse(inclusion.stdout) as { seq: number; size: number; leafHash: string; proof: string[]; root: string; checkpoint?: string };
    expect([inclusion.code, inc.seq, inc.size, inc.checkpoint]).toEqual([0, 1, 3, note3]);
    expect(inc.leafHash).toBe(toBase64(fromHex(leafHashes[1]!)!));
    expect(inc.root).toBe(toBase64(cp.root));
    verifyInclusion(inc.seq, inc.size, fromBase64(inc.leafHash)!, inc.proof.map((h) => fromBase64(h)!), fromBase64(inc.root)!);

    const con = JSON.parse(consistency.stdout) as { from: number; to: number; proof: string[]; root1: string; root2: string };
    expect([consistency.code, con.from, con.to, con.root1]).toEqual([0, 3, 4, toBase64(cp.root)]);
    verifyConsistency(con.from, con.to, con.proof.map((h) => fromBase64(h)!), fromBase64(con.root1)!, fromBase64(con.root2)!);
    const current = JSON.parse((await sealtrail(["proof", "inclusion", "--log", "audit", "--seq", "3"])).stdout) as { size: number; root: string; checkpoint?: string };
    expect([current.size, current.root, current.checkpoint]).toEqual([4, con.root2, undefined]);
  });

  it("rejects bad input with exit 2 and one line on stderr", async () => {
    const cases: [string, () => Promise<Run>][] = [
      ["missing option", () => sealtrail(["emit", "--log", "audit", "--kind", "deploy", "--actor", "a", "--action", "b"])],
      ["bad --outcome", () => sealtrail([...EVENT, "--outcome", "maybe"])],
      ["bad JSON payload", () => sealtrail([...EVENT, "--payload", "{bad"])],
      ["bad JSON on stdin", () => sealtrail([...EVENT, "--payload", "-"], { input: "nope" })],
      ["invalid event", () => sealtrail([...EVENT, "--kind", "Not A Kind"])],
      ["unknown log", () => sealtrail([...EVENT.slice(0, 1), ...EVENT.slice(3), "--log", "nope"])],
      ["a tenant's audit log", () => sealtrail([...EVENT.slice(0, 1), ...EVENT.slice(3), "--log", "sealtrail.audit.default"])],
      ["a kind of the ledger's own records", () => sealtrail([...EVENT.map((a) => (a === "deploy" ? "sealtrail.erasure" : a))])],
      ["unknown option", () => sealtrail(["log", "list", "--bogus"])],
      ["existing log", () => sealtrail(["log", "create", "audit"])],
      ["--seq 1e3", () => sealtrail(["proof", "inclusion", "--log", "audit", "--seq", "1e3"])],
      ["--seq=-1", () => sealtrail(["proof", "inclusion", "--log", "audit", "--seq=-1"])],
      ["--seq abc", () => sealtrail(["proof", "inclusion", "--log", "audit", "--seq", "abc"])],
      ["--seq beyond the log", () => sealtrail(["proof", "inclusion", "--log", "audit", "--seq", "99"])],
      ["no trusted key", () => sealtrail(["verify", "--log", "audit"], { env: { SEALTRAIL_SIGNING_KEY: undefined } })],
      ["missing signing key", () => sealtrail(["checkpoint", "--log", "audit"], { env: { SEALTRAIL_SIGNING_KEY: join(dir, "absent.pem") } })],
      ["schema not migrated", () => sealtrail(["log", "list"], { env: { SEALTRAIL_DB_SCHEMA: `${schema}_absent` } })],
      ["unreachable database", () => sealtrail(["log", "list"], { env: { DATABASE_URL: "postgres://postgres@127.0.0.1:1/test" } })],
    ];
    const runs = await inBatches(cases.map(([, run]) => run), 4);
    cases.forEach(([label], i) => expectError(runs[i]!, label));
    const byLabel = new Map(cases.map(([label], i) => [label, runs[i]!.stderr]));
    expect(byLabel.get("a tenant's audit log")).toMatch(/is kept by the ledger; no source writes to it/);
    expect(byLabel.get("a kind of the ledger's own records")).toMatch(/is kept by the ledger's own records; no source writes it/);
    expect(byLabel.get("unreachable database")).toBe("sealtrail: cannot reach the database at 127.0.0.1:1: ECONNREFUSED\n");

    const [help, unknown] = await Promise.all([sealtrail(["--help"]), sealtrail(["frobnicate"])]);
    expect([help.code, help.stdout]).toEqual([0, expect.stringMatching(/^Usage: sealtrail /)]);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringMatching(/^sealtrail: unknown command "frobnicate"\n[^]*Usage: sealtrail /)]);
  });

  it("finds a truncated tail with the checkpoint held outside the database", async () => {
    const checkpoint = await sealtrail(["checkpoint", "--log", "audit"]);
    const cpFile = join(dir, "checkpoint-4.txt");
    writeFileSync(cpFile, checkpoint.stdout);
    const id = await auditLogId();
    await asAttacker(admin, async (tx) => {
      await tx`delete from entries where log_id = ${id} and seq >= 2`;
      await tx`delete from checkpoints where log_id = ${id}`;
      await tx`delete from merkle_nodes where log_id = ${id} and (idx + 1) * (1::bigint << level) > 2`;
    });
    const [inside, outside] = await Promise.all([
      sealtrail(["verify", "--log", "audit"]),
      sealtrail(["verify", "--log", "audit", "--checkpoint", cpFile]),
    ]);
    expect(inside.code).toBe(0); // self-consistent: the database alone cannot tell
    expect(outside.code).toBe(1);
    expect(outside.stdout).toMatch(/^TAMPERED tail_truncated at seq 2: /);
  });

  it("finds an edited payload, in text and in JSON", async () => {
    const id = await auditLogId();
    await asAttacker(admin, (tx) => tx`update entries set payload = '{"n":-1}' where log_id = ${id} and seq = 1`);
    const [text, report] = await Promise.all([
      sealtrail(["verify", "--log", "audit"]),
      sealtrail(["verify", "--log", "audit", "--json", "--checkpoint", join(dir, "checkpoint-3.txt")]),
    ]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^TAMPERED payload_edited at seq 1: /);
    expect(report.code).toBe(1);
    const parsed = JSON.parse(report.stdout) as { verified: boolean; tamperClass: string; firstBadSeq: number; findings: { class: string }[] };
    expect([parsed.verified, parsed.tamperClass, parsed.firstBadSeq]).toEqual([false, "payload_edited", 1]);
    expect(parsed.findings.map((f) => f.class)).toContain("tail_truncated");
  });
});

/**
 * Runs `tasks` at most `width` at a time: each CLI process then has its share of a busy
 * machine's CPU, and its own timeout measures it rather than the crowd started beside it.
 */
async function inBatches<T>(tasks: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  }));
  return results;
}
