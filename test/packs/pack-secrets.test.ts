/**
 * Secrets withheld (issue 19, item 6): a payload matching a secret detector — a PGPASSWORD=…
 * typed in a recorded shell, an AWS key, a private key block — is left out of the pack's
 * events (null; its payload_hash still proves inclusion), listed in withheld.json with the
 * rules it matched and counted on the cover; nothing else of the pack carries it; verify-pack
 * re-derives the withholding, so a secret put back (its hash still matches) fails.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventInput } from "../../src/core/entry/index.js";
import { checkpointLog } from "../../src/ledger/checkpointer.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { PostgresLedgerStore } from "../../src/ledger/postgres/postgres-store.js";
import { SECRET_RULES, secretRulesMatched } from "../../src/packs/secrets.js";
import { verifyPack } from "../../src/packs/verify-pack.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { buildSoc2Pack, filesOf, ORIGIN_PREFIX, packWorkdir, reseal, SMALL_SOC2_REQUEST } from "../support/packs.js";

const key = testKey();
let ledger: TestLedger;
let work: string;
let dir: string;
const PASSWORD = "hunter2-Zq9";
const at = (iso: string) => new Date(iso);
const cmd = (command: string, when: string): EventInput => ({ kind: "tmux.command", actor: "dave", action: "command.run", resource: "tmux/db-1/ops/%1", source: "db-1", occurredAt: at(when), payload: { command, exitCode: 0 } });

beforeAll(async () => {
  ledger = await freshLedger("packsecret");
  ({ work } = packWorkdir("packsecret", key));
  await createLog(ledger.writer, "ops", { tenant: "acme", origin: `${ORIGIN_PREFIX}/ops` });
  const clock = { now: new Date("2025-03-02T12:00:00Z") };
  const appender = new Appender(ledger.writer, { now: () => clock.now });
  await appender.append("ops", [
    cmd(`PGPASSWORD=${PASSWORD} psql -h db-1 -U app -c 'select 1'`, "2025-03-02T10:00:00Z"),
    cmd("systemctl restart api", "2025-03-02T10:01:00Z"),
    { kind: "tmux.output", actor: "dave", action: "pane.output", resource: "tmux/db-1/ops/%1", source: "db-1", occurredAt: at("2025-03-02T10:02:00Z"), payload: { text: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----" } },
    cmd("aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE", "2025-03-02T10:03:00Z"),
    { kind: "access", actor: "bob", action: "login", resource: "vpn", source: "203.0.113.9", occurredAt: at("2025-03-02T10:04:00Z"), outcome: "failure", payload: { reason: "bad password" } },
  ]);
  clock.now = new Date("2025-03-05T12:00:00Z");
  await appender.append("ops", [cmd("uptime", "2025-03-05T11:00:00Z")]);
  await checkpointLog(new PostgresLedgerStore(ledger.writer), "ops", key.privateKey);
  dir = join(work, "pack");
  await buildSoc2Pack(ledger.store, key.privateKey, dir, { ...SMALL_SOC2_REQUEST, logs: ["ops"], scope: "ops" });
}, 120_000);

afterAll(async () => {
  await ledger?.close();
  rmSync(work, { recursive: true, force: true });
});

type Withheld = { count: number; secrets: number; absent: number; rules: { id: string }[]; payloads: { log: string; seq: number; reason: string; rules: string[] }[] };
const events = () => readFileSync(join(dir, "logs", "ops", "events.jsonl"), "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as { seq: number; payload: unknown });

describe("secret detectors", () => {
  it("find the secrets of commands, URLs, keys and tokens, and leave ordinary payloads alone", () => {
    const hit = (p: unknown) => secretRulesMatched(JSON.stringify(p));
    expect(hit({ command: "PGPASSWORD=s3cret psql" })).toEqual(["env-secret"]);
    expect(hit({ command: "mysql --password=s3cret -u root" })).toEqual(["password-argument"]);
    expect(hit({ url: "postgres://app:s3cret@db:5432/app" })).toEqual(["url-credentials"]);
    expect(hit({ k: "AKIAIOSFODNN7EXAMPLE" })).toEqual(["aws-access-key"]);
    expect(hit({ text: "-----BEGIN RSA PRIVATE KEY-----\nMIIE" })).toEqual(["private-key"]);
    expect(hit({ header: "Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345" })).toEqual(["bearer-token"]);
    expect(hit({ env: "GH=ghp_abcdefghijklmnopqrstuvwxyz0123456789" })).toEqual(["token-prefix"]);
    expect(hit({ command: "export X=Qm9vZ2llV29vZ2llMTIzNDU2Nzg5MGFiY2RlZkdISUpL" })).toEqual(["high-entropy-assignment"]);
    for (const clean of [
      { reason: "bad password" }, { command: "git commit -m 'password reset flow'" }, { command: "mkdir -p /tmp/x && ls --color=auto" },
      { root: "q2cF0Xy7W1uKzJ0c9tO7kS2lP4mN8vB6rE3aD5fG1hI=", leaf: "a3f1c9e2b7d4f6a8c0e1b2d3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3" },
      { url: "https://example.com/path?page=2" }, { key: "tls.min_version", before: "1.2", after: "1.3" }, { text: "✓ backup done — λ=0.5" },
    ]) expect(hit(clean), JSON.stringify(clean)).toEqual([]);
  });
});

/** Every rule run on the payload and its decoded strings, without the hints: what secretRulesMatched must give. */
function allRulesRun(payload: string): string[] {
  const strings = (v: unknown): string[] => (typeof v === "string" ? [v] : Array.isArray(v) ? v.flatMap(strings) : v !== null && typeof v === "object" ? Object.values(v).flatMap(strings) : []);
  let text = payload;
  try {
    // Decoded where an escape may hide something, as secrets.ts does.
    if (payload.includes("\\")) text = `${payload}\n${strings(JSON.parse(payload)).join("\n")}`;
  } catch {
    // matched as it stands
  }
  return SECRET_RULES.filter((r) => {
    const pattern = new RegExp(r.pattern.source, r.pattern.flags.replace("g", ""));
    if (!r.pattern.global) return pattern.test(text);
    const bits = (t: string) => [...new Set(t)].reduce((b, c) => b - (t.split(c).length - 1) / t.length * Math.log2((t.split(c).length - 1) / t.length), 0);
    return [...text.matchAll(r.pattern)].some((m) => /[A-Z]/.test(m[1]!) && /[a-z]/.test(m[1]!) && /[0-9]/.test(m[1]!) && bits(m[1]!) > 4.5);
  }).map((r) => r.id);
}

describe("secret hints", () => {
  const found = [
    "PGPASSWORD=s3cret psql", "mysql --password=s3cret", "curl -u x --PASSWORD hunter22", "?Token=abcdef&x=1", "postgres://app:s3cret@db:5432/app", "HTTPS://U:Pw0rd@H",
    "AKIAIOSFODNN7EXAMPLE", "ASIAIOSFODNN7EXAMPLE", "AWS_Secret_Access_Key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "-----BEGIN EC PRIVATE KEY-----",
    "authorization: BEARER abcdefghijklmnopqrstuvwxyz012345", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "github_pat_abcdefghijklmnopqrstuvwxyz0123", "glpat-abcdefghijklmnopqrst",
    "xoxb-1234567890", "sk_live_abcdefghijklmnopqrst", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdefghijk", "X=Qm9vZ2llV29vZ2llMTIzNDU2Nzg5MGFiY2RlZkdISUpL",
  ];

  it("are in every text a rule finds, lowercased", () => {
    let matched = 0;
    for (const text of found) {
      for (const rule of SECRET_RULES) {
        const pattern = new RegExp(rule.pattern.source, rule.pattern.flags.replace("g", ""));
        if (!pattern.test(text)) continue;
        matched++;
        expect(rule.hints.some((h) => text.toLowerCase().includes(h)), `${rule.id} on ${text}`).toBe(true);
        expect(rule.hints.every((h) => h === h.toLowerCase() && !/["\\\u0000-\u001f]/.test(h)), rule.id).toBe(true);
      }
    }
    expect(matched).toBeGreaterThanOrEqual(found.length);
  });

  it("change no result: the rules run on every payload give what the hints let through", () => {
    // Fragments that make and hide secrets: escapes that decode to a hint's characters (\u003d is "=", \/ is "/") included.
    const parts = [
      "PGPASSWORD", "=", "\\u003d", "s3cret", "Qm9vZ2llV29vZ2llMTIzNDU2Nzg5MGFiY2RlZkdISUpL", ":", "\\/", "/", "@", "https", "app", " ", "\\n", "\\\"", "--password",
      "AKIAIOSFODNN7EXAMPLE", "Bearer", "abcdefghijklmnopqrstuvwxyz012345", "ghp_", "x", "✓", "\\\\", "é",
      "PGPASSWORD\\u003ds3cret", "https:\\/\\/app:s3cret@db", "X\\u003dQm9vZ2llV29vZ2llMTIzNDU2Nzg5MGFiY2RlZkdISUpL", "Bearer\\nabcdefghijklmnopqrstuvwxyz012345", "\\u0041KIAIOSFODNN7EXAMPLE",
    ];
    let seed = 11;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    let secrets = 0;
    for (let i = 0; i < 4000; i++) {
      const value = Array.from({ length: 1 + random(4) }, () => parts[random(parts.length)]).join("");
      const payload = random(2) ? `{"a":"${value}"}` : `{"a":["${value}","${parts[random(parts.length)]}"],"b":1}`;
      const want = allRulesRun(payload);
      if (want.length > 0) secrets++;
      expect(secretRulesMatched(payload), payload).toEqual(want);
    }
    expect(secrets).toBeGreaterThan(100);
  });
});

describe("a pack of a shell where a password was typed", () => {
  it("withholds the matching payloads from the events, keeps their hashes, and carries the secret in no file", () => {
    const withheld = JSON.parse(readFileSync(join(dir, "withheld.json"), "utf8")) as Withheld;
    expect(withheld).toMatchObject({ count: 3, secrets: 3, absent: 0 });
    expect(withheld.rules.map((r) => r.id)).toEqual(SECRET_RULES.map((r) => r.id));
    const firstSeq = events()[0]!.seq;
    expect(withheld.payloads).toEqual([
      { log: "ops", seq: firstSeq, reason: "secret", rules: ["env-secret"] },
      { log: "ops", seq: firstSeq + 2, reason: "secret", rules: ["private-key"] },
      { log: "ops", seq: firstSeq + 3, reason: "secret", rules: ["aws-access-key"] },
    ]);
    expect(events().map((e) => e.payload === null)).toEqual([true, false, true, true, false]);
    for (const file of filesOf(dir)) {
      const bytes = readFileSync(join(dir, file)).toString("latin1");
      expect(bytes.includes(PASSWORD) || bytes.includes("AKIAIOSFODNN7EXAMPLE") || bytes.includes("b3BlbnNzaC1rZXktdjEAAAAA"), file).toBe(false);
    }
    expect(JSON.parse(readFileSync(join(dir, "pack.json"), "utf8")).withheld).toEqual({ count: 3, secrets: 3, absent: 0, file: "withheld.json" });
    const text = execFileSync("pdftotext", ["-layout", join(dir, "report.pdf"), "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
    expect(text).toContain("Payloads withheld 3 (3 matching a secret rule, 0 absent in the ledger), listed in withheld.json");
  });

  it("verifies, counting the withheld payloads and re-deriving the withholding", async () => {
    const report = await verifyPack(dir, { checkpointKeys: [key.publicKey] });
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.verified).toBe(true);
    expect(report.withheldPayloads).toBe(3);
    expect(report.checks.find((c) => c.check === "withheld")!.message).toMatch(/^3 payloads left out, each listed with why \(3 matching a secret rule, 0 absent in the ledger\); no payload shown matches a secret rule/);
  });

  it("fails when a withheld secret is put back (its hash still matches) and dropped from the list, re-sealed with the genuine key", async () => {
    const copy = join(work, "put-back");
    execFileSync("cp", ["-r", dir, copy]);
    const file = join(copy, "logs", "ops", "events.jsonl");
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    lines[0] = JSON.stringify({ ...first, payload: { command: `PGPASSWORD=${PASSWORD} psql -h db-1 -U app -c 'select 1'`, exitCode: 0 } });
    writeFileSync(file, `${lines.join("\n")}\n`);
    const list = JSON.parse(readFileSync(join(copy, "withheld.json"), "utf8")) as Withheld;
    list.payloads.shift();
    writeFileSync(join(copy, "withheld.json"), JSON.stringify(list, null, 2));
    reseal(copy, key.privateKey);
    const report = await verifyPack(copy, { checkpointKeys: [key.publicKey] });
    // The payload matches its hash: the events verify; the withholding does not.
    expect(report.checks.find((c) => c.check === "events")!.ok).toBe(true);
    expect(report.checks.filter((c) => !c.ok).map((c) => c.check)).toContain("withheld");
    expect(report.verified).toBe(false);
  });
});
